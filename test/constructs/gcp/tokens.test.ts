import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { AgentIdentity } from '../../../constructs/gcp';
import { AgentTier, Environment, Tool } from '../../../lib/model';
import { resourcesOf } from './gcp-fixtures';

describe('gcp.AgentIdentity: values that are still tokens are skipped at construction and synthesized as references', () => {
  const stack = new TerraformStack(Testing.app(), 'tokens');
  new GoogleProvider(stack, 'google', {});
  const project = new TerraformVariable(stack, 'project', { type: 'string' });
  const topic = new TerraformVariable(stack, 'topic', { type: 'string' });
  const env = Environment.of({ name: 'prod', gcp: { project: project.stringValue } });
  new AgentIdentity(stack, 'Agent', {
    agentName: 'deploy-operator',
    tier: AgentTier.OPERATOR,
    environment: env,
    tools: [Tool.write('publish', { gcp: { roles: ['roles/pubsub.publisher'], resource: topic.stringValue } })],
    brokerMember: 'serviceAccount:broker@acme-prod.iam.gserviceaccount.com',
    revocationMembers: ['group:oncall@example.com'],
  });
  const json = JSON.parse(Testing.synth(stack, true));

  test('a token project flows into every resource; the deny policy parent is URL-encoded by Terraform', () => {
    const [sa] = resourcesOf(json, 'google_service_account');
    expect(sa.project).toBe('${var.project}');
    const [deny] = resourcesOf(json, 'google_iam_deny_policy');
    expect(deny.parent).toBe('${urlencode("cloudresourcemanager.googleapis.com/projects/${var.project}")}');
    expect(deny.rules[0].deny_rule.denied_principals[0]).toBe('principal://iam.googleapis.com/projects/-/serviceAccounts/deploy-operator-publish@${var.project}.iam.gserviceaccount.com');
  });

  test('a token resource is granted at project level, narrowed by a resource.name condition on that value', () => {
    const [grant] = resourcesOf(json, 'google_project_iam_member');
    expect(grant.role).toBe('roles/pubsub.publisher');
    expect(grant.condition.expression).toBe('(resource.name == "${var.topic}" || resource.name.startsWith("${var.topic}/"))');
  });
});
