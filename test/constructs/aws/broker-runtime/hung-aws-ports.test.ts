import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDbApprovalStore } from '../../../../constructs/aws/broker-runtime/dynamodb-approval-store';
import { SsmKillSwitchState } from '../../../../constructs/aws/broker-runtime/ssm-kill-switch-state';
import { StsCredentialMinter } from '../../../../constructs/aws/broker-runtime/sts-credential-minter';
import { CredentialBrokerCore, ReasonCode } from '../../../../lib/broker';
import { approve, config, fakes } from '../../../lib/broker/fakes';

/** An endpoint that accepts requests and never answers: AWS as seen through a network partition. */
class SilentEndpoint {
  public static async start(): Promise<SilentEndpoint> {
    const e = new SilentEndpoint();
    await new Promise<void>((resolve) => e.server.listen(0, '127.0.0.1', resolve));
    return e;
  }
  public readonly received: string[] = [];
  public aborted = 0;
  private readonly server: Server = createServer((req: IncomingMessage) => {
    this.received.push(String(req.headers['x-amz-target'] ?? req.url));
    req.socket.on('close', () => { this.aborted += 1; });
  });
  public get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const CLIENT = () => ({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
const TIMEOUT_MS = 100;
let silent: SilentEndpoint;
beforeAll(async () => { silent = await SilentEndpoint.start(); });
afterAll(async () => { await silent.stop(); });

async function waitFor(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('the AWS adapters under a network partition: the core stops waiting and the SDK request is cancelled', () => {
  test('SSM GetParameter never answers → KILL_SWITCH_TIMEOUT, and the HTTP request is aborted', async () => {
    const before = silent.aborted;
    const receivedBefore = silent.received.length;
    const f = fakes();
    const core = new CredentialBrokerCore(config({ portTimeoutMs: TIMEOUT_MS }), {
      ...f, killSwitch: new SsmKillSwitchState(new SSMClient({ ...CLIENT(), endpoint: silent.url }), '/agent-guardrails/deploy-operator/kill-switch'),
    });
    expect((await core.decide({ tool: 'read-logs', lineageId: 'run-1' })).reasonCode).toBe(ReasonCode.KILL_SWITCH_TIMEOUT);
    // Cancelled either way: on a loaded machine a cold client may still be building the request when the
    // timeout fires (then nothing is sent); otherwise the connection it opened is closed. Never left open.
    await waitFor(() => silent.received.length > receivedBefore && silent.aborted > before);
    expect(silent.aborted - before).toBe(silent.received.length - receivedBefore);
    expect(f.minter.calls).toHaveLength(0);
  });

  test('DynamoDB GetItem never answers → APPROVAL_STORE_TIMEOUT', async () => {
    const f = fakes();
    const id = approve(f);
    const store = new DynamoDbApprovalStore(new DynamoDBClient({ ...CLIENT(), endpoint: silent.url }), 'approvals');
    const core = new CredentialBrokerCore(config({ portTimeoutMs: TIMEOUT_MS }), { ...f, approvals: store });
    const res = await core.decide({ tool: 'rollback-service', lineageId: 'run-42', approvalId: id });
    expect(res.reasonCode).toBe(ReasonCode.APPROVAL_STORE_TIMEOUT);
    expect(f.minter.calls).toHaveLength(0);
  });

  test('STS AssumeRole never answers → MINT_TIMEOUT, no credential', async () => {
    const f = fakes();
    const core = new CredentialBrokerCore(config({ portTimeoutMs: TIMEOUT_MS }), { ...f, minter: new StsCredentialMinter(new STSClient({ ...CLIENT(), endpoint: silent.url })) });
    const res = await core.decide({ tool: 'read-logs', lineageId: 'run-1' });
    expect(res).toMatchObject({ decision: 'refused', reasonCode: ReasonCode.MINT_TIMEOUT });
    expect(res.credentials).toBeUndefined();
  });
});
