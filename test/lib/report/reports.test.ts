import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Baseline } from '../../../lib/baseline/baseline';
import { Acknowledgement } from '../../../lib/inventory/inventory';
import { buildCheckReport, isAcknowledgeable } from '../../../lib/report/check-report';
import { renderJson } from '../../../lib/report/json-report';
import { buildSarif } from '../../../lib/report/sarif-report';
import { renderText } from '../../../lib/report/text-report';
import { TemplateLines } from '../../../lib/report/template-lines';
import { AGENT_007_ACKNOWLEDGEMENTS } from '../../../lib/rules/agent/acknowledgements';
import { Finding, RuleMetadata } from '../../../lib/rules/rule';

let dir: string;
let template: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-report-'));
  template = path.join(dir, 'cdk.out', 'AgentStack.template.json');
  fs.mkdirSync(path.dirname(template));
  fs.writeFileSync(template, JSON.stringify({
    Resources: {
      ReadRoleAB12: { Type: 'AWS::IAM::Role', Properties: {} },
      WriteRoleCD34: { Type: 'AWS::IAM::Role', Properties: { DependsOn: ['ReadRoleAB12'] } },
    },
  }, null, 1));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const RULE: RuleMetadata = {
  id: 'AWS-002', cloud: 'aws', severity: 'error', reason: 'No service wildcards.', explanation: 'Wildcards grant future actions.',
  fix: 'Name the actions.', controls: ['AwsSolutions-IAM5'],
};
function finding(over: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'AWS-002', detail: 's3:*', severity: 'error', cloud: 'aws', resource: 'ReadRoleAB12', stack: 'AgentStack',
    file: template, path: 'AgentStack/ReadRole/Resource', identity: 'aws:AgentStack/ReadRoleAB12',
    message: 'role grants s3:*', fix: 'Name the actions.', hard: false, ...over,
  };
}
function report(findings: Finding[], acknowledgements: Acknowledgement[] = [], failOn: 'error' | 'warning' = 'error') {
  return buildCheckReport({ findings, acknowledgements, baseline: Baseline.default(), rules: [RULE, AGENT_007_ACKNOWLEDGEMENTS], failOn, inputs: ['cdk.out'] });
}
const ACK: Acknowledgement = { id: 'AgentGuardrailsChecks::AWS-002[s3:*]', reason: 'legacy', path: 'AgentStack/ReadRole', scope: 'construct', stack: 'AgentStack' };

describe('check report', () => {
  test('an acknowledgement on the resource or an ancestor covers the finding; elsewhere it does not', () => {
    const r = report([finding(), finding({ resource: 'WriteRoleCD34', path: 'AgentStack/WriteRole/Resource' })], [ACK]);
    expect(r.findings.map((f) => f.resource)).toEqual(['WriteRoleCD34']);
    expect(r.acknowledged[0]).toMatchObject({ id: 'AWS-002[s3:*]', acknowledgedBy: { reason: 'legacy', at: 'AgentStack/ReadRole' } });
    expect(r.summary).toMatchObject({ result: 'fail', errors: 1, acknowledged: 1, stacks: ['AgentStack'] });
  });

  test('plain (not namespaced) ids and other details do not acknowledge', () => {
    const r = report([finding()], [{ ...ACK, id: 'AWS-002[s3:*]' }, { ...ACK, id: 'AgentGuardrailsChecks::AWS-002[s3:Get*]' }]);
    expect(r.acknowledged).toEqual([]);
  });

  test('hard error findings and AGENT-007 errors are never acknowledged', () => {
    expect(isAcknowledgeable({ severity: 'error', hard: true, ruleId: 'AWS-001' })).toBe(false);
    expect(isAcknowledgeable({ severity: 'error', hard: false, ruleId: 'AGENT-007' })).toBe(false);
    expect(isAcknowledgeable({ severity: 'warning', hard: false, ruleId: 'AWS-011' })).toBe(true);
    const r = report([finding({ hard: true })], [ACK]);
    expect(r.findings).toHaveLength(1);
  });

  test('fail-on warning fails on warnings; fail-on error does not', () => {
    expect(report([finding({ severity: 'warning' })]).summary.result).toBe('pass');
    expect(report([finding({ severity: 'warning' })], [], 'warning').summary.result).toBe('fail');
    expect(report([]).summary.result).toBe('pass');
  });
});

