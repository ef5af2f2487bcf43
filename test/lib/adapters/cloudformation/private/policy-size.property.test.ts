import * as fc from 'fast-check';
import { policySizeChars } from '../../../../../lib/adapters/cloudformation/private/policy-document';

/** The definition the quota rule relies on (AWS counts policy size without whitespace). */
const reference = (doc: unknown) => JSON.stringify(doc ?? {}).replace(/\s/g, '').length;

describe('policySizeChars: counted while walking, equal to the stripped JSON\'s length', () => {
  test('any JSON value, with unicode, escapes, whitespace and lone surrogates in strings', () => {
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom(' a b ', '\u00a0\u2028\u3000\ufeff', '"\\\n\t\u0001', '\ud800x', 'x\udc00', '😀'));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined),
        fc.array(tie('node')), fc.dictionary(text, tie('node'))),
    })).node;
    fc.assert(fc.property(value, (doc) => policySizeChars(doc) === reference(doc)), { numRuns: 2000 });
  });

  test('a policy document', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::b/ some key/*', Condition: undefined }] };
    expect(policySizeChars(doc)).toBe(reference(doc));
    expect(policySizeChars(undefined)).toBe(2);
  });
});
