import { GuardrailError } from '../errors';
import { ActivitySeverityDocument, BaselineDocument, LooseningDocument, RuleSettingDocument, TierCeilingDocument } from './baseline-document';

/** A loosening of the parent that the child stated with a reason (shown in reports). */
export interface AppliedLoosening extends LooseningDocument {
  /** Baseline that loosened. */
  readonly baseline: string;
  /** Parent value and the child's value. */
  readonly from: unknown;
  readonly to: unknown;
}

const SEVERITY_RANK: Record<string, number> = { off: 0, warning: 1, error: 2 };
const ACTIVITY_RANK: Record<string, number> = { off: 0, alert: 1, trip: 2 };
const stricterReference = (a: 'warning' | 'error', b: 'warning' | 'error'): 'warning' | 'error' => (a === 'error' || b === 'error' ? 'error' : 'warning');

/**
 * Merge `child` over `parent`. Merging only tightens: unions of forbidden lists and required
 * sets, minimum of maxima, intersection of allowed sets, stricter severities. A child value that
 * is looser than the parent's is an error unless the child lists its path in `loosenings` with a
 * reason; then the child's value applies and the loosening is returned for the report.
 * Quotas are platform limits, not guardrails: the child's value replaces the parent's.
 */
export function mergeBaselines(parent: BaselineDocument, child: BaselineDocument): { merged: BaselineDocument; loosenings: AppliedLoosening[] } {
  const stated = new Map((child.loosenings ?? []).map((l) => [l.path, l]));
  const applied: AppliedLoosening[] = [];

  /** Resolve one setting: `tighter` is what merging would keep; `loose` says whether the child's own value loosens. */
  function pick<T>(path: string, parentValue: T | undefined, childValue: T | undefined, tighter: (a: T, b: T) => T, equal: (a: T, b: T) => boolean): T | undefined {
    if (childValue === undefined) return parentValue;
    if (parentValue === undefined) return childValue;
    const tight = tighter(parentValue, childValue);
    if (equal(tight, childValue)) return childValue;
    const loosening = stated.get(path);
    if (!loosening) {
      throw new GuardrailError('AG_BASELINE_LOOSENS', GuardrailError.format(
        `baseline ${child.id} ${path}`, `loosens its parent ${parent.id} (${JSON.stringify(parentValue)})`, childValue,
        `Keep the parent's value, or add { "path": "${path}", "reason": "…" } to loosenings.`));
    }
    applied.push({ ...loosening, baseline: child.id, from: parentValue, to: childValue });
    return childValue;
  }

  const min = (a: number, b: number) => Math.min(a, b);
  const or = (a: boolean, b: boolean) => a || b;
  const union = (a: string[], b: string[]) => [...new Set([...a, ...b])].sort();
  const intersect = (a: string[], b: string[]) => a.filter((x) => b.includes(x)).sort();
  const sameNum = (a: number, b: number) => a === b;
  const sameBool = (a: boolean, b: boolean) => a === b;
  const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

  function tier(name: 'observer' | 'advisor' | 'operator'): TierCeilingDocument | undefined {
    const p = parent.tiers?.[name];
    const c = child.tiers?.[name];
    if (!p || !c) return c ?? p;
    return {
      accessLevels: pick(`tiers.${name}.accessLevels`, p.accessLevels, c.accessLevels, intersect, sameSet),
      writesMustBeProposals: pick(`tiers.${name}.writesMustBeProposals`, p.writesMustBeProposals, c.writesMustBeProposals, or, sameBool),
      requireWindowFor: pick(`tiers.${name}.requireWindowFor`, p.requireWindowFor, c.requireWindowFor, union, sameSet),
    };
  }

  const rules: Record<string, RuleSettingDocument> = { ...(parent.rules ?? {}) };
  for (const [id, c] of Object.entries(child.rules ?? {})) {
    const p = parent.rules?.[id] ?? {};
    rules[id] = {
      severity: pick(`rules.${id}.severity`, p.severity, c.severity, (a, b) => (SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b), (a, b) => a === b),
      hard: pick(`rules.${id}.hard`, p.hard, c.hard, or, sameBool),
    };
  }

  const verdicts: Record<string, ActivitySeverityDocument> = { ...(parent.activity?.verdicts ?? {}) };
  for (const [verdict, c] of Object.entries(child.activity?.verdicts ?? {})) {
    verdicts[verdict] = pick(`activity.verdicts.${verdict}`, parent.activity?.verdicts?.[verdict], c, (a, b) => (ACTIVITY_RANK[a] >= ACTIVITY_RANK[b] ? a : b), (a, b) => a === b) ?? c;
  }
  const max = (a: number, b: number) => Math.max(a, b);

  const listUnion = (a?: string[], b?: string[]) => (a || b ? union(a ?? [], b ?? []) : undefined);
  const merged: BaselineDocument = {
    id: child.id,
    version: child.version,
    description: child.description ?? parent.description,
    session: {
      maxSessionSeconds: pick('session.maxSessionSeconds', parent.session?.maxSessionSeconds, child.session?.maxSessionSeconds, min, sameNum),
      brokerSessionSeconds: pick('session.brokerSessionSeconds', parent.session?.brokerSessionSeconds, child.session?.brokerSessionSeconds, min, sameNum),
    },
    boundary: { required: pick('boundary.required', parent.boundary?.required, child.boundary?.required, or, sameBool) },
    aws: {
      // The stricter setting wins: a child cannot loosen what its parent made strict.
      wildcards: pick('aws.wildcards', parent.aws?.wildcards, child.aws?.wildcards, (a, b) => (a === 'strict' || b === 'strict' ? 'strict' : 'effect'), (a, b) => a === b),
      unresolvedReferences: pick('aws.unresolvedReferences', parent.aws?.unresolvedReferences, child.aws?.unresolvedReferences, stricterReference, (a, b) => a === b),
    },
    terraform: {
      unresolvedReferences: pick('terraform.unresolvedReferences', parent.terraform?.unresolvedReferences, child.terraform?.unresolvedReferences, stricterReference, (a, b) => a === b),
    },
    tiers: { observer: tier('observer'), advisor: tier('advisor'), operator: tier('operator') },
    approval: {
      requiredFor: pick('approval.requiredFor', parent.approval?.requiredFor, child.approval?.requiredFor, union, sameSet),
      maxAgeSeconds: pick('approval.maxAgeSeconds', parent.approval?.maxAgeSeconds, child.approval?.maxAgeSeconds, min, sameNum),
    },
    forbidden: {
      aws: { actions: listUnion(parent.forbidden?.aws?.actions, child.forbidden?.aws?.actions) },
      gcp: {
        roles: listUnion(parent.forbidden?.gcp?.roles, child.forbidden?.gcp?.roles),
        permissions: listUnion(parent.forbidden?.gcp?.permissions, child.forbidden?.gcp?.permissions),
      },
      azure: {
        roles: listUnion(parent.forbidden?.azure?.roles, child.forbidden?.azure?.roles),
        actions: listUnion(parent.forbidden?.azure?.actions, child.forbidden?.azure?.actions),
      },
    },
    rules,
    acknowledgements: {
      requireOwner: pick('acknowledgements.requireOwner', parent.acknowledgements?.requireOwner, child.acknowledgements?.requireOwner, or, sameBool),
      requireExpiry: pick('acknowledgements.requireExpiry', parent.acknowledgements?.requireExpiry, child.acknowledgements?.requireExpiry, or, sameBool),
      maxDays: pick('acknowledgements.maxDays', parent.acknowledgements?.maxDays, child.acknowledgements?.maxDays, min, sameNum),
    },
    quotas: { ...(parent.quotas ?? {}), ...(child.quotas ?? {}) },
    // Role data is facts, not a guardrail: the nearest baseline that names a folder sets it.
    ...(child.roleData ?? parent.roleData ? { roleData: child.roleData ?? parent.roleData } : {}),
    activity: {
      verdicts,
      deniedBurst: {
        // Tighter sees more probing: fewer denials, over a longer window.
        threshold: pick('activity.deniedBurst.threshold', parent.activity?.deniedBurst?.threshold, child.activity?.deniedBurst?.threshold, min, sameNum),
        windowSeconds: pick('activity.deniedBurst.windowSeconds', parent.activity?.deniedBurst?.windowSeconds, child.activity?.deniedBurst?.windowSeconds, max, sameNum),
      },
    },
    loosenings: child.loosenings ?? [],
  };
  for (const path of stated.keys()) {
    if (!applied.some((a) => a.path === path)) {
      throw new GuardrailError('AG_BASELINE_UNUSED_LOOSENING', GuardrailError.format(
        `baseline ${child.id} loosenings`, 'names a path that loosens nothing', path, 'Remove the entry, or fix its path.'));
    }
  }
  return { merged, loosenings: applied };
}
