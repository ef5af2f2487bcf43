import { createHash } from 'crypto';
import { BaselineDocument } from './baseline-document';
import { AppliedLoosening } from './merge-baselines';

/**
 * Where synthesized output carries the baseline the app's checks ran with: the type of a CDK
 * stack metadata entry (in the cloud assembly's manifest), and a key under a `cdk.tf.json`'s
 * top-level `"//"` (which Terraform ignores). The CLI reads it there when no `--baseline` is given.
 */
export const EMBEDDED_BASELINE_KEY = 'agent-guardrails:baseline';

/**
 * A baseline as synthesized output carries it: the merged document (its `extends` chain already
 * applied, so the CLI needs none of the app's files), without `roleData` (a folder on the machine
 * that synthesized, meaningless elsewhere and not to be trusted from a pull request).
 */
export interface EmbeddedBaseline {
  readonly id: string;
  readonly version: string;
  /** `sha256:<hex>` of the document's canonical JSON: two baselines are the same when their digests are. */
  readonly digest: string;
  /** Ids of the baselines merged, root first. */
  readonly lineage: string[];
  /** The file the app read it from (its name only), when it was read from one. */
  readonly source?: string;
  readonly document: BaselineDocument;
  /** Loosenings the chain states, with their reasons (reports show them). */
  readonly loosenings: AppliedLoosening[];
}

/** An embedded baseline as found in an input, not yet validated. */
export interface EmbeddedBaselineSighting {
  /** The raw value found (hostile input until `Baseline.fromEmbedded` has validated it). */
  readonly record: unknown;
  /** The file it was found in. */
  readonly where: string;
}

/** The digest of a baseline document (its canonical JSON: keys sorted, no whitespace). */
export function baselineDigest(document: BaselineDocument): string {
  return `sha256:${createHash('sha256').update(canonicalJson(document)).digest('hex')}`;
}

/** JSON with object keys sorted at every level, so equal documents have equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
