import { Baseline } from '../baseline/baseline';
import { DEVIATION_CODES, VerdictCode, VerdictSeverity } from './activity-verdict';

/**
 * The baseline's `activity` section, resolved: what each deviation does and what makes a denied
 * burst. Plain JSON, so a monitor function carries it without the baseline files.
 */
export interface ActivityPolicy {
  /** Severity per deviation code (`trip`, `alert` or `off`). */
  readonly verdicts: Readonly<Record<string, Exclude<VerdictSeverity, 'none'>>>;
  readonly deniedBurst: { readonly threshold: number; readonly windowSeconds: number };
}

/** The activity policy a baseline puts in force. */
export function activityPolicyOf(baseline: Baseline): ActivityPolicy {
  return {
    verdicts: Object.fromEntries(DEVIATION_CODES.map((code) => [code, baseline.activitySeverity(code)])),
    deniedBurst: baseline.deniedBurst,
  };
}

/** The severity a policy gives a code (`none` for `expected`; a code it does not list alerts). */
export function policySeverity(policy: ActivityPolicy, code: VerdictCode): VerdictSeverity {
  if (code === VerdictCode.EXPECTED) return 'none';
  return policy.verdicts[code] ?? 'alert';
}
