import { BoundedCache } from '../../../../../lib/private/bounded-cache';
import { arnFields, expandPattern } from '../../../../../lib/rules/aws/private/effective-permissions';

describe('BoundedCache', () => {
  test('keeps entries up to its limit, then starts over', () => {
    const cache = new BoundedCache<string, number>(3);
    for (const k of ['a', 'b', 'c']) cache.set(k, k.length);
    expect(['a', 'b', 'c'].every((k) => cache.has(k))).toBe(true);
    cache.set('d', 1);
    expect(cache.has('a')).toBe(false);
    expect(cache.get('d')).toBe(1);
  });

  test('bounds the total weight, and keeps no entry heavier than the whole table', () => {
    const cache = new BoundedCache<string, number[]>(100, 10, (_k, v) => v.length);
    cache.set('six', [1, 2, 3, 4, 5, 6]);
    cache.set('four', [1, 2, 3, 4]);
    expect(cache.has('six') && cache.has('four')).toBe(true);
    cache.set('one', [1]);
    expect(cache.has('six')).toBe(false);
    expect(cache.get('one')).toEqual([1]);
    expect(cache.set('huge', new Array(11).fill(0))).toHaveLength(11);
    expect(cache.has('huge')).toBe(false);
  });

  test('memo tables of the evaluation stay correct past their bounds (hostile input: many distinct ARNs and patterns)', () => {
    for (let i = 0; i < 120_000; i++) arnFields(`arn:aws:s3:::bucket-${i}/key`);
    expect(arnFields('arn:aws:s3:::bucket-7/key')).toEqual(['arn', 'aws', 's3', '', '', 'bucket-7/key']);
    for (let i = 0; i < 200; i++) expandPattern(`s3:*${i}`);
    expect(expandPattern('s3:GetObject').map((a) => a.action)).toEqual(['s3:GetObject']);
  });
});
