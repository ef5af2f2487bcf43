/**
 * Broker decision latency: p50/p99 over 10,000 requests through the Lambda handler's code path
 * (request validation, kill-switch read, window, approval get + atomic consume, STS mint, JSON
 * decision record) with real AWS SDK clients whose HTTP layer answers in process (no network). What it
 * measures is the broker's own overhead, i.e. what it adds on top of the AWS round trips.
 *
 *   npx ts-node --transpile-only bench/broker/decision-latency.ts [requests] [sdk|core]
 */
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import * as os from 'os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { createBrokerHandler } from '../../constructs/aws/broker-runtime/broker-handler';
import { DynamoDbApprovalStore } from '../../constructs/aws/broker-runtime/dynamodb-approval-store';
import { SsmKillSwitchState } from '../../constructs/aws/broker-runtime/ssm-kill-switch-state';
import { StdoutDecisionLog } from '../../constructs/aws/broker-runtime/stdout-decision-log';
import { StsCredentialMinter } from '../../constructs/aws/broker-runtime/sts-credential-minter';
import { BrokerConfig, CredentialBrokerCore } from '../../lib/broker';

const REQUESTS = Number(process.argv[2] ?? 10_000);
/**
 * `sdk` (default): real SDK clients, HTTP answered in process — the broker's full overhead.
 * `core`: the clients' `send` answers directly — the broker's own logic, without the SDK's cost.
 */
const MODE = process.argv[3] === 'core' ? 'core' : 'sdk';
const WARMUP = 500;
const NOW = new Date('2026-03-25T10:00:00Z'); // Wednesday, inside the Berlin window

const config: BrokerConfig = {
  agent: 'deploy-operator', environment: 'prod', sessionSeconds: 900, approvalMaxAgeSeconds: 900,
  requesterIdentities: ['arn:aws:iam::111111111111:role/agent-runtime'], openPendingApprovals: true,
  tools: [
    { name: 'read-service', identity: 'arn:aws:iam::111111111111:role/read-service', accessLevel: 'read', requiresApproval: false, resources: ['arn:aws:ecs:eu-west-1:111111111111:service/prod/*'], actions: ['ecs:DescribeServices'] },
    {
      name: 'restart-service', identity: 'arn:aws:iam::111111111111:role/restart-service', accessLevel: 'write', requiresApproval: false,
      resources: ['arn:aws:ecs:eu-west-1:111111111111:service/prod/*'], actions: ['ecs:UpdateService'],
      window: { timeZone: 'Europe/Berlin', slots: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }] },
    },
    { name: 'rollback-deployment', identity: 'arn:aws:iam::111111111111:role/rollback-deployment', accessLevel: 'destructive', requiresApproval: true, resources: ['arn:aws:ecs:eu-west-1:111111111111:service-deployment/prod/*'], actions: ['ecs:StopServiceDeployment'] },
  ],
};

const APPROVAL_ID = '0f8b3a52-8d1e-4c0e-9f55-3a1d7c9e2b10';
const APPROVAL_ITEM = {
  approvalId: { S: APPROVAL_ID }, agent: { S: 'deploy-operator' }, tool: { S: 'rollback-deployment' }, lineageId: { S: 'run-1' }, environment: { S: 'prod' },
  status: { S: 'approved' }, requestedBy: { S: 'arn:aws:iam::111111111111:role/agent-runtime' }, requestedAt: { S: '2026-03-25T09:58:00.000Z' },
  approvedBy: { S: 'arn:aws:sts::111111111111:assumed-role/oncall/alice' }, approvedAt: { S: '2026-03-25T09:59:00.000Z' },
};

/**
 * The AWS side, in process: real SDK v3 clients (serialisation, SigV4 signing with dummy keys,
 * retries, deserialisation) whose HTTP handler answers from memory instead of the network.
 * So the figures hold everything the broker adds except the network round trips themselves.
 */
