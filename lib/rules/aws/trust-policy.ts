import { Identity, Inventory, TrustEntry } from '../../inventory/inventory';
import { Component } from '../../model/tags';
import { RawFinding, Rule } from '../rule';
import { narrowingEntries } from '../../aws/condition-narrowing';
import { awsIdentities, hasConditionKey, identityFinding } from './private/grant-findings';
import { otherAccountFindings } from './private/guardrail-principal-accounts';
import { pushAll } from '../../private/push-all';

/** Keys that tie `Principal: *` to one account, organization or principal (when the condition table says they narrow). */
const NARROWING_KEYS = ['aws:principalarn', 'aws:principalaccount', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:sourcearn', 'aws:sourceaccount', 'aws:sourceorgid', 'aws:sourceorgpaths'];
/** Keys that make an account-root trust acceptable: a shared secret (confused deputy) or a named caller. */
const ACCOUNT_ROOT_KEYS = ['sts:externalid', ...NARROWING_KEYS];
const ACCOUNT_ROOT = /^(arn:[a-z-]+:iam::(\d{12}|\$\{AWS::AccountId\}):root|\d{12}|\$\{AWS::AccountId\})$/;

/**
 * AWS-009: who may assume a role. No `Principal: *` (or NotPrincipal) without a condition that
 * names the caller; no account root (own or external) without `sts:ExternalId` or a caller
 * condition; no web-identity federation without `sub` and `aud` conditions; and agent tool roles
 * trust exactly one principal (the broker, when the inventory has one for the agent) and require
 * `sts:SourceIdentity`. The guardrails' own roles and endpoints (tool, broker and revocation roles;
 * the broker's and the approval gate's invoke permissions) admit no other account than the agent's,
 * unless a stated cross-account opt-in lists it.
 */
export const TRUST_POLICY: Rule = {
  id: 'AWS-009',
  cloud: 'aws',
  severity: 'error',
  reason: 'A role\'s trust policy lets too many principals assume it.',
  explanation: 'The trust policy decides who becomes the role. `Principal: "*"` lets any AWS account in (unless a condition names '
    + 'the caller by aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceArn or aws:SourceAccount). An account '
    + 'root principal delegates to every identity of that account that has sts:AssumeRole; for another account it also opens the '
    + 'confused-deputy problem, hence sts:ExternalId or a caller condition. A web-identity (OIDC) trust without a `sub` condition '
    + 'lets every workload of the provider in: with GitHub, any repository\'s workflow (`token.actions.githubusercontent.com:sub`). '
    + 'Agent tool roles are only ever assumed by the broker, which must set sts:SourceIdentity for lineage. The guardrails\' own roles '
    + '(tool, broker, revocation) and endpoints (who may invoke the broker or approve) admit principals of the agent\'s account only: '
    + 'another account there can mint tool sessions, pull or probe the kill switch, or approve destructive actions. A deliberate '
    + 'cross-account set-up is stated on the environment (CrossAccountAccess, with a reason), recorded on the resource as '
    + '`agent-guardrails:cross-account` metadata and listed in every report.',
  fix: 'Name the exact principal (the broker role ARN for tool roles), and add the conditions the message lists '
    + '(sts:ExternalId, aws:PrincipalArn/aws:SourceArn, `<provider>:sub` and `<provider>:aud`, sts:SourceIdentity). '
    + 'For a guardrail principal of another account, name one of the agent\'s account, or opt in with CrossAccountAccess.allow({ accounts, reason }).',
  controls: ['Cloudsplaining AssumableByAnyPrincipal', 'CKV_AWS_60', 'CKV_AWS_61', 'CKV_AWS_358'],
  evaluate(inventory: Inventory): RawFinding[] {
    const findings: RawFinding[] = [];
    const roles = awsIdentities(inventory).filter((i) => i.kind === 'aws-iam-role');
    const brokers = new Map<string | undefined, Identity[]>();
    for (const r of roles) {
      if (r.labels.component !== Component.BROKER) continue;
      const list = brokers.get(r.labels.agent);
      if (list) list.push(r);
      else brokers.set(r.labels.agent, [r]);
    }
    for (const role of roles) {
      const allows = role.trust.filter((t) => t.effect === 'Allow');
      for (const t of allows) pushAll(findings, entryFindings(role, t));
      if (role.isAgent || role.labels.component === Component.TOOL_IDENTITY) pushAll(findings, toolRoleFindings(role, allows, brokers.get(role.labels.agent) ?? []));
    }
    pushAll(findings, otherAccountFindings(inventory));
    return findings;
  },
};

function entryFindings(role: Identity, t: TrustEntry): RawFinding[] {
  const out: RawFinding[] = [];
  const name = role.source.resource;
  // Only entries that narrow in IAM semantics count (no `o-*`, `arn:aws:iam::*:*`, `...IfExists` on a key that may be absent,
  // `ForAllValues` on a single-valued key): one table with the identity-policy rules (lib/aws/condition-narrowing.ts).
  // Read only when a principal needs it: most entries name one exact role, which no condition decides.
  let narrowingKeys: Set<string> | undefined;
  const narrowed = () => (narrowingKeys ??= new Set(narrowingEntries(t.condition, 'principal').map((e) => e.key.toLowerCase())));
  const has = (candidates: string[]) => candidates.some((k) => narrowed().has(k));
  if (t.notPrincipal) {
    out.push(identityFinding(role, 'NotPrincipal', `trust policy of ${name} allows every principal except ${JSON.stringify(t.principals)} (Allow with NotPrincipal).`,
      'Replace NotPrincipal with a Principal naming who may assume the role.'));
    return out;
  }
  t.principals.forEach((p, i) => {
    const kind = t.principalKinds[i];
    if (p === '*' && !has(NARROWING_KEYS)) {
      out.push(identityFinding(role, 'principal-any', `trust policy of ${name} lets any AWS principal assume it (Principal ${kind === '*' ? '"*"' : `{ ${kind}: "*" }`}) without a condition naming the caller.`,
        'Name the principal, or add a condition on aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceArn or aws:SourceAccount with exact values.'));
    } else if (kind === 'AWS' && ACCOUNT_ROOT.test(p) && !has(ACCOUNT_ROOT_KEYS)) {
      const own = p.includes('${AWS::AccountId}');
      // The own account's root delegates to the account's IAM policies, which these rules check (AWS-007 on sts:AssumeRole): a warning.
      out.push(identityFinding(role, 'account-root', `trust policy of ${name} trusts ${own ? 'the account root of its own account' : `account ${accountOf(p)}`} without a condition, so every identity of that account ${own ? 'whose policies allow sts:AssumeRole on it' : 'with sts:AssumeRole'} can assume it.`,
        own ? 'Trust the exact role ARN that needs it, or add an aws:PrincipalArn condition.' : 'Trust the exact role ARN of the other account, or add an sts:ExternalId (or aws:PrincipalArn) condition.',
        own ? 'warning' : undefined));
    } else if (kind === 'Federated' && /saml-provider\//.test(p)) {
      if (!narrowed().has('saml:aud')) {
        out.push(identityFinding(role, 'saml-aud', `trust policy of ${name} lets ${p.split('/').pop()} SAML assertions in without an exact SAML:aud condition, so assertions meant for another audience are accepted.`,
          'Add { "StringEquals": { "SAML:aud": "https://signin.aws.amazon.com/saml" } } (or your sign-in endpoint).'));
      }
    } else if (kind === 'Federated') {
      const host = p.includes('oidc-provider/') ? p.slice(p.indexOf('oidc-provider/') + 'oidc-provider/'.length) : p;
      // A provider of the template (`${Provider}`): CDK keys its conditions on the issuer, the ARN's part after
      // `oidc-provider/` (`${Provider[1]}`). A key on any other part is absent from the request: it admits nobody.
      const parts = /^\$\{[A-Za-z0-9]+\}$/.test(host) ? new RegExp(`^\\$\\{${host.slice(2, -1).toLowerCase()}\\[\\d+\\]\\}:`) : undefined;
      const missing = [`${host}:aud`, ...(host === 'cognito-identity.amazonaws.com' ? [] : [`${host}:sub`])]
        .filter((k) => !narrowed().has(k.toLowerCase()) && !(parts && [...narrowed()].some((n) => parts.test(n) && n.endsWith(k.slice(host.length).toLowerCase()))));
      if (missing.length > 0) {
        out.push(identityFinding(role, `oidc-${missing.map((m) => m.split(':').pop()).join('-')}`, `trust policy of ${name} lets web identities of ${host} assume it without an exact ${missing.join(' and ')} condition, so any workload of that provider can.`,
          `Add StringEquals (or StringLike without a bare "*") conditions on ${missing.join(' and ')}, e.g. "${host}:sub": "repo:<org>/<repo>:ref:refs/heads/main".`));
      }
    }
  });
  return out;
}

/** @param brokers the broker roles of the same agent in the inventory (may be none: then any single principal passes this part) */
function toolRoleFindings(role: Identity, allows: TrustEntry[], brokers: Identity[]): RawFinding[] {
  const out: RawFinding[] = [];
  const name = role.source.resource;
  // A loop, not `flatMap` (several times slower in V8 on these one-principal lists, asked for every tool role).
  const unique = new Set<string>();
  for (const t of allows) for (const p of t.principals) unique.add(p);
  const principals = [...unique];
  if (principals.length !== 1) {
    out.push(identityFinding(role, 'tool-principals', `agent tool role ${name} is trusted by ${principals.length} principals (${principals.join(', ') || 'none'}), not exactly one broker.`,
      'Trust only the agent\'s broker role.'));
  } else {
    const isBroker = (b: Identity) => principals[0].includes(':role/') && principals[0].endsWith(`/${b.name ?? b.source.resource}`);
    if (brokers.length > 0 && !brokers.some(isBroker)) {
      out.push(identityFinding(role, 'tool-principals', `agent tool role ${name} is trusted by ${principals[0]}, which is not the broker of agent ${role.labels.agent}.`,
        `Trust only the broker role (${brokers.map((b) => b.source.resource).join(', ')}).`));
    }
  }
  const assume = allows.filter((t) => t.actions.some((a) => /^sts:AssumeRole$/i.test(a) || a === '*' || /^sts:\*$/i.test(a)));
  if (assume.length === 0 || assume.some((t) => !hasConditionKey(t.condition, 'sts:sourceidentity'))) {
    out.push(identityFinding(role, 'SourceIdentity', `agent tool role ${name} can be assumed without sts:SourceIdentity, so its sessions carry no lineage.`,
      'Add a condition { "StringEquals": { "sts:SourceIdentity": "<agent>" } } to the sts:AssumeRole statement and allow sts:SetSourceIdentity to the broker.'));
  }
  return out;
}

function accountOf(principal: string): string {
  return /^\d{12}$/.test(principal) ? principal : principal.split(':')[4] ?? principal;
}
