import * as fc from 'fast-check';
import { ActivityEvaluator, ActivityPlaybook, VerdictCode } from '../../../lib/activity';
import { Baseline } from '../../../lib/baseline/baseline';
import { DecisionRecord } from '../../../lib/broker/ports';
import { ACCOUNT, BUCKET, IN_WINDOW, OTHER_ACCOUNT, OUT_OF_WINDOW, PLAYBOOK_DOC, playbook, restartEvent, SERVICE } from './playbook-fixture';

const approved = (over: Partial<DecisionRecord> = {}): DecisionRecord => ({
  decisionId: 'd-1', time: new Date(IN_WINDOW - 60_000).toISOString(), agent: 'deploy-operator', tool: 'rollback-deployment', environment: 'prod',
  lineageId: 'incident-7', decision: 'granted', reasonCode: 'GRANTED', approvalId: '0f8b3a52-8d1e-4c0e-9f55-3a1d7c9e2b10',
  approver: 'arn:aws:sts::333333333333:assumed-role/on-call/alice', resource: null, expiresAt: new Date(IN_WINDOW + 14 * 60_000).toISOString(), invalidFields: null, ...over,
});
const rollback = { tool: 'rollback-deployment', action: 'ecs:StopServiceDeployment', resources: [`arn:aws:ecs:eu-west-1:${ACCOUNT}:service-deployment/prod/web/abc`],
  identity: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy-operator-rollback/deploy-operator.rollback-deployment.incident-7` };

describe('ActivityEvaluator: one verdict per event, with the reason code', () => {
  test('an agent\'s normal day is expected, on all three clouds', () => {
    const e = new ActivityEvaluator(playbook());
    e.recordDecision(approved());
    const day = [
      restartEvent(),
      restartEvent({ action: 'ecs:DescribeServices' }),
      restartEvent({ tool: 'read-logs', identity: 'arn:aws:iam::111111111111:role/deploy-operator-read-logs', action: 's3:GetObject', resources: [`${BUCKET}/2026/03/25/app.log`], time: OUT_OF_WINDOW }),
      restartEvent({ tool: 'read-logs', identity: undefined, action: 'S3:listbucket', resources: [BUCKET] }),
      restartEvent(rollback),
      { cloud: 'gcp' as const, identity: 'deploy-operator-read-logs@acme-prod.iam.gserviceaccount.com', action: 'storage.objects.get', resources: ['projects/_/buckets/acme-prod-logs/objects/app.log'], location: { project: 'acme-prod' }, time: IN_WINDOW, outcome: 'allowed' as const },
      { cloud: 'azure' as const, identity: '11111111-2222-3333-4444-555555555555', action: 'Microsoft.Compute/virtualMachines/restart/action',
        resources: ['/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/RG-PROD/providers/Microsoft.Compute/virtualMachines/web-1'],
        location: { subscription: '00000000-0000-0000-0000-000000000001', resourceGroup: 'RG-PROD' }, time: IN_WINDOW, outcome: 'allowed' as const },
      { cloud: 'azure' as const, identity: '11111111-2222-3333-4444-555555555555', action: 'microsoft.compute/disks/read', resources: [], time: IN_WINDOW, outcome: 'allowed' as const },
    ];
    expect(day.map((ev) => e.evaluate(ev)).map((v) => [v.code, v.reason])).toEqual(day.map(() => [VerdictCode.EXPECTED, expect.stringContaining('within')]));
  });

  test.each([
    ['undeclared-action', restartEvent({ action: 'ecs:DeleteService' }), 'alert'],
    ['undeclared-resource', restartEvent({ resources: [`arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/db`] }), 'alert'],
    ['other-environment', restartEvent({ location: { account: OTHER_ACCOUNT } }), 'trip'],
    ['other-environment', restartEvent({ environment: 'dev' }), 'trip'],
    ['outside-window', restartEvent({ time: OUT_OF_WINDOW }), 'alert'],
    ['destructive-without-approval', restartEvent(rollback), 'trip'],
    ['unknown-identity', restartEvent({ agent: 'someone-else' }), 'trip'],
    ['unknown-identity', restartEvent({ tool: 'read-logs' }), 'trip'],
    ['unknown-identity', restartEvent({ identity: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/x` }), 'trip'],
    ['unknown-identity', restartEvent({ agent: undefined, tool: undefined, identity: `arn:aws:iam::${ACCOUNT}:role/unrelated` }), 'trip'],
    ['unknown-identity', { cloud: 'gcp' as const, identity: 'intruder@acme-prod.iam.gserviceaccount.com', action: 'storage.objects.get', resources: [], time: IN_WINDOW, outcome: 'allowed' as const }, 'trip'],
  ])('%s (%#), severity from the default baseline', (code, event, severity) => {
    const v = new ActivityEvaluator(playbook()).evaluate(event);
    expect([v.code, v.severity]).toEqual([code, severity]);
  });

  test('the verdict names the agent, tool, environment and lineage it judged', () => {
    const v = new ActivityEvaluator(playbook()).evaluate(restartEvent({ action: 'ecs:DeleteService' }));
    expect(v).toMatchObject({ agent: 'deploy-operator', tool: 'restart-service', environment: 'prod', lineage: 'incident-7' });
    expect(v.reason).toBe('tool restart-service declares no ecs:DeleteService');
  });

  test('a dev session acting in the prod account is other-environment; in its own account it is expected', () => {
    const e = new ActivityEvaluator(playbook());
    const dev = restartEvent({ tool: 'read-logs', identity: 'deploy-operator-dev-read-logs', action: 's3:GetObject', resources: ['arn:aws:s3:::acme-dev-logs/x'] });
    expect(e.evaluate({ ...dev, location: { account: OTHER_ACCOUNT } }).code).toBe(VerdictCode.EXPECTED);
    expect(e.evaluate({ ...dev, location: { account: ACCOUNT } }).code).toBe(VerdictCode.OTHER_ENVIRONMENT);
  });

  test('an approval counts only for its lineage, its tool and while its credential lasts', () => {
    const e = new ActivityEvaluator(playbook());
    e.recordDecision(approved());
    e.recordDecision(approved({ lineageId: 'other-run', approvalId: null }));
    expect(e.evaluate(restartEvent(rollback)).code).toBe(VerdictCode.EXPECTED);
    expect(e.evaluate(restartEvent({ ...rollback, lineage: 'other-run' })).code).toBe(VerdictCode.DESTRUCTIVE_WITHOUT_APPROVAL);
    expect(e.evaluate(restartEvent({ ...rollback, time: IN_WINDOW + 3600_000 })).code).toBe(VerdictCode.DESTRUCTIVE_WITHOUT_APPROVAL);
    // A lineage cut short in a 64-character session name still finds its approval.
    e.recordDecision(approved({ lineageId: 'incident-2026-03-25:very-long-lineage-id-that-does-not-fit' }));
    expect(e.evaluate(restartEvent({ ...rollback, lineage: 'incident-2026-03-25-very-long', lineageTruncated: true })).code).toBe(VerdictCode.EXPECTED);
    // Refusals and grants without an approval are no evidence.
    const fresh = new ActivityEvaluator(playbook());
    fresh.recordDecision(approved({ decision: 'refused', reasonCode: 'APPROVAL_PENDING' }));
    expect(fresh.evaluate(restartEvent(rollback)).code).toBe(VerdictCode.DESTRUCTIVE_WITHOUT_APPROVAL);
  });

  test('hostile log values (huge, wildcard-laden) get a verdict in bounded time, never an exception or a match', () => {
    const e = new ActivityEvaluator(playbook());
    const huge = 'a*'.repeat(60_000);
    expect(e.evaluate(restartEvent({ action: huge })).code).toBe(VerdictCode.UNDECLARED_ACTION);
    expect(e.evaluate(restartEvent({ tool: 'read-logs', identity: undefined, action: 's3:GetObject', resources: [`${BUCKET}/${huge}`] })).code).toBe(VerdictCode.UNDECLARED_RESOURCE);
    expect(e.evaluate(restartEvent({ resources: [`${SERVICE}*`] })).code).toBe(VerdictCode.UNDECLARED_RESOURCE);
    expect(e.evaluate(restartEvent({ agent: huge })).reason.length).toBeLessThan(700);
  });

  test('a denied destructive call is no destructive action; it counts toward a burst', () => {
    const v = new ActivityEvaluator(playbook()).evaluate(restartEvent({ ...rollback, outcome: 'denied' }));
    expect(v.code).toBe(VerdictCode.EXPECTED);
  });
});

