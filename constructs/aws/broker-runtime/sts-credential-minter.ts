import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { ICredentialMinter, MintRequest, MintedCredential } from '../../../lib/broker/ports';
import { sessionName } from './session-name';

/** Session tag keys the broker stamps on every credential (transitive, so role chaining keeps them). */
export const SESSION_TAG_KEYS = {
  agent: 'agent-guardrails:agent',
  tool: 'agent-guardrails:tool',
  environment: 'agent-guardrails:environment',
  lineage: 'agent-guardrails:lineage',
} as const;

/** AWS's limit on a packed session policy; larger ones fail the AssumeRole call anyway. */
const MAX_SESSION_POLICY_CHARS = 2048;

/** The inline session policy that narrows a tool session to one resource. */
export function narrowingPolicy(actions: readonly string[], resource: string): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [...actions], Resource: [resource] }] });
}

/**
 * Mints tool credentials with STS AssumeRole: the tool's role only, `SourceIdentity` = agent,
 * session tags agent/tool/environment/lineage (transitive), a sanitized session name, and a
 * session policy (an intersection: it can only narrow) when a resource is requested.
 */
export class StsCredentialMinter implements ICredentialMinter {
  constructor(private readonly client: STSClient) {}

  public async mint(req: MintRequest, signal?: AbortSignal): Promise<MintedCredential> {
    const policy = req.resource === undefined ? undefined : narrowingPolicy(req.actions, req.resource);
    if (policy !== undefined && policy.length > MAX_SESSION_POLICY_CHARS) throw new Error('session policy too large');
    const tags = [
      { Key: SESSION_TAG_KEYS.agent, Value: req.agent },
      { Key: SESSION_TAG_KEYS.tool, Value: req.tool },
      { Key: SESSION_TAG_KEYS.environment, Value: req.environment },
      { Key: SESSION_TAG_KEYS.lineage, Value: req.lineageId },
    ];
    const out = await this.client.send(new AssumeRoleCommand({
      RoleArn: req.identity,
      RoleSessionName: sessionName(req.agent, req.tool, req.lineageId),
      DurationSeconds: req.durationSeconds,
      SourceIdentity: req.agent,
      Tags: tags,
      TransitiveTagKeys: tags.map((t) => t.Key),
      ...(policy === undefined ? {} : { Policy: policy }),
    }), { abortSignal: signal });
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new Error('AssumeRole returned no credentials');
    return {
      expiresAt: new Date(c.Expiration).toISOString(),
      credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
    };
  }
}
