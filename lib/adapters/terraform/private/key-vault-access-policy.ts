/**
 * Legacy Key Vault access policies grant data-plane permissions by name (`Get`, `List`, `Set`, …)
 * outside Azure RBAC. The adapter turns them into grants with the equivalent RBAC data actions, so
 * the same rules see an agent reading secrets either way.
 */

const SECRET: Record<string, string> = {
  get: 'secrets/getSecret/action', list: 'secrets/readMetadata/action', set: 'secrets/setSecret/action', delete: 'secrets/delete',
  backup: 'secrets/backup/action', restore: 'secrets/restore/action', recover: 'secrets/recover/action', purge: 'secrets/purge/action',
};
const KEY: Record<string, string> = {
  get: 'keys/read', list: 'keys/read', create: 'keys/create/action', update: 'keys/update/action', import: 'keys/import/action',
  delete: 'keys/delete', decrypt: 'keys/decrypt/action', encrypt: 'keys/encrypt/action', sign: 'keys/sign/action', verify: 'keys/verify/action',
  wrapkey: 'keys/wrap/action', unwrapkey: 'keys/unwrap/action', backup: 'keys/backup/action', restore: 'keys/restore/action',
  recover: 'keys/recover/action', purge: 'keys/purge/action', release: 'keys/release/action', rotate: 'keys/rotate/action',
  getrotationpolicy: 'keys/rotationpolicy/read', setrotationpolicy: 'keys/rotationpolicy/write',
};
const CERTIFICATE: Record<string, string> = {
  get: 'certificates/read', list: 'certificates/read', create: 'certificates/create/action', import: 'certificates/import/action',
  update: 'certificates/update/action', delete: 'certificates/delete', backup: 'certificates/backup/action', restore: 'certificates/restore/action',
  recover: 'certificates/recover/action', purge: 'certificates/purge/action', managecontacts: 'certificatecontacts/write',
  getissuers: 'certificatecas/read', listissuers: 'certificatecas/read', setissuers: 'certificatecas/write', deleteissuers: 'certificatecas/delete',
  manageissuers: 'certificatecas/write',
};

const KINDS: Array<[field: string, table: Record<string, string>, fallback: string]> = [
  ['secret_permissions', SECRET, 'secrets'],
  ['key_permissions', KEY, 'keys'],
  ['certificate_permissions', CERTIFICATE, 'certificates'],
  ['storage_permissions', {}, 'storage'],
];

/** RBAC data actions equivalent to one access policy's permission lists; unknown names map to `<kind>/<name>` (still visible). */
export function accessPolicyActions(policy: Record<string, unknown>, resolveList: (field: string, value: unknown) => string[]): string[] {
  const actions = new Set<string>();
  for (const [field, table, fallback] of KINDS) {
    for (const perm of resolveList(field, policy[field])) {
      const key = perm.toLowerCase();
      actions.add(`Microsoft.KeyVault/vaults/${table[key] ?? `${fallback}/${key}`}`);
    }
  }
  return [...actions];
}
