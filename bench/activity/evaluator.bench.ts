/**
 * Activity evaluator throughput: events per second on one core, for a realistic mix (most events
 * expected; undeclared actions and resources, windows, other environments, unknown identities,
 * approvals and access-denied probing mixed in). Reported next to a trivial loop over the same
 * events (one Map lookup and one string compare each), measured in the same run, so the ratio
 * stays meaningful on a busy shared machine. Goal: ≥ 50,000 events/s.
 *
 *   node -r ts-node/register bench/activity/evaluator.bench.ts [events]
 */
import * as fs from 'fs';
import * as path from 'path';
import { ActivityEvaluator, ActivityEvent, ActivityPlaybook, ActivityPlaybookDocument } from '../../lib/activity';

const EVENTS = Number(process.argv[2] ?? 500_000);
const ACCOUNT = '111111111111';
const START = Date.parse('2026-03-25T08:00:00Z');

/** 20 agents × 8 tools, each tool with 6 actions and 4 resources (2 of them patterns), half of them windowed. */
function playbookDoc(): ActivityPlaybookDocument {
  const agents = [];
  for (let a = 0; a < 20; a++) {
    const tools = [];
    for (let t = 0; t < 8; t++) {
      tools.push({
        name: `tool-${t}`, cloud: 'aws' as const, identities: [`agent-${a}-tool-${t}`], accessLevel: t === 7 ? 'destructive' : 'write', requiresApproval: t === 7,
        actions: [0, 1, 2, 3, 4, 5].map((i) => `svc${t}:Action${i}`),
        resources: [`arn:aws:s3:::agent-${a}-bucket-${t}/*`, `arn:aws:s3:::agent-${a}-bucket-${t}`, `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/a${a}t${t}`, `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/prod/*`],
        dataSources: [],
        ...(t % 2 === 0 ? { window: { timeZone: 'Europe/Berlin', slots: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }] } } : {}),
      });
    }
    agents.push({ agent: `agent-${a}`, environment: 'prod', placement: { aws: { account: ACCOUNT } }, tools });
  }
  return { version: 1, agents };
}

function events(n: number): ActivityEvent[] {
  const out: ActivityEvent[] = [];
  for (let i = 0; i < n; i++) {
    const a = i % 20;
    const t = (i >> 3) % 8;
    const kind = i % 50;
    const resource = i % 3 === 0 ? `arn:aws:s3:::agent-${a}-bucket-${t}/logs/2026/03/25/part-${i % 1000}.gz` : i % 3 === 1 ? `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/a${a}t${t}` : `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/prod/${i.toString(16)}`;
    out.push({
      cloud: 'aws',
      agent: kind === 1 ? 'intruder' : `agent-${a}`,
      tool: `tool-${t}`,
      lineage: `run-${i % 5000}`,
      identity: `arn:aws:sts::${ACCOUNT}:assumed-role/agent-${a}-tool-${t}/agent-${a}.tool-${t}.run-${i % 5000}`,
      action: kind === 2 ? `svc${t}:DeleteEverything` : `svc${t}:Action${i % 6}`,
      resources: kind === 3 ? ['arn:aws:s3:::someone-elses-bucket/x'] : [resource],
      location: { account: kind === 4 ? '222222222222' : ACCOUNT, region: 'eu-west-1' },
      time: START + i * 2000, // one event every 2 s of log time: the run spans days, windows open and close
      outcome: kind === 5 ? 'denied' : 'allowed',
    });
  }
  return out;
}

function timeIt(fn: () => number): { ms: number; sink: number } {
  const t0 = process.hrtime.bigint();
  const sink = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, sink };
}

function main(): void {
  const playbook = ActivityPlaybook.fromJson(playbookDoc());
  const input = events(EVENTS);
  const codes = new Map<string, number>();
  // Warm-up (JIT), then three measured rounds each; the best round is reported.
  const evaluatorRound = () => timeIt(() => {
    const e = new ActivityEvaluator(playbook);
    let n = 0;
    for (const ev of input) if (e.evaluate(ev).code === 'expected') n++;
    return n;
  });
  const known = new Map(playbook.agents.map((a) => [a.agent, a]));
  const trivialRound = () => timeIt(() => {
    let n = 0;
    for (const ev of input) if (known.get(ev.agent ?? '') !== undefined && ev.action !== '') n++;
    return n;
  });
  evaluatorRound();
  trivialRound();
  const evalMs = Math.min(...[0, 1, 2].map(() => evaluatorRound().ms));
  const trivialMs = Math.min(...[0, 1, 2].map(() => trivialRound().ms));
  const e = new ActivityEvaluator(playbook);
  for (const ev of input) {
    const code = e.evaluate(ev).code;
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }

  const perSecond = Math.round((EVENTS / evalMs) * 1000);
  const result = {
    benchmark: 'activity-evaluator',
    events: EVENTS,
    evaluatorMs: Math.round(evalMs),
    eventsPerSecond: perSecond,
    trivialLoopMs: Math.round(trivialMs * 10) / 10,
    trivialEventsPerSecond: Math.round((EVENTS / trivialMs) * 1000),
    ratioToTrivialLoop: Math.round((evalMs / trivialMs) * 10) / 10,
    goalEventsPerSecond: 50_000,
    meetsGoal: perSecond >= 50_000,
    verdictMix: Object.fromEntries([...codes].sort()),
    node: process.version,
  };
  fs.mkdirSync(path.join(__dirname, '..', 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, '..', 'results', 'activity-evaluator.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();
