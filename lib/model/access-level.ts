/** How much a tool may change. One tool = one identity, so read and write never share one. */
export enum AccessLevel {
  /** Get/list/describe only. */
  READ = 'read',
  /** Creates or changes things (for an advisor: proposals only). */
  WRITE = 'write',
  /** Deletes, rolls back, restarts or otherwise destroys state; approval-gated by default. */
  DESTRUCTIVE = 'destructive',
}

export const ALL_ACCESS_LEVELS: readonly AccessLevel[] = [AccessLevel.READ, AccessLevel.WRITE, AccessLevel.DESTRUCTIVE];

export function parseAccessLevel(value: string | undefined): AccessLevel | undefined {
  return ALL_ACCESS_LEVELS.find((l) => l === value);
}
