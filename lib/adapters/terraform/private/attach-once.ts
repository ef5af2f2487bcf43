/** The ids already in a custom role's `attachedTo`, kept beside the list while the readers fill it (weak: dies with the entry). */
const ATTACHED = new WeakMap<{ readonly attachedTo: string[] }, Set<string>>();

/**
 * Record once that an identity holds a custom role. A set beside the list makes it a lookup: one
 * role bound to thousands of members (which a hostile configuration can write) was a scan per binding.
 */
export function attachOnce(role: { readonly attachedTo: string[] }, identityId: string): void {
  let seen = ATTACHED.get(role);
  if (!seen) {
    seen = new Set(role.attachedTo);
    ATTACHED.set(role, seen);
  }
  if (seen.has(identityId)) return;
  seen.add(identityId);
  role.attachedTo.push(identityId);
}
