import { ActivityEvaluator, InMemoryDeniedBurstCounter, deniedBurstBucket } from '../../../lib/activity';
import { ActivityMonitorCore, IMonitorMemory, MonitorAlert } from '../../../lib/activity/activity-monitor';
import { ACCOUNT, IN_WINDOW, playbook } from './playbook-fixture';

/**
 * `denied-burst` across monitor instances: each function instance has its own evaluator, and the
 * denials are counted in a store they share (here its in-memory twin; AWS DynamoDB, GCP Firestore and Azure Table
 * Storage implementations are tested with their fakes).
 */
const WINDOW_MS = 300_000;

/** A CloudTrail record of the prod restart tool's session that IAM refused. */
function deniedCall(eventId: string, time: number, lineage = 'incident-7') {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole', accountId: ACCOUNT,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy-operator-restart-service/deploy-operator.restart-service.${lineage}`,
      sessionContext: { sourceIdentity: 'deploy-operator', sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/deploy-operator-restart-service`, userName: 'deploy-operator-restart-service' } },
    },
    eventTime: new Date(time).toISOString(), eventSource: 'iam.amazonaws.com', eventName: 'ListRoles', awsRegion: 'us-east-1',
    errorCode: 'AccessDenied', errorMessage: 'not authorized', eventID: eventId, recipientAccountId: ACCOUNT, eventType: 'AwsApiCall',
  };
}

function memory(): IMonitorMemory {
  return {
    claim: async () => 'claimed', finish: async () => undefined, release: async () => undefined,
    rememberApproval: async () => undefined, recallApprovals: async () => [],
  };
}

/** `n` monitor instances (own evaluator, own memory of claims) sharing one denied-burst counter. */
function instances(n: number, shared: InMemoryDeniedBurstCounter | null = new InMemoryDeniedBurstCounter({ threshold: 5, windowSeconds: 300 })) {
  const alerts: MonitorAlert[] = [];
  const cores = Array.from({ length: n }, () => new ActivityMonitorCore(new ActivityEvaluator(playbook()), {
    alerts: { publish: async (a) => { alerts.push(a); } },
    killSwitch: { pull: async () => ({ steps: [] }) },
    memory: memory(), log: () => undefined, deniedBursts: shared ?? undefined,
  }, { agent: 'deploy-operator', environment: 'prod' }));
  return { cores, alerts };
}

describe('denied-burst counted across instances', () => {
  test('five denials spread over five instances are a burst (each instance alone saw one)', async () => {
    const { cores } = instances(5);
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const [d] = await cores[i % 5].handle(deniedCall(`e${i}`, IN_WINDOW + i * 10_000));
      codes.push(d.verdict!);
    }
    expect(codes).toEqual(['undeclared-action', 'undeclared-action', 'undeclared-action', 'undeclared-action', 'denied-burst', 'denied-burst']);
    // Without the shared counter, the same spread goes unseen: the gap this closes.
    const { cores: alone } = instances(5, null);
    const local: string[] = [];
    for (let i = 0; i < 6; i++) local.push((await alone[i % 5].handle(deniedCall(`l${i}`, IN_WINDOW + i * 10_000)))[0].verdict!);
    expect(local).not.toContain('denied-burst');
  });

  test('a redelivered denial is counted once', async () => {
    const { cores } = instances(2);
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const [d] = await cores[i % 2].handle(deniedCall(i < 4 ? `e${i}` : 'e0', IN_WINDOW + i * 1000));
      codes.push(d.verdict!);
    }
    expect(codes).not.toContain('denied-burst');
  });

  test('the window: five denials within 300 s across a bucket boundary are caught; five spread over more than 600 s are not', async () => {
    const boundary = (deniedBurstBucket(IN_WINDOW, WINDOW_MS) + 1) * WINDOW_MS;
    const straddling = [-120_000, -60_000, -1, 1, 60_000].map((d) => boundary + d);
    const { cores } = instances(3);
    const codes: string[] = [];
    for (const [i, t] of straddling.entries()) codes.push((await cores[i % 3].handle(deniedCall(`s${i}`, t)))[0].verdict!);
    expect(codes[4]).toBe('denied-burst');

    const { cores: slow } = instances(3);
    const slowCodes: string[] = [];
    for (let i = 0; i < 8; i++) slowCodes.push((await slow[i % 3].handle(deniedCall(`p${i}`, IN_WINDOW + i * 160_000, 'run-2')))[0].verdict!);
    expect(slowCodes).not.toContain('denied-burst');
  });

  test('sessions are counted apart, and the store keeps at most the threshold per bucket', async () => {
    const counter = new InMemoryDeniedBurstCounter({ threshold: 5, windowSeconds: 300 });
    const { cores } = instances(2, counter);
    for (let i = 0; i < 4; i++) await cores[0].handle(deniedCall(`a${i}`, IN_WINDOW + i, 'run-a'));
    const [other] = await cores[1].handle(deniedCall('b0', IN_WINDOW + 10, 'run-b'));
    expect(other.verdict).toBe('undeclared-action');
    for (let i = 0; i < 1000; i++) await counter.deny('flood', `f${i}`, IN_WINDOW);
    expect((counter as unknown as { buckets: Map<string, Set<string>> }).buckets.get(`flood#${deniedBurstBucket(IN_WINDOW, WINDOW_MS)}`)!.size).toBe(5);
  });

  test('a burst never hides a verdict that trips', async () => {
    const { cores } = instances(2);
    for (let i = 0; i < 6; i++) {
      const rec = deniedCall(`t${i}`, IN_WINDOW + i);
      (rec.userIdentity.sessionContext as { sourceIdentity: string }).sourceIdentity = 'intruder';
      const [d] = await cores[i % 2].handle(rec);
      expect(d.severity).toBe('trip');
    }
  });
});
