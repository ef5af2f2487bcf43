import { CREDENTIAL_EXPOSURE, isNamedResource } from '../../../../lib/rules/aws/credential-exposure';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnResource, Stack } from 'aws-cdk-lib/core';
import { IamSimulator } from '../../../helpers/iam-simulator';
import { ACCOUNT, actionIds, agentRole, allow, check, exampleAppInventory, inventory, logicalIdOf, REGION, role, synthesized } from './private/hand-built-inventory';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:prod/db-??????';

describe('AWS-007: credential-returning actions only on named resources', () => {
  test.each([
    ['sts:AssumeRole on *', ['sts:AssumeRole'], '*', 'sts:AssumeRole'],
    ['secretsmanager:GetSecretValue on every secret', ['secretsmanager:GetSecretValue'], 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:*', 'secretsmanager:GetSecretValue'],
    ['kms:Decrypt on *', ['kms:Decrypt'], '*', 'kms:Decrypt'],
    ['iam:CreateAccessKey on a user wildcard', ['iam:CreateAccessKey'], 'arn:aws:iam::111111111111:user/*', 'iam:CreateAccessKey'],
    ['a wildcard disguise (Secretsmanager:Get*Value)', ['Secretsmanager:Get*Value'], '*', 'secretsmanager:GetSecretValue'],
    ['sts:AssumeRole on a role-name wildcard', ['sts:AssumeRole'], 'arn:aws:iam::111111111111:role/tool-*', 'sts:AssumeRole'],
  ])('%s is an error', (_name, actions, resource, detail) => {
    const r = role('Role');
    const findings = check(CREDENTIAL_EXPOSURE, inventory({ identities: [r], grants: [allow(r, actions, [resource])] }));
    expect(actionIds(findings)).toEqual([`Role[${detail}]`]);
    expect(findings[0].severity).toBe('error');
    expect(findings[0].detail).not.toMatch(/::|arn:/);
  });

  test('NotResource with Allow counts as a wildcard', () => {
    const r = role('Role');
    const inv = inventory({ identities: [r], grants: [allow(r, ['secretsmanager:GetSecretValue'], [], { notResources: [SECRET] })] });
    expect(actionIds(check(CREDENTIAL_EXPOSURE, inv))).toEqual(['Role[secretsmanager:GetSecretValue]']);
  });

  test('ecr:GetAuthorizationToken (wildcard-only) is a warning on agents and nothing on other identities', () => {
    const agent = role('Tool', { agent: true });
    const builder = role('Builder');
    const inv = inventory({ identities: [agent, builder], grants: [allow(agent, ['ecr:GetAuthorizationToken']), allow(builder, ['ecr:GetAuthorizationToken'])] });
    const findings = check(CREDENTIAL_EXPOSURE, inv);
    expect(actionIds(findings)).toEqual(['Tool[ecr:GetAuthorizationToken]']);
    expect(findings[0].severity).toBe('warning');
  });

  describe('compliant: named resources', () => {
    test('sts:AssumeRole on a named role, a secret with its random suffix, kms:Decrypt on a key', () => {
      const r = role('Broker', { component: 'broker' });
      const inv = inventory({
        identities: [r],
        grants: [
          allow(r, ['sts:AssumeRole', 'sts:TagSession'], ['arn:aws:iam::111111111111:role/ops-restart']),
          allow(r, ['secretsmanager:GetSecretValue'], [SECRET]),
          allow(r, ['kms:Decrypt'], ['arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab']),
          allow(r, ['ssm:GetParameter'], ['arn:aws:ssm:eu-west-1:${AWS::AccountId}:parameter/agent-guardrails/ops/kill-switch']),
        ],
      });
      expect(check(CREDENTIAL_EXPOSURE, inv)).toEqual([]);
    });

    test('a wildcard grant of non-credential actions', () => {
      const r = role('Role');
      expect(check(CREDENTIAL_EXPOSURE, inventory({ identities: [r], grants: [allow(r, ['cloudwatch:PutMetricData', 'xray:PutTraceSegments'])] }))).toEqual([]);
    });
  });

  test('isNamedResource', () => {
    expect(isNamedResource(SECRET)).toBe(true);
    expect(isNamedResource('arn:aws:secretsmanager:eu-west-1:111111111111:secret:prod/*-??????')).toBe(false);
    expect(isNamedResource('{{unresolved:Fn::ImportValue X}}')).toBe(false);
    expect(isNamedResource('arn:aws:iam::${AWS::AccountId}:role/Tool')).toBe(true);
  });
});

describe('AWS-007 through synthesized CloudFormation (adapter + IAM simulator)', () => {
  const named = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-??????`;
  const other = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:payroll/api-AbCdEf`;

  test('GetSecretValue on *: the simulator hands out any secret, the rule reports it; on one named secret it does not', async () => {
    for (const resource of ['*', named]) {
      const { template, inventory: inv } = synthesized((stack) => {
        agentRole(stack, 'Tool').addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [resource] }));
      });
      const role = logicalIdOf(template, 'AWS::IAM::Role');
      const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
      const stolen = await sim.decide({ role, action: 'secretsmanager:GetSecretValue', resource: other });
      expect(stolen).toBe(resource === '*' ? 'Allowed' : 'ImplicitlyDenied');
      expect(await sim.decide({ role, action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-Xy12Zq` })).toBe('Allowed');
      expect(actionIds(check(CREDENTIAL_EXPOSURE, inv))).toEqual(resource === '*' ? [`${role}[secretsmanager:GetSecretValue]`] : []);
    }
  });

  test('sts:AssumeRole on a role wildcard: the simulator lets it assume an unrelated role, the rule reports it', async () => {
    const { template, inventory: inv } = synthesized((stack) => {
      agentRole(stack, 'Tool').addToPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [`arn:aws:iam::${ACCOUNT}:role/*`] }));
    });
    const role = logicalIdOf(template, 'AWS::IAM::Role');
    const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
    expect(await sim.decide({ role, action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole` })).toBe('Allowed');
    expect(actionIds(check(CREDENTIAL_EXPOSURE, inv))).toEqual([`${role}[sts:AssumeRole]`]);
  });

  describe('AgentCore workload identities: a runtime\'s or gateway\'s own `<name>-*` is named', () => {
    const directory = `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:workload-identity-directory/default`;
    const identities = (pattern: string) => `${directory}/workload-identity/${pattern}`;
    const tokenGrant = (resource: string) => (stack: Stack) => {
      new CfnResource(stack, 'Gateway', { type: 'AWS::BedrockAgentCore::Gateway', properties: { Name: 'gw', AuthorizerType: 'AWS_IAM', ProtocolType: 'MCP', RoleArn: 'arn:aws:iam::111111111111:role/x' } });
      agentRole(stack, 'Tool').addToPolicy(new iam.PolicyStatement({ actions: ['bedrock-agentcore:GetWorkloadAccessToken', 'bedrock-agentcore:GetResourceOauth2Token'], resources: [directory, resource] }));
    };

    test('`gw-*` of the gateway named gw passes; the simulator still refuses another agent\'s identity', async () => {
      const { template, inventory: inv } = synthesized(tokenGrant(identities('gw-*')));
      const role = logicalIdOf(template, 'AWS::IAM::Role');
      const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
      expect(await sim.decide({ role, action: 'bedrock-agentcore:GetWorkloadAccessToken', resource: identities('gw-a1b2c3') })).toBe('Allowed');
      expect(await sim.decide({ role, action: 'bedrock-agentcore:GetWorkloadAccessToken', resource: identities('payments-agent-a1b2c3') })).toBe('ImplicitlyDenied');
      expect(check(CREDENTIAL_EXPOSURE, inv)).toEqual([]);
    });

    test('`gw-*` is an error when another gateway of the input is named gw-…: it reaches that gateway\'s identities too', () => {
      const { template, inventory: inv } = synthesized((stack) => {
        tokenGrant(identities('gw-*'))(stack);
        new CfnResource(stack, 'ProdGateway', { type: 'AWS::BedrockAgentCore::Gateway', properties: { Name: 'gw-prod', AuthorizerType: 'AWS_IAM', ProtocolType: 'MCP', RoleArn: 'arn:aws:iam::111111111111:role/x' } });
      });
      const role = logicalIdOf(template, 'AWS::IAM::Role');
      expect(actionIds(check(CREDENTIAL_EXPOSURE, inv))).toEqual([`${role}[bedrock-agentcore:GetResourceOauth2Token]`, `${role}[bedrock-agentcore:GetWorkloadAccessToken]`]);
    });

    test.each([
      ['every identity (`*`, as CDK\'s runtime role writes it)', identities('*')],
      ['a prefix no runtime or gateway of the input carries', identities('payments-*')],
      ['the gateway\'s prefix in any account', `arn:aws:bedrock-agentcore:${REGION}:*:workload-identity-directory/default/workload-identity/gw-*`],
      ['a wildcard inside the name', identities('g*-*')],
    ])('%s is an error, and the simulator hands out another agent\'s token', async (_name, resource) => {
      const { template, inventory: inv } = synthesized(tokenGrant(resource));
      const role = logicalIdOf(template, 'AWS::IAM::Role');
      const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
      const stolen = resource.includes('payments-') ? identities('payments-agent-a1b2c3') : identities('gw-payments-a1b2c3');
      expect(await sim.decide({ role, action: 'bedrock-agentcore:GetWorkloadAccessToken', resource: stolen })).toBe('Allowed');
      expect(actionIds(check(CREDENTIAL_EXPOSURE, inv))).toEqual([`${role}[bedrock-agentcore:GetResourceOauth2Token]`, `${role}[bedrock-agentcore:GetWorkloadAccessToken]`]);
    });
  });

  test('precision: the example app reports nothing', () => {
    expect(check(CREDENTIAL_EXPOSURE, exampleAppInventory())).toEqual([]);
  });
});

describe('AWS-007: Parameter Store hierarchies below a named path', () => {
  const params = (resource: string, isAgent = false) => {
    const r = role('Role', isAgent ? { agent: true } : {});
    return check(CREDENTIAL_EXPOSURE, inventory({ identities: [r], grants: [allow(r, ['ssm:GetParametersByPath'], [resource])] }));
  };

  test('compliant (a warning): parameter/<service>/* reaches one owner\'s hierarchy, as GetParametersByPath is scoped', () => {
    for (const r of ['arn:aws:ssm:eu-west-1:111111111111:parameter/orders-service/*', 'arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/prod/*']) {
      expect(params(r).map((f) => f.severity)).toEqual(['warning']);
    }
  });

  test('non-compliant: every parameter, a name prefix, a wildcard path segment, another service, or an agent identity stays an error', () => {
    for (const r of [
      'arn:aws:ssm:eu-west-1:111111111111:parameter/*', 'arn:aws:ssm:eu-west-1:111111111111:parameter/orders-*',
      'arn:aws:ssm:eu-west-1:111111111111:parameter/*/db/*', 'arn:aws:ssm:*:*:parameter/app/*', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:app/*',
    ]) expect(params(r).map((f) => f.severity)).toEqual(['error']);
    expect(params('arn:aws:ssm:eu-west-1:111111111111:parameter/orders-service/*', true).map((f) => f.severity)).toEqual(['error']);
  });
});
