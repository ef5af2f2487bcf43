import { Baseline } from '../baseline/baseline';
import { BaselineNotApplied } from '../baseline/baseline-in-force';
import { Acknowledgement, Inventory } from '../inventory/inventory';
import { ACKNOWLEDGEMENT_NAMESPACE, parseAcknowledgementId } from '../rules/agent/acknowledgements';
import { Finding, RuleMetadata, Severity } from '../rules/rule';
import { findingId } from '../rules/run-rules';
import { SourceLine } from './source-line';

/** The lowest severity that fails a check. */
export type FailOn = Severity;

/** The acknowledgement that covers a finding. */
export interface AcknowledgedBy {
  /** As written, e.g. `AgentGuardrailsChecks::AWS-002[s3:GetObject]`. */
  readonly id: string;
  readonly reason: string;
  /** Construct path it was made on (`''` for the app). */
  readonly at: string;
  /** Set when it was written in the template (`Metadata.cdk_nag.rules_to_suppress`), not with CDK. */
  readonly origin?: 'template-metadata';
}

/** A finding with the line of the user's code that made its resource, when known. */
export interface LocatedFinding extends Finding {
  /** The user's source line that created the resource (from construct metadata in `cdk.out`). */
  readonly source?: SourceLine;
}

/** A finding as the reports show it: with its `RuleId[detail]` id and, when acknowledged, by what. */
export interface ReportFinding extends LocatedFinding {
  /** `RuleId[detail]`, the id to acknowledge (prefixed with `AgentGuardrailsChecks::`). */
  readonly id: string;
  readonly acknowledgedBy?: AcknowledgedBy;
}

/** What one check found, before rendering. */
export interface CheckReport {
  /** Findings that count: not acknowledged. */
  readonly findings: ReportFinding[];
  /** Findings an acknowledgement covers (shown, never counted toward failing). */
  readonly acknowledged: ReportFinding[];
  /** Metadata of the rules that ran (SARIF rules, text headings). */
  readonly rules: RuleMetadata[];
  readonly summary: ReportSummary;
}

