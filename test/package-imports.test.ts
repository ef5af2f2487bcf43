import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * What a user's install loads. The repository's own tests cannot see a missing package (the
 * devDependencies are installed here), so this reads the sources as they run: each file is
 * transpiled the way the build does (type-only imports vanish), and its `require`s are followed.
 * `.ci/installed-package.sh` proves the same from the packed tarball in fresh apps.
 */
const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const dependencies = Object.keys(pkg.dependencies ?? {});
const peers = Object.keys(pkg.peerDependencies ?? {});
const builtins = new Set(builtinModules);

/** The package a bare specifier names (`@scope/name/deep/path` → `@scope/name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const requiresOf = new Map<string, string[]>();

/** The specifiers a TypeScript file requires at run time (after type-only imports are elided). */
function runtimeRequires(file: string): string[] {
  const known = requiresOf.get(file);
  if (known) return known;
  const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: file,
  }).outputText;
  // Either quote: the compiler's own requires use double quotes, a hand-written (on-demand) one keeps its own.
  const specifiers = [...out.matchAll(/\brequire\((["'])([^"']+)\1\)/g)].map((m) => m[2]);
  requiresOf.set(file, specifiers);
  return specifiers;
}

function resolveSource(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
  return undefined; // JSON data and other non-code files
}

/**
 * Modules that shipped code requires only on demand (inside a function, on the one path that needs
 * them), with the optional peer each needs: an app that never takes that path neither loads nor
 * installs the peer. Walking an entry point stops at them; their own test below checks both claims.
 */
const ON_DEMAND: Record<string, { readonly requiredBy: string; readonly peer: string }> = {
  // A broker without apiClientId creates its API's app registration; with one, no azuread provider is needed.
  'constructs/azure/private/broker-api-registration.ts': { requiredBy: 'constructs/azure/credential-broker.ts', peer: '@cdktf/provider-azuread' },
};
const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');

/** The packages loaded, transitively, by requiring `entry` (a source file); on-demand modules are not followed unless `entry` is one. */
function packagesLoadedBy(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeRequires(file)) {
      if (specifier.startsWith('.')) {
        const next = resolveSource(file, specifier);
        if (next && !ON_DEMAND[rel(next)]) stack.push(next);
      } else if (!specifier.startsWith('node:') && !builtins.has(packageOf(specifier))) {
        packages.add(packageOf(specifier));
      }
    }
  }
  return packages;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(f);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [f] : [];
  });
}

/** Each entry point's source and the peers it may load (dependencies are always allowed). */
const ENTRY_POINTS: Record<string, { readonly source: string; readonly peers: readonly string[] }> = {
  '.': { source: 'lib/index.ts', peers: [] },
  './aws': { source: 'constructs/aws/index.ts', peers: ['aws-cdk-lib', 'constructs'] },
  './aws/checks': { source: 'constructs/aws/checks.ts', peers: ['aws-cdk-lib', 'constructs', 'cdk-nag'] },
  './gcp': { source: 'constructs/gcp/index.ts', peers: ['cdktf', 'constructs', '@cdktf/provider-google'] },
  './azure': { source: 'constructs/azure/index.ts', peers: ['cdktf', 'constructs', '@cdktf/provider-azurerm'] },
  './tf': { source: 'constructs/tf/index.ts', peers: ['cdktf', 'constructs'] },
};

/**
 * Entry points that exist only as prebuilt handler bundles (dist-handler/, with their cloud SDKs
 * inside): tsconfig.build.json leaves them out of dist/, so no user install ever requires them.
 */
const BUNDLE_ONLY = new Set(['constructs/gcp/broker-runtime/broker-server.ts', 'constructs/azure/broker-runtime/broker-server.ts']);

