import { App } from 'cdktf';
import { GuardrailChecks } from '../../constructs/tf';
import { AzureAgentsStack, GcpAgentsStack } from './agents';

/** The example CDKTF app (`cdktf.json`): the two agents on GCP and on Azure, synthesized offline by `npm run synth`. */
const app = new App();
new GcpAgentsStack(app, 'agents-gcp');
new AzureAgentsStack(app, 'agents-azure');

// --- agent-guardrails checks: the CDKTF validation is registered here ------------------------
// `cdktf synth` (and app.synth()) fails on any error finding of the GCP, Azure and agent rules.
GuardrailChecks.of(app).apply();
// ----------------------------------------------------------------------------------------------

app.synth();
