import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Baseline } from '../../../lib/baseline/baseline';
import { GuardrailError } from '../../../lib/errors';
import { AccessLevel, AgentTier } from '../../../lib/model';

const codeOf = (fn: () => unknown): string => {
  try { fn(); } catch (e) { if (GuardrailError.isGuardrailError(e)) return e.code; throw e; }
  throw new Error('nothing thrown');
};

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-h1-bl-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, doc: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
};

describe('Baseline.default()', () => {
  const b = Baseline.default();
  test('1 h sessions, 15 min broker sessions, boundary required, tier ceilings, approval for destructive tools', () => {
    expect([b.maxSessionSeconds, b.brokerSessionSeconds, b.boundaryRequired]).toEqual([3600, 900, true]);
    expect(b.tierCeiling(AgentTier.OBSERVER).accessLevels).toEqual([AccessLevel.READ]);
    expect(b.tierCeiling(AgentTier.ADVISOR)).toEqual({ accessLevels: [AccessLevel.READ, AccessLevel.WRITE], writesMustBeProposals: true, requireWindowFor: [] });
    expect(b.tierCeiling(AgentTier.OPERATOR).accessLevels).toEqual([AccessLevel.READ, AccessLevel.WRITE, AccessLevel.DESTRUCTIVE]);
    expect(b.approvalRequiredFor(AccessLevel.DESTRUCTIVE)).toBe(true);
    expect(b.approvalRequiredFor(AccessLevel.WRITE)).toBe(false);
    expect(b.quota('aws.managedPolicyChars')).toBe(6144);
    expect(b.lineage).toEqual(['agent-guardrails/default']);
  });

  test('a missing quota is a clear error', () => {
    expect(codeOf(() => b.quota('aws.nope'))).toBe('AG_BASELINE_NO_QUOTA');
  });
});

describe('Baseline: loading and validation', () => {
  test('a file that extends the default by path', () => {
    const file = write('team.json', { id: 'team', version: '1.0.0', extends: 'agent-guardrails', session: { maxSessionSeconds: 1800 } });
    const b = Baseline.fromFile(file);
    expect(b.maxSessionSeconds).toBe(1800);
    expect(b.brokerSessionSeconds).toBe(900);
    expect(b.lineage).toEqual(['agent-guardrails/default', 'team']);
  });

  test('relative extends chains resolve from the file', () => {
    write('org.json', { id: 'org', version: '1.0.0', extends: 'agent-guardrails', forbidden: { aws: { actions: ['s3:DeleteBucket'] } } });
    const team = write('team.json', { id: 'team', version: '2.1.0', extends: './org.json', forbidden: { aws: { actions: ['ec2:TerminateInstances'] } } });
    const b = Baseline.fromFile(team);
    expect(b.forbiddenAwsActions).toEqual(['ec2:TerminateInstances', 's3:DeleteBucket']);
    expect(b.lineage).toEqual(['agent-guardrails/default', 'org', 'team']);
    expect(b.version).toBe('2.1.0');
  });

  test.each([
    ['AG_BASELINE_INVALID', 'an unknown key', { id: 'x', version: '1.0.0', sesion: {} }],
    ['AG_BASELINE_INVALID', 'a bad version', { id: 'x', version: 'v1' }],
    ['AG_BASELINE_INVALID', 'a session too short', { id: 'x', version: '1.0.0', session: { maxSessionSeconds: 60 } }],
    ['AG_BASELINE_INVALID', 'a missing id', { version: '1.0.0' }],
  ])('%s: %s', (code, _what, doc) => {
    expect(codeOf(() => Baseline.fromObject(doc))).toBe(code);
  });

  test('unreadable JSON, a missing file, an extends cycle and an unresolvable extends', () => {
    expect(codeOf(() => Baseline.fromFile(write('bad.json', '{ nope')))).toBe('AG_BASELINE_UNREADABLE');
    expect(codeOf(() => Baseline.fromFile(path.join(dir, 'missing.json')))).toBe('AG_BASELINE_UNREADABLE');
    write('a.json', { id: 'a', version: '1.0.0', extends: './b.json' });
    write('b.json', { id: 'b', version: '1.0.0', extends: './a.json' });
    expect(codeOf(() => Baseline.fromFile(path.join(dir, 'a.json')))).toBe('AG_BASELINE_CYCLE');
    expect(codeOf(() => Baseline.fromObject({ id: 'x', version: '1.0.0', extends: 'no-such-package-xyz/baseline.json' }, dir))).toBe('AG_BASELINE_EXTENDS');
  });
});