function inProcess(answer: (request: { headers: Record<string, string> }) => { type: string; body: string }) {
  return {
    handle: async (request: { headers: Record<string, string> }) => {
      const a = answer(request);
      return { response: { statusCode: 200, headers: { 'content-type': a.type, 'x-amzn-requestid': 'bench' }, body: Readable.from([Buffer.from(a.body)]) } };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  } as never;
}
const common = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIABENCHONLY', secretAccessKey: 'bench-only' } };
const json10 = (body: object) => ({ type: 'application/x-amz-json-1.0', body: JSON.stringify(body) });
const ssm = new SSMClient({ ...common, requestHandler: inProcess(() => ({ type: 'application/x-amz-json-1.1', body: '{"Parameter":{"Name":"/agent-guardrails/deploy-operator/kill-switch","Type":"String","Value":"disengaged","Version":1}}' })) });
const ddb = new DynamoDBClient({
  ...common,
  requestHandler: inProcess((r) => (r.headers['x-amz-target'] === 'DynamoDB_20120810.GetItem' ? json10({ Item: APPROVAL_ITEM }) : json10({}))),
});
const sns = new SNSClient({ ...common, requestHandler: inProcess(() => ({ type: 'text/xml', body: '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>' })) });
const STS_XML = '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIABENCH</AccessKeyId>'
  + '<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2026-03-25T10:15:00Z</Expiration></Credentials><AssumedRoleUser>'
  + '<Arn>arn:aws:sts::111111111111:assumed-role/read-service/s</Arn><AssumedRoleId>AROABENCH:s</AssumedRoleId></AssumedRoleUser><SourceIdentity>deploy-operator</SourceIdentity>'
  + '</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>';
const sts = new STSClient({ ...common, requestHandler: inProcess(() => ({ type: 'text/xml', body: STS_XML })) });

/** `send` answering by command name, for `core` mode. */
function direct<T>(answers: Record<string, unknown>): T {
  return { send: async (command: object) => answers[command.constructor.name] } as unknown as T;
}
const CORE_CLIENTS = {
  ssm: direct<SSMClient>({ GetParameterCommand: { Parameter: { Value: 'disengaged' } } }),
  ddb: direct<DynamoDBClient>({ GetItemCommand: { Item: APPROVAL_ITEM }, UpdateItemCommand: {}, PutItemCommand: {} }),
  sns: direct<SNSClient>({ PublishCommand: { MessageId: 'm' } }),
  sts: direct<STSClient>({ AssumeRoleCommand: { Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(NOW.getTime() + 900_000) } } }),
};
const clients = MODE === 'core' ? CORE_CLIENTS : { ssm, ddb, sns, sts };

let logged = 0;
const handler = createBrokerHandler(() => new CredentialBrokerCore(config, {
  killSwitch: new SsmKillSwitchState(clients.ssm, '/agent-guardrails/deploy-operator/kill-switch'),
  approvals: new DynamoDbApprovalStore(clients.ddb, 'approvals', { client: clients.sns, topicArn: 'arn:aws:sns:eu-west-1:111111111111:t' }),
  minter: new StsCredentialMinter(clients.sts),
  clock: { now: () => NOW },
  log: new StdoutDecisionLog((line) => { logged += line.length; }), // serialised as in Lambda, not printed
}));

/** A realistic mix: grants, narrowed grants, approval-gated grants, and refusals. */
const MIX: unknown[] = [
  { tool: 'read-service', lineageId: 'run-1' },
  { tool: 'restart-service', lineageId: 'run-1', resource: 'arn:aws:ecs:eu-west-1:111111111111:service/prod/checkout' },
  { tool: 'rollback-deployment', lineageId: 'run-1', approvalId: APPROVAL_ID },
  { tool: 'rollback-deployment', lineageId: 'run-1', reason: 'rollback 1.4.2' },
  { tool: 'read-service', lineageId: 'run 1\n', extra: 'x'.repeat(500) },
  { tool: 'unknown-tool', lineageId: 'run-1' },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  for (let i = 0; i < WARMUP; i++) await handler(MIX[i % MIX.length]);
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  const byKind = new Map<string, number[]>();
  const load = os.loadavg()[0];
  for (let i = 0; i < REQUESTS; i++) {
    const req = MIX[i % MIX.length];
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const res = await handler(req);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(c0);
    samples.push(ms);
    // CPU time of this process: what the broker costs, without time spent waiting for a busy machine's other processes.
    cpuSamples.push((cpu.user + cpu.system) / 1000);
    const list = byKind.get(res.reasonCode) ?? [];
    list.push(ms);
    byKind.set(res.reasonCode, list);
  }
  samples.sort((a, b) => a - b);
  cpuSamples.sort((a, b) => a - b);
  const result = {
    mode: MODE,
    requests: REQUESTS,
    node: process.version,
    cpus: os.cpus().length,
    loadAverageAtStart: +load.toFixed(2),
    cpuP50Ms: +percentile(cpuSamples, 50).toFixed(3),
    cpuP99Ms: +percentile(cpuSamples, 99).toFixed(3),
    p50Ms: +percentile(samples, 50).toFixed(3),
    p99Ms: +percentile(samples, 99).toFixed(3),
    maxMs: +samples[samples.length - 1].toFixed(3),
    meanMs: +(samples.reduce((a, b) => a + b, 0) / samples.length).toFixed(3),
    byReason: Object.fromEntries([...byKind].map(([k, v]) => {
      v.sort((a, b) => a - b);
      return [k, { n: v.length, p50Ms: +percentile(v, 50).toFixed(3), p99Ms: +percentile(v, 99).toFixed(3) }];
    })),
    goal: 'p99 < 5 ms of broker overhead',
    goalMet: percentile(samples, 99) < 5,
    loggedBytes: logged,
  };
  const out = path.join(__dirname, '..', 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, `broker-decision-latency-${MODE}.json`), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`broker decision latency (${MODE}) over ${REQUESTS} requests: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms (goal p99 < 5 ms: ${result.goalMet ? 'met' : 'NOT met'})\n`);
  process.stdout.write(`  CPU time per decision: p50 ${result.cpuP50Ms} ms, p99 ${result.cpuP99Ms} ms (load average ${result.loadAverageAtStart} on ${result.cpus} CPUs)\n`);
  for (const [k, v] of Object.entries(result.byReason)) process.stdout.write(`  ${k.padEnd(22)} n=${v.n} p50 ${v.p50Ms} ms p99 ${v.p99Ms} ms\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
