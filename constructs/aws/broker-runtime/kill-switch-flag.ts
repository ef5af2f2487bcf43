/**
 * The values of an agent's kill-switch parameter. Kept apart from the SSM reader so that the
 * constructs, which write the initial value at synth, never load the AWS SDK.
 */

/** The only value that means "not engaged"; anything else (or nothing) counts as engaged. */
export const KILL_SWITCH_DISENGAGED = 'disengaged';
/** The value the revocation role writes to engage the kill switch. */
export const KILL_SWITCH_ENGAGED = 'engaged';
