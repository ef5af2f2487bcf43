import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Resource, Validations } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { AgentGuardrailsChecks } from '../../constructs/aws/agent-guardrails-checks';
import { cliErrors, packErrors } from './error-findings';
import { buildGrantMethodsApp, COVERED_MODULES, EXCLUDED_MODULES, EXPECTED_ERRORS, KNOWN_GAPS } from './cdk-grant-methods-app';

/**
 * The precision suite: every `grant*` method of the covered aws-cdk-lib modules and every method of
 * their exported `*Grants` classes (`bucket.grants.read`, `table.grants.multiAccountReplicationTo`), plus CDK's helper
 * roles and the common AWS-managed execution policies, passes the pack and the CLI with no error.
 * The methods are found by reflection over the modules' construct classes, so a CDK upgrade that
 * adds one fails here until the app calls it.
 */

interface GrantMethod { readonly prototype: object; readonly method: string }

const CDK_LIB = path.dirname(require.resolve('aws-cdk-lib/package.json'));

/** The text of every public declaration file of a module (files under `private/` are not exported). */
function publicDeclarations(module: string): string[] {
  const texts: string[] = [];
  const visit = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'private') visit(p);
      } else if (e.name.endsWith('.d.ts')) {
        texts.push(fs.readFileSync(p, 'utf8'));
      }
    }
  };
  visit(path.join(CDK_LIB, module, 'lib'));
  return texts;
}

/** The grant method names a module declares public (`private grant;` in a .d.ts is not callable). */
function publicGrantNames(module: string): Set<string> {
  const names = new Set<string>();
  for (const text of publicDeclarations(module)) for (const m of text.matchAll(/^\s+(?:static\s+)?(grant\w*)\(/gm)) names.add(m[1]);
  return names;
}

/**
 * The public instance methods of each `*Grants` class a module declares (`BucketGrants.read`,
 * `TableGrants.multiAccountReplicationTo`): the newer grant API, reached as `resource.grants.*` or
 * `XxxGrants.fromXxx(ref).*`, whose methods are not named grant*. Static factories (`fromBucket`) grant nothing.
 */
function publicGrantsClassMethods(module: string): Map<string, Set<string>> {
  const classes = new Map<string, Set<string>>();
  for (const text of publicDeclarations(module)) {
    for (const c of text.matchAll(/^export declare class (\w+Grants) [^\n]*\{\n([\s\S]*?)^\}/gm)) {
      const methods = new Set<string>();
      for (const m of c[2].matchAll(/^ {4}(\w+)\(/gm)) if (m[1] !== 'constructor') methods.add(m[1]);
      classes.set(c[1], methods);
    }
  }
  return classes;
}

/** Every aws-cdk-lib module that declares a public grant method (on a class or an interface) or a `*Grants` class. */
function modulesWithGrants(): string[] {
  return fs.readdirSync(CDK_LIB, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(CDK_LIB, e.name, 'lib')) && (publicGrantNames(e.name).size > 0 || publicGrantsClassMethods(e.name).size > 0))
    .map((e) => e.name).sort();
}

/**
 * Every public grant method of the covered modules' construct classes, keyed `module.Class.method`
 * by the exported class that defines it (an inherited method counts once, on its base).
 */
function grantMethods(): Map<string, GrantMethod> {
  const found = new Map<string, GrantMethod>();
  for (const module of COVERED_MODULES) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const exports = require(`aws-cdk-lib/${module}`) as Record<string, unknown>;
    const publicNames = publicGrantNames(module);
    // CDK's decorators rename classes at run time: name a prototype after its export.
    const exportName = new Map<object, string>();
    const classes = Object.entries(exports).filter((e): e is [string, { prototype: object }] => typeof e[1] === 'function' && typeof (e[1] as { prototype?: unknown }).prototype === 'object');
    for (const [name, value] of classes) exportName.set(value.prototype, name);
    // A decorated export is a subclass of the class that holds the methods: that class takes the export's name.
    for (const [name, value] of classes) if (!exportName.has(Object.getPrototypeOf(value.prototype))) exportName.set(Object.getPrototypeOf(value.prototype), name);
    for (const value of Object.values(exports)) {
      if (typeof value !== 'function' || typeof value.prototype !== 'object') continue;
      // Static grants (`Metric.grantPutMetricData`) are methods of the class itself; a decorated export
      // (`EventBus`) inherits them from the class it wraps, so walk the constructors' chain too.
      for (let ctor = value as object; ctor && ctor !== Function.prototype && ctor !== Resource && ctor !== Construct; ctor = Object.getPrototypeOf(ctor)) {
        for (const method of Object.getOwnPropertyNames(ctor)) {
          if (publicNames.has(method) && typeof Object.getOwnPropertyDescriptor(ctor, method)?.value === 'function') {
            const owner = exportName.get((ctor as { prototype: object }).prototype) ?? (ctor as { name: string }).name;
            found.set(`${module}.${owner}.${method}`, { prototype: ctor, method });
          }
        }
      }
      // Instance grants, of resources and of other constructs (`Asset.grantRead`, `ManualApprovalAction.grantManualApproval`).
      for (let proto = value.prototype as object; proto && proto !== Resource.prototype && proto !== Construct.prototype && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
        for (const method of Object.getOwnPropertyNames(proto)) {
          const d = Object.getOwnPropertyDescriptor(proto, method);
          if (!publicNames.has(method) || typeof d?.value !== 'function') continue;
          const owner = exportName.get(proto) ?? (proto as { constructor: { name: string } }).constructor.name;
          found.set(`${module}.${owner}.${method}`, { prototype: proto, method });
        }
      }
    }
    for (const [className, names] of publicGrantsClassMethods(module)) {
      const value = exports[className] as { prototype: Record<string, unknown> } | undefined;
      // Declared in a file the module's index does not export (aws-ssm's generated ParameterGrants): no user can reach it.
      if (!value) continue;
      for (const method of names) {
        if (typeof value.prototype[method] !== 'function') throw new Error(`${module}.${className}.${method} is declared but not a method`);
        found.set(`${module}.${className}.${method}`, { prototype: value.prototype, method });
      }
    }
  }
  return found;
}

