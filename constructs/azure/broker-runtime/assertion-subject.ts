/**
 * The subject of the broker's client assertion for one tool: it names agent, tool and environment,
 * and the tool identity's federated credential trusts exactly this subject from exactly the
 * broker's issuer. So an assertion for one tool can never be exchanged for another tool's token,
 * nor for a tool of another agent or environment. (No SDK imports: used by the construct too.)
 */
export function assertionSubject(agent: string, tool: string, environment: string): string {
  return `agent-guardrails:agent:${agent}:tool:${tool}:environment:${environment}`;
}

/** The audience Entra expects in a federated client assertion. */
export const ENTRA_ASSERTION_AUDIENCE = 'api://AzureADTokenExchange';
/**
 * Entra access tokens live 60–90 minutes and their lifetime cannot be shortened for this flow; the
 * Azure broker's session is this long, and the kill switch cuts tokens already issued by deleting
 * the tool's role assignments and federated credentials.
 */
export const ENTRA_TOKEN_MAX_SECONDS = 5400;
