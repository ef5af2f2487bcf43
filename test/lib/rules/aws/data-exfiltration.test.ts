import { DATA_EXFILTRATION, readsUnnamedStore } from '../../../../lib/rules/aws/data-exfiltration';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as fc from 'fast-check';
import { inventoryFromTemplate } from '../../../../lib/adapters/cloudformation/inventory-from-template';
import { DECLARATION_METADATA_KEY, TAG_KEYS } from '../../../../lib/model/tags';
import { IamSimulator } from '../../../helpers/iam-simulator';
import { ACCOUNT, actionIds, agentRole, allow, check, exampleAppInventory, inventory, logicalIdOf, REGION, role, synthesized } from './private/hand-built-inventory';

const PREFIX = 'arn:aws:s3:::reports/daily/*';

describe('AWS-008: data reads only on declared data sources', () => {
  describe('agents with a declaration', () => {
    test('s3:GetObject on a declared prefix passes; under it too', () => {
      const r = role('Tool', { agent: true, declaration: { dataSources: [PREFIX] } });
      const inv = inventory({ identities: [r], grants: [allow(r, ['s3:GetObject'], [PREFIX, 'arn:aws:s3:::reports/daily/2026/*'])] });
      expect(check(DATA_EXFILTRATION, inv)).toEqual([]);
    });

    test('declared resources count as well as data sources', () => {
      const table = 'arn:aws:dynamodb:eu-west-1:111111111111:table/Orders';
      const r = role('Tool', { agent: true, declaration: { resources: [table] } });
      expect(check(DATA_EXFILTRATION, inventory({ identities: [r], grants: [allow(r, ['dynamodb:GetItem', 'dynamodb:Query'], [table])] }))).toEqual([]);
    });

    test('a declaration of `*` does not declare a data source', () => {
      const r = role('Tool', { agent: true, declaration: { resources: ['*'], dataSources: ['arn:aws:s3:::*'] } });
      expect(actionIds(check(DATA_EXFILTRATION, inventory({ identities: [r], grants: [allow(r, ['s3:GetObject'], ['*'])] })))).toEqual(['Tool[s3:GetObject]']);
    });

    test('a read beyond the declared prefix is an error', () => {
      const r = role('Tool', { agent: true, declaration: { dataSources: [PREFIX] } });
      const findings = check(DATA_EXFILTRATION, inventory({ identities: [r], grants: [allow(r, ['s3:GetObject'], ['arn:aws:s3:::reports/*'])] }));
      expect(actionIds(findings)).toEqual(['Tool[s3:GetObject]']);
      expect(findings[0].severity).toBe('error');
    });

    test('a disguised wildcard (S3:getobj*) on an undeclared bucket is found per real action', () => {
      const r = role('Tool', { agent: true, declaration: { dataSources: [PREFIX] } });
      const found = actionIds(check(DATA_EXFILTRATION, inventory({ identities: [r], grants: [allow(r, ['S3:getobj*'], ['arn:aws:s3:::payroll/*'])] })));
      expect(found).toEqual(expect.arrayContaining(['Tool[s3:GetObject]', 'Tool[s3:GetObjectVersion]']));
    });

    test('snapshot sharing on a declared database snapshot passes, on another it does not', () => {
      const snap = 'arn:aws:rds:eu-west-1:111111111111:snapshot:nightly';
      const r = role('Tool', { agent: true, declaration: { dataSources: [snap] } });
      expect(check(DATA_EXFILTRATION, inventory({ identities: [r], grants: [allow(r, ['rds:ModifyDBSnapshotAttribute'], [snap])] }))).toEqual([]);
      expect(actionIds(check(DATA_EXFILTRATION, inventory({ identities: [r], grants: [allow(r, ['rds:ModifyDBSnapshotAttribute'], ['arn:aws:rds:eu-west-1:111111111111:snapshot:*'])] }))))
        .toEqual(['Tool[rds:ModifyDBSnapshotAttribute]']);
    });
  });

  describe('identities without a declaration: only reads that name no store', () => {
    test('s3:GetObject on * is flagged (warning for a non-agent, error for an agent)', () => {
      const app = role('AppRole');
      const agent = role('Tool', { agent: true });
      const findings = check(DATA_EXFILTRATION, inventory({ identities: [app, agent], grants: [allow(app, ['s3:GetObject']), allow(agent, ['ssm:GetParametersByPath'], ['arn:aws:ssm:eu-west-1:111111111111:parameter/*'])] }));
      expect(findings.map((f) => `${f.resource}[${f.detail}]:${f.severity}`).sort()).toEqual(['AppRole[s3:GetObject]:warning', 'Tool[ssm:GetParametersByPath]:error']);
    });

    test('a named bucket prefix, a named table and a parameter path pass', () => {
      const app = role('AppRole');
      const inv = inventory({
        identities: [app],
        grants: [allow(app, ['s3:GetObject', 'dynamodb:Scan', 'ssm:GetParameter'], [PREFIX, 'arn:aws:dynamodb:*:*:table/Orders', 'arn:aws:ssm:eu-west-1:111111111111:parameter/app/*'])],
      });
      expect(check(DATA_EXFILTRATION, inv)).toEqual([]);
    });
  });

  test('readsUnnamedStore', () => {
    expect(readsUnnamedStore('*')).toBe(true);
    expect(readsUnnamedStore('arn:aws:s3:::*')).toBe(true);
    expect(readsUnnamedStore('arn:aws:s3:::*/*')).toBe(true);
    expect(readsUnnamedStore('arn:aws:s3:::logs-*/*')).toBe(true);
    expect(readsUnnamedStore('arn:aws:s3:::reports/*')).toBe(false);
    expect(readsUnnamedStore('arn:aws:dynamodb:eu-west-1:1:table/*')).toBe(true);
    expect(readsUnnamedStore('arn:aws:dynamodb:eu-west-1:1:table/Orders/index/*')).toBe(false);
    expect(readsUnnamedStore('arn:aws:rds:eu-west-1:1:snapshot:*')).toBe(true);
    expect(readsUnnamedStore('arn:aws:ec2:eu-west-1::snapshot/*')).toBe(true);
    expect(readsUnnamedStore('arn:*:s3:::reports/*')).toBe(true);
    expect(readsUnnamedStore('arn:aws:s3:eu-west-1:1:accesspoint/ap/object/*')).toBe(false);
    expect(readsUnnamedStore('arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}')).toBe(false);
    expect(readsUnnamedStore('arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*')).toBe(true);
    expect(readsUnnamedStore('${Approvals871738FD.Arn}')).toBe(false);
    expect(readsUnnamedStore('${ReportsBucket.Arn}/*')).toBe(false);
    expect(readsUnnamedStore('${AWS::AccountId}-*')).toBe(true);
  });
});