describe('ActivityEvaluator: denied-burst (probing)', () => {
  test('the fifth access-denied answer within 300 s to one session is a burst; slower probing is not', () => {
    const e = new ActivityEvaluator(playbook());
    const probe = (i: number, gapMs: number) => e.evaluate(restartEvent({ action: 'iam:ListRoles', resources: [], outcome: 'denied', time: IN_WINDOW + i * gapMs }));
    const fast = [0, 1, 2, 3, 4, 5].map((i) => probe(i, 10_000).code);
    expect(fast).toEqual(['undeclared-action', 'undeclared-action', 'undeclared-action', 'undeclared-action', 'denied-burst', 'denied-burst']);
    const slow = new ActivityEvaluator(playbook());
    const codes = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => slow.evaluate(restartEvent({ lineage: 'run-2', action: 'iam:ListRoles', resources: [], outcome: 'denied', time: IN_WINDOW + i * 100_000 })).code);
    expect(codes).not.toContain('denied-burst');
  });

  test('a burst never hides a verdict that trips the kill switch', () => {
    const e = new ActivityEvaluator(playbook());
    const codes = [0, 1, 2, 3, 4, 5].map((i) => e.evaluate(restartEvent({ agent: 'intruder', outcome: 'denied', time: IN_WINDOW + i })).code);
    expect(new Set(codes)).toEqual(new Set(['unknown-identity']));
  });

  test('memory stays bounded under a flood of distinct sessions', () => {
    const e = new ActivityEvaluator(playbook());
    for (let i = 0; i < 50_000; i++) e.evaluate(restartEvent({ lineage: `run-${i}`, outcome: 'denied', time: IN_WINDOW + i }));
    expect((e as unknown as { bursts: { size: number } }).bursts.size).toBeLessThanOrEqual(10_000);
  });
});

