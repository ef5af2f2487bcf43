/**
 * Where the GCP broker keeps its state in Firestore. No SDK imports: the construct reads these
 * names at synth, the prebuilt handler at run time.
 *
 * Two Firestore databases per agent, so that IAM (which Firestore grants per database, not per
 * document) can tell them apart:
 * - the kill-switch database: one document `killSwitches/<agent>` with `state`; the revocation
 *   members may write it, the broker may only read it;
 * - the approvals database: `approvals/<approvalId>`, `approvalGrants/<approvalId>` and
 *   `approvalUses/<approvalId>`; only the broker and the approve endpoint write it.
 */
export const KILL_SWITCH_COLLECTION = 'killSwitches';
export const APPROVALS_COLLECTION = 'approvals';
/** One document per consumed approval, created once: the second `create` fails, whatever the transaction saw. */
export const APPROVAL_USES_COLLECTION = 'approvalUses';
/** One document per approved request, created once by the approve endpoint: a second approval's `create` fails. */
export const APPROVAL_GRANTS_COLLECTION = 'approvalGrants';
/** The only value that lets the broker mint. */
export const GCP_KILL_SWITCH_DISENGAGED = 'disengaged';
/** What the revocation members write to stop the agent. */
export const GCP_KILL_SWITCH_ENGAGED = 'engaged';