describe('JSON report', () => {
  test('keeps the contract fields exactly', () => {
    const parsed = JSON.parse(renderJson(report([finding()])));
    expect(Object.keys(parsed)).toEqual(['findings', 'acknowledged', 'summary']);
    expect(parsed.findings[0]).toMatchObject({
      ruleId: 'AWS-002', severity: 'error', cloud: 'aws', resource: 'ReadRoleAB12', file: template, message: 'role grants s3:*', fix: 'Name the actions.', id: 'AWS-002[s3:*]',
    });
    expect(parsed.summary).toMatchObject({ errors: 1, warnings: 0, result: 'fail', failOn: 'error', baseline: { id: 'agent-guardrails/default' } });
  });
});

describe('text report', () => {
  test('summary first, then findings grouped by rule with counts (rules with errors first); no colour unless asked', () => {
    const text = renderText(report([
      finding(),
      finding({ stack: 'OtherStack', identity: 'aws:OtherStack/X', resource: 'X' }),
      finding({ ruleId: 'AWS-011', detail: undefined, severity: 'warning', identity: undefined }),
    ]));
    expect(text).not.toMatch(/\u001b\[/);
    expect(text).toMatch(/^agent-guardrails check: FAIL — 2 errors, 1 warning, 0 acknowledged/);
    const order = ['by rule: AWS-002 2, AWS-011 1', 'AWS-002  2 errors — No service wildcards.', 'AWS-002[s3:*]  AgentStack/ReadRoleAB12', 'AWS-002[s3:*]  OtherStack/X',
      'AWS-011  1 warning', 'AWS-011  AgentStack/ReadRoleAB12', 'agent-guardrails check: FAIL'];
    const positions = order.map((x, i) => text.indexOf(x, i === order.length - 1 ? text.indexOf('AWS-011  AgentStack') : 0));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('readable at 2 roles: every finding in full', () => {
    const text = renderText(report([finding(), finding({ resource: 'WriteRoleCD34', identity: 'aws:AgentStack/WriteRoleCD34', severity: 'warning' })]));
    expect(text.match(/fix: /g)).toHaveLength(2);
    expect(text).not.toMatch(/more \(use --format json\)/);
  });

  test('readable at 2,000 roles: a few findings per rule in full, the rest counted by id on one line', () => {
    const many = Array.from({ length: 2000 }, (_, i) => finding({
      resource: `Role${i}`, identity: `aws:AgentStack/Role${i}`, detail: i % 3 === 0 ? 'dynamodb:*' : 's3:*',
      ...(i % 2 === 0 ? {} : { ruleId: 'AWS-008', severity: 'warning' as const }),
    }));
    const text = renderText(report(many));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^agent-guardrails check: FAIL — 1,000 errors, 1,000 warnings/);
    expect(lines.length).toBeLessThan(150);
    expect(text).toContain('AWS-002  1,000 errors');
    expect(text).toContain('AWS-008  1,000 warnings');
    expect(text).toMatch(/… 990 more \(use --format json\): AWS-002\[s3:\*\] ×\d+, AWS-002\[dynamodb:\*\] ×\d+/);
    expect(text.match(/more \(use --format json\)/g)).toHaveLength(2);
    expect(renderText(report(many), { maxPerRule: 3 }).split('\n').length).toBeLessThan(lines.length);
  });

  test('colour when asked, and loosenings shown', () => {
    const loosened = Baseline.fromObject({
      id: 'team', version: '1.0.0', extends: 'agent-guardrails', session: { maxSessionSeconds: 7200 },
      loosenings: [{ path: 'session.maxSessionSeconds', reason: 'batch jobs' }],
    });
    const r = buildCheckReport({ findings: [finding()], baseline: loosened, rules: [RULE] });
    const text = renderText(r, { color: true });
    expect(text).toMatch(/\u001b\[31merror/);
    expect(text).toMatch(/loosened by team: session.maxSessionSeconds 3600 -> 7200 \(batch jobs\)/);
    expect(JSON.parse(renderJson(r)).summary.baseline.loosenings).toHaveLength(1);
  });
});

describe('SARIF report', () => {
  test('is SARIF 2.1.0 with rules, help, tags, levels, repo-relative locations at the resource line, fingerprints', () => {
    const log = buildSarif(report([finding({ resource: 'WriteRoleCD34' })], []), { repoRoot: dir, toolVersion: '1.2.3' });
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('agent-guardrails');
    const rule = run.tool.driver.rules!.find((r) => r.id === 'AWS-002')!;
    expect(rule.shortDescription?.text).toBe('No service wildcards.');
    expect(rule.fullDescription?.text).toBe('Wildcards grant future actions.');
    expect(rule.help?.text).toMatch(/Fix: Name the actions/);
    expect(rule.help?.markdown).toMatch(/\*\*Fix:\*\*/);
    expect(rule.properties?.tags).toEqual(expect.arrayContaining(['security', 'aws']));
    expect(rule.defaultConfiguration?.level).toBe('error');
    const result = run.results![0];
    expect(result).toMatchObject({ ruleId: 'AWS-002', level: 'error' });
    expect(run.tool.driver.rules![result.ruleIndex!].id).toBe('AWS-002');
    expect(result.message.text).toMatch(/role grants s3:\*/);
    const physical = result.locations![0].physicalLocation!;
    expect(physical.artifactLocation!.uri).toBe('cdk.out/AgentStack.template.json');
    const lines = fs.readFileSync(template, 'utf8').split('\n');
    expect(lines[physical.region!.startLine! - 1]).toMatch(/"WriteRoleCD34":/);
    expect(Object.values(result.partialFingerprints!)[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(run.properties?.baseline).toMatchObject({ id: 'agent-guardrails/default', loosenings: [] });
  });

  test('acknowledged findings are results with an accepted suppression and the reason', () => {
    const log = buildSarif(report([finding()], [ACK]), { repoRoot: dir });
    expect(log.runs[0].results![0].suppressions).toEqual([expect.objectContaining({ kind: 'external', status: 'accepted', justification: expect.stringMatching(/legacy/) })]);
  });

  test('every result has a physical location when a default file is given', () => {
    const log = buildSarif(report([finding({ file: undefined, resource: '(engine)', ruleId: 'AWS-099' })]), { repoRoot: dir, defaultFile: template });
    expect(log.runs[0].results![0].locations![0].physicalLocation!.region!.startLine).toBe(1);
    expect(log.runs[0].tool.driver.rules!.map((r) => r.id)).toContain('AWS-099');
  });
});

describe('template lines', () => {
  test('finds CloudFormation YAML resources and Terraform addresses', () => {
    const yaml = path.join(dir, 't.yaml');
    fs.writeFileSync(yaml, 'Outputs:\n  RoleX:\n    Value: 1\nResources:\n  RoleX:\n    Type: AWS::IAM::Role\n');
    const tf = path.join(dir, 'cdk.tf.json');
    fs.writeFileSync(tf, JSON.stringify({ resource: { google_service_account: { tool_sa: {} } } }, null, 2));
    const lines = new TemplateLines();
    expect(lines.lineOf(yaml, 'RoleX')).toBe(5);
    expect(lines.lineOf(tf, 'google_service_account.tool_sa')).toBe(4);
    expect(lines.lineOf(path.join(dir, 'missing.json'), 'X')).toBe(1);
  });

  test('quoted, bare and unusual keys: the first definition after Resources, as a scan finds it', () => {
    const yaml = path.join(dir, 'keys.yaml');
    fs.writeFileSync(yaml, [
      'Resources:', "  'Quoted' : 1", '  "Double":', '  Bare   :', '  "Not"Bare:', '  with space: 1', '  a:b: 1', '  Bare: again',
    ].join('\n'));
    const lines = new TemplateLines();
    expect(lines.lineOf(yaml, 'Quoted')).toBe(2);
    expect(lines.lineOf(yaml, 'Double')).toBe(3);
    expect(lines.lineOf(yaml, 'Bare')).toBe(4);
    expect(lines.lineOf(yaml, 'Not')).toBe(1);
    expect(lines.lineOf(yaml, 'with space')).toBe(6);
    expect(lines.lineOf(yaml, 'a:b')).toBe(7);
    expect(lines.lineOf(yaml, 'Missing')).toBe(1);
  });

  test('many resources in one file: each at its own line', () => {
    const big = path.join(dir, 'big.yaml');
    const n = 2_000;
    fs.writeFileSync(big, ['Resources:', ...Array.from({ length: n }, (_, i) => `  R${i}:\n    Type: AWS::IAM::Role`)].join('\n'));
    const lines = new TemplateLines();
    const wrong = Array.from({ length: n }, (_, i) => i).filter((i) => lines.lineOf(big, `R${i}`) !== 2 + 2 * i);
    expect(wrong).toEqual([]);
  });
});
