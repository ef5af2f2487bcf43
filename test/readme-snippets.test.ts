import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Every TypeScript snippet of the README type-checks as written, imports included, against this
 * package's entry points: a renamed prop, a missing import or a changed signature fails here
 * instead of in a reader's editor. A snippet may use only the "given" names below without
 * defining them (the app, the stack, the environment it works in, ARNs a reader fills in).
 */
const ROOT = path.join(__dirname, '..');
const README = path.join(ROOT, 'README.md');

/** The package's entry points, as a user imports them (package.json `exports`). */
const ENTRY_POINTS: Record<string, string> = {
  'agent-guardrails': 'lib/index.ts',
  'agent-guardrails/aws': 'constructs/aws/index.ts',
  'agent-guardrails/aws/checks': 'constructs/aws/checks.ts',
  'agent-guardrails/gcp': 'constructs/gcp/index.ts',
  'agent-guardrails/azure': 'constructs/azure/index.ts',
  'agent-guardrails/tf': 'constructs/tf/index.ts',
};

/** Names a snippet may use without defining them, with their types, in a CDK app and in a CDKTF app. */
const GIVEN: Record<'cdk' | 'cdktf', Record<string, string>> = {
  cdk: {
    app: "import('aws-cdk-lib/core').App",
    stack: "import('aws-cdk-lib/core').Stack",
    role: "import('aws-cdk-lib/aws-iam').Role",
    prod: "import('agent-guardrails').Environment",
    runtimeRoleArn: 'string',
    incidentResponseRoleArn: 'string',
  },
  cdktf: {
    app: "import('cdktf').App",
    stack: "import('cdktf').TerraformStack",
    prod: "import('agent-guardrails').Environment",
    containerAppId: 'string',
  },
};

interface Snippet {
  readonly line: number;
  readonly code: string;
  readonly context: 'cdk' | 'cdktf';
}

function snippets(): Snippet[] {
  const lines = fs.readFileSync(README, 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    const code = lines.slice(start, end).join('\n');
    out.push({ line: start + 1, code, context: /from 'agent-guardrails\/(gcp|azure|tf)'/.test(code) ? 'cdktf' : 'cdk' });
    i = end;
  }
  return out;
}

const fileOf = (k: number) => path.join(ROOT, 'test', `__readme_snippet_${k}.ts`);

/** Type-check the snippets (each its own module), with `given` declarations prepended per snippet. */
function typeCheck(all: readonly Snippet[], given: readonly string[][]): ts.Diagnostic[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, lib: ['lib.es2022.d.ts'],
    strict: true, esModuleInterop: true, resolveJsonModule: true, skipLibCheck: true, noEmit: true, types: ['node'],
    baseUrl: ROOT, paths: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([k, v]) => [k, [v]])),
  };
  const texts = new Map(all.map((s, k) => [fileOf(k), `${given[k].join('\n')}${given[k].length > 0 ? '\n' : ''}${s.code}\n`]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, lang, onError) => {
    const text = texts.get(path.resolve(file));
    return text !== undefined ? ts.createSourceFile(file, text, lang) : getSourceFile(file, lang, onError);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => texts.has(path.resolve(file)) || fileExists(file);
  const program = ts.createProgram([...texts.keys()], options, host);
  return [...texts.keys()].flatMap((f) => {
    const sf = program.getSourceFile(f)!;
    return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
  });
}

describe('README TypeScript snippets', () => {
  const all = snippets();

  test('there are snippets, and each imports what it uses (no given name stands in for an import)', () => {
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const s of all) expect(s.code).toMatch(/^import /m);
  });

  test('each type-checks against the package entry points', () => {
    // The given names a snippet does not define or import itself are declared ahead of it.
    const given = all.map((s) => Object.entries(GIVEN[s.context])
      .filter(([n]) => new RegExp(`\\b${n}\\b`).test(s.code) && !new RegExp(`(\\b(const|let|var|function|class)\\s+${n}\\b)|(import[^;]*\\b${n}\\b[^;]*from)`).test(s.code))
      .map(([n, type]) => `declare const ${n}: ${type};`));
    const errors = typeCheck(all, given).map((d) => {
      const k = all.findIndex((_, i) => d.file && path.resolve(d.file.fileName) === fileOf(i));
      const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line - given[k].length : 0;
      return `README.md:${(all[k]?.line ?? 0) + at}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
    expect(errors).toEqual([]);
  }, 300_000); // one TypeScript program over aws-cdk-lib, cdktf and both providers: about a minute on a loaded machine
});
