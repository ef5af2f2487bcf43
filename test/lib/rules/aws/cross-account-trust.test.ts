import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliIo, main } from '../../../../lib/cli/main';
import { inventoryFromTemplate } from '../../../../lib/adapters/cloudformation/inventory-from-template';
import { Baseline } from '../../../../lib/baseline/baseline';
import { TRUST_POLICY } from '../../../../lib/rules/aws/trust-policy';

const HOME = '444455556666';
const SOC = '999988887777';
const THIRD = '111122223333';
const REASON = 'central SOC account runs incident response';
const tags = (component: string, extra: Record<string, string> = {}) => Object.entries({ 'agent-guardrails:agent': 'deploy-operator', 'agent-guardrails:environment': 'prod', 'agent-guardrails:component': component, ...extra })
  .map(([Key, Value]) => ({ Key, Value }));
const trust = (principal: unknown, condition?: unknown) => ({
  Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: principal }, ...(condition ? { Condition: condition } : {}) }],
});

/**
 * A plain template as the constructs write it (tool role with its declaration, broker, kill switch),
 * hand-edited: `revocationPrincipal` and `runtimePrincipal` are whoever the edit put there.
 */
function template(options: { revocationPrincipal: string; runtimePrincipal?: string; revocationMetadata?: Record<string, unknown> }) {
  return {
    Resources: {
      ToolRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: trust({ 'Fn::GetAtt': ['BrokerRole', 'Arn'] }, { StringEquals: { 'sts:SourceIdentity': 'deploy-operator' } }),
          Tags: tags('tool-identity', { 'agent-guardrails:tool': 'read-service', 'agent-guardrails:tier': 'operator' }),
        },
        Metadata: {
          'agent-guardrails:declaration': {
            agent: 'deploy-operator', tool: 'read-service', tier: 'operator', environment: 'prod', accessLevel: 'read',
            actions: ['ecs:DescribeServices'], resources: [`arn:aws:ecs:eu-west-1:${HOME}:service/prod/checkout`], placement: { aws: { account: HOME } },
          },
        },
      },
      BrokerRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }] }, Tags: tags('broker') } },
      RevocationRole: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: trust(options.revocationPrincipal), Tags: tags('revocation') },
        ...(options.revocationMetadata ? { Metadata: options.revocationMetadata } : {}),
      },
      ...(options.runtimePrincipal ? {
        BrokerInvoke: {
          Type: 'AWS::Lambda::Permission',
          Properties: { Action: 'lambda:InvokeFunction', FunctionName: 'broker', Principal: options.runtimePrincipal },
          Metadata: { 'agent-guardrails:component': 'broker', 'agent-guardrails:agent': 'deploy-operator' },
        },
      } : {}),
    },
  };
}

const findingsOf = (t: unknown) => TRUST_POLICY.evaluate(inventoryFromTemplate(t, { stack: 'Prod' }), { baseline: Baseline.default() })
  .filter((f) => f.detail === 'other-account');

describe('AWS-009: the guardrails\' own roles and endpoints admit no other account without a stated opt-in', () => {
  test('a revocation role trusted by another account is an error naming the account and the agent\'s', () => {
    const [f, ...rest] = findingsOf(template({ revocationPrincipal: `arn:aws:iam::${SOC}:role/incident-response` }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ resource: 'RevocationRole', stack: 'Prod' });
    expect(f.severity).toBeUndefined(); // the rule's: error
    expect(f.message).toBe(`trust policy of RevocationRole (revocation of agent deploy-operator) lets principals of account ${SOC} assume it, outside the agent's account ${HOME}, with no cross-account opt-in.`);
    expect(f.fix).toContain(`CrossAccountAccess.allow({ accounts: ['${SOC}']`);
  });

  test('the own account, and an account the resource\'s opt-in lists, pass; an unlisted one does not', () => {
    expect(findingsOf(template({ revocationPrincipal: `arn:aws:iam::${HOME}:role/incident-response` }))).toEqual([]);
    const optIn = { 'agent-guardrails:cross-account': { accounts: [SOC], reason: REASON } };
    expect(findingsOf(template({ revocationPrincipal: `arn:aws:iam::${SOC}:role/incident-response`, revocationMetadata: optIn }))).toEqual([]);
    expect(findingsOf(template({ revocationPrincipal: `arn:aws:iam::${THIRD}:role/incident-response`, revocationMetadata: optIn })).map((f) => f.resource)).toEqual(['RevocationRole']);
    // A marker without a reason is no opt-in
    const noReason = { 'agent-guardrails:cross-account': { accounts: [SOC], reason: ' ' } };
    expect(findingsOf(template({ revocationPrincipal: SOC, revocationMetadata: noReason })).map((f) => f.resource)).toEqual(['RevocationRole']);
  });

  test('a broker invoke permission for a runtime of another account is reported on the permission', () => {
    const found = findingsOf(template({ revocationPrincipal: `arn:aws:iam::${HOME}:role/ir`, runtimePrincipal: `arn:aws:iam::${SOC}:role/agent-runtime` }));
    expect(found.map((f) => [f.resource, f.message])).toEqual([['BrokerInvoke', expect.stringContaining(`invoke permission BrokerInvoke of the broker endpoint lets principals of account ${SOC} call it`)]]);
  });

  test('without any declaration of the agent\'s account, another account is a warning, not a silent pass', () => {
    const t = template({ revocationPrincipal: `arn:aws:iam::${SOC}:role/ir` }) as any;
    delete t.Resources.ToolRole.Metadata;
    const [f] = findingsOf(t);
    expect(f).toMatchObject({ resource: 'RevocationRole', severity: 'warning' });
    expect(f.message).toContain('no tool declaration says which account is the agent\'s');
  });
});

describe('agent-guardrails check on a plain template', () => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-cross-account-cli-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function check(name: string, t: unknown, format: 'json' | 'text') {
    const file = path.join(dir, `${name}.template.json`);
    fs.writeFileSync(file, JSON.stringify(t));
    let stdout = '';
    const io: CliIo = { stdout: { write: (s: string) => { stdout += s; }, isTTY: false }, stderr: { write: () => undefined }, env: {} };
    const code = await main(['check', file, '--format', format], io);
    return { code, stdout };
  }

  test('flags an unflagged cross-account trust of the kill switch', async () => {
    const r = await check('unflagged', template({ revocationPrincipal: `arn:aws:iam::${SOC}:role/incident-response` }), 'json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.findings.filter((f: any) => f.id === 'AWS-009[other-account]').map((f: any) => f.resource)).toEqual(['RevocationRole']);
    expect(json.summary.crossAccount).toEqual([]);
  });

  test('accepts the opted-in one and shows the opt-in with its reason (JSON and text)', async () => {
    const t = template({ revocationPrincipal: `arn:aws:iam::${SOC}:role/incident-response`, revocationMetadata: { 'agent-guardrails:cross-account': { accounts: [SOC], reason: REASON } } });
    const json = JSON.parse((await check('flagged', t, 'json')).stdout);
    expect(json.findings.filter((f: any) => f.id === 'AWS-009[other-account]')).toEqual([]);
    expect(json.summary.crossAccount).toEqual([{ stack: 'flagged', resource: 'RevocationRole', agent: 'deploy-operator', component: 'revocation', accounts: [SOC], reason: REASON }]);
    expect((await check('flagged', t, 'text')).stdout).toContain(`cross-account opt-in: flagged/RevocationRole (revocation of deploy-operator) admits ${SOC} (${REASON})`);
  });
});
