import { DESTRUCTIVE_THROUGH_BROKER } from '../../../../lib/rules/agent/destructive-through-broker';
import { Rule } from '../../../../lib/rules/rule';
import { check, ids, InventoryBuilder } from './inventory-builder';

const BROKER_ARN = 'arn:aws:iam::${AWS::AccountId}:role/Broker';
const TABLE = 'arn:aws:dynamodb:eu-west-1:111111111111:table/jobs';

function withBroker(): InventoryBuilder {
  const b = new InventoryBuilder();
  b.guardrail({ name: 'Broker', component: 'broker' });
  return b;
}

describe('AGENT-004: destructive actions only through the approval-gated broker', () => {
  test('compliant: a destructive tool with approval that only the broker can assume; read/write tools hold no destructive action', () => {
    const b = withBroker();
    const drop = b.tool({ name: 'drop-table', declaration: { accessLevel: 'destructive', requiresApproval: true }, trust: [{ principals: [BROKER_ARN], principalKinds: ['AWS'] }] });
    b.grant(drop, ['dynamodb:DeleteTable'], [TABLE]);
    const write = b.tool({ name: 'put-item', declaration: { accessLevel: 'write' } });
    b.grant(write, ['dynamodb:PutItem', 'dynamodb:GetItem'], [TABLE]);
    expect(check(DESTRUCTIVE_THROUGH_BROKER, b.inventory)).toEqual([]);
  });

  test('non-compliant: a destructive tool without approval', () => {
    const b = withBroker();
    b.tool({ name: 'drop-table', declaration: { accessLevel: 'destructive', requiresApproval: false }, trust: [{ principals: [BROKER_ARN], principalKinds: ['AWS'] }] });
    expect(ids(check(DESTRUCTIVE_THROUGH_BROKER, b.inventory))).toEqual(['AGENT-004[no-approval]']);
  });

  test('non-compliant: a destructive tool that a principal other than the broker can assume (attack: direct assumption skips the approval gate)', () => {
    const b = withBroker();
    b.guardrail({ name: 'agent-runtime', component: 'runtime' });
    b.tool({
      name: 'drop-table', declaration: { accessLevel: 'destructive', requiresApproval: true },
      trust: [{ principals: [BROKER_ARN, 'arn:aws:iam::111111111111:role/agent-runtime', 'lambda.amazonaws.com'], principalKinds: ['AWS', 'AWS', 'Service'] }],
    });
    const findings = check(DESTRUCTIVE_THROUGH_BROKER, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-004[non-broker:trust]', 'AGENT-004[non-broker:trust]']);
    expect(findings.map((f) => f.message).join('\n')).toMatch(/agent-runtime[\s\S]*lambda\.amazonaws\.com/);
    expect(findings[0].hard).toBe(true); // the default baseline makes AGENT-004 hard
  });

  test('warning: a role outside the inventory (a broker imported by ARN) cannot be shown to be the broker', () => {
    const b = withBroker();
    b.tool({ name: 'drop-table', declaration: { accessLevel: 'destructive', requiresApproval: true }, trust: [{ principals: ['arn:aws:iam::111111111111:role/agent-guardrails-broker'], principalKinds: ['AWS'] }] });
    const findings = check(DESTRUCTIVE_THROUGH_BROKER, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-004[unverified-broker]']);
    expect(findings[0].severity).toBe('warning');
  });

  test('non-compliant: a destructive tool with no trust in the inventory cannot be shown broker-only (fail closed)', () => {
    const b = withBroker();
    b.tool({ name: 'drop-table', declaration: { accessLevel: 'destructive', requiresApproval: true } });
    expect(ids(check(DESTRUCTIVE_THROUGH_BROKER, b.inventory))).toEqual(['AGENT-004[no-trust]']);
  });

  test('non-compliant: a write tool holding a destructive action, also through a wildcard', () => {
    const b = withBroker();
    const write = b.tool({ name: 'put-item', declaration: { accessLevel: 'write' } });
    b.grant(write, ['dynamodb:PutItem', 'dynamodb:DeleteTable'], [TABLE]);
    const sneaky = b.tool({ name: 'tidy', declaration: { accessLevel: 'write' } });
    b.grant(sneaky, ['ec2:Stop*'], ['*']);
    const findings = check(DESTRUCTIVE_THROUGH_BROKER, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-004[destructive:*:Delete*]', 'AGENT-004[destructive:ec2:StopInstances]']);
  });

  test('GCP: a destructive tool impersonable by a non-broker, and a read tool with a delete permission', () => {
    const b = new InventoryBuilder();
    b.guardrail({ cloud: 'gcp', name: 'broker', component: 'broker' });
    const runtime = b.guardrail({ cloud: 'gcp', name: 'runtime', component: 'tool-identity' });
    b.tool({ cloud: 'gcp', name: 'drop-vm', declaration: { accessLevel: 'destructive', requiresApproval: true } });
    b.grant(runtime, [], ['projects/p/serviceAccounts/drop-vm@p.iam.gserviceaccount.com'], { role: 'roles/iam.serviceAccountTokenCreator', scopeLevel: 'resource' });
    const read = b.tool({ cloud: 'gcp', name: 'read-vm', declaration: { accessLevel: 'read' } });
    b.grant(read, ['compute.instances.get', 'compute.instances.delete'], ['projects/p']);
    expect(ids(check(DESTRUCTIVE_THROUGH_BROKER, b.inventory))).toEqual(['AGENT-004[non-broker:impersonation]', 'AGENT-004[destructive:*.delete]']);
  });

  test('GCP: the broker\'s token-creator binding on a destructive tool passes', () => {
    const b = new InventoryBuilder();
    const broker = b.guardrail({ cloud: 'gcp', name: 'broker', component: 'broker' });
    b.tool({ cloud: 'gcp', name: 'drop-vm', declaration: { accessLevel: 'destructive', requiresApproval: true } });
    b.grant(broker, [], ['projects/p/serviceAccounts/drop-vm@p.iam.gserviceaccount.com'], { role: 'roles/iam.serviceAccountTokenCreator', scopeLevel: 'resource' });
    expect(check(DESTRUCTIVE_THROUGH_BROKER, b.inventory)).toEqual([]);
  });

  test('Azure: a federated credential whose subject is not the broker\'s is reported', () => {
    const b = new InventoryBuilder();
    b.guardrail({ cloud: 'azure', name: 'broker', component: 'broker', federations: [{ issuer: 'https://issuer', subject: 'system:serviceaccount:agents:broker', source: { resource: 'fic.broker' } }] });
    const ok = b.tool({ cloud: 'azure', name: 'restart-app', declaration: { accessLevel: 'destructive', requiresApproval: true } });
    (ok.federations as unknown[]).push({ issuer: 'https://issuer', subject: 'system:serviceaccount:agents:broker', source: { resource: 'fic.ok' } });
    const bad = b.tool({ cloud: 'azure', name: 'delete-app', declaration: { accessLevel: 'destructive', requiresApproval: true } });
    (bad.federations as unknown[]).push({ issuer: 'https://issuer', subject: 'system:serviceaccount:agents:runtime', source: { resource: 'fic.bad' } });
    const findings = check(DESTRUCTIVE_THROUGH_BROKER, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-004[non-broker:federation]']);
    expect(findings[0].resource).toBe('delete-app');
  });

  test('GCP and Azure: the broker\'s way in labelled component broker (broker in another stack) counts as the broker', () => {
    const b = new InventoryBuilder();
    b.tool({ cloud: 'gcp', name: 'drop-vm', declaration: { accessLevel: 'destructive', requiresApproval: true } });
    b.inventory.grants.push({
      id: 'tc', cloud: 'gcp', principal: 'serviceAccount:broker@other.iam.gserviceaccount.com', effect: 'Allow', actions: [], role: 'roles/iam.serviceAccountTokenCreator',
      resources: ['projects/p/serviceAccounts/drop-vm@p.iam.gserviceaccount.com'], scopeLevel: 'resource', via: 'iam-member', labels: { component: 'broker' }, source: { resource: 'tc' },
    });
    const mi = b.tool({ cloud: 'azure', name: 'delete-app', declaration: { accessLevel: 'destructive', requiresApproval: true } });
    (mi.federations as unknown[]).push({ issuer: 'https://issuer', subject: 'broker', labels: { component: 'broker' }, source: { resource: 'fic' } });
    expect(check(DESTRUCTIVE_THROUGH_BROKER, b.inventory)).toEqual([]);
    // An unlabelled token creator on the same service account is still reported.
    b.inventory.grants.push({
      id: 'tc2', cloud: 'gcp', principal: 'user:someone@example.com', effect: 'Allow', actions: [], role: 'roles/iam.serviceAccountTokenCreator',
      resources: ['projects/p/serviceAccounts/drop-vm@p.iam.gserviceaccount.com'], scopeLevel: 'resource', via: 'iam-member', source: { resource: 'tc2' },
    });
    expect(ids(check(DESTRUCTIVE_THROUGH_BROKER, b.inventory))).toEqual(['AGENT-004[non-broker:impersonation]']);
  });

  test('a missing destructive catalog is an error finding, not a pass', () => {
    let rule: Rule | undefined;
    jest.isolateModules(() => {
      jest.doMock('../../../../lib/catalogs/catalog', () => {
        const { GuardrailError } = jest.requireActual('../../../../lib/errors');
        const actual = jest.requireActual('../../../../lib/catalogs/catalog');
        return {
          ...actual,
          loadCatalog: (id: string) => {
            if (id.endsWith('destructive')) throw new GuardrailError('AG_CATALOG_MISSING', `catalog ${id} not found`);
            return actual.loadCatalog(id);
          },
        };
      });
      rule = require('../../../../lib/rules/agent/destructive-through-broker').DESTRUCTIVE_THROUGH_BROKER;
    });
    const b = withBroker();
    const write = b.tool({ name: 'put-item', declaration: { accessLevel: 'write' } });
    b.grant(write, ['dynamodb:PutItem'], [TABLE]);
    const findings = check(rule!, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-004[catalog-missing:aws]']);
    expect(findings[0].severity).toBe('error');
  });
});
