/**
 * Where the Azure broker keeps its state in Table Storage (no SDK imports: the construct reads
 * these names at synth, the prebuilt handler at run time).
 * - kill switch: table `agkillswitch`, entity (PartitionKey `kill-switch`, RowKey `<agent>`), property `state`;
 * - approvals: table `agapprovals`, entity (PartitionKey `<agent>`, RowKey `<approvalId>`).
 */
export const AZURE_KILL_SWITCH_TABLE = 'agkillswitch';
export const AZURE_KILL_SWITCH_PARTITION = 'kill-switch';
export const AZURE_APPROVALS_TABLE = 'agapprovals';
export const AZURE_KILL_SWITCH_DISENGAGED = 'disengaged';
export const AZURE_KILL_SWITCH_ENGAGED = 'engaged';
