import { RESOURCE_WILDCARDS } from '../../../../lib/rules/aws/resource-wildcards';
import { check, ids, roleTemplate } from '../../../fixtures/cfn/rule-harness';
import { IamSimulator } from '../../../helpers/iam-simulator';

/**
 * Two causes found on idiomatic CDK (test/precision/cdk-idiomatic-app.ts), each judged in IAM's
 * semantics: a resource type with one resource per account and region (Glue's Data Catalog) named
 * exactly is least privilege; and a condition on one of the action's resource-type keys
 * (`ec2:Subnet` of a network interface) with exact values confines a statement as the action-level
 * keys do. The simulator shows what each grant allows and what it does not.
 */

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const errors = (template: unknown) => ids(check(RESOURCE_WILDCARDS, template).filter((f) => f.severity === 'error'));

describe('a resource type with one resource per account and region, named exactly', () => {
  const glue = (catalog: string, tables: string) => roleTemplate([{
    Effect: 'Allow',
    Action: ['glue:DeleteTable', 'glue:UpdateTable', 'glue:GetTable'],
    Resource: [catalog, `arn:aws:glue:${REGION}:${ACCOUNT}:database/sales`, tables],
  }]);
  const catalog = `arn:aws:glue:${REGION}:${ACCOUNT}:catalog`;

  test('Glue table writes on the account\'s catalog and one database\'s tables (what Athena tasks grant): no error', () => {
    expect(errors(glue(catalog, `arn:aws:glue:${REGION}:${ACCOUNT}:table/sales/*`))).toEqual([]);
  });

  test('the same on every database\'s tables is still an error', () => {
    expect(errors(glue(catalog, `arn:aws:glue:${REGION}:${ACCOUNT}:table/*/*`))).toEqual([expect.stringMatching(/^AWS-003\[glue:DeleteTable/)]);
  });

  test('the catalog of every account and region (a wildcard in the ARN) is still an error', () => {
    expect(errors(roleTemplate([{ Effect: 'Allow', Action: 'glue:DeleteDatabase', Resource: ['arn:aws:glue:*:*:catalog', `arn:aws:glue:${REGION}:${ACCOUNT}:database/sales`] }])))
      .toEqual([expect.stringMatching(/^AWS-003\[glue:DeleteDatabase\]/)]);
  });

  test('simulated: the grant reaches the named database\'s tables only', async () => {
    const sim = IamSimulator.fromTemplate(glue(catalog, `arn:aws:glue:${REGION}:${ACCOUNT}:table/sales/*`), { account: ACCOUNT, region: REGION });
    expect(await sim.decide({ role: 'Role', action: 'glue:DeleteTable', resource: `arn:aws:glue:${REGION}:${ACCOUNT}:table/sales/orders` })).toBe('Allowed');
    expect(await sim.decide({ role: 'Role', action: 'glue:DeleteTable', resource: `arn:aws:glue:${REGION}:${ACCOUNT}:table/hr/salaries` })).toBe('ImplicitlyDenied');
  });
});

describe('a condition on one of the action\'s resource-type keys', () => {
  const subnet = `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0a1b2c3d`;
  // What CDK grants a CodeBuild project in a VPC: the permission CodeBuild needs on ENIs of the project's subnets.
  const eniPermission = (operator: string, value: string) => roleTemplate([{
    Effect: 'Allow',
    Action: 'ec2:CreateNetworkInterfacePermission',
    Resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/*`,
    Condition: { [operator]: { 'ec2:Subnet': [value], 'ec2:AuthorizedService': 'codebuild.amazonaws.com' } },
  }]);

  test('ec2:Subnet with exact subnet ARNs confines network-interface/*: no error', () => {
    expect(errors(eniPermission('StringEquals', subnet))).toEqual([]);
  });

  test('ec2:Subnet StringLike "*" narrows nothing: an error', () => {
    const lax = roleTemplate([{ Effect: 'Allow', Action: 'ec2:CreateNetworkInterfacePermission', Resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/*`, Condition: { StringLike: { 'ec2:Subnet': '*' } } }]);
    expect(errors(lax)).toEqual([expect.stringMatching(/^AWS-003\[ec2:CreateNetworkInterfacePermission\]/)]);
  });

  test('simulated: the grant reaches network interfaces of the named subnet only', async () => {
    const sim = IamSimulator.fromTemplate(eniPermission('StringEquals', subnet), { account: ACCOUNT, region: REGION });
    const eni = `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/eni-0123456789abcdef0`;
    const request = (inSubnet: string) => sim.decide({ role: 'Role', action: 'ec2:CreateNetworkInterfacePermission', resource: eni, context: { 'ec2:Subnet': inSubnet, 'ec2:AuthorizedService': 'codebuild.amazonaws.com' } });
    expect(await request(subnet)).toBe('Allowed');
    expect(await request(`arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0ffff000`)).toBe('ImplicitlyDenied');
  });
});
