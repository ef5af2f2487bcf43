import * as fc from 'fast-check';
import { TemplateResolver } from '../../../../../lib/adapters/cloudformation/private/intrinsics';
import { documentSizeChars, measuredDocumentSizeChars, policySizeChars } from '../../../../../lib/adapters/cloudformation/private/policy-document';

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

describe('TemplateResolver.resolveMeasured: resolves as resolve does and counts what policySizeChars counts, in one walk', () => {
  const template = {
    Parameters: { Env: { Type: 'String', Default: 'prod' }, Open: { Type: 'String' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, Chosen: { 'Fn::Equals': [{ Ref: 'Open' }, 'x'] } },
    Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' } }, Bucket: { Type: 'AWS::S3::Bucket' } },
  };
  const text = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom(' a b ', '"\\\n\t', '\ud800x', '__proto__', 'toJSON', 'Fn::Sub', 'Ref'));
  const intrinsic = fc.constantFrom<unknown>(
    { Ref: 'AWS::NoValue' }, { Ref: 'Env' }, { Ref: 'Open' }, { Ref: 'Role' }, { Ref: 'Nowhere' }, { 'Fn::GetAtt': ['Role', 'Arn'] },
    { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/*' }, { 'Fn::Join': ['', ['a', { Ref: 'AWS::Region' }]] },
    { 'Fn::If': ['IsProd', 'a', { Ref: 'AWS::NoValue' }] }, { 'Fn::If': ['Chosen', ['a'], ['b', 'c']] }, { 'Fn::If': ['Chosen', { Effect: 'Deny' }, { x: 1 }] },
    { 'Fn::Split': [',', 'a,b'] }, { 'Fn::Unknown': 1 }, new Date(0),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), intrinsic,
      fc.array(tie('node')), fc.dictionary(text, tie('node'))),
  })).node;
  const measured = (doc: unknown) => {
    const m = new TemplateResolver(template).resolveMeasured(doc, () => undefined);
    return measuredDocumentSizeChars(m.value, m.chars);
  };
  const outcome = (f: () => number) => {
    try {
      return f();
    } catch (e) {
      return (e as Error).message;
    }
  };
  const twoWalks = (doc: unknown) => documentSizeChars(new TemplateResolver(template).resolve(doc, () => undefined));

  test('any value with intrinsics, deploy-time choices, AWS::NoValue, __proto__ keys and dates', () => {
    fc.assert(fc.property(value, (doc) => {
      const reports: string[][] = [[], []];
      const r = new TemplateResolver(template);
      const resolved = r.resolve(doc, (w) => reports[0].push(w));
      // Equal, or the same error (a `__proto__` member resolved to a date makes its copy a date that JSON cannot write).
      const size = outcome(() => measured(doc));
      expect(size).toEqual(outcome(() => twoWalks(doc)));
      if (typeof size === 'string') return;
      const m = new TemplateResolver(template).resolveMeasured(doc, (w) => reports[1].push(w));
      expect(m.value).toEqual(resolved);
      expect(reports[1]).toEqual(reports[0]);
    }), { numRuns: 3000 });
  });

  test('documents as JSON text, nothing, and past the depth budget', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 300; i++) deep = { a: [deep] };
    for (const doc of [undefined, { Ref: 'AWS::NoValue' }, '{"Statement": [ {"Effect": "Allow"} ]}', 'not json', null, deep, JSON.parse('{"__proto__": {"Ref": "Env"}, "b": {"Ref": "Env"}}')]) {
      expect(measured(doc)).toBe(twoWalks(doc));
    }
  });
});
