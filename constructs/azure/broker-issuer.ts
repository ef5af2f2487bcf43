/**
 * What an Azure `AgentIdentity` needs of its credential broker: the OIDC issuer its tool identities'
 * federated credentials trust instead of the agent runtime's. (Its own file: `AgentIdentity` and
 * `CredentialBroker` both use it, and neither imports the other's module for it.)
 */
export interface IBrokerIssuer {
  /** The broker's issuer URL (its storage static website, no trailing slash): the `iss` of its client assertions. */
  readonly issuer: string;
}
