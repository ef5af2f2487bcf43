import type { ICredentialMinter, MintRequest, MintedCredential } from '../../../lib/broker/ports';
import type { IGoogleApi } from './google-api';

/** IAM Credentials' cap on an access token's lifetime without the org policy exception. */
export const GCP_MAX_TOKEN_SECONDS = 3600;
/** The broker's own cap: 15 minutes, whatever the config says. */
export const GCP_BROKER_TOKEN_SECONDS = 900;
const EMAIL = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

/**
 * Mints tool tokens with IAM Credentials `generateAccessToken` for the tool's service account only,
 * with the tool's declared scopes only and a lifetime of at most 900 s. The broker's service account
 * holds Token Creator on the tool service accounts (with their `request.time` window conditions) and
 * on nothing else, so a call for any other account fails at Google as well.
 */
export class IamCredentialsMinter implements ICredentialMinter {
  constructor(private readonly api: IGoogleApi) {}

  public async mint(req: MintRequest, signal?: AbortSignal): Promise<MintedCredential> {
    if (!EMAIL.test(req.identity)) throw new Error('tool identity is not a service account email');
    const scopes = req.scopes ?? [];
    if (scopes.length === 0) throw new Error('the tool declares no scopes');
    const lifetime = Math.min(req.durationSeconds, GCP_BROKER_TOKEN_SECONDS);
    const out = await this.api.request<{ accessToken?: unknown; expireTime?: unknown }>({
      url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${encodeURIComponent(req.identity)}:generateAccessToken`,
      method: 'POST',
      data: { scope: [...scopes], lifetime: `${lifetime}s` },
      signal,
    });
    const { accessToken, expireTime } = out.data ?? {};
    if (typeof accessToken !== 'string' || accessToken.length === 0 || typeof expireTime !== 'string') throw new Error('generateAccessToken returned no token');
    // The core checks that the expiry is a valid time within the requested session.
    return { expiresAt: expireTime, credentials: { accessToken, tokenType: 'Bearer' } };
  }
}
