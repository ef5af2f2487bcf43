import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { runCli as run } from '../../helpers/run-cli';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'activity');
const TEMPLATE = path.join(FIXTURES, 'agent-template.json');
const TRAIL = path.join(FIXTURES, 'cloudtrail-records.json');

describe('agent-guardrails drift --activity', () => {
  test('text: per agent the deviations, the granted-but-unused actions and the tools never used; exit 1 on alerting deviations', async () => {
    const out = await run(['drift', TEMPLATE, '--activity', TRAIL]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('deploy-operator (prod)');
    expect(out.stdout).toContain('ALERT undeclared-action — tool restart-service: 1 event(s)');
    expect(out.stdout).toContain('ALERT denied-burst — tool read-logs');
    expect(out.stdout).toContain('granted but unused by read-logs (aws): s3:ListBucket');
    expect(out.stdout).toContain('tools never used: rollback-deployment (aws)');
    expect(out.stdout).toContain('1 records of no agent session');
  });

  test('--fail-on trip passes when nothing trips; a destructive call without an approved decision trips', async () => {
    expect((await run(['drift', TEMPLATE, '--activity', TRAIL, '--fail-on', 'trip'])).code).toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-drift-'));
    try {
      const trail = JSON.parse(fs.readFileSync(TRAIL, 'utf8'));
      const rollback = { ...trail.Records[1], eventName: 'StopServiceDeployment', eventID: 'ct-rb',
        resources: [{ ARN: 'arn:aws:ecs:eu-west-1:111111111111:service-deployment/prod/web/abc' }],
        userIdentity: { ...trail.Records[1].userIdentity, arn: 'arn:aws:sts::111111111111:assumed-role/deploy-operator-rollback/deploy-operator.rollback-deployment.incident-9',
          sessionContext: { ...trail.Records[1].userIdentity.sessionContext, sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111111111111:role/deploy-operator-rollback' } } } };
      fs.writeFileSync(path.join(dir, 'rb.json'), JSON.stringify({ Records: [rollback] }));
      const tripped = await run(['drift', TEMPLATE, '--activity', path.join(dir, 'rb.json'), '--fail-on', 'trip', '--format', 'json']);
      expect(tripped.code).toBe(1);
      expect(JSON.parse(tripped.stdout).agents[0].deviations[0]).toMatchObject({ code: 'destructive-without-approval', severity: 'trip', tool: 'rollback-deployment' });
      // The broker's decision record with the approval for that lineage is the evidence.
      const decision = { decisionId: 'd', time: '2026-03-25T09:59:00Z', agent: 'deploy-operator', tool: 'rollback-deployment', environment: 'prod', lineageId: 'incident-9',
        decision: 'granted', reasonCode: 'GRANTED', approvalId: '0f8b3a52-8d1e-4c0e-9f55-3a1d7c9e2b10', approver: 'arn:aws:sts::333333333333:assumed-role/on-call/alice', resource: null, expiresAt: '2026-03-25T10:14:00Z', invalidFields: null };
      fs.writeFileSync(path.join(dir, 'decisions.jsonl'), `${JSON.stringify(decision)}\n`);
      expect((await run(['drift', TEMPLATE, '--activity', path.join(dir, 'rb.json'), '--decisions', path.join(dir, 'decisions.jsonl'), '--fail-on', 'trip'])).code).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('SARIF validates against the official 2.1.0 schema', async () => {
    const out = await run(['drift', TEMPLATE, '--activity', TRAIL, '--format', 'sarif']);
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')));
    const doc = JSON.parse(out.stdout);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(doc.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(expect.arrayContaining(['undeclared-action', 'outside-window', 'denied-burst']));
  });

  test('unreadable activity is exit 2 with one line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-drift-'));
    try {
      fs.writeFileSync(path.join(dir, 'bad.json'), '{"Records":[{"a":1},');
      const out = await run(['drift', TEMPLATE, '--activity', path.join(dir, 'bad.json')]);
      expect(out.code).toBe(2);
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(/AG_ACTIVITY_UNREADABLE/);
      expect((await run(['drift', TEMPLATE, '--activity', path.join(dir, 'missing.json')])).code).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('agent-guardrails drift --activity: Athena and Lake exports, and records it cannot read', () => {
  const records = (JSON.parse(fs.readFileSync(TRAIL, 'utf8')) as { Records: Record<string, unknown>[] }).Records;
  const COLUMNS = ['eventversion', 'useridentity', 'eventtime', 'eventsource', 'eventname', 'awsregion', 'requestparameters', 'resources', 'errorcode', 'eventid', 'recipientaccountid'];
  const lowerKeys = (v: unknown): unknown => Array.isArray(v) ? v.map(lowerKeys)
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toLowerCase(), lowerKeys(x)])) : v;
  /** Athena's rendering of a struct (`{type=AssumedRole, arn=...}`), as get-query-results prints a struct column not cast to JSON. */
  const hive = (v: unknown): string => Array.isArray(v) ? `[${v.map(hive).join(', ')}]`
    : v && typeof v === 'object' ? `{${Object.entries(v).map(([k, x]) => `${k.toLowerCase()}=${hive(x)}`).join(', ')}}` : String(v);
  /** `aws athena get-query-results` output (header row first) of the fixture trail; struct columns as JSON text (json_format(CAST(... AS JSON))) or as Athena renders them. */
  const athena = (structs: (i: number) => 'json' | 'hive') => ({
    ResultSet: {
      Rows: [COLUMNS, ...records.map((r, i) => {
        const lower = lowerKeys(r) as Record<string, unknown>;
        return COLUMNS.map((c) => {
          const v = lower[c];
          if (v === undefined || v === null) return undefined;
          if (typeof v !== 'object') return String(v);
          return structs(i) === 'hive' && (c === 'useridentity' || c === 'resources') ? hive(v) : JSON.stringify(v);
        });
      })].map((row) => ({ Data: row.map((v) => (v === undefined ? {} : { VarCharValue: v })) })),
      ResultSetMetadata: { ColumnInfo: COLUMNS.map((Name) => ({ Name, Type: 'varchar' })) },
    },
    UpdateCount: 0,
  });
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-drift-export-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, doc: unknown) => {
    fs.writeFileSync(path.join(dir, name), JSON.stringify(doc));
    return path.join(dir, name);
  };
  const judged = async (file: string) => {
    const out = await run(['drift', TEMPLATE, '--activity', file, '--format', 'json']);
    const report = JSON.parse(out.stdout);
    return { code: out.code, agents: report.agents, events: report.events, unreadable: report.unreadableRecords };
  };

  test('Athena get-query-results with struct columns as JSON, and a Lake QueryResultRows export, judge as the Records file does', async () => {
    const fromRecords = await judged(TRAIL);
    expect(fromRecords.events).toBeGreaterThan(5);
    expect(await judged(write('athena.json', athena(() => 'json')))).toEqual(fromRecords);
    const lake = { QueryStatus: 'FINISHED', QueryResultRows: records.map((r) => Object.entries(r).map(([k, v]) => ({ [k]: typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v) }))) };
    expect(await judged(write('lake.json', lake))).toEqual(fromRecords);
  });

  test('struct columns rendered as Athena prints them (not JSON) are never parsed: one such record fails the check, whatever --fail-on says', async () => {
    // Parsing `{type=AssumedRole, arn=...}` would let an agent write fields through its session name (`,` and `=` are allowed in it).
    const mixed = write('mixed.json', athena((i) => (i === 0 ? 'hive' : 'json')));
    const text = await run(['drift', TEMPLATE, '--activity', mixed, '--fail-on', 'trip']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('UNREADABLE 1 record(s) could not be judged');
    expect(text.stdout).toMatch(/CloudTrail userIdentity is not JSON \(\{type=AssumedRole/);
    expect((await judged(mixed)).unreadable).toBe(1);
    const sarif = JSON.parse((await run(['drift', TEMPLATE, '--activity', mixed, '--format', 'sarif'])).stdout);
    expect(sarif.runs[0].invocations[0]).toMatchObject({ executionSuccessful: false, toolExecutionNotifications: [expect.objectContaining({ level: 'error' })] });
  });

  test('a file in which no record can be read (Athena struct renderings only, or no log records at all) is exit 2 with one line', async () => {
    for (const doc of [athena(() => 'hive'), [{ foo: 1 }, { bar: 2 }]]) {
      const out = await run(['drift', TEMPLATE, '--activity', write('unreadable.json', doc)]);
      expect([out.code, out.stderr.trim().split('\n').length]).toEqual([2, 1]);
      expect(out.stderr).toMatch(/AG_ACTIVITY_UNREADABLE.*holds no record drift can read/);
    }
  });
});
