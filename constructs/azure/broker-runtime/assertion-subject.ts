import { brokerSubject } from '../../../lib/broker/broker-subject';

/**
 * The subject of the broker's client assertion for one tool (`lib/broker/broker-subject.ts`): the
 * tool identity's federated credential trusts exactly this subject from exactly the broker's issuer.
 * (No SDK imports: used by the construct too.)
 */
export const assertionSubject = brokerSubject;

/** The audience Entra expects in a federated client assertion. */
export const ENTRA_ASSERTION_AUDIENCE = 'api://AzureADTokenExchange';
/**
 * Entra access tokens live 60–90 minutes and their lifetime cannot be shortened for this flow; the
 * Azure broker's session is this long, and the kill switch cuts tokens already issued by deleting
 * the tool's role assignments and federated credentials.
 */
export const ENTRA_TOKEN_MAX_SECONDS = 5400;
