import { CfnResource, Stack, Token } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { GuardrailError } from '../../../lib/errors';
import { Environment } from '../../../lib/model/environment';
import { CROSS_ACCOUNT_METADATA_KEY } from '../../../lib/model/tags';

/** The account a principal belongs to, as far as synth can tell. */
export type PrincipalAccount =
  /** A literal account id (from an ARN or an account principal). */
  | { readonly kind: 'account'; readonly account: string; readonly principal: string }
  /** The stack's own account: `${AWS::AccountId}`, or an ARN of a resource of this app. */
  | { readonly kind: 'own'; readonly principal: string }
  /** `*`: every account. */
  | { readonly kind: 'any'; readonly principal: string }
  /** A value synth cannot tie to an account (a parameter, an import, a canonical user, …). */
  | { readonly kind: 'unresolved'; readonly principal: string };

/** Stands for `${AWS::AccountId}` while an `Fn::Join` is flattened (no `:`, so the ARN still splits into its fields). */
const OWN = '\u0001own-account\u0001';
/** Stands for any other intrinsic inside an `Fn::Join`. */
const OPEN = '\u0000';
const ACCOUNT = /^\d{12}$/;

/**
 * The accounts `principal` stands for, read from its resolved policy fragment. Service principals
 * (and federated providers named by host, like `cognito-identity.amazonaws.com`) belong to no account
 * and are left out; everything else is classified, and what cannot be told is `unresolved`, never
 * assumed to be the own account.
 */
export function principalAccounts(scope: IConstruct, principal: iam.IPrincipal): PrincipalAccount[] {
  const json = Stack.of(scope).resolve(principal.policyFragment.principalJson) as Record<string, unknown>;
  const out: PrincipalAccount[] = [];
  for (const [kind, raw] of Object.entries(json ?? {})) {
    if (kind === 'Service') continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      const classified = classify(kind, value);
      if (classified) out.push(classified);
    }
  }
  return out;
}

function classify(kind: string, value: unknown): PrincipalAccount | undefined {
  if (typeof value === 'object' && value !== null && ('Fn::GetAtt' in value)) {
    // The ARN of a resource of this app: CDK refuses references across accounts.
    return { kind: 'own', principal: JSON.stringify(value) };
  }
  const text = typeof value === 'string' ? value : flatten(value);
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined || kind === 'CanonicalUser') return { kind: 'unresolved', principal: shown };
  if (text === '*') return { kind: 'any', principal: shown };
  const account = text.startsWith('arn:') ? text.split(':')[4] : text;
  if (account === OWN) return { kind: 'own', principal: shown };
  if (account !== undefined && ACCOUNT.test(account)) return { kind: 'account', account, principal: shown };
  // A federated provider named by host (accounts.google.com, cognito-identity.amazonaws.com) is no account's principal.
  if (kind === 'Federated' && !text.startsWith('arn:') && !text.includes(OPEN)) return undefined;
  return { kind: 'unresolved', principal: shown };
}

/** An `Fn::Join` (or plain string) as text, with `${AWS::AccountId}` kept and other intrinsics marked open. */
function flatten(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  if (o.Ref === 'AWS::AccountId') return OWN;
  if (o.Ref === 'AWS::Partition') return 'aws';
  const join = o['Fn::Join'];
  if (Array.isArray(join) && join.length === 2 && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((part) => flatten(part) ?? OPEN).join(join[0]);
  }
  return undefined;
}

/** One refused principal. */
export interface PrincipalViolation {
  readonly code: string;
  readonly message: string;
}

/** What checking principals against an environment's account found. */
export interface AccountCheck {
  readonly violations: PrincipalViolation[];
  /** Other accounts accepted because the environment's cross-account opt-in lists them. */
  readonly optedIn: string[];
}

/**
 * Check that every principal belongs to `environment`'s AWS account, or to an account its
 * `crossAccount` opt-in lists. `*` is refused; a principal whose account synth cannot tell is
 * refused too (fail closed), except the stack's own account (`${AWS::AccountId}`, a resource of the app).
 *
 * @param home the account to compare with, when not the environment's (an unbound approval gate compares with its stack's)
 */
