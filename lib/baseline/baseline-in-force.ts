import { GuardrailError } from '../errors';
import { Baseline } from './baseline';
import { EmbeddedBaselineSighting } from './embedded-baseline';

/** An embedded baseline that differs from the one in force and was not applied. */
export interface BaselineNotApplied {
  readonly id: string;
  readonly version: string;
  readonly digest: string;
  /** Where it was found. */
  readonly where: string;
}

/** The baseline a check runs with, where it came from, and what was set aside. */
export interface BaselineInForce {
  readonly baseline: Baseline;
  /** For reports: `--baseline team.json`, `embedded by the app in cdk.out/manifest.json (stack Api)`, `package default`. */
  readonly origin: string;
  /** Baselines the input embeds that differ from the one in force (an explicit baseline governs). */
  readonly notApplied: BaselineNotApplied[];
}

/** A baseline the caller names (the reviewer's `--baseline`), and how reports name where it came from. */
export interface ExplicitBaseline {
  readonly baseline: Baseline;
  readonly origin: string;
}

/**
 * Which baseline governs a check of synthesized output. The input comes from a pull request, so
 * an explicit baseline (the security team's `--baseline`) governs whole: the app's embedded one
 * never loosens (nor partly replaces) it, and one that differs is named as not applied. Without
 * one, the app's embedded baseline applies (the one its checks ran with at synth), else the
 * package default. Inputs that embed different baselines have no single one to apply: that is an
 * input error, as is an embedded baseline that fails validation (both `AG_BASELINE_EMBEDDED*`).
 */
export function baselineInForce(explicit: ExplicitBaseline | undefined, sightings: readonly EmbeddedBaselineSighting[]): BaselineInForce {
  const distinct = new Map<string, { baseline: Baseline; where: string; source?: string; stacks: number }>();
  for (const s of sightings) {
    const baseline = Baseline.fromEmbedded(s.record, s.where);
    const seen = distinct.get(baseline.digest);
    if (seen) seen.stacks += 1;
    else distinct.set(baseline.digest, { baseline, where: s.where, source: safeSource(s.record), stacks: 1 });
  }
  const embedded = [...distinct.values()];
  if (explicit) {
    return {
      ...explicit,
      notApplied: embedded.filter((e) => e.baseline.digest !== explicit.baseline.digest)
        .map((e) => ({ id: e.baseline.id, version: e.baseline.version, digest: e.baseline.digest, where: e.where })),
    };
  }
  if (embedded.length > 1) {
    throw new GuardrailError('AG_BASELINE_EMBEDDED_CONFLICT', GuardrailError.format('inputs', 'embed different baselines, and one check applies one', embedded.map((e) => `${e.baseline.id} ${e.baseline.version} (${e.where})`),
      'Pass --baseline to name the one that governs, or check the inputs separately.'));
  }
  if (embedded.length === 1) {
    const [e] = embedded;
    const more = e.stacks > 1 ? ` and ${e.stacks - 1} more` : '';
    return { baseline: e.baseline, origin: `embedded by the app in ${e.where}${more}${e.source ? `, read from ${e.source}` : ''}`, notApplied: [] };
  }
  return { baseline: Baseline.default(), origin: 'package default', notApplied: [] };
}

/** The file name an embedded baseline says it was read from, when it is a plain file name (it is printed). */
function safeSource(record: unknown): string | undefined {
  const source = typeof record === 'object' && record !== null ? (record as { source?: unknown }).source : undefined;
  return typeof source === 'string' && /^[\w.@-]{1,128}$/.test(source) ? source : undefined;
}