/** A loosening of a parent baseline, stated with a reason; every report shows them. */
export interface ReportLoosening {
  readonly baseline: string;
  readonly path: string;
  readonly reason: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** A stated cross-account opt-in found on a resource (`agent-guardrails:cross-account`); every report shows them. */
export interface ReportCrossAccount {
  readonly stack?: string;
  readonly resource: string;
  /** The agent it belongs to, when labelled. */
  readonly agent?: string;
  /** What the resource is (`revocation`, `broker`, `approval-gate`, …), when labelled. */
  readonly component?: string;
  /** The other accounts (or projects) it admits. */
  readonly accounts: string[];
  readonly reason: string;
}

export interface ReportSummary {
  /** `fail` when a finding reaches `failOn`. */
  readonly result: 'pass' | 'fail';
  readonly failOn: FailOn;
  readonly errors: number;
  readonly warnings: number;
  readonly acknowledged: number;
  /** Open findings per rule id. */
  readonly byRule: Record<string, number>;
  /** Identities checked, and how many of them our tags mark as agent tool identities. */
  readonly identities: number;
  readonly agentIdentities: number;
  readonly stacks: string[];
  readonly inputs: string[];
  readonly baseline: ReportBaseline;
  /** Stated cross-account opt-ins in the input: accepted by the checks, shown so a reviewer sees them. */
  readonly crossAccount: ReportCrossAccount[];
}

/** The baseline in force, as every report names it. */
export interface ReportBaseline {
  readonly id: string;
  readonly version: string;
  readonly lineage: string[];
  readonly loosenings: ReportLoosening[];
  /** `sha256:<hex>` of its document: equal digests, equal baselines. */
  readonly digest: string;
  /** Where it came from: `--baseline <file>`, `embedded by the app in <file> …`, or `package default`. */
  readonly origin: string;
  /** Baselines the input embeds that differ from this one and were not applied (an explicit baseline governs). */
  readonly notApplied: BaselineNotApplied[];
}

/** What a report is built from. */
export interface CheckReportInput {
  readonly findings: readonly LocatedFinding[];
  /** Acknowledgements recorded with the input; findings they cover move to `acknowledged`. */
  readonly acknowledgements?: readonly Acknowledgement[];
  readonly baseline: Baseline;
  /**
   * Where the baseline came from.
   * @default - the file it was read from, else `given`
   */
  readonly baselineOrigin?: string;
  /** Embedded baselines that differ from it and were not applied. */
  readonly baselinesNotApplied?: readonly BaselineNotApplied[];
  readonly rules: readonly RuleMetadata[];
  /** @default 'error' */
  readonly failOn?: FailOn;
  readonly inputs?: readonly string[];
  readonly identities?: number;
  readonly agentIdentities?: number;
  /** @default - none */
  readonly crossAccount?: readonly ReportCrossAccount[];
}

/**
 * Whether an acknowledgement may cover this finding. Error findings of hard rules, and of
 * AGENT-007 itself, may not: the pack reports them as `fatal`, which CDK never suppresses.
 */
export function isAcknowledgeable(f: Pick<Finding, 'severity' | 'hard' | 'ruleId'>): boolean {
  return !(f.severity === 'error' && (f.hard || f.ruleId === 'AGENT-007'));
}

/**
 * The acknowledgement that covers a finding, the way CDK decides it: the namespaced id equals
 * `AgentGuardrailsChecks::<finding id>`, and it was made on the finding's construct or an
 * ancestor (the closest one wins).
 */
export function acknowledgementFor(f: Finding, acknowledgements: readonly Acknowledgement[]): AcknowledgedBy | undefined {
  if (!isAcknowledgeable(f)) return undefined;
  const id = findingId(f);
  let best: Acknowledgement | undefined;
  for (const ack of acknowledgements) {
    const parsed = parseAcknowledgementId(ack.id);
    if (parsed.namespace !== ACKNOWLEDGEMENT_NAMESPACE || parsed.findingId !== id) continue;
    if (!isWhereAcknowledged(f, ack)) continue;
    if (!best || ack.path.length > best.path.length) best = ack;
  }
  return best ? { id: best.id, reason: best.reason, at: best.path, ...(best.origin === 'template-metadata' ? { origin: best.origin } : {}) } : undefined;
}

/**
 * Whether a finding is where an acknowledgement reaches: on its construct or below it; for one
 * written in a resource's template `Metadata` (cdk-nag's form), on that resource only.
 */
export function isWhereAcknowledged(f: Pick<Finding, 'path' | 'stack' | 'resource'>, ack: Acknowledgement): boolean {
  if (ack.origin === 'template-metadata') return ack.stack === f.stack && ack.resource === f.resource;
  return isAtOrBelow(f.path ?? '', ack.path);
}

function isAtOrBelow(path: string, ancestor: string): boolean {
  return ancestor === '' || path === ancestor || path.startsWith(`${ancestor}/`);
}

/** Split findings into open and acknowledged, count them, and say whether the check fails. */
export function buildCheckReport(input: CheckReportInput): CheckReport {
  const failOn = input.failOn ?? 'error';
  const acks = input.acknowledgements ?? [];
  const findings: ReportFinding[] = [];
  const acknowledged: ReportFinding[] = [];
  for (const f of input.findings) {
    const acknowledgedBy = acknowledgementFor(f, acks);
    if (acknowledgedBy) acknowledged.push({ ...f, id: findingId(f), acknowledgedBy });
    else findings.push({ ...f, id: findingId(f) });
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const byRule: Record<string, number> = {};
  for (const f of findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  const stacks = [...new Set([...findings, ...acknowledged].map((f) => f.stack).filter((s): s is string => !!s))].sort();
  const fails = failOn === 'warning' ? findings.length > 0 : errors > 0;
  const b = input.baseline;
  return {
    findings,
    acknowledged,
    rules: [...input.rules],
    summary: {
      result: fails ? 'fail' : 'pass',
      failOn,
      errors,
      warnings,
      acknowledged: acknowledged.length,
      byRule,
      identities: input.identities ?? 0,
      agentIdentities: input.agentIdentities ?? 0,
      stacks,
      inputs: [...(input.inputs ?? [])],
      baseline: {
        id: b.id,
        version: b.version,
        lineage: [...b.lineage],
        loosenings: b.loosenings.map((l) => ({ baseline: l.baseline, path: l.path, reason: l.reason, from: l.from, to: l.to })),
        digest: b.digest,
        origin: input.baselineOrigin ?? (b.source ? `file ${b.source}` : 'given'),
        notApplied: [...(input.baselinesNotApplied ?? [])],
      },
      crossAccount: [...(input.crossAccount ?? [])],
    },
  };
}

/** The cross-account opt-ins an inventory records (identities and other resources), in a stable order. */
export function crossAccountOptIns(inventory: Pick<Inventory, 'identities' | 'others' | 'grants'>): ReportCrossAccount[] {
  const found = [...inventory.identities, ...inventory.others, ...inventory.grants].flatMap((r) => {
    if (!r.crossAccount) return [];
    const labels = r.labels ?? {};
    const entry: ReportCrossAccount = {
      ...(r.source.stack !== undefined ? { stack: r.source.stack } : {}),
      resource: r.source.resource,
      ...(labels.agent !== undefined ? { agent: labels.agent } : {}),
      ...(labels.component !== undefined ? { component: labels.component } : {}),
      accounts: [...r.crossAccount.accounts],
      reason: r.crossAccount.reason,
    };
    return [entry];
  });
  // One entry per resource (a resource may yield several grants).
  const unique = new Map(found.map((c) => [`${c.stack ?? ''}\u0000${c.resource}`, c]));
  return [...unique.values()].sort((a, b) => (a.stack ?? '').localeCompare(b.stack ?? '') || a.resource.localeCompare(b.resource));
}
