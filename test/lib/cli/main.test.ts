import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib/core';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CliIo, main } from '../../../lib/cli/main';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Synthesize a one-role app; `acknowledge` adds acknowledgements on the role. */
function synth(name: string, acknowledge: (role: Role, stack: Stack) => void = () => undefined): string {
  const outdir = path.join(dir, name);
  const app = new App({ outdir });
  const stack = new Stack(app, 'AgentStack');
  const role = new Role(stack, 'ReadLogs', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }); // ROLE_LINE
  role.addToPolicy(new PolicyStatement({ actions: ['logs:GetLogEvents'], resources: ['arn:aws:logs:eu-west-1:111122223333:log-group:/app:*'] }));
  acknowledge(role, stack);
  app.synth();
  return outdir;
}

/** The line above that creates the role: findings point at it. */
const ROLE_LINE = fs.readFileSync(__filename, 'utf8').split('\n').findIndex((l) => l.endsWith('// ROLE_LINE')) + 1;

interface Run { code: number; stdout: string; stderr: string }
async function run(argv: string[], options: { tty?: boolean; env?: Record<string, string> } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => { stdout += s; }, isTTY: options.tty ?? false },
    stderr: { write: (s: string) => { stderr += s; } },
    env: options.env ?? {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('agent-guardrails check: exit codes', () => {
  test('0 when no finding reaches --fail-on', async () => {
    const out = synth('clean', (role) => Validations.of(role).acknowledge({ id: 'AgentGuardrailsChecks::AWS-002[logs:Get*]', reason: 'reviewed' }));
    const r = await run(['check', out]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/PASS/);
  });

  test('1 when one does (an acknowledgement without a reason)', async () => {
    const out = synth('no-reason', (role) => Validations.of(role).acknowledge({ id: 'AgentGuardrailsChecks::AWS-002[logs:Get*]', reason: '' }));
    const r = await run(['check', out, '--format', 'json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    // The acknowledged id matches no finding (the role grants no wildcard): a stale acknowledgement, a warning.
    expect(json.findings.filter((f: { severity: string }) => f.severity === 'warning').map((f: { id: string }) => f.id)).toEqual(['AGENT-007[unmatched:AWS-002[logs:Get*]]']);
    expect(json.findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([expect.objectContaining({
      ruleId: 'AGENT-007', severity: 'error', cloud: 'aws', resource: expect.stringMatching(/^ReadLogs/), file: expect.stringMatching(/AgentStack\.template\.json$/),
      message: expect.stringMatching(/no reason/), fix: expect.any(String), path: 'AgentStack/ReadLogs/Resource',
    })]);
    expect(json.summary).toMatchObject({ result: 'fail', errors: 1, failOn: 'error', stacks: ['AgentStack'] });
  });

  test('--fail-on warning turns warnings into a failure', async () => {
    // A plain id that names one of our rules acknowledges nothing: AGENT-007 warns.
    const out = synth('plain-id', (role) => Validations.of(role).acknowledge({ id: 'AWS-002[logs:Get*]', reason: 'why' }));
    expect((await run(['check', out])).code).toBe(0);
    expect((await run(['check', out, '--fail-on', 'warning'])).code).toBe(1);
  });

  test.each([
    ['a missing path', ['check', '/does/not/exist'], /AG_INPUT_INVALID.*does not exist/],
    ['no path', ['check'], /missing required argument/],
    ['an unknown format', ['check', '.', '--format', 'xml'], /Allowed choices are text, json, sarif/],
    ['an unknown fail-on', ['check', '.', '--fail-on', 'info'], /Allowed choices are error, warning/],
    ['an unknown command', ['scan', '.'], /unknown command/],
  ])('2 for %s, with one line on stderr and no stack trace', async (_name, argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('2 for an unreadable template and a bad baseline', async () => {
    const broken = path.join(dir, 'broken.template.json');
    fs.writeFileSync(broken, '{ "Resources": ');
    const badBaseline = path.join(dir, 'baseline.json');
    fs.writeFileSync(badBaseline, JSON.stringify({ id: 'x', version: '1', tiers: { observer: { accessLevels: ['all'] } }, typo: true }));
    const out = synth('for-baseline');
    for (const [argv, message] of [
      [['check', broken], /AG_INPUT_INVALID/],
      [['check', out, '--baseline', badBaseline], /AG_BASELINE_INVALID/],
      [['check', out, '--baseline', path.join(dir, 'nope.json')], /AG_BASELINE_UNREADABLE/],
    ] as const) {
      const r = await run([...argv]);
      expect([r.code, r.stderr.trim().split('\n')]).toEqual([2, [expect.stringMatching(message)]]);
    }
  });

  test('--help and --version exit 0', async () => {
    expect((await run(['--version'])).code).toBe(0);
    expect((await run(['check', '--help'])).stdout).toMatch(/--fail-on/);
  });
});

describe('agent-guardrails check: formats and output', () => {
  let out: string;
  beforeAll(() => {
    out = synth('formats', (role, stack) => {
      Validations.of(role).acknowledge({ id: 'AgentGuardrailsChecks::AWS-002[logs:Get*]', reason: '' });
      Validations.of(stack).acknowledge({ id: 'AgentGuardrailsChecks::AWS-003', reason: 'all of it' });
    });
  });

  test('text is the summary, then findings by rule; coloured only on a TTY without NO_COLOR', async () => {
    const plain = await run(['check', out]);
    expect(plain.stdout).toMatch(/^agent-guardrails check: FAIL[^\n]*\nbaseline [^\n]*\nby rule: [^\n]*\n\nAGENT-007  [^\n]*\n {2}error/);
    expect(plain.stdout).not.toMatch(/\u001b\[/);
    expect((await run(['check', out], { tty: true })).stdout).toMatch(/\u001b\[31m/);
    expect((await run(['check', out], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(/\u001b\[/);
  });

  test('sarif is a SARIF 2.1.0 log with repo-relative locations: the line that made the role, then its template', async () => {
    const r = await run(['check', out, '--format', 'sarif']);
    const log = JSON.parse(r.stdout);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results.map((x: { ruleId: string; level: string }) => `${x.ruleId} ${x.level}`).sort())
      .toEqual(['AGENT-007 error', 'AGENT-007 error', 'AGENT-007 warning', 'AGENT-007 warning']);
    const result = log.runs[0].results.find((x: { properties: { constructPath: string } }) => x.properties.constructPath === 'AgentStack/ReadLogs/Resource');
    expect(result.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'test/lib/cli/main.test.ts', uriBaseId: 'SRCROOT' },
      region: { startLine: ROLE_LINE, startColumn: expect.any(Number) },
    });
    const template: string = result.relatedLocations[0].physicalLocation.artifactLocation.uri;
    expect(path.isAbsolute(template)).toBe(false);
    expect(template).toMatch(/AgentStack\.template\.json$/);
  });

  test('--base-path sets the folder URIs are relative to; one that does not exist is exit 2', async () => {
    const log = JSON.parse((await run(['check', out, '--format', 'sarif', '--base-path', path.join(__dirname, '..')])).stdout);
    for (const result of log.runs[0].results) expect(result.locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'cli/main.test.ts', uriBaseId: 'SRCROOT' });
    expect(log.runs[0].originalUriBaseIds.SRCROOT.uri).toBe(`file://${path.join(__dirname, '..')}/`);
    const bad = await run(['check', out, '--format', 'sarif', '--base-path', path.join(dir, 'nowhere')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^agent-guardrails: .*--base-path must be an existing folder/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('text shows each finding\'s construct path and source line', async () => {
    const text = (await run(['check', out])).stdout;
    expect(text).toContain('construct: AgentStack/ReadLogs/Resource');
    expect(text).toContain(`source: test/lib/cli/main.test.ts:${ROLE_LINE}:`);
  });

  test('--output writes the report to a file and the summary to stdout', async () => {
    const file = path.join(dir, 'reports', 'check.json');
    const r = await run(['check', out, '--format', 'json', '--output', file]);
    expect(r.code).toBe(1);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).findings).toHaveLength(4);
    expect(r.stdout).toMatch(/^agent-guardrails check: FAIL/);
  });
});

describe('bin/agent-guardrails.js', () => {
  test('runs from the sources and returns the exit code', () => {
    const out = synth('bin', (role) => Validations.of(role).acknowledge({ id: 'AgentGuardrailsChecks::AWS-002[logs:Get*]', reason: '' }));
    const bin = path.join(__dirname, '..', '..', '..', 'bin', 'agent-guardrails.js');
    const r = spawnSync(process.execPath, [bin, 'check', out, '--format', 'json'], { encoding: 'utf8', env: { ...process.env, AGENT_GUARDRAILS_FROM_SOURCE: '1' } });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).summary.errors).toBe(1);
    const bad = spawnSync(process.execPath, [bin, 'check', path.join(dir, 'missing')], { encoding: 'utf8', env: { ...process.env, AGENT_GUARDRAILS_FROM_SOURCE: '1' } });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
