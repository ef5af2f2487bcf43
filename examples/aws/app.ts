import { App, Validations } from 'aws-cdk-lib/core';
import { AgentGuardrailsChecks } from '../../constructs/aws/checks';
import { DeployOperatorStack, SupportObserverStack } from './agents';
import { ensureHandlerBundles } from './handler-bundles';

ensureHandlerBundles();

/** The example AWS app (`cdk.json`): two agents, synthesized offline by `npm run synth`. */
const app = new App();
new SupportObserverStack(app, 'SupportObserverStaging');
new DeployOperatorStack(app, 'DeployOperatorProd');

// --- agent-guardrails checks: the nag pack is registered here -------------------------------
Validations.of(app).addPlugins(new AgentGuardrailsChecks(app));
// ----------------------------------------------------------------------------------------------

app.synth();
