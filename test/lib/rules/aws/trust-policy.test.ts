import { TRUST_POLICY } from '../../../../lib/rules/aws/trust-policy';
import { UNRESOLVED_VALUES } from '../../../../lib/rules/aws/unresolved-values';
import { IamSimulator } from '../../../helpers/iam-simulator';
import { check, ids } from '../../../fixtures/cfn/rule-harness';

const ACCOUNT = '111122223333';
const trusting = (statements: unknown[], tags: { Key: string; Value: string }[] = [], extra: Record<string, unknown> = {}) => ({
  Resources: {
    Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: statements }, Tags: tags } },
    ...extra,
  },
});
const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const TOOL_TAGS = [
  { Key: 'agent-guardrails:agent', Value: 'ops-bot' }, { Key: 'agent-guardrails:tool', Value: 'read' },
  { Key: 'agent-guardrails:component', Value: 'tool-identity' },
];
const BROKER = {
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    Tags: [{ Key: 'agent-guardrails:agent', Value: 'ops-bot' }, { Key: 'agent-guardrails:component', Value: 'broker' }],
  },
};
const brokerTrust = (condition?: unknown) => [
  { Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['Broker', 'Arn'] } }, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) },
  { Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['Broker', 'Arn'] } }, Action: 'sts:SetSourceIdentity' },
];

