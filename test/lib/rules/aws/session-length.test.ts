import { Baseline } from '../../../../lib/baseline/baseline';
import { SESSION_LENGTH } from '../../../../lib/rules/aws/session-length';
import { check, ids, roleTemplate } from '../../../fixtures/cfn/rule-harness';

describe('AWS-011: MaxSessionDuration within the baseline', () => {
  test('compliant: absent (AWS applies 3600), 3600, 900', () => {
    for (const props of [{}, { MaxSessionDuration: 3600 }, { MaxSessionDuration: '900' }]) {
      expect(check(SESSION_LENGTH, roleTemplate([], props))).toEqual([]);
    }
  });

  test('non-compliant: 12 hours, also through a parameter default', () => {
    const f = check(SESSION_LENGTH, roleTemplate([], { MaxSessionDuration: 43200 }));
    expect(ids(f)).toEqual(['AWS-011[MaxSessionDuration]@Role']);
    expect(f[0].message).toBe('role Role allows sessions of 43200 s; the baseline allows at most 3600 s.');
    const t = { ...roleTemplate([], { MaxSessionDuration: { Ref: 'Hours' } }), Parameters: { Hours: { Type: 'Number', Default: 7200 } } };
    expect(ids(check(SESSION_LENGTH, t))).toEqual(['AWS-011[MaxSessionDuration]@Role']);
  });

  test('a tighter baseline makes the AWS default too long', () => {
    const tight = Baseline.fromObject({ id: 'tight', version: '1.0.0', session: { maxSessionSeconds: 1800 } });
    expect(ids(check(SESSION_LENGTH, roleTemplate([]), tight))).toEqual(['AWS-011[MaxSessionDuration]@Role']);
  });
});