let dir: string;
let called: Set<string>;
let methods: Map<string, GrantMethod>;
let outdir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-grants-'));
  methods = grantMethods();
  called = new Set();
  const originals: [object, string, unknown][] = [];
  // Record which grant implementations the app reaches (a wrapper per defining prototype).
  for (const [key, m] of methods) {
    const original = (m.prototype as Record<string, unknown>)[m.method] as (...a: unknown[]) => unknown;
    originals.push([m.prototype, m.method, original]);
    (m.prototype as Record<string, unknown>)[m.method] = function (this: unknown, ...args: unknown[]) {
      called.add(key);
      return original.apply(this, args);
    };
  }
  try {
    const app = buildGrantMethodsApp(dir, { '@aws-cdk/core:failSynthOnValidationErrors': false });
    Validations.of(app).addPlugins(new AgentGuardrailsChecks(app));
    app.synth();
    outdir = app.outdir;
  } finally {
    for (const [proto, method, original] of originals) (proto as Record<string, unknown>)[method] = original;
  }
}, 300000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The errors no entry of EXPECTED_ERRORS or KNOWN_GAPS explains, and the entries no error matched (a fixed gap must leave the list). */
function unexpected(errors: { rule: string; resource: string; text: string }[]): { extra: string[]; missed: string[] } {
  const explains = (e: { rule: string; resource: string }, x: { rule: string; resourcePrefix: string }) => e.rule === x.rule && e.resource.startsWith(x.resourcePrefix);
  const listed = [...EXPECTED_ERRORS, ...KNOWN_GAPS];
  return {
    extra: errors.filter((e) => !listed.some((x) => explains(e, x))).map((e) => e.text),
    missed: listed.filter((x) => !errors.some((e) => explains(e, x))).map((x) => `${'method' in x ? x.method : x.resourcePrefix} (${x.rule})`),
  };
}

describe('precision: every grant* method of aws-cdk-lib\'s L2 constructs passes clean', () => {
  test('the app calls every grant method of the covered modules (found by reflection)', () => {
    expect(methods.size).toBeGreaterThan(280);
    expect([...methods.keys()].filter((k) => !called.has(k))).toEqual([]);
    expect(EXPECTED_ERRORS.filter((x) => !x.pattern && !methods.has(x.method)).map((x) => x.method)).toEqual([]);
  });

  test('every aws-cdk-lib module with grant methods is covered, or excluded with a reason', () => {
    const listed = new Set<string>([...COVERED_MODULES, ...Object.keys(EXCLUDED_MODULES)]);
    expect(modulesWithGrants().filter((m) => !listed.has(m))).toEqual([]);
    expect(COVERED_MODULES.filter((m) => m in EXCLUDED_MODULES)).toEqual([]);
    for (const why of Object.values(EXCLUDED_MODULES)) expect(why.length).toBeGreaterThan(20);
  });

  test('the pack reports no error inside cdk synth but the deliberate ones', () => {
    expect(unexpected(packErrors(outdir))).toEqual({ extra: [], missed: [] });
  });

  test('the CLI reports no error on the cloud assembly but the deliberate ones', async () => {
    expect(unexpected(await cliErrors(outdir))).toEqual({ extra: [], missed: [] });
  });
});