describe('AWS-009: trust policies name their principals and carry conditions', () => {
  test('compliant: a service principal, a named role, a root with ExternalId, GitHub OIDC with sub and aud', () => {
    expect(check(TRUST_POLICY, trusting([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:role/deployer' }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x-7f3a' } } },
      {
        Effect: 'Allow', Principal: { Federated: GITHUB }, Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:acme/infra:ref:refs/heads/main' } },
      },
      { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } },
    ]))).toEqual([]);
  });

  test('non-compliant: Principal "*" (both spellings) without a condition naming the caller', async () => {
    const statements = [
      { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': '*' } } },
    ];
    const f = check(TRUST_POLICY, trusting(statements));
    expect(ids(f)).toEqual(['AWS-009[principal-any]@Role', 'AWS-009[principal-any]@Role']);
    expect(f[0]).toMatchObject({ hard: true, message: expect.stringMatching(/lets any AWS principal assume it/) });
    // The attack: a role in a stranger's account assumes it.
    const sim = IamSimulator.fromTemplate(trusting(statements.slice(0, 1)), { account: ACCOUNT, region: 'eu-west-1' });
    expect(await sim.decideAssume({ role: 'Role', principal: 'arn:aws:iam::999988887777:role/attacker', action: 'sts:AssumeRole',
      principalPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }] })).toBe('Allowed');
  });

  test('non-compliant: Principal {"AWS":"*"} under a condition that admits everyone (issue 13)', async () => {
    const conditions = [
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:*' } },
      { StringLike: { 'aws:PrincipalOrgID': 'o-*' } },
      { StringLike: { 'aws:PrincipalAccount': '1*' } },
      { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123def4' } },
      { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-abc123def4' } },
      { ArnLike: { 'aws:SourceArn': 'arn:aws:*' } },
      { StringNotEquals: { 'aws:PrincipalAccount': '999988887777' } },
      { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/admin' } },
    ];
    for (const Condition of conditions) {
      const f = check(TRUST_POLICY, trusting([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition }]));
      expect([JSON.stringify(Condition), ids(f)]).toEqual([JSON.stringify(Condition), ['AWS-009[principal-any]@Role']]);
      expect(f[0]).toMatchObject({ severity: 'error', hard: true });
    }
    // The attack the first one lets through: a stranger's role, in its own account, matches arn:aws:iam::*:*.
    const sim = IamSimulator.fromTemplate(trusting([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: conditions[0] }]), { account: ACCOUNT, region: 'eu-west-1' });
    expect(await sim.decideAssume({ role: 'Role', principal: 'arn:aws:iam::999988887777:role/attacker', action: 'sts:AssumeRole',
      principalPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }] })).toBe('Allowed');
  });

  test('compliant: Principal {"AWS":"*"} narrowed by an exact organization, account or principal ARN', () => {
    for (const Condition of [
      { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123def4' } },
      { StringEquals: { 'aws:PrincipalAccount': '111122223333' } },
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/deployer-*' } },
      { StringEqualsIfExists: { 'aws:PrincipalAccount': '111122223333' } },
    ]) {
      expect([JSON.stringify(Condition), check(TRUST_POLICY, trusting([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition }]))]).toEqual([JSON.stringify(Condition), []]);
    }
  });

  test('non-compliant: an external account root (ARN or bare id) and the own account root, without conditions', async () => {
    const f = check(TRUST_POLICY, trusting([
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { AWS: '999988887777' }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'sts:AssumeRole' },
    ]));
    expect(ids(f)).toEqual(['AWS-009[account-root]@Role', 'AWS-009[account-root]@Role', 'AWS-009[account-root]@Role']);
    expect(f[0].message).toMatch(/trusts account 999988887777 without a condition/);
    expect(f[2].message).toMatch(/account root of its own account/);
    // The own account's root delegates to that account's IAM policies (which the rules check): a warning, not a block.
    expect(f.map((x) => x.severity)).toEqual(['error', 'error', 'warning']);
    const sim = IamSimulator.fromTemplate(trusting([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'sts:AssumeRole' }]), { account: ACCOUNT, region: 'eu-west-1' });
    expect(await sim.decideAssume({ role: 'Role', principal: 'arn:aws:iam::999988887777:user/anyone', action: 'sts:AssumeRole',
      principalPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }] })).toBe('Allowed');
  });

  test('non-compliant: GitHub OIDC without sub (any repository\'s workflow gets in), or with sub "*"', async () => {
    const noSub = { Effect: 'Allow', Principal: { Federated: GITHUB }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } };
    expect(ids(check(TRUST_POLICY, trusting([noSub])))).toEqual(['AWS-009[oidc-sub]@Role']);
    const starSub = { ...noSub, Condition: { StringEquals: noSub.Condition.StringEquals, StringLike: { 'token.actions.githubusercontent.com:sub': '*' } } };
    expect(ids(check(TRUST_POLICY, trusting([starSub])))).toEqual(['AWS-009[oidc-sub]@Role']);
    const bare = { Effect: 'Allow', Principal: { Federated: GITHUB }, Action: 'sts:AssumeRoleWithWebIdentity' };
    expect(check(TRUST_POLICY, trusting([bare]))[0]).toMatchObject({ detail: 'oidc-aud-sub', message: expect.stringMatching(/without an exact token.actions.githubusercontent.com:aud and token.actions.githubusercontent.com:sub condition/) });
  });

  test('non-compliant: Allow with NotPrincipal', () => {
    expect(ids(check(TRUST_POLICY, trusting([{ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::1:role/x' }, Action: 'sts:AssumeRole' }])))).toEqual(['AWS-009[NotPrincipal]@Role']);
  });
});

describe('AWS-009: agent tool roles trust only the broker and require sts:SourceIdentity', () => {
  test('compliant: the broker only, with a SourceIdentity condition', () => {
    expect(check(TRUST_POLICY, trusting(brokerTrust({ StringEquals: { 'sts:SourceIdentity': 'ops-bot' } }), TOOL_TAGS, { Broker: BROKER }))).toEqual([]);
  });

  test('non-compliant: no sts:SourceIdentity condition', () => {
    expect(ids(check(TRUST_POLICY, trusting(brokerTrust(), TOOL_TAGS, { Broker: BROKER })))).toEqual(['AWS-009[SourceIdentity]@Role']);
  });

  test('non-compliant: a second principal, or a principal that is not the agent\'s broker', () => {
    const two = [...brokerTrust({ StringEquals: { 'sts:SourceIdentity': 'ops-bot' } }), { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:SourceIdentity': 'x' } } }];
    expect(ids(check(TRUST_POLICY, trusting(two, TOOL_TAGS, { Broker: BROKER })))).toEqual(['AWS-009[tool-principals]@Role']);
    const other = [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/someone' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:SourceIdentity': 'ops-bot' } } }];
    const f = check(TRUST_POLICY, trusting(other, TOOL_TAGS, { Broker: BROKER }));
    expect(ids(f)).toEqual(['AWS-009[tool-principals]@Role']);
    expect(f[0].message).toMatch(/not the broker of agent ops-bot/);
  });
});

describe('AWS-009: SAML federation names its audience', () => {
  const SAML = 'arn:aws:iam::111122223333:saml-provider/corp-idp';
  test('compliant: SAML:aud pinned', () => {
    expect(check(TRUST_POLICY, trusting([{ Effect: 'Allow', Principal: { Federated: SAML }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } }]))).toEqual([]);
  });
  test('non-compliant: no SAML:aud', () => {
    expect(ids(check(TRUST_POLICY, trusting([{ Effect: 'Allow', Principal: { Federated: SAML }, Action: 'sts:AssumeRoleWithSAML' }])))).toEqual(['AWS-009[saml-aud]@Role']);
  });
});

describe('AWS-009 / AWS-014: an EKS service account\'s trust, whose condition CDK writes through CfnJson', () => {
  const HANDLER = 'AWSCDKCfnUtilsProviderCustomResourceProviderHandlerCF82AA57';
  const issuer = { 'Fn::Select': [1, { 'Fn::Split': [':oidc-provider/', { Ref: 'Provider' }] }] };
  /** What `cluster.addServiceAccount()` synthesizes: the provider, the CfnJson condition and the role trusting both. */
  const serviceAccount = (keys: string[], handler = HANDLER) => ({
    Resources: {
      Provider: { Type: 'Custom::AWSCDKOpenIdConnectProvider', Properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:oidc', Url: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC' } },
      [handler]: { Type: 'AWS::Lambda::Function', Properties: { Handler: '__entrypoint__.handler', Runtime: 'nodejs22.x', Code: { S3Bucket: 'assets', S3Key: 'h.zip' }, Role: 'arn:aws:iam::111122223333:role/h' } },
      Condition: {
        Type: 'Custom::AWSCDKCfnJson',
        Properties: { ServiceToken: { 'Fn::GetAtt': [handler, 'Arn'] }, Value: { 'Fn::Join': ['', ['{', ...keys.flatMap((k, i) => [i ? ',"' : '"', issuer, `:${k}":"${k === 'aud' ? 'sts.amazonaws.com' : 'system:serviceaccount:app:app'}"`]), '}']] } },
      },
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{
        Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: { Ref: 'Provider' } }, Condition: { StringEquals: { 'Fn::GetAtt': ['Condition', 'Value'] } },
      }] } } },
    },
  });
  const found = (t: unknown) => ids([...check(TRUST_POLICY, t), ...check(UNRESOLVED_VALUES, t)]).filter((id) => id.endsWith('@Role'));

  test('compliant: aud and sub on the provider\'s issuer, read through CDK\'s CfnJson', () => {
    expect(found(serviceAccount(['aud', 'sub']))).toEqual([]);
  });

  test('non-compliant: without sub any pod of the cluster can assume it; a CfnJson served by another function is unreadable', () => {
    expect(found(serviceAccount(['aud']))).toEqual(['AWS-009[oidc-sub]@Role']);
    expect(found(serviceAccount(['aud', 'sub'], 'MyOwnHandler'))).toEqual(expect.arrayContaining(['AWS-009[oidc-aud-sub]@Role', 'AWS-014[AssumeRolePolicyDocument]@Role']));
  });
});

