import { IDENTITY_PER_TOOL } from '../../../../lib/rules/agent/identity-per-tool';
import { check, ids, InventoryBuilder } from './inventory-builder';

const BROKER_PROD = 'arn:aws:iam::111111111111:role/broker-prod';

describe('AGENT-002: one identity per tool, never shared across tools, agents or environments; read and write split', () => {
  test('compliant: one identity per tool and environment, read tool holds reads, assumed by its own environment\'s broker', () => {
    const b = new InventoryBuilder();
    b.guardrail({ name: 'broker-prod', component: 'broker', environment: 'prod' });
    const read = b.tool({ name: 'read-logs', declaration: { accessLevel: 'read' }, trust: [{ principals: [BROKER_PROD], principalKinds: ['AWS'] }] });
    b.grant(read, ['logs:FilterLogEvents', 'logs:DescribeLogGroups'], ['*']);
    const write = b.tool({ name: 'restart', declaration: { accessLevel: 'write' } });
    b.grant(write, ['ecs:UpdateService'], ['arn:aws:ecs:eu-west-1:111111111111:service/c/s']);
    b.tool({ name: 'read-logs-dev', tool: 'read-logs', environment: 'dev' });
    expect(check(IDENTITY_PER_TOOL, b.inventory)).toEqual([]);
  });

  test('non-compliant: two identities for the same agent, tool and environment', () => {
    const b = new InventoryBuilder();
    b.tool({ name: 'read-logs' });
    b.tool({ name: 'read-logs-copy', tool: 'read-logs' });
    const findings = check(IDENTITY_PER_TOOL, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-002[duplicate:triage/read-logs]']);
    expect(findings[0].resource).toBe('read-logs-copy');
  });

  test('non-compliant: an identity labelled for one tool holding another tool\'s declaration', () => {
    const b = new InventoryBuilder();
    b.tool({ name: 'read-logs', declaration: { tool: 'restart' } });
    expect(ids(check(IDENTITY_PER_TOOL, b.inventory))).toEqual(['AGENT-002[declaration-tool]']);
  });

  test('non-compliant: a read tool whose identity also holds writes (and unclassifiable actions count as writes)', () => {
    const b = new InventoryBuilder();
    const read = b.tool({ name: 'read-logs', declaration: { accessLevel: 'read' } });
    b.grant(read, ['logs:FilterLogEvents', 'logs:DeleteLogGroup', 'logs:MadeUpAction'], ['*']);
    expect(ids(check(IDENTITY_PER_TOOL, b.inventory))).toEqual([
      'AGENT-002[read-tool-write:logs:DeleteLogGroup]', 'AGENT-002[read-tool-write:logs:MadeUpAction]',
    ]);
  });

  test('non-compliant: a GCP read tool bound to a writing role', () => {
    const b = new InventoryBuilder();
    const sa = b.tool({ cloud: 'gcp', name: 'read-bucket', declaration: { accessLevel: 'read' } });
    b.grant(sa, [], ['projects/_/buckets/b'], { role: 'roles/storage.objectAdmin', scopeLevel: 'resource' });
    expect(ids(check(IDENTITY_PER_TOOL, b.inventory))).toEqual(['AGENT-002[read-tool-write:roles/storage.objectAdmin]']);
  });

  test('non-compliant: a prod tool role that the dev broker can assume (identity shared across environments)', () => {
    const b = new InventoryBuilder();
    b.guardrail({ name: 'broker-dev', component: 'broker', environment: 'dev' });
    b.tool({ name: 'read-logs', trust: [{ principals: ['arn:aws:iam::222222222222:role/broker-dev'], principalKinds: ['AWS'] }] });
    const findings = check(IDENTITY_PER_TOOL, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-002[cross-environment:dev]']);
    expect(findings[0].message).toMatch(/environment prod.*environment dev/);
  });

  test('non-compliant: a GCP token-creator binding for another environment\'s broker on the tool service account', () => {
    const b = new InventoryBuilder();
    const devBroker = b.guardrail({ cloud: 'gcp', name: 'broker-dev', component: 'broker', environment: 'dev' });
    b.tool({ cloud: 'gcp', name: 'read-bucket' });
    b.grant(devBroker, [], ['projects/prod-project/serviceAccounts/read-bucket@prod-project.iam.gserviceaccount.com'], { role: 'roles/iam.serviceAccountTokenCreator', scopeLevel: 'resource' });
    expect(ids(check(IDENTITY_PER_TOOL, b.inventory))).toEqual(['AGENT-002[cross-environment:dev]']);
  });

  test('non-compliant: a labelled way in (token creator, federated credential) of another environment', () => {
    const b = new InventoryBuilder();
    b.tool({ cloud: 'gcp', name: 'read-bucket', environment: 'prod' });
    b.inventory.grants.push({
      id: 'tc', cloud: 'gcp', principal: 'serviceAccount:broker@acme-dev.iam.gserviceaccount.com', effect: 'Allow', actions: [], role: 'roles/iam.serviceAccountTokenCreator',
      resources: ['projects/acme-prod/serviceAccounts/read-bucket@acme-prod.iam.gserviceaccount.com'], scopeLevel: 'resource', via: 'iam-member',
      labels: { component: 'broker', environment: 'dev' }, source: { resource: 'tc' },
    });
    const mi = b.tool({ cloud: 'azure', name: 'restart-app', environment: 'prod' });
    (mi.federations as unknown[]).push({ issuer: 'https://issuer', subject: 'system:serviceaccount:agents-prod:restart-app', labels: { component: 'broker', environment: 'prod' }, source: { resource: 'fic' } });
    const findings = check(IDENTITY_PER_TOOL, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-002[cross-environment:dev]']);
    expect(findings[0].message).toContain('serviceAccount:broker@acme-dev');
  });
});
