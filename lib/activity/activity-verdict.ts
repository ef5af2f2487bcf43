import { ActivityEvent } from './activity-event';

/**
 * The verdict on one event. Stable strings: they appear in alerts, decision records, `drift`
 * reports and in the baseline's `activity.verdicts`.
 */
export enum VerdictCode {
  /** Within the agent's declarations. */
  EXPECTED = 'expected',
  /** An action none of the tool's declarations names. */
  UNDECLARED_ACTION = 'undeclared-action',
  /** A declared action on a resource outside the tool's declared resources and data sources. */
  UNDECLARED_RESOURCE = 'undeclared-resource',
  /** The session acted in another environment than the one it was declared for. */
  OTHER_ENVIRONMENT = 'other-environment',
  /** The tool acted outside its change window (or after its expiry). */
  OUTSIDE_WINDOW = 'outside-window',
  /** An approval-gated tool acted without a broker decision that carried an approval for that lineage. */
  DESTRUCTIVE_WITHOUT_APPROVAL = 'destructive-without-approval',
  /** The session claims an agent or tool the declarations do not know, or acts with an identity that is not that tool's. */
  UNKNOWN_IDENTITY = 'unknown-identity',
  /** Repeated access-denied answers to one session within the baseline's window (probing). */
  DENIED_BURST = 'denied-burst',
}

/** Every deviation (all codes but `expected`), in the order they are reported. */
export const DEVIATION_CODES: readonly VerdictCode[] = [
  VerdictCode.UNKNOWN_IDENTITY,
  VerdictCode.OTHER_ENVIRONMENT,
  VerdictCode.OUTSIDE_WINDOW,
  VerdictCode.UNDECLARED_ACTION,
  VerdictCode.UNDECLARED_RESOURCE,
  VerdictCode.DESTRUCTIVE_WITHOUT_APPROVAL,
  VerdictCode.DENIED_BURST,
];

/** What follows from a verdict: nothing, an alert, or the kill switch (which alerts too). */
export type VerdictSeverity = 'none' | 'off' | 'alert' | 'trip';

/** The evaluator's answer for one event. */
export interface ActivityVerdict {
  readonly code: VerdictCode;
  /** From the baseline's `activity.verdicts` (`none` for `expected`). */
  readonly severity: VerdictSeverity;
  /** One line saying what deviated from which declaration. */
  readonly reason: string;
  /** The agent the event was judged against (the claimed one when the declarations do not know it). */
  readonly agent?: string;
  readonly tool?: string;
  /** The environment the tool was declared for. */
  readonly environment?: string;
  readonly lineage?: string;
  readonly event: ActivityEvent;
}