describe('AWS-008 through synthesized CloudFormation (adapter + IAM simulator)', () => {
  test('a declared prefix: the simulator allows it and nothing else, the rule passes; a whole-account grant leaks payroll and is reported', async () => {
    for (const resource of [PREFIX, 'arn:aws:s3:::*']) {
      const { template, inventory: inv } = synthesized((stack) => {
        agentRole(stack, 'Tool', { dataSources: [PREFIX] }).addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [resource] }));
      });
      const role = logicalIdOf(template, 'AWS::IAM::Role');
      const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
      expect(await sim.decide({ role, action: 's3:GetObject', resource: 'arn:aws:s3:::reports/daily/2026-11-21.csv' })).toBe('Allowed');
      expect(await sim.decide({ role, action: 's3:GetObject', resource: 'arn:aws:s3:::payroll/salaries.csv' })).toBe(resource === PREFIX ? 'ImplicitlyDenied' : 'Allowed');
      expect(actionIds(check(DATA_EXFILTRATION, inv))).toEqual(resource === PREFIX ? [] : [`${role}[s3:GetObject]`]);
    }
  });

  test('precision: the example app reports nothing', () => {
    expect(check(DATA_EXFILTRATION, exampleAppInventory())).toEqual([]);
  });
});

describe('AWS-008 never misses an undeclared read the IAM simulator allows (property)', () => {
  const RESOURCES = ['*', 'arn:aws:s3:::*', 'arn:aws:s3:::reports/*', PREFIX, 'arn:aws:s3:::reports/daily/2026/*', 'arn:aws:s3:::payroll/*', 'arn:aws:s3:::rep*'];
  const ACTIONS = ['s3:GetObject', 's3:Get*', 'S3:getobject', 's3:*', 's3:PutObject'];
  const PROBES = ['arn:aws:s3:::payroll/salaries.csv', 'arn:aws:s3:::reports/monthly/x.csv', 'arn:aws:s3:::reports/daily/x.csv', 'arn:aws:s3:::reports/daily/2026/x.csv'];
  const statementArb = fc.record({
    Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
    Action: fc.subarray(ACTIONS, { minLength: 1, maxLength: 2 }),
    Resource: fc.subarray(RESOURCES, { minLength: 1, maxLength: 2 }),
  });
  const doc = (statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });
  const declaration = { agent: 'ops', tool: 'read-reports', tier: 'observer', environment: 'prod', accessLevel: 'read', actions: ['s3:GetObject'], resources: [], dataSources: [PREFIX] };

  test('whenever the simulator lets the agent read outside its declared prefix, s3:GetObject is reported', async () => {
    let leaks = 0;
    await fc.assert(fc.asyncProperty(fc.array(statementArb, { minLength: 1, maxLength: 4 }), async (statements) => {
      const template = {
        Resources: {
          Tool: {
            Type: 'AWS::IAM::Role',
            Metadata: { [DECLARATION_METADATA_KEY]: declaration },
            Properties: {
              AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }]),
              Policies: [{ PolicyName: 'tool', PolicyDocument: doc(statements) }],
              Tags: [{ Key: TAG_KEYS.component, Value: 'tool-identity' }, { Key: TAG_KEYS.agent, Value: 'ops' }, { Key: TAG_KEYS.tool, Value: 'read-reports' }],
            },
          },
        },
      };
      const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
      const undeclared = PROBES.filter((p) => !p.startsWith('arn:aws:s3:::reports/daily/'));
      const decisions = await Promise.all(undeclared.map((resource) => sim.decide({ role: 'Tool', action: 's3:GetObject', resource })));
      if (!decisions.includes('Allowed')) return;
      leaks++;
      expect(actionIds(check(DATA_EXFILTRATION, inventoryFromTemplate(template, { stack: 'S' })))).toContain('Tool[s3:GetObject]');
    }), { numRuns: 80 });
    expect(leaks).toBeGreaterThan(10);
  });
});
