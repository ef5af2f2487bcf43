/**
 * The caller of a function behind App Service authentication (Entra, v2), as it validated the
 * token: `X-MS-CLIENT-PRINCIPAL-ID` is the caller's object id. The platform sets these headers and
 * strips them from external requests (learn.microsoft.com/azure/app-service/configure-authentication-user-identities),
 * so they name whoever Entra authentication admitted; requests without them have no caller.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Headers = { readonly [name: string]: string | string[] | undefined };

/** The caller's object id (lowercase GUID), or undefined. */
export function easyAuthCaller(headers: Headers): string | undefined {
  const id = headers['x-ms-client-principal-id'];
  const idp = headers['x-ms-client-principal-idp'];
  if (typeof id !== 'string' || !GUID.test(id)) return undefined;
  if (idp !== undefined && idp !== 'aad') return undefined;
  return id.toLowerCase();
}
