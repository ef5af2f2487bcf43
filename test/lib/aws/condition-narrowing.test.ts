import fc from 'fast-check';
import { entryNarrows, narrowingEntries } from '../../../lib/aws/condition-narrowing';

const PRINCIPAL_KEYS = ['aws:PrincipalArn', 'aws:PrincipalAccount', 'aws:PrincipalOrgID', 'aws:SourceArn', 'aws:SourceAccount', 'aws:SourceOrgID'];
const RESOURCE_KEYS = ['aws:ResourceTag/team', 'iam:ResourceTag/aws-cdk:bootstrap-role', 'aws:ResourceAccount'];
const ROUTE_KEYS = ['kms:ViaService', 'iam:PassedToService'];
const POSITIVE = ['StringEquals', 'StringLike', 'StringEqualsIgnoreCase', 'ArnEquals', 'ArnLike'];
const NEGATED = ['StringNotEquals', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike', 'StringNotEqualsIgnoreCase'];

const key = fc.constantFrom(...PRINCIPAL_KEYS, ...RESOURCE_KEYS, ...ROUTE_KEYS);
const dimensionOf = (k: string) => (PRINCIPAL_KEYS.includes(k) ? 'principal' : RESOURCE_KEYS.includes(k) ? 'resource' : 'route') as 'principal' | 'resource' | 'route';
const recase = (s: string, flips: boolean[]) => [...s].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase())).join('');
const exactValue = (k: string) => ({
  'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/deployer',
  'aws:SourceArn': 'arn:aws:sns:eu-west-1:111122223333:topic',
  'aws:PrincipalAccount': '111122223333', 'aws:SourceAccount': '111122223333', 'aws:ResourceAccount': '111122223333',
  'aws:PrincipalOrgID': 'o-abc123def4', 'aws:SourceOrgID': 'o-abc123def4',
  'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'iam:PassedToService': 'lambda.amazonaws.com',
} as Record<string, string>)[k] ?? 'data';

describe('condition narrowing: one table for identity and trust policies, in IAM semantics', () => {
  test('an exact value under a positive operator narrows (any operator case, any key case)', () => {
    fc.assert(fc.property(key, fc.constantFrom('StringEquals', 'StringLike', 'ForAnyValue:StringEquals'), fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), (k, op, flips) => {
      const condition = { [recase(op, flips)]: { [recase(k, flips)]: exactValue(k) } };
      expect(narrowingEntries(condition, dimensionOf(k))).toHaveLength(1);
    }));
  });

  test('a value of only wildcards never narrows, whatever the operator and key', () => {
    fc.assert(fc.property(key, fc.constantFrom(...POSITIVE), fc.stringMatching(/^[*?]{1,4}$/), (k, op, v) => {
      expect(entryNarrows({ operator: op, key: k, values: [v] }, dimensionOf(k))).toBe(false);
    }));
  });

  test('one value that admits everyone among exact ones admits everyone', () => {
    fc.assert(fc.property(key, fc.constantFrom(...POSITIVE), (k, op) => {
      expect(entryNarrows({ operator: op, key: k, values: [exactValue(k), '*'] }, dimensionOf(k))).toBe(false);
    }));
  });

  test('negated operators, ForAllValues and Null never narrow', () => {
    fc.assert(fc.property(key, fc.constantFrom(...NEGATED, 'ForAllValues:StringEquals', 'ForAllValues:StringLike', 'Null', 'Bool'), (k, op) => {
      expect(entryNarrows({ operator: op, key: k, values: [exactValue(k)] }, dimensionOf(k))).toBe(false);
    }));
  });

  test('IfExists narrows only keys present in every request (aws:PrincipalArn, aws:PrincipalAccount)', () => {
    fc.assert(fc.property(key, fc.constantFrom(...POSITIVE), (k, op) => {
      const always = k === 'aws:PrincipalArn' || k === 'aws:PrincipalAccount';
      expect(entryNarrows({ operator: `${op}IfExists`, key: k, values: [exactValue(k)] }, dimensionOf(k))).toBe(always);
    }));
  });

  test('patterns anyone can match do not pin an account, organization or principal', () => {
    const accountPattern = fc.tuple(fc.stringMatching(/^[0-9]{0,11}$/), fc.constantFrom('*', '?')).map(([d, w]) => `${d}${w}`);
    fc.assert(fc.property(fc.constantFrom('aws:PrincipalAccount', 'aws:SourceAccount', 'aws:ResourceAccount'), accountPattern, (k, v) => {
      expect(entryNarrows({ operator: 'StringLike', key: k, values: [v] }, dimensionOf(k))).toBe(false);
    }));
    fc.assert(fc.property(fc.stringMatching(/^o-[a-z0-9]{0,9}$/), (org) => {
      expect(entryNarrows({ operator: 'StringLike', key: 'aws:PrincipalOrgID', values: [`${org}*`] }, 'principal')).toBe(false);
    }));
    // An ARN whose account is a wildcard: a stranger creates the same role name in an account of its own.
    fc.assert(fc.property(fc.constantFrom('aws:PrincipalArn', 'aws:SourceArn'), fc.stringMatching(/^[a-z0-9/-]{0,12}$/), fc.constantFrom('*', '?*', '1*'), (k, name, account) => {
      expect(entryNarrows({ operator: 'ArnLike', key: k, values: [`arn:aws:iam::${account}:role/${name}`] }, 'principal')).toBe(false);
    }));
    expect(entryNarrows({ operator: 'ArnLike', key: 'aws:SourceArn', values: ['arn:aws:*'] }, 'principal')).toBe(false);
  });

  test('a key narrows only along its own dimension (a resource tag says nothing about the caller)', () => {
    expect(narrowingEntries({ StringEquals: { 'aws:ResourceTag/team': 'data' } }, 'principal')).toEqual([]);
    expect(narrowingEntries({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc123def4' } }, 'resource')).toEqual([]);
    expect(narrowingEntries({ StringEquals: { 'aws:SecureTransport': 'true' } }, 'principal')).toEqual([]);
  });

  test('kms:ViaService pins the service, not the region; *.amazonaws.com pins nothing', () => {
    expect(entryNarrows({ operator: 'StringLike', key: 'kms:ViaService', values: ['s3.*.amazonaws.com'] }, 'route')).toBe(true);
    expect(entryNarrows({ operator: 'StringLike', key: 'kms:ViaService', values: ['*.amazonaws.com'] }, 'route')).toBe(false);
  });
});