describe('ActivityEvaluator: severities come from the baseline', () => {
  test('a team baseline may trip on more deviations and may not loosen without a reason', () => {
    const strict = Baseline.fromObject({ id: 'team', version: '1.0.0', extends: 'agent-guardrails', activity: { verdicts: { 'undeclared-action': 'trip' }, deniedBurst: { threshold: 3 } } });
    const e = new ActivityEvaluator(playbook(), { baseline: strict });
    expect(e.evaluate(restartEvent({ action: 'ecs:DeleteService' })).severity).toBe('trip');
    expect(strict.deniedBurst).toEqual({ threshold: 3, windowSeconds: 300 });
    expect(() => Baseline.fromObject({ id: 'loose', version: '1.0.0', extends: 'agent-guardrails', activity: { verdicts: { 'unknown-identity': 'alert' } } }))
      .toThrow(/AG_BASELINE_LOOSENS.*activity\.verdicts\.unknown-identity/);
    expect(() => Baseline.fromObject({ id: 'typo', version: '1.0.0', activity: { verdicts: { 'undeclared-actoin': 'trip' } } })).toThrow(/AG_BASELINE_INVALID/);
  });

  test('the default baseline trips on other-environment, destructive-without-approval and unknown-identity; the rest alert', () => {
    const e = new ActivityEvaluator(playbook());
    const trips = Object.values(VerdictCode).filter((c) => e.severityOf(c) === 'trip');
    expect(trips.sort()).toEqual(['destructive-without-approval', 'other-environment', 'unknown-identity']);
    expect(e.severityOf(VerdictCode.EXPECTED)).toBe('none');
  });
});

