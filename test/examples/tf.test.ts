import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing } from 'cdktf';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { GuardrailChecks } from '../../constructs/tf';
import { AzureAgentsStack, GcpAgentsStack } from '../../examples/tf/agents';
import { inventoryFromCdktfOut } from '../../lib/adapters/terraform';
import { Baseline } from '../../lib/baseline/baseline';
import { runRules } from '../../lib/rules/run-rules';
import { AGENT_RULES } from '../../lib/rules/agent';
import { AZURE_RULES } from '../../lib/rules/azure';
import { GCP_RULES } from '../../lib/rules/gcp';

const of = (json: any, type: string): any[] => Object.values(json.resource?.[type] ?? {});

describe('examples/tf: the two agents on GCP and on Azure', () => {
  test('GCP stack: one service account per tool, both agents, validations pass', () => {
    const stack = new GcpAgentsStack(Testing.app(), 'agents-gcp');
    const json = JSON.parse(Testing.synth(stack, true));
    const accounts = of(json, 'google_service_account');
    expect(accounts.map((a) => a.project + '/' + a.account_id).sort()).toEqual([
      'acme-checkout-prod/deploy-operator-read-service',
      `acme-checkout-prod/${stack.deployOperator.emailFor('restart-service').split('@')[0]}`,
      `acme-checkout-prod/${stack.deployOperator.emailFor('rollback-deployment').split('@')[0]}`,
      'acme-checkout-staging/support-observer-read-logs',
      'acme-checkout-staging/support-observer-read-service',
      `acme-checkout-prod/${stack.deployOperatorBroker.email.split('@')[0]}`, // the deploy-operator's broker
      `acme-checkout-prod/${stack.deployOperatorBroker.approveConfig().deniedApprovers.at(-1)!.replace(/^serviceAccount:/, '').split('@')[0]}`, // and its approve endpoint
      `acme-checkout-prod/${stack.deployOperatorMonitor.email.split('@')[0]}`, // its activity monitor
      `acme-checkout-prod/${stack.deployOperatorMonitor.pushEmail.split('@')[0]}`, // and the monitor's push identity
    ].sort());
    expect(of(json, 'google_iam_deny_policy')).toHaveLength(2);
  });

  test('both deploy-operators are served by a broker; the Azure tools trust its issuer only', () => {
    const gcp = JSON.parse(Testing.synth(new GcpAgentsStack(Testing.app(), 'agents-gcp'), true));
    // The broker, its approve endpoint (which only the declared approvers may invoke) and the deploy-operator's activity monitor.
    expect(of(gcp, 'google_cloudfunctions2_function').map((f) => f.build_config.entry_point).sort()).toEqual(['approve', 'broker', 'monitor']);
    const approveInvokers = of(gcp, 'google_cloud_run_v2_service_iam_member').filter((m) => m.name === 'ag-approve-deploy-operator').map((m) => m.member);
    expect(approveInvokers).toEqual(['user:release-manager-1@acme.example', 'user:release-manager-2@acme.example']);
    const tokenCreators = of(gcp, 'google_service_account_iam_member').filter((m) => m.role === 'roles/iam.serviceAccountTokenCreator' && String(m.service_account_id).includes('acme-checkout-prod'));
    expect(new Set(tokenCreators.map((m) => m.member)).size).toBe(1);
    const azure = JSON.parse(Testing.synth(new AzureAgentsStack(Testing.app(), 'agents-azure'), true));
    const [fn] = of(azure, 'azurerm_function_app_flex_consumption');
    const prod = of(azure, 'azurerm_federated_identity_credential').filter((c) => String(c.subject).includes('deploy-operator'));
    expect(prod.map((c) => c.issuer)).toEqual([fn.app_settings.BROKER_ISSUER, fn.app_settings.BROKER_ISSUER, fn.app_settings.BROKER_ISSUER]);
  });

  test('Azure stack: one identity and one federated credential per tool, validations pass', () => {
    const stack = new AzureAgentsStack(Testing.app(), 'agents-azure');
    const json = JSON.parse(Testing.synth(stack, true));
    expect(of(json, 'azurerm_user_assigned_identity')).toHaveLength(7); // five tools, the deploy-operator's broker and its activity monitor
    expect(of(json, 'azurerm_federated_identity_credential').map((c) => c.subject).sort()).toEqual([
      'agent-guardrails:agent:deploy-operator:tool:read-service:environment:prod',
      'agent-guardrails:agent:deploy-operator:tool:restart-service:environment:prod',
      'agent-guardrails:agent:deploy-operator:tool:rollback-deployment:environment:prod',
      'system:serviceaccount:agents-staging:support-observer-read-logs',
      'system:serviceaccount:agents-staging:support-observer-read-service',
    ]);
  });

  test('ATTACK: a grant added beside the constructs (editor for an agent service account) fails synth', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-tf-attack-'));
    try {
      const app = new App({ outdir });
      const gcp = new GcpAgentsStack(app, 'agents-gcp');
      new ProjectIamMember(gcp, 'Sneaky', { project: 'acme-checkout-prod', role: 'roles/editor', member: `serviceAccount:${gcp.deployOperator.emailFor('read-service')}` });
      GuardrailChecks.of(app).apply();
      expect(() => app.synth()).toThrow(/GCP-001/);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  describe('synthesized offline with app.synth() into cdktf.out', () => {
    let outdir: string;
    beforeAll(() => {
      outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-tf-example-'));
      const app = new App({ outdir });
      new GcpAgentsStack(app, 'agents-gcp');
      new AzureAgentsStack(app, 'agents-azure');
      GuardrailChecks.of(app).apply(); // as examples/tf/main.ts: synth fails on any error finding
      app.synth();
    });
    afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

    test('writes one cdk.tf.json per stack, with agent-guardrails metadata', () => {
      for (const stack of ['agents-gcp', 'agents-azure']) {
        const doc = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
        const identities = (stack === 'agents-gcp' ? of(doc, 'google_service_account') : of(doc, 'azurerm_user_assigned_identity'))
          .filter((i) => i['//']['agent-guardrails']['agent-guardrails:component'] === 'tool-identity');
        expect(identities).toHaveLength(5);
        for (const i of identities) expect(i['//']['agent-guardrails']['agent-guardrails:declaration']).toBeDefined();
      }
    });

    test('the Terraform adapter sees ten agent identities with their declarations', () => {
      const inventory = inventoryFromCdktfOut(outdir);
      const agents = inventory.identities.filter((i) => i.isAgent);
      expect(agents).toHaveLength(10);
      for (const a of agents) expect(a.declaration?.tool).toBe(a.labels.tool);
    });

    test('the GCP, Azure and agent rules report no error on the example', () => {
      const findings = runRules(inventoryFromCdktfOut(outdir), [...GCP_RULES, ...AZURE_RULES, ...AGENT_RULES], Baseline.default());
      const errors = findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId} ${f.resource}: ${f.message}`);
      expect(errors).toEqual([]);
    });
  });
});
