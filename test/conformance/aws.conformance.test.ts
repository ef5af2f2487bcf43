import { AttributeValue, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbApprovalStore } from '../../constructs/aws/broker-runtime/dynamodb-approval-store';
import { SsmKillSwitchState } from '../../constructs/aws/broker-runtime/ssm-kill-switch-state';
import { StsCredentialMinter } from '../../constructs/aws/broker-runtime/sts-credential-minter';
import type { IApprovalStore, IKillSwitchState } from '../../lib/broker';
import { LocalDynamoDb } from '../constructs/aws/broker-runtime/local-dynamodb';
import { brokerConformance, ConformanceHarness, HarnessPorts, MintFault } from './broker-conformance';
import { swappable } from './harness-tools';

const ACCOUNT = '111111111111';
const CLIENT = { region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 };
const never = () => new Promise<never>(() => undefined);
let db: LocalDynamoDb;

/** AWS: DynamoDB on dynalite (a real implementation); SSM and STS through aws-sdk-client-mock on client instances. */
const aws: ConformanceHarness = {
  cloud: 'aws',
  identities: Object.fromEntries(['read-logs', 'deploy-service', 'rollback-service'].map((t) => [t, `arn:aws:iam::${ACCOUNT}:role/${t}`])),
  resources: {
    'read-logs': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/app/*`,
    'deploy-service': `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/*`,
    'rollback-service': `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/*`,
  },
  concreteResource: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/app/api`,
  outsideResource: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/security/audit`,
  sessionSeconds: 900,
  human: `arn:aws:sts::${ACCOUNT}:assumed-role/oncall/alice@example.com`,
  human2: `arn:aws:sts::${ACCOUNT}:assumed-role/oncall/bob@example.com`,
  runtime: `arn:aws:iam::${ACCOUNT}:role/agent-runtime`,
  raceProof: 'dynalite conditional UpdateItem',
  async start() { db = await LocalDynamoDb.start(); },
  async stop() { await db.stop(); },
  async ports(clock): Promise<HarnessPorts> {
    const ssm = new SSMClient(CLIENT);
    const ssmMock = mockClient(ssm);
    const sts = new STSClient(CLIENT);
    const stsMock = mockClient(sts);
    const store = new DynamoDbApprovalStore(db.client, db.tableName);
    const approvals = swappable<IApprovalStore>(store);
    const killSwitch = swappable<IKillSwitchState>(new SsmKillSwitchState(ssm, `/agent-guardrails/deploy-operator/kill-switch`));
    const minted: string[] = [];
    const mintAnswer = (fault?: MintFault) => stsMock.on(AssumeRoleCommand).callsFake((input: { RoleArn: string; DurationSeconds: number }) => {
      minted.push(input.RoleArn);
      if (fault === 'error') throw new Error('AccessDenied');
      if (fault === 'hang') return never();
      if (fault === 'malformed') return { Credentials: { AccessKeyId: 'ASIA' } };
      const at = fault === 'ten-years' ? clock().getTime() + 10 * 365 * 86_400_000 : fault === 'expired' ? clock().getTime() - 60_000 : clock().getTime() + input.DurationSeconds * 1000;
      return { Credentials: { AccessKeyId: 'ASIAFAKEKEY', SecretAccessKey: 'SECRET-VALUE', SessionToken: 'TOKEN-VALUE', Expiration: new Date(at) } };
    });
    mintAnswer();
    return {
      killSwitch: killSwitch.port,
      approvals: approvals.port,
      minter: new StsCredentialMinter(sts),
      minted,
      async setKillSwitch(state) {
        ssmMock.reset();
        if (state === undefined) ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'gone', $metadata: {} }));
        else ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: state as string } });
      },
      async putApproval(record) {
        const item: Record<string, AttributeValue> = {};
        for (const [k, v] of Object.entries(record)) item[k] = typeof v === 'number' ? { N: String(v) } : { S: String(v) };
        await db.client.send(new PutItemCommand({ TableName: db.tableName, Item: item }));
      },
      approve: (id, approver, now) => store.approve(id, approver, now, [aws.runtime]),
      readApproval: (id) => store.get(id),
      breakPort(port, fault) {
        const client = port === 'killSwitch' ? new SSMClient(CLIENT) : new DynamoDBClient(CLIENT);
        const m = mockClient(client);
        if (fault === 'error') m.onAnyCommand().rejects(new Error('throttled'));
        else m.onAnyCommand().callsFake(never);
        if (port === 'killSwitch') killSwitch.swap(new SsmKillSwitchState(client as SSMClient, '/p'));
        else approvals.swap(new DynamoDbApprovalStore(client as DynamoDBClient, db.tableName));
      },
      breakMinter(fault) { stsMock.reset(); mintAnswer(fault); },
      async close() { ssmMock.restore(); stsMock.restore(); },
    };
  },
};

brokerConformance(aws);