describe('ActivityEvaluator: property — events built from the declarations', () => {
  const prod = PLAYBOOK_DOC.agents[0];
  const awsTools = prod.tools.filter((t) => t.cloud === 'aws');
  /** A concrete resource within a declared pattern (each `*` filled with a safe segment). */
  const concrete = (pattern: string, fill: string) => pattern.replace(/\*/g, fill);
  const arbEvent = fc.record({
    tool: fc.constantFrom(...awsTools),
    actionIndex: fc.nat(),
    resourceIndex: fc.nat(),
    fill: fc.stringMatching(/^[a-z0-9]{1,12}$/),
    // Within Wednesday 09:00–17:00 Berlin (CET, UTC+1): 08:00–16:00 UTC.
    minute: fc.integer({ min: 0, max: 8 * 60 - 1 }),
    lineage: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
  }).map(({ tool, actionIndex, resourceIndex, fill, minute, lineage }) => ({
    tool,
    event: restartEvent({
      tool: tool.name, identity: tool.identities[0], lineage,
      action: tool.actions[actionIndex % tool.actions.length],
      resources: [concrete(tool.resources[resourceIndex % tool.resources.length], fill)],
      time: Date.parse('2026-03-25T08:00:00Z') + minute * 60_000,
    }),
  }));
  const evaluatorFor = (lineage: string) => {
    const e = new ActivityEvaluator(playbook());
    e.recordDecision(approved({ lineageId: lineage, time: '2026-03-25T07:59:00Z', expiresAt: '2026-04-02T00:00:00Z' }));
    return e;
  };

  test('any event built from the declarations is expected', () => {
    fc.assert(fc.property(arbEvent, ({ event }) => {
      expect(evaluatorFor(event.lineage!).evaluate(event).code).toBe(VerdictCode.EXPECTED);
    }), { numRuns: 500 });
  });

  test('any single mutation of action, resource, environment or time gives the matching deviation', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('action' as const), value: fc.stringMatching(/^[a-z0-9]{1,10}:[A-Za-z]{1,20}$/) }),
      fc.record({ kind: fc.constant('resource' as const), value: fc.stringMatching(/^arn:aws:[a-z0-9]{1,8}:[a-z0-9-]{0,12}:\d{12}:[a-z0-9/]{1,30}$/) }),
      fc.record({ kind: fc.constant('environment' as const), value: fc.constantFrom('dev', 'staging', 'qa', 'other') }),
      // Up to Sunday 2026-03-29 01:00 UTC, when Berlin moves to UTC+2 (the oracle below assumes UTC+1).
      fc.record({ kind: fc.constant('time' as const), value: fc.integer({ min: 8 * 60, max: 5300 }) }),
    );
    fc.assert(fc.property(arbEvent, mutation, ({ tool, event }, m) => {
      const e = evaluatorFor(event.lineage!);
      if (m.kind === 'action') {
        fc.pre(!tool.actions.some((a) => a.toLowerCase() === m.value.toLowerCase()));
        expect(e.evaluate({ ...event, action: m.value }).code).toBe(VerdictCode.UNDECLARED_ACTION);
      } else if (m.kind === 'resource') {
        expect(e.evaluate({ ...event, resources: [m.value] }).code).toBe(VerdictCode.UNDECLARED_RESOURCE);
      } else if (m.kind === 'environment') {
        expect(e.evaluate({ ...event, environment: m.value }).code).toBe(VerdictCode.OTHER_ENVIRONMENT);
      } else {
        // From Wednesday 16:00 UTC (17:00 Berlin) on, until the DST change: closed unless it lands in another weekday's slot.
        const time = Date.parse('2026-03-25T08:00:00Z') + m.value * 60_000;
        const local = new Date(time + 3600_000); // Berlin is UTC+1 in that week
        const open = local.getUTCDay() >= 1 && local.getUTCDay() <= 5 && local.getUTCHours() >= 9 && local.getUTCHours() < 17;
        const code = e.evaluate({ ...event, time }).code;
        if (tool.window && !open) expect(code).toBe(VerdictCode.OUTSIDE_WINDOW);
        else expect(code).toBe(VerdictCode.EXPECTED);
      }
    }), { numRuns: 1000 });
  });
});

describe('ActivityPlaybook', () => {
  test('JSON round trip; bad documents are refused with a clear error', () => {
    expect(ActivityPlaybook.fromJson(playbook().toJson()).document).toEqual(PLAYBOOK_DOC);
    expect(() => ActivityPlaybook.fromJson('{')).toThrow(/AG_ACTIVITY_PLAYBOOK.*not JSON/);
    expect(() => ActivityPlaybook.fromJson({ version: 1, agents: [{ agent: 'a', environment: 'p', tools: [{ name: 't' }] }] })).toThrow(/AG_ACTIVITY_PLAYBOOK.*schema/);
  });

  test('a window with an unknown time zone is refused when the evaluator is built', () => {
    const doc = JSON.parse(playbook().toJson());
    doc.agents[0].tools[1].window.timeZone = 'Mars/Olympus';
    expect(() => new ActivityEvaluator(ActivityPlaybook.fromJson(doc))).toThrow(/AG_WINDOW_TIME_ZONE/);
  });

  test('the resource a service returns is compared with GCP/Azure child semantics, never a parent', () => {
    const e = new ActivityEvaluator(playbook());
    const gcp = (resource: string) => e.evaluate({ cloud: 'gcp', identity: 'deploy-operator-read-logs@acme-prod.iam.gserviceaccount.com', action: 'storage.objects.get', resources: [resource], time: IN_WINDOW, outcome: 'allowed' }).code;
    expect(gcp('projects/_/buckets/acme-prod-logs/objects/a')).toBe(VerdictCode.EXPECTED);
    expect(gcp('projects/_/buckets/acme-prod-logs-copy/objects/a')).toBe(VerdictCode.UNDECLARED_RESOURCE);
    expect(gcp('projects/_')).toBe(VerdictCode.UNDECLARED_RESOURCE);
    expect(SERVICE).toContain(ACCOUNT);
  });
});
