import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliIo, main } from '../../../lib/cli/main';
import { ALL_RULES } from '../../../lib/rules';

interface Run { code: number; stdout: string; stderr: string }
async function run(argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } }, env: {} };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
const ROOT = path.join(__dirname, '..', '..', '..');

describe('agent-guardrails rules and explain', () => {
  test('rules lists every rule; --format md is RULES.md; --format json carries help links', async () => {
    const text = await run(['rules']);
    expect(text.code).toBe(0);
    for (const r of ALL_RULES) expect(text.stdout).toMatch(new RegExp(`^${r.id} `, 'm'));
    expect((await run(['rules', '--format', 'md'])).stdout).toBe(fs.readFileSync(path.join(ROOT, 'RULES.md'), 'utf8'));
    const json = JSON.parse((await run(['rules', '--format', 'json'])).stdout);
    expect(json.map((r: { id: string }) => r.id).sort()).toEqual(ALL_RULES.map((r) => r.id).sort());
    expect(json.find((r: { id: string }) => r.id === 'AWS-001')).toMatchObject({ hard: true, helpUri: expect.stringMatching(/RULES\.md#aws-001$/) });
  });

  test('explain gives the explanation, the fix and the prior-art ids; a finding id works too', async () => {
    const rule = ALL_RULES.find((r) => r.controls.length > 0)!;
    const r = await run(['explain', `AgentGuardrailsChecks::${rule.id}[some:detail]`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(rule.explanation.trim());
    expect(r.stdout).toContain(`Fix: ${rule.fix.trim()}`);
    expect(r.stdout).toContain(rule.controls[0]);
    expect(r.stdout).not.toMatch(/\.\./);
  });

  test('explain of an unknown rule is exit 2 with one line', async () => {
    const r = await run(['explain', 'AWS-999']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/AWS-999.*agent-guardrails rules/)]);
  });

  test('check --help mentions cdktf.out', async () => {
    const r = await run(['check', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cdktf.out');
  });
});

describe('check --output that cannot be written', () => {
  let dir: string;
  let template: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-output-'));
    template = path.join(ROOT, 'test', 'fixtures', 'cfn', 'least-privilege.json');
    fs.writeFileSync(path.join(dir, 'a-file'), '');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['below a file', () => path.join(dir, 'a-file', 'sub', 'report.json'), /a part of the path is a file/],
    ['a folder', () => dir, /it is a folder/],
    ['under /proc, where recursive mkdir never returns', () => '/proc/1/no-such/report.json', /cannot be written/],
  ])('%s: one line, exit 2', async (_what, output, why) => {
    const r = await run(['check', template, '--output', output()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^agent-guardrails: .*--output cannot be written/)]);
    expect(r.stderr).toMatch(why);
  });

  test('missing folders are created', async () => {
    const file = path.join(dir, 'new', 'deeper', 'report.json');
    const r = await run(['check', template, '--format', 'json', '--output', file]);
    expect(r.code).toBeLessThan(2);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).summary).toBeDefined();
  });
});
