import { fail } from '../errors';
import { looksUnresolved } from '../private/tokens';

const ACCOUNT = /^\d{12}$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** Short enough to read in a report line; long enough to say who and why. */
const MIN_REASON = 10;
const MAX_REASON = 500;

export interface CrossAccountAccessProps {
  /**
   * AWS account ids (12 digits) whose principals the environment deliberately trusts: as the broker's
   * runtime, as revocation (kill-switch) principals, as approvers, or as the owner of a tool's declared resources.
   * @default - no other AWS account
   */
  readonly accounts?: string[];
  /**
   * GCP project ids whose service accounts the environment deliberately trusts (as broker or revocation members).
   * @default - no other GCP project
   */
  readonly projects?: string[];
  /** Why the other accounts are trusted (e.g. "central SOC account runs incident response"); every report shows it. */
  readonly reason: string;
}

/**
 * A deliberate, stated cross-account set-up of one environment. Without it, the constructs refuse
 * principals of another AWS account (or GCP project) for the broker's runtime, the kill switch and
 * the approval gate; with it, exactly the listed ones are accepted, and the permissions boundary,
 * the construct metadata and every report show them with the reason.
 *
 * ```ts
 * Environment.of({ name: 'prod', aws: { account: '444455556666', regions: ['eu-west-1'] },
 *   crossAccount: CrossAccountAccess.allow({ accounts: ['999988887777'], reason: 'central SOC account runs incident response' }) });
 * ```
 */
export class CrossAccountAccess {
  /** Trust the listed accounts / projects, for the stated reason. */
  public static allow(props: CrossAccountAccessProps): CrossAccountAccess {
    return new CrossAccountAccess(props);
  }

  /** AWS account ids. */
  public readonly accounts: string[];
  /** GCP project ids. */
  public readonly projects: string[];
  public readonly reason: string;

  private constructor(props: CrossAccountAccessProps) {
    const accounts = [...new Set(props.accounts ?? [])];
    const projects = [...new Set(props.projects ?? [])];
    if (accounts.length + projects.length === 0) {
      fail('AG_CROSS_ACCOUNT_EMPTY', 'CrossAccountAccess.allow', 'must name at least one account or project', props, 'List the other AWS account ids (accounts) or GCP project ids (projects) you trust, or drop the opt-in.');
    }
    for (const a of accounts) {
      // A token could be any account, this one included: an opt-in must say which.
      if (looksUnresolved(a) || !ACCOUNT.test(a)) {
        fail('AG_CROSS_ACCOUNT_ACCOUNT', 'CrossAccountAccess.allow accounts', 'must hold literal 12-digit AWS account ids', a, 'Write the account id as a string of 12 digits.');
      }
    }
    for (const p of projects) {
      if (looksUnresolved(p) || !GCP_PROJECT.test(p)) {
        fail('AG_CROSS_ACCOUNT_PROJECT', 'CrossAccountAccess.allow projects', 'must hold literal GCP project ids', p, 'Use the project id (6–30 chars of [a-z0-9-]), not its number.');
      }
    }
    const reason = (props.reason ?? '').trim();
    if (reason.length < MIN_REASON || reason.length > MAX_REASON) {
      fail('AG_CROSS_ACCOUNT_REASON', 'CrossAccountAccess.allow reason', `must say why, in ${MIN_REASON}–${MAX_REASON} characters`, props.reason,
        'State who the other account is and why it is trusted, e.g. "central SOC account runs incident response".');
    }
    this.accounts = accounts;
    this.projects = projects;
    this.reason = reason;
  }

  /** Whether the AWS account is one of the listed ones. */
  public allowsAccount(account: string): boolean {
    return this.accounts.includes(account);
  }

  /** Whether the GCP project is one of the listed ones. */
  public allowsProject(project: string): boolean {
    return this.projects.includes(project);
  }
}