describe('Baseline: merging only tightens', () => {
  const child = (extra: object) => Baseline.fromObject({ id: 'team', version: '1.0.0', extends: 'agent-guardrails', ...extra });

  test.each([
    ['a longer session', { session: { maxSessionSeconds: 7200 } }, 'session.maxSessionSeconds'],
    ['no boundary', { boundary: { required: false } }, 'boundary.required'],
    ['a wider observer tier', { tiers: { observer: { accessLevels: ['read', 'write'] } } }, 'tiers.observer.accessLevels'],
    ['advisor writes beyond proposals', { tiers: { advisor: { accessLevels: ['read', 'write'], writesMustBeProposals: false } } }, 'tiers.advisor.writesMustBeProposals'],
    ['no approval for destructive tools', { approval: { requiredFor: [] } }, 'approval.requiredFor'],
    ['a softer hard rule', { rules: { 'AWS-001': { hard: false } } }, 'rules.AWS-001.hard'],
  ])('refuses %s without a stated loosening', (_what, extra, pathName) => {
    expect(() => child(extra)).toThrow(new RegExp(`\\[AG_BASELINE_LOOSENS\\] baseline team ${pathName.replace(/\./g, '\\.')} loosens its parent agent-guardrails/default`));
  });

  test('unresolved references: each cloud family has its own switch, and a child cannot soften a parent\'s error', () => {
    const parent = write('security.json', { id: 'security', version: '1.0.0', aws: { unresolvedReferences: 'error' }, terraform: { unresolvedReferences: 'error' } });
    const strict = Baseline.fromObject({ id: 'team', version: '1.0.0', extends: parent }, dir);
    expect(['aws', 'gcp', 'azure'].map((c) => strict.unresolvedReferenceSeverity(c as 'aws' | 'gcp' | 'azure'))).toEqual(['error', 'error', 'error']);
    const awsOnly = Baseline.fromObject({ id: 'team', version: '1.0.0', aws: { unresolvedReferences: 'error' } });
    expect(['aws', 'gcp', 'azure'].map((c) => awsOnly.unresolvedReferenceSeverity(c as 'aws' | 'gcp' | 'azure'))).toEqual(['error', 'warning', 'warning']);
    expect(() => Baseline.fromObject({ id: 'team', version: '1.0.0', extends: parent, terraform: { unresolvedReferences: 'warning' } }, dir))
      .toThrow(/\[AG_BASELINE_LOOSENS\] baseline team terraform\.unresolvedReferences loosens its parent security/);
  });

  test('a stated loosening applies and is reported with its reason', () => {
    const b = child({ session: { maxSessionSeconds: 7200 }, loosenings: [{ path: 'session.maxSessionSeconds', reason: 'batch jobs; approved by SEC-42' }] });
    expect(b.maxSessionSeconds).toBe(7200);
    expect(b.loosenings).toEqual([{ path: 'session.maxSessionSeconds', reason: 'batch jobs; approved by SEC-42', baseline: 'team', from: 3600, to: 7200 }]);
  });

  test('a loosening that loosens nothing is an error', () => {
    expect(codeOf(() => child({ loosenings: [{ path: 'session.maxSessionSeconds', reason: 'no longer needed, kept by mistake' }] }))).toBe('AG_BASELINE_UNUSED_LOOSENING');
  });

  test('tightening needs no statement: minimum sessions, intersected tiers, unioned lists, stricter severities', () => {
    const b = child({
      session: { maxSessionSeconds: 1800 },
      tiers: { operator: { accessLevels: ['read', 'write'] } },
      approval: { requiredFor: ['destructive', 'write'] },
      rules: { 'AGENT-001': { severity: 'error' } },
      quotas: { 'aws.managedPolicyChars': 5000 },
    });
    expect(b.maxSessionSeconds).toBe(1800);
    expect(b.tierCeiling(AgentTier.OPERATOR).accessLevels).toEqual([AccessLevel.READ, AccessLevel.WRITE]);
    expect(b.approvalRequiredFor(AccessLevel.WRITE)).toBe(true);
    expect(b.approvalRequiredFor(AccessLevel.DESTRUCTIVE)).toBe(true);
    expect(b.severityOf('AGENT-001', 'warning')).toBe('error');
    expect(b.isHard('AWS-001')).toBe(true);
    // Quotas are platform limits, replaced rather than merged.
    expect(b.quota('aws.managedPolicyChars')).toBe(5000);
  });

  test('a tier the baseline omits allows read tools only (fail closed)', () => {
    const b = Baseline.fromObject({ id: 'bare', version: '1.0.0' });
    expect(b.tierCeiling(AgentTier.OPERATOR).accessLevels).toEqual([AccessLevel.READ]);
  });
});
