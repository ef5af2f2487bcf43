import { Baseline } from '../baseline/baseline';
import { Cloud, Inventory } from '../inventory/inventory';

export type Severity = 'error' | 'warning';

/** One problem found. Ids are `RuleId[detail]`: stable, no `::`, no ARNs or logical ids. */
export interface Finding {
  readonly ruleId: string;
  /** Stable detail for the finding id (e.g. `iam:PassRole`), without `::`. */
  readonly detail?: string;
  readonly severity: Severity;
  readonly cloud: Cloud;
  /** CloudFormation logical id or Terraform address `type.name`. */
  readonly resource: string;
  readonly stack?: string;
  readonly file?: string;
  /** Construct path, when known. */
  readonly path?: string;
  /** The identity concerned (inventory id), when any. */
  readonly identity?: string;
  /** What was granted and why it is a problem. */
  readonly message: string;
  /**
   * Every concrete action behind the finding, when one finding stands for several (a wildcard that
   * reaches many): the message names a sample, the JSON report all of them.
   */
  readonly actions?: string[];
  /** How to fix it. */
  readonly fix: string;
  /** Whether the baseline forbids acknowledging it. */
  readonly hard: boolean;
}

/** What every rule publishes about itself; RULES.md is generated from this. */
export interface RuleMetadata {
  /** Stable id, e.g. `AWS-002`. */
  readonly id: string;
  readonly cloud: Cloud | 'all';
  /** Default severity (a baseline may change it). */
  readonly severity: Severity;
  /** One line. */
  readonly reason: string;
  readonly explanation: string;
  readonly fix: string;
  /** Prior-art ids this rule covers (CKV_AWS_1, AwsSolutions-IAM5, …). */
  readonly controls: string[];
}

/** The context a rule runs in. */
export interface RuleContext {
  readonly baseline: Baseline;
  /**
   * Set by the engine when AWS-001 runs and reports errors: the identity-level permission rules
   * then leave admin identities to it (one finding per cause).
   * @default false
   */
  readonly adminReported?: boolean;
}

/** What a rule reports before the engine fills in severity and hardness from the baseline. */
export type RawFinding = Omit<Finding, 'ruleId' | 'severity' | 'hard'> & { readonly severity?: Severity };

/** A rule: a pure function of (inventory, baseline) → findings. */
export interface Rule extends RuleMetadata {
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[];
}
