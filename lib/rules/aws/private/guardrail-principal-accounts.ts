import { Identity, Inventory, OtherResource } from '../../../inventory/inventory';
import { Component } from '../../../model/tags';
import { RawFinding } from '../../rule';
import { identityFinding } from './grant-findings';
import { addTo } from '../../../private/append-to';

/** The guardrails' own identities: who may become them is part of the guardrail. */
const GUARDRAIL_ROLE_COMPONENTS = new Set<string>([Component.TOOL_IDENTITY, Component.BROKER, Component.REVOCATION]);
/** The guardrails' own endpoints: a Lambda permission on them says who may invoke the broker or approve. */
const GUARDRAIL_ENDPOINT_COMPONENTS = new Set<string>([Component.BROKER, Component.APPROVAL_GATE]);
/** The account of an ARN (`arn:<partition>:<service>:<region>:<account>:…`) or a bare account id. */
const ARN_ACCOUNT = /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/;
const BARE_ACCOUNT = /^\d{12}$/;
export const OTHER_ACCOUNT_DETAIL = 'other-account';

/**
 * Principals of another account than the agent's environment in the trust of the guardrails' own
 * roles (tool, broker, revocation) and in the invoke permissions of their endpoints (broker, approval
 * gate), unless the resource's cross-account opt-in (`agent-guardrails:cross-account` metadata, which
 * the constructs write from `CrossAccountAccess`) lists that account.
 *
 * The environment's account is read from the tools' declarations (`placement.aws.account`). When no
 * declaration of the agent (or, for a shared approval gate, of the stack) names it, a literal other
 * account cannot be told from the own one: reported as a warning, never passed silently.
 */
export function otherAccountFindings(inventory: Inventory): RawFinding[] {
  const homes = homeAccounts(inventory);
  const findings: RawFinding[] = [];
  for (const role of inventory.identities) {
    if (role.cloud !== 'aws' || role.kind !== 'aws-iam-role') continue;
    if (!role.isAgent && !GUARDRAIL_ROLE_COMPONENTS.has(role.labels.component ?? '')) continue;
    const home = homes.of(role.labels.agent, role.source.stack);
    // Without a known home account, a tool role's stranger is already reported as "not the broker" (tool-principals).
    if (home.size === 0 && (role.isAgent || role.labels.component === Component.TOOL_IDENTITY)) continue;
    const principals: string[] = [];
    for (const t of role.trust) {
      if (t.effect !== 'Allow' || t.notPrincipal) continue;
      for (let i = 0; i < t.principals.length; i++) if (t.principalKinds[i] === 'AWS' || t.principalKinds[i] === 'Federated') principals.push(t.principals[i]);
    }
    for (const account of accountsOutside(principals, home, role.crossAccount?.accounts ?? [])) {
      findings.push(identityFinding(role, OTHER_ACCOUNT_DETAIL, message(`trust policy of ${role.source.resource} (${role.labels.component ?? Component.TOOL_IDENTITY} of agent ${role.labels.agent ?? '?'})`, 'assume it', account, home),
        fix(account), home.size === 0 ? 'warning' : undefined));
    }
  }
  for (const other of inventory.others) {
    if (other.cloud !== 'aws' || other.type !== 'AWS::Lambda::Permission' || !GUARDRAIL_ENDPOINT_COMPONENTS.has(other.labels?.component ?? '')) continue;
    const principal = other.properties.Principal;
    const home = homes.of(other.labels?.agent, other.source.stack);
    for (const account of accountsOutside(typeof principal === 'string' ? [principal] : [], home, other.crossAccount?.accounts ?? [])) {
      findings.push(endpointFinding(other, message(`invoke permission ${other.source.resource} of the ${other.labels?.component} endpoint`, 'call it', account, home), fix(account), home.size === 0 ? 'warning' : undefined));
    }
  }
  return findings;
}

function accountsOutside(principals: readonly string[], home: ReadonlySet<string>, optedIn: readonly string[]): string[] {
  let out: Set<string> | undefined;
  for (const p of principals) {
    const account = BARE_ACCOUNT.test(p) ? p : ARN_ACCOUNT.exec(p)?.[1];
    if (account !== undefined && !home.has(account) && !optedIn.includes(account)) (out ??= new Set()).add(account);
  }
  return out ? [...out].sort() : [];
}

function message(what: string, verb: string, account: string, home: ReadonlySet<string>): string {
  return home.size === 0
    ? `${what} lets principals of account ${account} ${verb}, and no tool declaration says which account is the agent's: it may be another account, with no cross-account opt-in.`
    : `${what} lets principals of account ${account} ${verb}, outside the agent's account ${[...home].join(', ')}, with no cross-account opt-in.`;
}

function fix(account: string): string {
  return `Name a principal of the agent's own account; for a deliberate cross-account set-up, state it on the environment: `
    + `crossAccount: CrossAccountAccess.allow({ accounts: ['${account}'], reason: '…' }) (the constructs record it as agent-guardrails:cross-account metadata).`;
}

function endpointFinding(other: OtherResource, text: string, fixText: string, severity: 'warning' | undefined): RawFinding {
  const { source } = other;
  const finding: Record<string, unknown> = { detail: OTHER_ACCOUNT_DETAIL, cloud: 'aws', resource: source.resource, stack: source.stack, file: source.file, path: source.path, message: text, fix: fixText, severity };
  for (const k of Object.keys(finding)) if (finding[k] === undefined) delete finding[k];
  return finding as unknown as RawFinding;
}

/** The environment accounts the tools declare, per agent and per stack. */
function homeAccounts(inventory: Inventory): { of(agent: string | undefined, stack: string | undefined): ReadonlySet<string> } {
  const byAgent = new Map<string, Set<string>>();
  const byStack = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, key: string | undefined, account: string) => {
    if (key !== undefined) addTo(map, key, account);
  };
  for (const identity of inventory.identities as Identity[]) {
    const account = identity.declaration?.placement?.aws?.account;
    if (account === undefined || !BARE_ACCOUNT.test(account)) continue;
    add(byAgent, identity.declaration?.agent ?? identity.labels.agent, account);
    add(byStack, identity.source.stack, account);
  }
  const none = new Set<string>();
  return { of: (agent, stack) => (agent !== undefined ? byAgent.get(agent) : undefined) ?? (stack !== undefined ? byStack.get(stack) : undefined) ?? none };
}
