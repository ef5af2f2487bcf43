import { runSimulation } from '@cloud-copilot/iam-simulate';

/** A minted session as IAM sees it: the role's policies and boundary, plus what the broker stamped on the session. */
export interface MintedSession {
  readonly account: string;
  readonly roleName: string;
  readonly sessionName: string;
  readonly identityPolicies: { name: string; policy: unknown }[];
  readonly boundary?: unknown;
  /** The inline session policy (JSON text), when the broker narrowed the session. */
  readonly sessionPolicy?: string;
  readonly sourceIdentity: string;
  readonly tags: { Key?: string; Value?: string }[];
}

/**
 * Decide a request made with a broker-minted session (IAM simulator, tests only): identity policies ∩
 * boundary ∩ session policy, with the session's tags as `aws:PrincipalTag/*` and its source identity.
 */
export async function decideAsSession(s: MintedSession, action: string, resource: string, extra: { attach?: unknown[] } = {}): Promise<string> {
  const context: Record<string, string> = {
    'aws:SourceIdentity': s.sourceIdentity,
    'aws:PrincipalArn': `arn:aws:iam::${s.account}:role/${s.roleName}`,
    'aws:PrincipalAccount': s.account,
    'aws:RequestedRegion': resource.split(':')[3] || 'eu-west-1',
  };
  for (const t of s.tags) context[`aws:PrincipalTag/${t.Key}`] = t.Value!;
  const result = await runSimulation({
    request: {
      principal: `arn:aws:sts::${s.account}:assumed-role/${s.roleName}/${s.sessionName}`,
      action,
      resource: { resource, accountId: resource.split(':')[4] || s.account },
      contextVariables: context,
    },
    identityPolicies: [...s.identityPolicies, ...(extra.attach ?? []).map((policy, i) => ({ name: `attached-${i}`, policy }))],
    permissionBoundaryPolicies: s.boundary ? [{ name: 'boundary', policy: s.boundary }] : undefined,
    sessionPolicy: s.sessionPolicy === undefined ? undefined : JSON.parse(s.sessionPolicy),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }, {});
  if (result.resultType === 'error') throw new Error(`simulation rejected: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}
