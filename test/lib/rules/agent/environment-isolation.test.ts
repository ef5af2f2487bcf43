import { ENVIRONMENT_ISOLATION, environmentMatchers, namedEnvironments, placementKeys } from '../../../../lib/rules/agent/environment-isolation';
import { check, ids, InventoryBuilder } from './inventory-builder';

const PROD = '111111111111';
const DEV = '222222222222';
const table = (account: string, name: string, region = 'eu-west-1') => `arn:aws:dynamodb:${region}:${account}:table/${name}`;

function twoEnvironments(): InventoryBuilder {
  const b = new InventoryBuilder();
  b.grant(b.tool({ name: 'prod-a', environment: 'prod' }), ['dynamodb:GetItem'], [table(PROD, 'jobs')]);
  b.grant(b.tool({ name: 'prod-b', environment: 'prod' }), ['dynamodb:PutItem'], [table(PROD, 'jobs')]);
  b.grant(b.tool({ name: 'dev-a', environment: 'dev' }), ['dynamodb:GetItem'], [table(DEV, 'jobs')]);
  return b;
}

describe('AGENT-008: environment isolation (an identity of one environment reaches no resource of another)', () => {
  test('compliant: each environment\'s identities stay in their own account', () => {
    const b = twoEnvironments();
    b.grant(b.tool({ name: 'dev-b', environment: 'dev' }), ['dynamodb:PutItem'], [table(DEV, 'jobs'), 'arn:aws:s3:::shared-artifacts/*']);
    expect(check(ENVIRONMENT_ISOLATION, b.inventory)).toEqual([]);
  });

  test('non-compliant (attack): a dev identity granted a table in the prod account', () => {
    const b = twoEnvironments();
    const devB = b.tool({ name: 'dev-b', environment: 'dev' });
    b.grant(devB, ['dynamodb:PutItem'], [table(DEV, 'jobs')]);
    b.grant(devB, ['dynamodb:DeleteItem'], [table(PROD, 'jobs')]);
    const findings = check(ENVIRONMENT_ISOLATION, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-008[placement:prod]', 'AGENT-008[placement:prod]']);
    expect(findings[0].message).toMatch(/aws account 111111111111 which environment prod uses/);
    expect(findings[1].message).toMatch(/aws region 111111111111\/eu-west-1/);
  });

  test('non-compliant: same account, another environment\'s region', () => {
    const b = new InventoryBuilder();
    b.grant(b.tool({ name: 'prod-a', environment: 'prod' }), ['sqs:SendMessage'], ['arn:aws:sqs:us-east-1:111111111111:q']);
    b.grant(b.tool({ name: 'dev-a', environment: 'dev' }), ['sqs:SendMessage'], ['arn:aws:sqs:eu-west-1:111111111111:q']);
    const devB = b.tool({ name: 'dev-b', environment: 'dev' });
    b.grant(devB, ['sqs:SendMessage'], ['arn:aws:sqs:us-east-1:111111111111:q']);
    expect(ids(check(ENVIRONMENT_ISOLATION, b.inventory))).toEqual(['AGENT-008[placement:prod]']);
  });

  test('warning: a resource named after another environment', () => {
    const b = twoEnvironments();
    const devB = b.tool({ name: 'dev-b', environment: 'dev' });
    b.grant(devB, ['s3:GetObject'], ['arn:aws:s3:::prod-exports/*', 'arn:aws:s3:::product-catalog/*']);
    const findings = check(ENVIRONMENT_ISOLATION, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-008[named:prod]']);
    expect(findings[0].severity).toBe('warning');
  });

  test('GCP: a grant on another environment\'s project', () => {
    const b = new InventoryBuilder();
    b.grant(b.tool({ cloud: 'gcp', name: 'p1', environment: 'prod' }), ['storage.objects.get'], ['projects/acme-prod/buckets/b']);
    b.grant(b.tool({ cloud: 'gcp', name: 'd1', environment: 'dev' }), ['storage.objects.get'], ['projects/acme-dev/topics/t']);
    const d2 = b.tool({ cloud: 'gcp', name: 'd2', environment: 'dev' });
    b.grant(d2, ['pubsub.topics.publish'], ['projects/acme-dev/topics/t']);
    expect(check(ENVIRONMENT_ISOLATION, b.inventory)).toEqual([]);
    b.grant(d2, [], ['projects/acme-prod'], { role: 'roles/pubsub.publisher', scopeLevel: 'project' });
    expect(ids(check(ENVIRONMENT_ISOLATION, b.inventory))).toEqual(['AGENT-008[placement:prod]', 'AGENT-008[named:prod]']);
  });

  test('Azure: a grant on another environment\'s resource group (case-insensitive)', () => {
    const sub = '/subscriptions/aaaaaaaa-0000-0000-0000-000000000000';
    const b = new InventoryBuilder();
    b.grant(b.tool({ cloud: 'azure', name: 'p1', environment: 'prod' }), [], [`${sub}/resourceGroups/rg-live`], { role: 'Reader' });
    b.grant(b.tool({ cloud: 'azure', name: 'd1', environment: 'dev' }), [], [`${sub}/resourceGroups/rg-sandbox`], { role: 'Reader' });
    const d2 = b.tool({ cloud: 'azure', name: 'd2', environment: 'dev' });
    b.grant(d2, [], [`${sub}/resourceGroups/rg-sandbox/providers/Microsoft.Web/sites/app`], { role: 'Reader' });
    expect(check(ENVIRONMENT_ISOLATION, b.inventory)).toEqual([]);
    b.grant(d2, [], [`${sub.toUpperCase()}/resourcegroups/RG-LIVE`], { role: 'Reader' });
    expect(ids(check(ENVIRONMENT_ISOLATION, b.inventory))).toEqual(['AGENT-008[placement:prod]']);
  });

  test('placement keys and environment-name segments', () => {
    expect(placementKeys('aws', 'arn:aws:s3:::bucket')).toEqual([]);
    expect(placementKeys('aws', 'arn:aws:iam::${AWS::AccountId}:role/r')).toEqual([]);
    expect(placementKeys('aws', 'arn:aws:iam::111111111111:role/r')).toEqual(['aws-account:111111111111']);
    expect(placementKeys('gcp', 'projects/_/buckets/b')).toEqual([]);
    expect(placementKeys('gcp', '//storage.googleapis.com/projects/p1/buckets/b')).toEqual(['gcp-project:p1']);
    expect(namedEnvironments('arn:aws:s3:::app-prod-eu-logs', environmentMatchers(['prod', 'prod-eu']))).toEqual(['prod-eu']);
    expect(namedEnvironments('arn:aws:s3:::prod.logs/dev/x', environmentMatchers(['prod', 'dev']))).toEqual(['prod', 'dev']);
    expect(namedEnvironments('arn:aws:s3:::devices', environmentMatchers(['dev']))).toEqual([]);
  });
});
