import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Tags } from 'aws-cdk-lib/core';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Testing } from 'cdktf';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { AgentIdentity as AwsAgentIdentity } from '../../../../constructs/aws';
import { GUARDRAILS_METADATA_KEY } from '../../../../constructs/gcp/private/metadata';
import { AzureAgentsStack, GcpAgentsStack } from '../../../../examples/tf/agents';
import { inventoryFromTemplate } from '../../../../lib/adapters/cloudformation/inventory-from-template';
import { inventoryFromTerraformJson } from '../../../../lib/adapters/terraform';
import { Baseline } from '../../../../lib/baseline/baseline';
import { brokerSubject } from '../../../../lib/broker/broker-subject';
import { Inventory } from '../../../../lib/inventory/inventory';
import { AgentTier, BROKER_METADATA_KEY, Component, Environment, TAG_KEYS, Tool } from '../../../../lib/model';
import { AGENT_RULES } from '../../../../lib/rules/agent';
import { runRules } from '../../../../lib/rules/run-rules';

/**
 * The checks know the brokers (AGENT-004, AGENT-006): a tool identity that something other than its
 * broker can reach is an error, on all three clouds. The brokers are recognised by their construct
 * records (GCP, Azure) or their metadata (AWS); a way in that is merely labelled as the broker's does
 * not pass once the broker's record is in the inventory.
 */
const agentErrors = (inventory: Inventory) => runRules(inventory, AGENT_RULES, Baseline.default())
  .filter((f) => f.severity === 'error').map((f) => `${f.ruleId}[${f.detail}] ${f.resource}`);
const BROKER_LABEL = { [GUARDRAILS_METADATA_KEY]: { [TAG_KEYS.agent]: 'deploy-operator', [TAG_KEYS.environment]: 'prod', [TAG_KEYS.component]: Component.BROKER } };

describe('GCP: only the recorded broker may mint a tool\'s tokens', () => {
  const check = (stack: GcpAgentsStack) => agentErrors(inventoryFromTerraformJson(stack.toTerraform(), { stack: 'gcp' }));

  test('the example passes, and its inventory holds the broker\'s record', () => {
    const stack = new GcpAgentsStack(Testing.app(), 'gcp');
    const inventory = inventoryFromTerraformJson(stack.toTerraform(), { stack: 'gcp' });
    expect(inventory.brokers?.map((b) => [b.cloud, b.agent, b.environment, b.identity])).toEqual([['gcp', 'deploy-operator', 'prod', stack.deployOperatorBroker.email]]);
    expect(check(stack)).toEqual([]);
  });

  test.each([
    ['roles/iam.serviceAccountTokenCreator', 'read-service', 'AGENT-006[bypasses-broker:impersonation]'],
    ['roles/iam.serviceAccountUser', 'restart-service', 'AGENT-006[bypasses-broker:impersonation]'],
    ['roles/iam.serviceAccountTokenCreator', 'rollback-deployment', 'AGENT-004[non-broker:impersonation]'],
  ])('ATTACK: another principal with %s on the %s service account is an error', (role, tool, finding) => {
    const stack = new GcpAgentsStack(Testing.app(), 'gcp');
    new ServiceAccountIamMember(stack, 'Sneaky', {
      serviceAccountId: `projects/acme-checkout-prod/serviceAccounts/${stack.deployOperator.emailFor(tool)}`,
      role, member: 'serviceAccount:ci-deployer@acme-checkout-prod.iam.gserviceaccount.com',
    });
    expect(check(stack).filter((f) => f.startsWith(`${finding} google_service_account.DeployOperator_${tool}-sa_`))).toHaveLength(1);
  });

  test('ATTACK: a Token Creator binding that merely carries the broker label is still not the broker', () => {
    const stack = new GcpAgentsStack(Testing.app(), 'gcp');
    const forged = new ServiceAccountIamMember(stack, 'Forged', {
      serviceAccountId: `projects/acme-checkout-prod/serviceAccounts/${stack.deployOperator.emailFor('read-service')}`,
      role: 'roles/iam.serviceAccountTokenCreator', member: 'serviceAccount:impostor@acme-checkout-prod.iam.gserviceaccount.com',
    });
    forged.addOverride('//', BROKER_LABEL);
    expect(check(stack).filter((f) => f.startsWith('AGENT-006[bypasses-broker:impersonation]'))).toHaveLength(1);
  });
});

