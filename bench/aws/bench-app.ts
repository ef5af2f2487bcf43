import { App, Stack } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentIdentity } from '../../constructs/aws/agent-identity';
import { AgentTier, Environment, Tool } from '../../lib/model';

/** Size of the generated app: `agents × toolsPerAgent` tool roles, `agentsPerStack` agents per stack. */
export interface BenchAppSize {
  readonly agents: number;
  readonly toolsPerAgent: number;
  readonly agentsPerStack: number;
}

export const DEFAULT_SIZE: BenchAppSize = { agents: 200, toolsPerAgent: 10, agentsPerStack: 10 };

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const ENV = Environment.of({ name: 'bench', aws: { account: ACCOUNT, regions: [REGION] } });

/**
 * Fill `app` with real AgentIdentity constructs: observer agents whose tools each read one log
 * group (least privilege: specific actions on specific ARNs), so the checks do their full work
 * on clean roles and report little. Returns the number of tool roles.
 */
export function populateBenchApp(app: App, size: BenchAppSize = DEFAULT_SIZE): number {
  let roles = 0;
  for (let s = 0; s * size.agentsPerStack < size.agents; s++) {
    const stack = new Stack(app, `BenchAgents${s}`, { env: { account: ACCOUNT, region: REGION } });
    const broker = iam.Role.fromRoleArn(stack, 'Broker', `arn:aws:iam::${ACCOUNT}:role/agent-guardrails-broker`, { mutable: false });
    const responders = [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/incident-response`)];
    for (let a = s * size.agentsPerStack; a < Math.min(size.agents, (s + 1) * size.agentsPerStack); a++) {
      const tools: Tool[] = [];
      for (let t = 0; t < size.toolsPerAgent; t++) {
        const logGroup = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/bench/agent-${a}/tool-${t}`;
        tools.push(Tool.read(`read-logs-${t}`, {
          description: `Reads log group ${t} of agent ${a}.`,
          aws: { actions: ['logs:GetLogEvents', 'logs:FilterLogEvents'], resources: [logGroup, `${logGroup}:log-stream:*`] },
          dataSources: [`/bench/agent-${a}/tool-${t}`],
        }));
      }
      new AgentIdentity(stack, `Agent${a}`, {
        agentName: `bench-agent-${a}`, tier: AgentTier.OBSERVER, environment: ENV, tools, broker, revocationPrincipals: responders,
      });
      roles += tools.length;
    }
  }
  return roles;
}