describe('what the installed package loads', () => {
  test('bundle-only entry points are left out of the build', () => {
    const build = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { exclude: string[] };
    for (const f of BUNDLE_ONLY) expect(build.exclude).toContain(f);
  });

  test('shipped code (lib/, constructs/) imports only dependencies and peers', () => {
    const allowed = new Set([...dependencies, ...peers]);
    const undeclared = [...sourceFiles(path.join(root, 'lib')), ...sourceFiles(path.join(root, 'constructs'))]
      .filter((f) => !BUNDLE_ONLY.has(path.relative(root, f).split(path.sep).join('/')))
      .flatMap((f) => runtimeRequires(f)
        .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtins.has(packageOf(s)) && !allowed.has(packageOf(s)))
        .map((s) => `${path.relative(root, f)}: ${s}`));
    expect(undeclared).toEqual([]);
  });

  test('every entry point in package.json is listed here', () => {
    expect(Object.keys(pkg.exports).filter((k) => !k.includes('*') && k !== './package.json').sort()).toEqual(Object.keys(ENTRY_POINTS).sort());
  });

  test.each(Object.entries(ENTRY_POINTS))('%s loads only dependencies and its own peers', (subpath, { source, peers: own }) => {
    expect(pkg.exports[subpath].default).toBe(`./dist/${source.replace(/\.ts$/, '.js')}`);
    const loaded = [...packagesLoadedBy(path.join(root, source))];
    expect(loaded.filter((p) => !dependencies.includes(p) && !own.includes(p))).toEqual([]);
  });

  test.each(Object.entries(ON_DEMAND))('%s is required only inside a function (on demand), and loads only its peer besides the Azure entry point\'s', (file, { requiredBy, peer }) => {
    const text = fs.readFileSync(path.join(root, requiredBy), 'utf8');
    const source = ts.createSourceFile(requiredBy, text, ts.ScriptTarget.ES2022, true);
    const specifier = `./${path.relative(path.dirname(requiredBy), file).replace(/\.ts$/, '')}`;
    const calls: ts.CallExpression[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'require' && ts.isStringLiteral(n.arguments[0]) && n.arguments[0].text === specifier) calls.push(n);
      ts.forEachChild(n, visit);
    };
    visit(source);
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      let n: ts.Node | undefined = call;
      while (n && !ts.isFunctionLike(n)) n = n.parent;
      expect(n).toBeDefined();
    }
    // Nothing else in the shipped code reaches it by a static import.
    expect(runtimeRequires(path.join(root, requiredBy)).filter((s) => s === specifier)).toHaveLength(calls.length);
    const loaded = [...packagesLoadedBy(path.join(root, file))];
    expect(loaded.filter((p) => !dependencies.includes(p) && !ENTRY_POINTS['./azure'].peers.includes(p) && p !== peer)).toEqual([]);
    expect(loaded).toContain(peer);
    expect(pkg.peerDependenciesMeta?.[peer]?.optional).toBe(true);
  });

  test('the CLI loads only dependencies (no CDK, cdk-nag, CDKTF or provider is needed to check files)', () => {
    const loaded = [...packagesLoadedBy(path.join(root, 'lib/cli/main.ts'))];
    expect(loaded.filter((p) => !dependencies.includes(p))).toEqual([]);
  });

  test('construct code never loads the AWS SDK: the broker runtime ships as a prebuilt Lambda bundle', () => {
    for (const { source } of Object.values(ENTRY_POINTS)) {
      expect([...packagesLoadedBy(path.join(root, source))].filter((p) => p.startsWith('@aws-sdk/'))).toEqual([]);
    }
  });

  test('the versions tested here (devDependencies) satisfy the peer ranges users are told', () => {
    const devDependencies: Record<string, string> = pkg.devDependencies ?? {};
    const untrue = Object.entries(pkg.peerDependencies as Record<string, string>)
      .filter(([name, range]) => devDependencies[name] !== undefined && !satisfiesCaret(devDependencies[name], range))
      .map(([name, range]) => `${name}: peer ${range}, tested ${devDependencies[name]}`);
    expect(untrue).toEqual([]);
  });

  test('peers a single cloud does not need are optional, so npm does not install them', () => {
    for (const p of peers.filter((n) => n !== 'constructs')) expect(pkg.peerDependenciesMeta?.[p]?.optional).toBe(true);
  });
});

/** Whether an exact version satisfies a caret range (`^1.2.3`), the only range form package.json uses for peers. */
function satisfiesCaret(version: string, range: string): boolean {
  const wanted = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  const got = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!wanted || !got) return false;
  const [w, g] = [wanted.slice(1).map(Number), got.slice(1).map(Number)];
  if (g[0] !== w[0]) return false;
  if (w[0] === 0 && g[1] !== w[1]) return false;
  return g[1] > w[1] || (g[1] === w[1] && g[2] >= w[2]);
}