export function checkPrincipalAccounts(scope: IConstruct, field: string, principals: readonly iam.IPrincipal[], environment: Environment | undefined, home?: string): AccountCheck {
  const stack = Stack.of(scope);
  const envName = environment?.name;
  const optIn = environment?.crossAccount;
  const account = home ?? literalAccount(stack, environment?.aws?.account) ?? literalAccount(stack, stack.account);
  const where = envName ? `environment ${envName}'s account` : 'the stack\'s account';
  const violations: PrincipalViolation[] = [];
  const optedIn = new Set<string>();
  const optInFix = (other: string) => `Use a principal of ${account ?? 'the environment\'s account'}; for a deliberate cross-account set-up, opt in on the environment: `
    + `Environment.of({ ..., crossAccount: CrossAccountAccess.allow({ accounts: ['${other}'], reason: '<who they are and why they are trusted>' }) }).`;
  for (const p of principals) {
    for (const a of principalAccounts(scope, p)) {
      if (a.kind === 'own') continue;
      if (a.kind === 'any') {
        violations.push({ code: 'AG_PRINCIPAL_ANY_ACCOUNT', message: GuardrailError.format(field, `must name principals of ${where}, not every account`, a.principal, 'Name the exact role(s) that need it.') });
      } else if (a.kind === 'unresolved') {
        violations.push({ code: 'AG_PRINCIPAL_ACCOUNT_UNRESOLVED', message: GuardrailError.format(field, `must name principals whose account is known at synth (${where} or an opted-in one)`, a.principal,
          'Pass the role ARN as a literal (arn:aws:iam::<account>:role/<name>) or a role of this app; an account synth cannot read could be any account (fail closed).') });
      } else if (a.account === account) {
        continue;
      } else if (optIn?.allowsAccount(a.account)) {
        optedIn.add(a.account);
      } else if (account === undefined) {
        violations.push({ code: 'AG_PRINCIPAL_ACCOUNT_UNRESOLVED', message: GuardrailError.format(field, `must name principals of ${where}, which synth cannot read (a token)`, `${a.principal} (account ${a.account})`,
          `Give the environment (or stack) a literal account id, or opt in: CrossAccountAccess.allow({ accounts: ['${a.account}'], reason: '…' }).`) });
      } else {
        violations.push({ code: 'AG_PRINCIPAL_OTHER_ACCOUNT', message: GuardrailError.format(field, `must name principals of ${where} ${account}`, `${a.principal} (account ${a.account})`, optInFix(a.account)) });
      }
    }
  }
  return { violations, optedIn: [...optedIn].sort() };
}

/** Throw every violation at once, under the first one's code. */
export function throwPrincipalViolations(violations: readonly PrincipalViolation[]): void {
  if (violations.length === 0) return;
  const rest = violations.slice(1).map((v) => `\n  [${v.code}] ${v.message}`).join('');
  throw new GuardrailError(violations[0].code, `${violations[0].message}${rest}`);
}

function literalAccount(stack: Stack, account: string | undefined): string | undefined {
  if (account === undefined) return undefined;
  if (!Token.isUnresolved(account)) return account;
  const resolved = stack.resolve(account);
  return typeof resolved === 'string' && !Token.isUnresolved(resolved) ? resolved : undefined;
}

/** Record the opt-in on `resource` for the checks and reports: `{ accounts, reason }`. */
export function recordCrossAccount(resource: CfnResource, accounts: readonly string[], reason: string): void {
  if (accounts.length === 0) return;
  const previous = resource.getMetadata(CROSS_ACCOUNT_METADATA_KEY) as { accounts?: string[] } | undefined;
  const merged = [...new Set([...(previous?.accounts ?? []), ...accounts])].sort();
  resource.addMetadata(CROSS_ACCOUNT_METADATA_KEY, { accounts: merged, reason });
}

/** The resource policy entries (`AWS::Lambda::Permission`) under `scope` (a function). */
export function lambdaPermissions(scope: IConstruct): CfnResource[] {
  return scope.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Lambda::Permission');
}
