/**
 * The one call shape the GCP adapters need from google-auth-library: an authorized JSON request
 * (`AuthClient.request`). The handler passes the real client; tests pass an in-process fake.
 */
export interface IGoogleApi {
  request<T>(options: { readonly url: string; readonly method: 'POST'; readonly data: unknown; readonly signal?: AbortSignal }): Promise<{ readonly data: T }>;
}
