import type { TokenCredential } from '@azure/identity';
import { CryptographyClient, CryptographyClientOptions } from '@azure/keyvault-keys';

/**
 * The broker's assertion signer: Key Vault signs the SHA-256 digest with RS256, remotely. The broker
 * identity holds `keys/sign/action` on the key and nothing else (no `keys/read`): the SDK's first
 * attempt to read the key is refused (403) and it falls back to the remote `sign` operation, which
 * is the one call that matters (test/constructs/azure/broker-runtime/key-vault-signer.test.ts drives
 * the real client through that path). An RSA-HSM private key never leaves the HSM either way.
 */
export function keyVaultSigner(keyId: string, credential: TokenCredential, options?: CryptographyClientOptions): (digest: Uint8Array, signal?: AbortSignal) => Promise<Uint8Array> {
  const client = new CryptographyClient(keyId, credential, options);
  return async (digest, signal) => (await client.sign('RS256', digest, { abortSignal: signal })).result;
}
