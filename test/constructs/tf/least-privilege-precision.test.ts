import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { AgentIdentity as AzureAgentIdentity } from '../../../constructs/azure';
import { AgentIdentity as GcpAgentIdentity } from '../../../constructs/gcp';
import { GuardrailChecks } from '../../../constructs/tf';
import { CliIo, main } from '../../../lib/cli/main';
import { AgentTier, ChangeWindow, Environment, Tool } from '../../../lib/model';

/**
 * Precision on GCP and Azure: an app built only from least-privilege grants (predefined reader and
 * data roles bound on single resources, the constructs' own output) gives no error, neither through
 * the CDKTF validation (synth) nor through the CLI over the synthesized cdktf.out.
 */
const PROJECT = 'acme-data-prod';
const GCP_PROD = Environment.of({ name: 'prod', gcp: { project: PROJECT } });
const SUBSCRIPTION = '00000000-0000-4000-8000-000000000001';
const RG = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-data-prod`;
const AZURE_PROD = Environment.of({ name: 'prod', azure: { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-data-prod', location: 'westeurope' } });
const window = () => ChangeWindow.workdays('Europe/Dublin', '09:00', '17:00');

class GcpLeastPrivilegeStack extends TerraformStack {
  constructor(scope: App, id: string) {
    super(scope, id);
    new GoogleProvider(this, 'google', { region: 'europe-west1' });
    const common = { environment: GCP_PROD, brokerMember: `serviceAccount:agent-broker@${PROJECT}.iam.gserviceaccount.com`, revocationMembers: ['group:oncall@acme.example'] };
    new GcpAgentIdentity(this, 'Reporter', {
      ...common,
      agentName: 'reporter',
      tier: AgentTier.OBSERVER,
      tools: [
        Tool.read('read-exports', { gcp: { roles: ['roles/storage.objectViewer'], resource: 'projects/_/buckets/acme-exports' }, dataSources: ['exports'] }),
        Tool.read('read-api-key', { gcp: { roles: ['roles/secretmanager.secretAccessor'], resource: `projects/${PROJECT}/secrets/reporting-api-key` }, dataSources: ['reporting api key'] }),
        Tool.read('read-service', { gcp: { roles: ['roles/run.viewer'], resource: `projects/${PROJECT}/locations/europe-west1/services/reports` } }),
      ],
    });
    new GcpAgentIdentity(this, 'Ingest', {
      ...common,
      agentName: 'ingest',
      tier: AgentTier.OPERATOR,
      tools: [
        Tool.write('publish-events', { gcp: { roles: ['roles/pubsub.publisher'], resource: `projects/${PROJECT}/topics/events` }, window: window() }),
        Tool.write('consume-events', { gcp: { roles: ['roles/pubsub.subscriber'], resource: `projects/${PROJECT}/subscriptions/events-ingest` }, window: window() }),
        Tool.write('write-exports', { gcp: { roles: ['roles/storage.objectCreator'], resource: 'projects/_/buckets/acme-exports' }, window: window() }),
      ],
    });
  }
}

class AzureLeastPrivilegeStack extends TerraformStack {
  constructor(scope: App, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}], subscriptionId: SUBSCRIPTION });
    const common = {
      environment: AZURE_PROD,
      runtimeIssuer: 'https://westeurope.oic.prod-aks.azure.com/00000000-0000-4000-8000-0000000000ff/00000000-0000-4000-8000-0000000000ee/',
      runtimeSubjectTemplate: 'system:serviceaccount:agents-{environment}:{agent}-{tool}',
      revocationPrincipalIds: ['00000000-0000-4000-8000-0000000000aa'],
    };
    const account = `${RG}/providers/Microsoft.Storage/storageAccounts/acmedata`;
    new AzureAgentIdentity(this, 'Reporter', {
      ...common,
      agentName: 'reporter',
      tier: AgentTier.OBSERVER,
      tools: [
        Tool.read('read-exports', { azure: { roles: ['Storage Blob Data Reader'], scope: `${account}/blobServices/default/containers/exports` }, dataSources: ['exports'] }),
        Tool.read('read-api-key', { azure: { roles: ['Key Vault Secrets User'], scope: `${RG}/providers/Microsoft.KeyVault/vaults/acme-kv/secrets/reporting-api-key` }, dataSources: ['reporting api key'] }),
        Tool.read('read-queue', { azure: { roles: ['Storage Queue Data Reader'], scope: `${account}/queueServices/default/queues/events` } }),
        Tool.read('pull-images', { azure: { roles: ['AcrPull'], scope: `${RG}/providers/Microsoft.ContainerRegistry/registries/acmeregistry` } }),
      ],
    });
    new AzureAgentIdentity(this, 'Ingest', {
      ...common,
      agentName: 'ingest',
      tier: AgentTier.OPERATOR,
      tools: [
        Tool.write('send-events', { azure: { roles: ['Storage Queue Data Message Sender'], scope: `${account}/queueServices/default/queues/events` }, window: window() }),
      ],
    });
  }
}

describe('least-privilege GCP and Azure apps: no error through the CDKTF validation and the CLI', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-tf-precision-'));
    const app = new App({ outdir });
    new GcpLeastPrivilegeStack(app, 'data-gcp');
    new AzureLeastPrivilegeStack(app, 'data-azure');
    GuardrailChecks.of(app).apply();
    // The validation fails synth on any error finding.
    app.synth();
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('the CLI over the synthesized cdktf.out reports no error', async () => {
    let stdout = '';
    const io: CliIo = { stdout: { write: (s: string) => { stdout += s; }, isTTY: false }, stderr: { write: () => undefined }, env: {} };
    const code = await main(['check', outdir, '--format', 'json'], io);
    const findings = JSON.parse(stdout).findings as { ruleId: string; severity: string; resource: string; message: string }[];
    expect(findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId} ${f.resource}: ${f.message}`)).toEqual([]);
    expect(code).toBe(0);
    // Both clouds were read: eleven tool identities.
    expect(fs.readdirSync(path.join(outdir, 'stacks')).sort()).toEqual(['data-azure', 'data-gcp']);
  });
});
