/** The JSON shape of a baseline file (see `policies/baseline.schema.json`). */
export interface TierCeilingDocument {
  readonly accessLevels?: string[];
  readonly writesMustBeProposals?: boolean;
  readonly requireWindowFor?: string[];
}

export interface RuleSettingDocument {
  readonly severity?: 'error' | 'warning' | 'off';
  readonly hard?: boolean;
}

export interface LooseningDocument {
  readonly path: string;
  readonly reason: string;
}

/** What the activity evaluator does with one deviation: trip the kill switch, alert, or ignore it. */
export type ActivitySeverityDocument = 'trip' | 'alert' | 'off';

export interface ActivityDocument {
  readonly verdicts?: { readonly [verdict: string]: ActivitySeverityDocument };
  readonly deniedBurst?: { readonly threshold?: number; readonly windowSeconds?: number };
}

export interface BaselineDocument {
  readonly id: string;
  readonly version: string;
  readonly description?: string;
  readonly extends?: string;
  readonly session?: { readonly maxSessionSeconds?: number; readonly brokerSessionSeconds?: number };
  readonly boundary?: { readonly required?: boolean };
  readonly aws?: { readonly wildcards?: 'effect' | 'strict'; readonly unresolvedReferences?: 'warning' | 'error' };
  readonly terraform?: { readonly unresolvedReferences?: 'warning' | 'error' };
  readonly tiers?: { readonly observer?: TierCeilingDocument; readonly advisor?: TierCeilingDocument; readonly operator?: TierCeilingDocument };
  readonly approval?: { readonly requiredFor?: string[]; readonly maxAgeSeconds?: number };
  readonly forbidden?: {
    readonly aws?: { readonly actions?: string[] };
    readonly gcp?: { readonly roles?: string[]; readonly permissions?: string[] };
    readonly azure?: { readonly roles?: string[]; readonly actions?: string[] };
  };
  readonly rules?: { readonly [ruleId: string]: RuleSettingDocument };
  readonly acknowledgements?: { readonly requireOwner?: boolean; readonly requireExpiry?: boolean; readonly maxDays?: number };
  readonly quotas?: { readonly [key: string]: number };
  readonly activity?: ActivityDocument;
  readonly loosenings?: LooseningDocument[];
  /** Folder of pulled role data (`agent-guardrails data pull`), relative to the baseline file. */
  readonly roleData?: string;
}
