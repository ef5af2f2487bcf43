import { GuardrailError } from '../../../lib/errors';
import { Environment } from '../../../lib/model/environment';

const codeOf = (fn: () => unknown): string => {
  try { fn(); } catch (e) { if (GuardrailError.isGuardrailError(e)) return e.code; throw e; }
  throw new Error('nothing thrown');
};

describe('Environment', () => {
  test('holds one placement per cloud and copies the region list', () => {
    const regions = ['eu-west-1'];
    const env = Environment.of({
      name: 'prod',
      aws: { account: '333333333333', regions },
      gcp: { project: 'acme-prod-1' },
      azure: { subscriptionId: '00000000-0000-0000-0000-000000000001', resourceGroup: 'rg-prod', location: 'westeurope' },
    });
    regions.push('us-east-1');
    expect(env.requireAws('x')).toEqual({ account: '333333333333', regions: ['eu-west-1'] });
    expect(env.requireGcp('x').project).toBe('acme-prod-1');
    expect(env.requireAzure('x').resourceGroup).toBe('rg-prod');
  });

  test('tokens are accepted as account and region (checked later)', () => {
    expect(() => Environment.of({ name: 'dev', aws: { account: '${Token[AWS.AccountId.1]}', regions: ['${Token[AWS.Region.2]}'] } })).not.toThrow();
  });

  test.each([
    ['AG_ENV_NAME', { name: 'Prod' }],
    ['AG_ENV_NAME', { name: '' }],
    ['AG_ENV_ACCOUNT', { name: 'prod', aws: { account: '12345', regions: ['eu-west-1'] } }],
    ['AG_ENV_REGIONS', { name: 'prod', aws: { account: '333333333333', regions: [] } }],
    ['AG_ENV_REGIONS', { name: 'prod', aws: { account: '333333333333', regions: ['Ireland'] } }],
    ['AG_ENV_GCP_PROJECT', { name: 'prod', gcp: { project: '123456789' } }],
    ['AG_ENV_AZURE_SUBSCRIPTION', { name: 'prod', azure: { subscriptionId: 'my-sub', resourceGroup: 'rg', location: 'westeurope' } }],
    ['AG_ENV_AZURE_RG', { name: 'prod', azure: { subscriptionId: '00000000-0000-0000-0000-000000000001', resourceGroup: '', location: 'westeurope' } }],
  ])('%s', (code, props) => {
    expect(codeOf(() => Environment.of(props as any))).toBe(code);
  });

  test.each([
    ['AG_ENV_NO_AWS', (e: Environment) => e.requireAws('AgentIdentity')],
    ['AG_ENV_NO_GCP', (e: Environment) => e.requireGcp('the GCP agent')],
    ['AG_ENV_NO_AZURE', (e: Environment) => e.requireAzure('the Azure agent')],
  ])('%s names what needs the placement', (code, fn) => {
    const env = Environment.of({ name: 'dev' });
    expect(codeOf(() => fn(env))).toBe(code);
  });

  test('GovCloud regions are region names', () => {
    expect(() => Environment.of({ name: 'gov', aws: { account: '333333333333', regions: ['us-gov-west-1'] } })).not.toThrow();
  });
});
