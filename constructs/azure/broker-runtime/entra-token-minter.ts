import { createHash, randomUUID } from 'crypto';
import type { ICredentialMinter, MintRequest, MintedCredential } from '../../../lib/broker/ports';
import { assertionSubject, ENTRA_ASSERTION_AUDIENCE } from './assertion-subject';

/** Signs a SHA-256 digest with RS256 (Key Vault `CryptographyClient.sign('RS256', digest)`, `sign` permission only). */
export interface IAssertionSigner {
  /** The JWKS key id (`kid`) of the signing key, as published in the broker's JWKS. */
  readonly keyId: string;
  sign(digest: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
}

/** The part of `fetch` the minter uses (tests answer in process). */
export type FetchLike = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{ readonly ok: boolean; readonly status: number; json(): Promise<unknown> }>;

/** How long the signed assertion is valid: only for the exchange that follows at once. */
const ASSERTION_SECONDS = 300;
const CLIENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function base64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Mints a tool's Entra access token. The broker is the OIDC issuer of the tools' federated
 * credentials: it signs a 5-minute client assertion (subject = agent, tool, environment) with its
 * Key Vault key and exchanges it at Entra's token endpoint for the tool identity's token, for the
 * tool's one declared scope. The tool identity is its client id; Entra checks issuer, subject and
 * audience against that identity's federated credential.
 */
export class EntraTokenMinter implements ICredentialMinter {
  constructor(
    private readonly signer: IAssertionSigner,
    private readonly options: { readonly issuer: string; readonly tenantId: string; readonly authorityHost?: string },
    private readonly fetchFn: FetchLike = fetch as unknown as FetchLike,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  public async mint(req: MintRequest, signal?: AbortSignal): Promise<MintedCredential> {
    if (!CLIENT_ID.test(req.identity)) throw new Error('tool identity is not a client id');
    const scopes = req.scopes ?? [];
    if (scopes.length !== 1) throw new Error('an Entra token is for exactly one declared scope');
    const issuedAt = Math.floor(this.clock().getTime() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', kid: this.signer.keyId };
    const payload = {
      iss: this.options.issuer, sub: assertionSubject(req.agent, req.tool, req.environment), aud: ENTRA_ASSERTION_AUDIENCE,
      iat: issuedAt, nbf: issuedAt, exp: issuedAt + ASSERTION_SECONDS, jti: req.decisionId || randomUUID(),
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = await this.signer.sign(createHash('sha256').update(signingInput).digest(), signal);
    const form = new URLSearchParams({
      client_id: req.identity,
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: `${signingInput}.${base64url(signature)}`,
      scope: scopes[0],
    });
    const host = this.options.authorityHost ?? 'https://login.microsoftonline.com';
    const res = await this.fetchFn(`${host}/${encodeURIComponent(this.options.tenantId)}/oauth2/v2.0/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), signal,
    });
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
    const out = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof out.access_token !== 'string' || out.access_token.length === 0) throw new Error('token endpoint returned no token');
    const expiresIn = Number(out.expires_in);
    if (!Number.isFinite(expiresIn)) throw new Error('token endpoint returned no lifetime');
    // The core checks that the expiry lies within the requested session.
    return { expiresAt: new Date(this.clock().getTime() + expiresIn * 1000).toISOString(), credentials: { accessToken: out.access_token, tokenType: 'Bearer' } };
  }
}
