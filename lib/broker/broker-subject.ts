/**
 * The subject a broker's client assertion carries for one tool on Azure, and that the tool
 * identity's federated credential trusts (with exactly the broker's issuer): it names agent, tool
 * and environment, so an assertion for one tool is never exchanged for another tool's token, nor
 * for a tool of another agent or environment. Shared by the construct, the handler and the checks.
 */
export function brokerSubject(agent: string, tool: string, environment: string): string {
  return `agent-guardrails:agent:${agent}:tool:${tool}:environment:${environment}`;
}