describe('AWS-009: a web-identity trust of an OIDC provider of the template (AWS::IAM::OIDCProvider, iam.OidcProviderNative)', () => {
  /** What a GitHub deploy role written with `new iam.WebIdentityPrincipal(provider.oidcProviderArn, conditions)` synthesizes. */
  const github = (conditions: Record<string, string>, url = 'https://token.actions.githubusercontent.com') => trusting([{
    Effect: 'Allow', Principal: { Federated: { Ref: 'GitHub' } }, Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: conditions },
  }], [], { GitHub: { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: url, ClientIdList: ['sts.amazonaws.com'] } } });

  test('compliant: aud and sub keyed on the provider\'s issuer, which its Ref (the provider ARN) names', () => {
    expect(check(TRUST_POLICY, github({ 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:acme/infra:ref:refs/heads/main' }))).toEqual([]);
    expect(check(TRUST_POLICY, github({ 'oidc.example.com/tenant:aud': 'app', 'oidc.example.com/tenant:sub': 'svc' }, 'https://oidc.example.com/tenant/'))).toEqual([]);
  });

  /** The same role trusting `iam.OpenIdConnectProvider` (a custom resource; CDK's handler returns the provider ARN as its Ref). */
  const githubCustom = (conditions: Record<string, string>, handler = 'CustomAWSCDKOpenIdConnectProviderCustomResourceProviderHandlerF2C543E0') => trusting([{
    Effect: 'Allow', Principal: { Federated: { Ref: 'GitHub' } }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: conditions },
  }], [], {
    GitHub: { Type: 'Custom::AWSCDKOpenIdConnectProvider', Properties: { ServiceToken: { 'Fn::GetAtt': [handler, 'Arn'] }, Url: 'https://token.actions.githubusercontent.com', ClientIDList: ['sts.amazonaws.com'] } },
    [handler]: { Type: 'AWS::Lambda::Function', Properties: { Handler: '__entrypoint__.handler', Runtime: 'nodejs22.x', Code: { S3Bucket: 'assets', S3Key: 'h.zip' }, Role: 'arn:aws:iam::111122223333:role/h' } },
  });
  const exact = { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:acme/infra:ref:refs/heads/main' };

  test('compliant: the same trust of CDK\'s custom-resource provider (iam.OpenIdConnectProvider), served by CDK\'s handler', () => {
    expect(check(TRUST_POLICY, githubCustom(exact))).toEqual([]);
  });

  test('non-compliant: the custom provider without sub; a provider of that type served by another function is not read as GitHub', () => {
    expect(ids(check(TRUST_POLICY, githubCustom({ 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' })))).toEqual(['AWS-009[oidc-sub]@Role']);
    // its own code chooses the ARN it returns: conditions on the GitHub issuer may not apply to it
    expect(ids(check(TRUST_POLICY, githubCustom(exact, 'MyOwnOidcHandler')))).toEqual(['AWS-009[oidc-aud-sub]@Role']);
  });

  test('non-compliant: without sub every GitHub repository\'s workflow gets in; keys of another issuer admit nobody and narrow nothing', () => {
    expect(ids(check(TRUST_POLICY, github({ 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' })))).toEqual(['AWS-009[oidc-sub]@Role']);
    expect(ids(check(TRUST_POLICY, github({ 'gitlab.com:aud': 'sts.amazonaws.com', 'gitlab.com:sub': 'project_path:acme/infra:ref_type:branch:ref:main' })))).toEqual(['AWS-009[oidc-aud-sub]@Role']);
  });
});
