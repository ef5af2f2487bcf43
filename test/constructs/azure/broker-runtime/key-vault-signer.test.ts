import * as crypto from 'crypto';
import { keyVaultSigner } from '../../../../constructs/azure/broker-runtime/key-vault-signer';

/**
 * The broker's identity may only `sign` with its key (a custom role holding keys/sign/action alone):
 * no `keys/read`. This drives the real Key Vault client (@azure/keyvault-keys) against an in-process
 * vault that answers as Key Vault does under that role — the key read refused with 403 Forbidden
 * (ForbiddenByRbac), the sign operation allowed — and shows that the SDK signs remotely, reads the
 * key once at most, and fails (so the broker refuses: MINT_FAILED) when the sign itself is refused.
 */
const VAULT = 'https://agb-0123456789ab.vault.azure.net';
const KEY_ID = `${VAULT}/keys/assertion-signing/0123456789abcdef0123456789abcdef`;
const TENANT = '00000000-0000-4000-8000-0000000000ee';
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

interface Seen { readonly method: string; readonly path: string; readonly authorized: boolean }

/** A Key Vault that admits a bearer token and applies the broker's data actions: sign yes, read no. */
function signOnlyVault(opts: { signAllowed?: boolean } = {}) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const seen: Seen[] = [];
  const respond = (request: any, status: number, body: unknown, extra: Record<string, string> = {}) => {
    const headers = new Map(Object.entries({ 'content-type': 'application/json', ...extra }).map(([k, v]) => [k.toLowerCase(), v]));
    return {
      request, status, bodyAsText: JSON.stringify(body),
      headers: {
        get: (n: string) => headers.get(n.toLowerCase()), has: (n: string) => headers.has(n.toLowerCase()),
        set: (n: string, v: string) => void headers.set(n.toLowerCase(), v), delete: (n: string) => void headers.delete(n.toLowerCase()),
        toJSON: () => Object.fromEntries(headers), [Symbol.iterator]: () => headers.entries(),
      },
    };
  };
  const forbidden = (permission: string) => ({
    error: { code: 'Forbidden', message: `Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/keys/${permission}'`, innerError: { code: 'ForbiddenByRbac' } },
  });
  const httpClient = {
    async sendRequest(request: any) {
      const url = new URL(request.url);
      const authorized = /^Bearer broker-token$/.test(request.headers.get('authorization') ?? '');
      seen.push({ method: request.method, path: url.pathname, authorized });
      if (!authorized) {
        return respond(request, 401, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
          { 'WWW-Authenticate': `Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="https://vault.azure.net"` });
      }
      if (request.method === 'GET' && url.pathname === new URL(KEY_ID).pathname) return respond(request, 403, forbidden('read'));
      if (request.method === 'POST' && url.pathname === `${new URL(KEY_ID).pathname}/sign`) {
        if (opts.signAllowed === false) return respond(request, 403, forbidden('sign/action'));
        const { alg, value } = JSON.parse(String(request.body));
        if (alg !== 'RS256') return respond(request, 400, { error: { code: 'BadParameter', message: alg } });
        const signature = crypto.privateEncrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(value, 'base64url')]));
        return respond(request, 200, { kid: KEY_ID, value: signature.toString('base64url') });
      }
      return respond(request, 404, { error: { code: 'NotFound', message: url.pathname } });
    },
  };
  const credential = { getToken: async () => ({ token: 'broker-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
  return { seen, publicKey, sign: keyVaultSigner(KEY_ID, credential, { httpClient, retryOptions: { maxRetries: 0 } }) };
}

describe('Key Vault signing with the sign permission only (no keys/read)', () => {
  test('the real client falls back to the remote sign after the key read is refused; the signature verifies as RS256 over the message', async () => {
    const vault = signOnlyVault();
    const message = Buffer.from('header.payload');
    const signature = await vault.sign(crypto.createHash('sha256').update(message).digest());
    expect(crypto.verify('sha256', message, vault.publicKey, Buffer.from(signature))).toBe(true);
    const authorized = vault.seen.filter((s) => s.authorized).map((s) => `${s.method} ${s.path}`);
    expect(authorized).toEqual([
      'GET /keys/assertion-signing/0123456789abcdef0123456789abcdef', // refused: 403
      'POST /keys/assertion-signing/0123456789abcdef0123456789abcdef/sign',
    ]);
  });

  test('the refused read is remembered: later signatures are one sign call each', async () => {
    const vault = signOnlyVault();
    for (let i = 0; i < 3; i++) await vault.sign(crypto.createHash('sha256').update(`assertion ${i}`).digest());
    const authorized = vault.seen.filter((s) => s.authorized).map((s) => s.method);
    expect(authorized).toEqual(['GET', 'POST', 'POST', 'POST']);
  });

  test('a refused sign is an error (the broker refuses with MINT_FAILED), never a local fallback', async () => {
    const vault = signOnlyVault({ signAllowed: false });
    await expect(vault.sign(crypto.createHash('sha256').update('x').digest())).rejects.toMatchObject({ statusCode: 403 });
  });
});
