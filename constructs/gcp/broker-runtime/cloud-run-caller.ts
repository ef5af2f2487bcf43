/**
 * The caller of a Cloud Run service (a 2nd-gen function) with IAM authentication, as Cloud Run
 * verified it. Cloud Run checks the ID token's signature, audience and expiry and the caller's
 * `run.invoker` before the request reaches the container, then forwards the token with its
 * signature replaced by `SIGNATURE_REMOVED_BY_GOOGLE` (cloud.google.com/run/docs/troubleshooting#signature-removed).
 * When `X-Serverless-Authorization` is present Cloud Run checks that header only and passes
 * `Authorization` through untouched, so that header is then never read.
 *
 * Only a token that carries Google's marker counts: anything else did not come through Cloud Run's
 * check and has no caller.
 */
const REMOVED_SIGNATURE = 'SIGNATURE_REMOVED_BY_GOOGLE';
const MAX_HEADER_CHARS = 8192;
const ISSUERS = new Set(['https://accounts.google.com', 'accounts.google.com']);
const EMAIL = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}$/;

type Headers = { readonly [name: string]: string | string[] | undefined };

function single(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' ? v : undefined; // repeated headers (arrays) are ambiguous: no caller
}

/** The caller as an IAM member (`user:<email>` or `serviceAccount:<email>`), or undefined. */
export function cloudRunCaller(headers: Headers): string | undefined {
  const present = (name: string) => headers[name] !== undefined;
  const header = present('x-serverless-authorization') ? single(headers, 'x-serverless-authorization') : single(headers, 'authorization');
  if (header === undefined || header.length > MAX_HEADER_CHARS || !header.startsWith('Bearer ')) return undefined;
  const parts = header.slice('Bearer '.length).trim().split('.');
  if (parts.length !== 3 || parts[2] !== REMOVED_SIGNATURE) return undefined;
  let claims: { iss?: unknown; email?: unknown; email_verified?: unknown };
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null || !ISSUERS.has(String(claims.iss)) || claims.email_verified !== true) return undefined;
  const email = claims.email;
  if (typeof email !== 'string' || !EMAIL.test(email)) return undefined;
  return `${email.toLowerCase().endsWith('.gserviceaccount.com') ? 'serviceAccount' : 'user'}:${email.toLowerCase()}`;
}
