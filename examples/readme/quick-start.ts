// The README's opening example, kept here so `tsc --noEmit` proves it compiles.
import { App, Stack, Validations } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentIdentity, CredentialBroker } from '../../constructs/aws';
import { AgentGuardrailsChecks } from '../../constructs/aws/checks';
import { AgentTier, Environment, Tool } from '../../lib';

export function quickStart(): App {
  const app = new App();
  const stack = new Stack(app, 'Agents', { env: { account: '111111111111', region: 'eu-west-1' } });
  const prod = Environment.of({ name: 'prod', aws: { account: '111111111111', regions: ['eu-west-1'] } });
  const broker = new CredentialBroker(stack, 'Broker', { runtime: new iam.ArnPrincipal('arn:aws:iam::111111111111:role/agent-runtime') });
  const agent = new AgentIdentity(stack, 'LogReader', {
    agentName: 'log-reader', tier: AgentTier.OBSERVER, environment: prod, broker: broker.role,
    revocationPrincipals: [new iam.ArnPrincipal('arn:aws:iam::111111111111:role/incident-response')],
    tools: [Tool.read('read-logs', {
      aws: { actions: ['logs:FilterLogEvents'], resources: ['arn:aws:logs:eu-west-1:111111111111:log-group:/app/*'] },
    })],
  });
  broker.addAgent(agent);
  Validations.of(app).addPlugins(new AgentGuardrailsChecks(app));
  return app;
}