describe('Azure: only the broker\'s issuer with the tool\'s own subject', () => {
  const check = (stack: AzureAgentsStack) => agentErrors(inventoryFromTerraformJson(stack.toTerraform(), { stack: 'azure' }));
  const fic = (stack: AzureAgentsStack, tool: string, issuer: string, subject: string, label = false) => {
    const f = new FederatedIdentityCredential(stack, `Extra-${tool}-${subject.length}`, {
      name: `extra-${tool}`, resourceGroupName: 'rg-checkout-prod', parentId: stack.deployOperator.identityFor(tool).id,
      issuer, subject, audience: ['api://AzureADTokenExchange'],
    });
    if (label) f.addOverride('//', BROKER_LABEL);
  };

  test('the example passes, and its inventory holds the broker\'s record with its resolved issuer', () => {
    const stack = new AzureAgentsStack(Testing.app(), 'azure');
    const inventory = inventoryFromTerraformJson(stack.toTerraform(), { stack: 'azure' });
    expect(inventory.brokers).toHaveLength(1);
    expect(inventory.brokers![0]).toMatchObject({ cloud: 'azure', agent: 'deploy-operator', environment: 'prod' });
    expect(inventory.brokers![0].issuer).toMatch(/^https:\/\/agb[0-9a-f]{12}w\.z\{zone\}\.web\.core\.windows\.net$/);
    expect(check(stack)).toEqual([]);
  });

  test('ATTACK: another issuer on a tool identity (the runtime\'s own AKS issuer) is an error', () => {
    const stack = new AzureAgentsStack(Testing.app(), 'azure');
    fic(stack, 'read-service', 'https://westeurope.oic.prod-aks.azure.com/tenant/cluster/', 'system:serviceaccount:agents-prod:deploy-operator-read-service');
    expect(check(stack).filter((f) => f.startsWith('AGENT-006[bypasses-broker:federation]'))).toHaveLength(1);
  });

  test('ATTACK: the broker\'s issuer with another tool\'s, agent\'s or environment\'s subject is an error (also when labelled as the broker\'s)', () => {
    for (const subject of [brokerSubject('deploy-operator', 'rollback-deployment', 'prod'), brokerSubject('support-observer', 'read-service', 'prod'), brokerSubject('deploy-operator', 'read-service', 'staging')]) {
      const stack = new AzureAgentsStack(Testing.app(), 'azure');
      fic(stack, 'read-service', stack.deployOperatorBroker.issuer, subject, true);
      expect(check(stack).filter((f) => f.startsWith('AGENT-006[bypasses-broker:federation]'))).toHaveLength(1);
    }
  });

  test('ATTACK: a second way into a destructive tool is AGENT-004\'s', () => {
    const stack = new AzureAgentsStack(Testing.app(), 'azure');
    fic(stack, 'rollback-deployment', 'https://token.actions.githubusercontent.com', 'repo:acme/agents:environment:prod');
    expect(check(stack).filter((f) => f.startsWith('AGENT-004[non-broker:federation]'))).toHaveLength(1);
  });
});

describe('AWS: a tool role that trusts its broker trusts nobody else', () => {
  const PROD = Environment.of({ name: 'prod', aws: { account: '333333333333', regions: ['eu-west-1'] } });
  let outdir: string;
  beforeEach(() => { outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-bypass-')); });
  afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

  function template(): any {
    const stack = new Stack(new App({ outdir }), 'Prod', { env: { account: '333333333333', region: 'eu-west-1' } });
    const broker = new iam.Role(stack, 'Broker', { assumedBy: new iam.AccountPrincipal('333333333333') });
    Tags.of(broker).add(TAG_KEYS.component, Component.BROKER);
    new AwsAgentIdentity(stack, 'Ops', {
      agentName: 'ops', tier: AgentTier.OPERATOR, environment: PROD, broker,
      tools: [Tool.write('enqueue-job', { aws: { actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-west-1:333333333333:jobs'] } })],
      revocationPrincipals: [new iam.ArnPrincipal('arn:aws:iam::333333333333:role/incident-response')],
    });
    return Template.fromStack(stack).toJSON();
  }

  test('the constructs pass', () => {
    expect(agentErrors(inventoryFromTemplate(template(), { stack: 'Prod' }))).toEqual([]);
  });

  test('ATTACK: another role added to the tool role\'s trust policy is an error', () => {
    const t = template();
    const role = Object.values(t.Resources as Record<string, any>).find((r) => r.Type === 'AWS::IAM::Role' && (r.Properties.Tags ?? []).some((x: any) => x.Key === TAG_KEYS.tool));
    role.Properties.AssumeRolePolicyDocument.Statement.push({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:role/ci-deployer' }, Action: 'sts:AssumeRole' });
    expect(agentErrors(inventoryFromTemplate(t, { stack: 'Prod' })).filter((f) => f.startsWith('AGENT-006[bypasses-broker:trust]'))).toHaveLength(1);
  });
});

test('a malformed broker record is reported, never trusted', () => {
  const stack = new GcpAgentsStack(Testing.app(), 'gcp');
  const doc = stack.toTerraform() as any;
  const fn = Object.values(doc.resource.google_cloudfunctions2_function)[0] as any;
  fn['//'][GUARDRAILS_METADATA_KEY][BROKER_METADATA_KEY] = { cloud: 'gcp', agent: 'deploy-operator' };
  const inventory = inventoryFromTerraformJson(doc, { stack: 'gcp' });
  expect(inventory.brokers).toBeUndefined();
  expect(inventory.unresolved.map((u) => u.what)).toEqual(expect.arrayContaining([expect.stringContaining(BROKER_METADATA_KEY)]));
});

test('a broker record whose approvers are unreadable is reported, never trusted; readable approvers are read', () => {
  const stack = new GcpAgentsStack(Testing.app(), 'gcp');
  const read = (approvers: unknown) => {
    const doc = stack.toTerraform() as any;
    const fn = Object.values(doc.resource.google_cloudfunctions2_function).find((f: any) => f['//'][GUARDRAILS_METADATA_KEY][BROKER_METADATA_KEY]) as any;
    const record = fn['//'][GUARDRAILS_METADATA_KEY][BROKER_METADATA_KEY];
    fn['//'][GUARDRAILS_METADATA_KEY][BROKER_METADATA_KEY] = { ...record, approvers };
    return inventoryFromTerraformJson(doc, { stack: 'gcp' });
  };
  expect(read(['user:release-manager-1@acme.example']).brokers!.map((b) => b.approvers)).toEqual([['user:release-manager-1@acme.example']]);
  for (const bad of ['user:release-manager-1@acme.example', [42], ['']]) {
    const inventory = read(bad);
    expect(inventory.brokers).toBeUndefined();
    expect(inventory.unresolved.map((u) => u.what)).toEqual(expect.arrayContaining([expect.stringContaining(BROKER_METADATA_KEY)]));
  }
});
