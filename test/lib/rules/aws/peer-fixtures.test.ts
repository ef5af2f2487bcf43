import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkPaths } from '../../../../lib/cli/check';

/**
 * Peers' fixtures (test/fixtures/cfn-peer/): the cases cfn_nag, Checkov, cdk-nag and
 * Cloudsplaining/Parliament test their IAM and resource-policy rules on, each as our own minimal
 * template, with the verdict RULES-SPEC implies. A true over-broad case must be reported as an
 * error by one of its listed rules on its resource; a compliant one (`errors: []`) must raise no
 * error at all. Where the peer's verdict differs (shape findings such as IAM5), the case notes why.
 */

interface PeerCase {
  readonly name: string;
  readonly peerRule: string;
  readonly peerVerdict: 'fail' | 'warn' | 'pass';
  readonly errors: readonly string[];
  readonly on?: string;
  readonly note?: string;
  readonly resources: Record<string, unknown>;
}

const DIR = path.join(__dirname, '../../../fixtures/cfn-peer');
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-peer-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(FILES)('%s', (file) => {
  const cases = (JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as { cases: PeerCase[] }).cases;

  test('every case that passes where the peer fails says why', () => {
    expect(cases.filter((c) => c.errors.length === 0 && c.peerVerdict === 'fail' && !c.note && !/IAM5|IAM4/.test(c.peerRule)).map((c) => c.name)).toEqual([]);
  });

  test.each(cases.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
    const template = path.join(tmp, `${path.basename(file, '.json')}-${i}.json`);
    fs.writeFileSync(template, JSON.stringify({ Resources: c.resources }));
    const errors = checkPaths([template]).findings.filter((f) => f.severity === 'error');
    const seen = errors.map((f) => `${f.id}@${f.resource}`);
    if (c.errors.length === 0) {
      expect(seen).toEqual([]);
    } else {
      const hit = errors.some((f) => c.errors.includes(f.ruleId) && f.resource === (c.on ?? 'R'));
      if (!hit) throw new Error(`expected ${c.errors.join(' or ')} on ${c.on ?? 'R'}; errors: ${seen.join(', ') || 'none'}`);
    }
  });
});
