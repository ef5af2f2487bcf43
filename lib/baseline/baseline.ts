import * as fs from 'fs';
import * as path from 'path';
import type { ValidateFunction } from 'ajv';
import type { IConstruct } from 'constructs';
import { GuardrailError } from '../errors';
import type { Cloud } from '../inventory/inventory';
import { AccessLevel, parseAccessLevel } from '../model/access-level';
import { AgentTier } from '../model/tier';
import { ActivitySeverityDocument, BaselineDocument } from './baseline-document';
import { AppliedLoosening, mergeBaselines } from './merge-baselines';
import { baselineDigest, EmbeddedBaseline } from './embedded-baseline';
import { schemaValidator } from '../private/json-schema-validator';
import { readTextFile } from '../private/read-text-file';

/** Where the package's own policies/ folder is (works from lib/ sources and from dist/lib). */
export function policiesDir(): string {
  for (const candidate of [path.join(__dirname, '..', '..', 'policies'), path.join(__dirname, '..', '..', '..', 'policies')]) {
    if (fs.existsSync(path.join(candidate, 'baseline.schema.json'))) return candidate;
  }
  throw new GuardrailError('AG_POLICIES_MISSING', `policies/ folder not found next to ${__dirname}. Reinstall agent-guardrails.`);
}

let validator: ValidateFunction | undefined;
function validateDocument(doc: unknown, source: string): BaselineDocument {
  validator ??= schemaValidator('baseline.schema.json');
  if (!validator(doc)) {
    const errors = (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`);
    throw new GuardrailError('AG_BASELINE_INVALID', `baseline ${source} does not match policies/baseline.schema.json: ${errors.join('; ')}. Fix the file; unknown keys are refused so that a typo never silently drops a rule.`);
  }
  return doc as BaselineDocument;
}

/** The package's default baseline file (shipped, and validated by the package's tests). */
function shippedDefaultFile(): string {
  return path.join(policiesDir(), 'baseline.default.json');
}

/**
 * Whether an embedded document is the package default's, by content (its canonical digest): most
 * apps embed the default, and the default needs no schema check at run time. Anything else, or a
 * document the digest cannot be computed for, goes through the schema.
 */
function isDefaultDocument(document: object, claimedDigest: string): boolean {
  const defaults = Baseline.default();
  if (claimedDigest !== defaults.digest) return false;
  try {
    return baselineDigest(document as BaselineDocument) === defaults.digest;
  } catch {
    return false;
  }
}

/** The CDK / CDKTF context key naming an app's baseline file (`cdk.json` or `cdktf.json` "context"). */
export const BASELINE_CONTEXT_KEY = 'agent-guardrails:baseline';

/** Where an app's baseline is kept: on its root construct, under a global symbol (so two copies of the package agree). */
const APP_BASELINE = Symbol.for('agent-guardrails.appBaseline');

interface AppBaselineSlot {
  readonly baseline: Baseline;
  /** Whether it was stated (setForApp or context) rather than defaulted. */
  readonly stated: boolean;
}

/** Deviations that trip the kill switch when a baseline says nothing about them (the rest alert). */
const DEFAULT_ACTIVITY_SEVERITY: Record<string, ActivitySeverityDocument> = {
  'other-environment': 'trip',
  'destructive-without-approval': 'trip',
  'unknown-identity': 'trip',
};

/** The default baseline, loaded on first use (baselines are immutable once built). */
let defaultBaseline: Baseline | undefined;

/** A tier's ceiling, resolved. */
export interface TierCeiling {
  readonly accessLevels: AccessLevel[];
  readonly writesMustBeProposals: boolean;
  readonly requireWindowFor: AccessLevel[];
}

/**
 * The security team's rules as data: read from a versioned JSON file, validated against the
 * schema, merged over its `extends` chain (merging only tightens).
 */
export class Baseline {
  /** The package's default baseline (`policies/baseline.default.json`), read once per process. */
  public static default(): Baseline {
    defaultBaseline ??= Baseline.fromFile(path.join(policiesDir(), 'baseline.default.json'));
    return defaultBaseline;
  }

  /**
   * Set the baseline of the whole app, once: every construct, the cdk-nag pack and the CDKTF
   * validation under `scope`'s app read it (a construct's own `baseline` prop may only tighten
   * it), and the synthesized output names it for the CLI. Call it before creating the constructs.
   * The context key `agent-guardrails:baseline` (a file path) does the same from `cdk.json` / `cdktf.json`.
   */
  public static setForApp(scope: IConstruct, baseline: Baseline): void {
    const root = scope.node.root as IConstruct & { [APP_BASELINE]?: AppBaselineSlot };
    const current = root[APP_BASELINE];
    if (current?.baseline === baseline) return;
    if (current) {
      throw new GuardrailError('AG_BASELINE_SET_TWICE', GuardrailError.format('Baseline.setForApp(app)', 'may be called once per app, before any construct reads the baseline',
        `${baseline.id} ${baseline.version} after ${current.baseline.id} ${current.baseline.version}${current.stated ? '' : ' (already read by a construct)'}`,
        'Call Baseline.setForApp once, right after creating the app, or set the context key agent-guardrails:baseline.'));
    }
    Object.defineProperty(root, APP_BASELINE, { value: { baseline, stated: true }, configurable: false, enumerable: false, writable: false });
  }

  /**
   * The baseline in force for `scope`'s app: the one `setForApp` set, else the file the context key
   * `agent-guardrails:baseline` names, else the package default. Read once per app; after that
   * `setForApp` can no longer change it.
   */
  public static of(scope: IConstruct): Baseline {
    const root = scope.node.root as IConstruct & { [APP_BASELINE]?: AppBaselineSlot };
    const current = root[APP_BASELINE];
    if (current) return current.baseline;
    const file: unknown = root.node.tryGetContext(BASELINE_CONTEXT_KEY);
    if (file !== undefined && typeof file !== 'string') {
      throw new GuardrailError('AG_BASELINE_CONTEXT', GuardrailError.format(`context ${BASELINE_CONTEXT_KEY}`, 'must be the path of a baseline file', JSON.stringify(file), 'Set it to a path, e.g. "guardrails.json".'));
    }
    const slot: AppBaselineSlot = file ? { baseline: Baseline.fromFile(file), stated: true } : { baseline: Baseline.default(), stated: false };
    Object.defineProperty(root, APP_BASELINE, { value: slot, configurable: false, enumerable: false, writable: false });
    return slot.baseline;
  }

  /**
   * The baseline a construct under `scope` works with: its own (which must be the app's or extend
   * it: a construct may tighten the app's baseline, never swap it), else the app's.
   */
  public static resolve(scope: IConstruct, own: Baseline | undefined, field: string): Baseline {
    const app = Baseline.of(scope);
    if (!own || own === app) return app;
    const root = scope.node.root as IConstruct & { [APP_BASELINE]?: AppBaselineSlot };
    const extendsApp = app.lineage.every((id, i) => own.lineage[i] === id);
    if (root[APP_BASELINE]?.stated && !extendsApp) {
      throw new GuardrailError('AG_BASELINE_CONFLICT', GuardrailError.format(field, `must be the app's baseline ${app.id} ${app.version} or extend it`,
        `${own.id} ${own.version} (extends ${own.lineage.join(' -> ')})`, 'Drop the prop (the app\'s baseline applies), or make this baseline extend the app\'s.'));
    }
    return own;
  }

  /** Load a baseline file and its `extends` chain (paths relative to the file, or npm package names). */
  public static fromFile(file: string): Baseline {
    return Baseline.load(path.resolve(file), []);
  }

  /**
   * A baseline from an object (e.g. built in code). `extends` is resolved relative to `baseDir`.
   * @param baseDir folder that a relative `extends` is read from; defaults to the working directory
   */
  public static fromObject(doc: unknown, baseDir?: string): Baseline {
    const checked = validateDocument(doc, '(object)');
    return Baseline.withParents(checked, baseDir ?? process.cwd(), ['(object)']);
  }

  /**
   * The baseline a synthesized app carries (`toEmbedded()`, found by the CLI in `cdk.out` or
   * `cdktf.out`). The input is hostile until checked: the document must match the schema, name
   * neither `extends` nor `roleData` (it is embedded merged, and never reads files), and agree
   * with its id, version and digest. Throws `AG_BASELINE_EMBEDDED` otherwise.
   */
  public static fromEmbedded(record: unknown, where: string): Baseline {
    const refuse = (rule: string, value: unknown): never => {
      throw new GuardrailError('AG_BASELINE_EMBEDDED', GuardrailError.format(`baseline embedded in ${where}`, rule, value,
        'Synthesize the app again with this version of agent-guardrails, or pass --baseline to check against a baseline of your own.'));
    };
    if (typeof record !== 'object' || record === null || Array.isArray(record)) return refuse('must be an object', record);
    const r = record as Partial<Record<keyof EmbeddedBaseline, unknown>>;
    if (typeof r.id !== 'string' || typeof r.version !== 'string' || typeof r.digest !== 'string') return refuse('must have string id, version and digest', { id: r.id, version: r.version, digest: r.digest });
    if (!Array.isArray(r.lineage) || r.lineage.length === 0 || !r.lineage.every((x) => typeof x === 'string')) return refuse('lineage must be a non-empty list of baseline ids', r.lineage);
    // Reports print these strings: plain text only (no terminal control characters).
    const plain = (x: unknown) => typeof x === 'string' && !/[\u0000-\u001f\u007f-\u009f]/.test(x);
    if (!Array.isArray(r.loosenings) || !r.loosenings.every((l) => typeof l === 'object' && l !== null && ['baseline', 'path', 'reason'].every((k) => plain((l as Record<string, unknown>)[k])))) {
      return refuse('loosenings must be a list of { baseline, path, reason, from, to }', r.loosenings);
    }
    if (typeof r.document !== 'object' || r.document === null) return refuse('document must be a baseline document', r.document);
    for (const key of ['extends', 'roleData']) if (key in r.document) return refuse(`document must not name ${key} (embedded baselines are merged and read no files)`, (r.document as Record<string, unknown>)[key]);
    let document: BaselineDocument;
    try {
      document = isDefaultDocument(r.document, r.digest) ? r.document as BaselineDocument : validateDocument(r.document, `embedded in ${where}`);
    } catch (e) {
      return refuse('must match policies/baseline.schema.json', (e as Error).message.replace(/^\[\w+\] /, ''));
    }
    if (document.id !== r.id || document.version !== r.version) return refuse('id and version must be the document\'s', { id: r.id, version: r.version, document: { id: document.id, version: document.version } });
    const digest = baselineDigest(document);
    if (digest !== r.digest) return refuse(`digest must be the document's (${digest})`, r.digest);
    return new Baseline(document, r.lineage as string[], r.loosenings as AppliedLoosening[]);
  }

  private static load(file: string, chain: string[]): Baseline {
    if (chain.includes(file)) {
      throw new GuardrailError('AG_BASELINE_CYCLE', `baseline extends chain has a cycle; got ${[...chain, file].join(' -> ')}. Remove one of the extends.`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(readTextFile(file));
    } catch (e) {
      throw new GuardrailError('AG_BASELINE_UNREADABLE', `baseline file cannot be read as JSON; got ${file} (${(e as Error).message}). Check the path and the JSON syntax.`);
    }
    // The package's own default is not validated again: test/policies checks it against the schema.
    const document = file === shippedDefaultFile() ? raw as BaselineDocument : validateDocument(raw, file);
    const loaded = Baseline.withParents(document, path.dirname(file), [...chain, file]);
    return chain.length === 0 ? loaded.fromSource(file) : loaded;
  }

  private static withParents(raw: BaselineDocument, baseDir: string, chain: string[]): Baseline {
    // A role-data folder is relative to the file that names it.
    const doc = raw.roleData !== undefined ? { ...raw, roleData: path.resolve(baseDir, raw.roleData) } : raw;
    if (!doc.extends) return new Baseline(doc, [doc.id], []);
    const parent = Baseline.load(resolveExtends(doc.extends, baseDir), chain);
    const { merged, loosenings } = mergeBaselines(parent.document, doc);
    return new Baseline(merged, [...parent.lineage, doc.id], [...parent.loosenings, ...loosenings]);
  }

  /** The merged document. */
  public readonly document: BaselineDocument;
  /** Ids of the baselines merged, root first. */
  public readonly lineage: string[];
  /** Loosenings stated (with reasons) anywhere in the chain; reports show them. */
  public readonly loosenings: AppliedLoosening[];

  /** The file it was read from (absolute), when it was read from one. */
  public readonly source?: string;
  private cachedDigest?: string;

  private constructor(document: BaselineDocument, lineage: string[], loosenings: AppliedLoosening[], source?: string) {
    this.document = document;
    this.lineage = lineage;
    this.loosenings = loosenings;
    this.source = source;
  }

  private fromSource(file: string): Baseline {
    return new Baseline(this.document, this.lineage, this.loosenings, file);
  }

  /** `sha256:<hex>` of the document (less its machine-local `roleData`): equal baselines have equal digests. */
  public get digest(): string {
    this.cachedDigest ??= baselineDigest(this.portableDocument);
    return this.cachedDigest;
  }

  /** Whether this is the package's default baseline (by content). */
  public get isDefault(): boolean {
    return this === Baseline.default() || this.digest === Baseline.default().digest;
  }

  /** The baseline as synthesized output carries it for the CLI (see `EMBEDDED_BASELINE_KEY`). */
  public toEmbedded(): EmbeddedBaseline {
    return {
      id: this.id,
      version: this.version,
      digest: this.digest,
      lineage: [...this.lineage],
      ...(this.source ? { source: path.basename(this.source) } : {}),
      document: this.portableDocument,
      loosenings: [...this.loosenings],
    };
  }

  /** The document without what only means something on this machine (`roleData`, a folder). */
  private get portableDocument(): BaselineDocument {
    const { roleData: _machineLocal, extends: _merged, ...portable } = this.document;
    return portable;
  }

  /** How reports name it: `id version (file)`. */
  public describe(): string {
    return `${this.id} ${this.version}${this.source ? ` (${this.source})` : ''}`;
  }

  public get id(): string { return this.document.id; }
  /** Folder of pulled role data the checks read on top of the shipped catalog (absolute), if the baseline names one. */
  public get roleData(): string | undefined { return this.document.roleData; }
  public get version(): string { return this.document.version; }
  public get maxSessionSeconds(): number { return this.document.session?.maxSessionSeconds ?? 3600; }
  public get brokerSessionSeconds(): number { return this.document.session?.brokerSessionSeconds ?? 900; }
  public get boundaryRequired(): boolean { return this.document.boundary?.required ?? true; }
  /** IAM5-like strictness for AWS wildcards (`aws.wildcards: strict`); by default grants are judged by effect. */
  public get strictWildcards(): boolean { return this.document.aws?.wildcards === 'strict'; }
  /**
   * Severity of a reference whose grants are elsewhere: on AWS an external customer-managed policy
   * (`aws.unresolvedReferences`); on GCP and Azure a Terraform module call or module output (`terraform.unresolvedReferences`).
   */
  public unresolvedReferenceSeverity(cloud: Cloud): 'warning' | 'error' {
    const setting = cloud === 'aws' ? this.document.aws?.unresolvedReferences : this.document.terraform?.unresolvedReferences;
    return setting ?? 'warning';
  }
  public get approvalMaxAgeSeconds(): number { return this.document.approval?.maxAgeSeconds ?? 900; }

  /** The ceiling of a tier; a tier the baseline omits may hold read tools only (fail closed). */
  public tierCeiling(tier: AgentTier): TierCeiling {
    const t = this.document.tiers?.[tier];
    const levels = (xs: string[] | undefined) => (xs ?? []).map(parseAccessLevel).filter((x): x is AccessLevel => x !== undefined);
    return {
      accessLevels: t?.accessLevels ? levels(t.accessLevels) : [AccessLevel.READ],
      writesMustBeProposals: t?.writesMustBeProposals ?? false,
      requireWindowFor: levels(t?.requireWindowFor),
    };
  }

  /** Whether tools of this access level need a human approval per use. */
  public approvalRequiredFor(level: AccessLevel): boolean {
    return (this.document.approval?.requiredFor ?? [AccessLevel.DESTRUCTIVE]).includes(level);
  }

  /** Severity of a rule under this baseline, given the rule's own default. */
  public severityOf(ruleId: string, ruleDefault: 'error' | 'warning'): 'error' | 'warning' | 'off' {
    return this.document.rules?.[ruleId]?.severity ?? ruleDefault;
  }

  /** Whether the baseline itself states a rule's severity (rather than leaving the rule's default). */
  public statesSeverity(ruleId: string): boolean {
    return this.document.rules?.[ruleId]?.severity !== undefined;
  }

  /** Whether a rule's findings may never be acknowledged. */
  public isHard(ruleId: string): boolean {
    return this.document.rules?.[ruleId]?.hard ?? false;
  }

  /** A quota by key (e.g. `aws.managedPolicyChars`); throws when the baseline lacks it. */
  public quota(key: string): number {
    const v = this.document.quotas?.[key];
    if (v === undefined) throw new GuardrailError('AG_BASELINE_NO_QUOTA', `baseline ${this.id} quotas has no ${key}. Extend the default baseline or set quotas.${key}.`);
    return v;
  }

  /**
   * What the activity evaluator does with a deviation (`undeclared-action`, …): `trip` the kill
   * switch, `alert`, or `off`. Unlisted deviations alert; the default baseline trips on
   * other-environment, destructive-without-approval and unknown-identity.
   */
  public activitySeverity(verdict: string): ActivitySeverityDocument {
    return this.document.activity?.verdicts?.[verdict] ?? DEFAULT_ACTIVITY_SEVERITY[verdict] ?? 'alert';
  }

  /** Repeated access-denied answers that make a probing burst: `threshold` within `windowSeconds`. */
  public get deniedBurst(): { threshold: number; windowSeconds: number } {
    return {
      threshold: this.document.activity?.deniedBurst?.threshold ?? 5,
      windowSeconds: this.document.activity?.deniedBurst?.windowSeconds ?? 300,
    };
  }

  public get forbiddenAwsActions(): string[] { return this.document.forbidden?.aws?.actions ?? []; }
  public get forbiddenGcpRoles(): string[] { return this.document.forbidden?.gcp?.roles ?? []; }
  public get forbiddenGcpPermissions(): string[] { return this.document.forbidden?.gcp?.permissions ?? []; }
  public get forbiddenAzureRoles(): string[] { return this.document.forbidden?.azure?.roles ?? []; }
  public get forbiddenAzureActions(): string[] { return this.document.forbidden?.azure?.actions ?? []; }
}

function resolveExtends(ref: string, baseDir: string): string {
  if (ref.startsWith('.') || path.isAbsolute(ref)) return path.resolve(baseDir, ref);
  if (ref === 'agent-guardrails' || ref === 'agent-guardrails/default') return path.join(policiesDir(), 'baseline.default.json');
  try {
    return require.resolve(ref, { paths: [baseDir] });
  } catch {
    throw new GuardrailError('AG_BASELINE_EXTENDS', `baseline extends cannot be resolved; got "${ref}". Use a path starting with ./ or an installed npm package name (with the JSON file's subpath).`);
  }
}
