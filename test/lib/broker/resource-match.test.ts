import { GLOB_MAX_LENGTH } from '../../../lib/private/glob-match';
import { resourceWithin } from '../../../lib/broker/resource-match';

describe('resourceWithin: a requested resource against declared patterns, in linear time', () => {
  test('IAM wildcards, case-sensitive', () => {
    expect(resourceWithin('arn:aws:s3:::lake/raw/year=2026/month=12/day=02/x.parquet', ['arn:aws:s3:::lake/*/year=*/month=*/day=*/*.parquet'])).toBe(true);
    expect(resourceWithin('arn:aws:s3:::Lake/raw/x', ['arn:aws:s3:::lake/*'])).toBe(false);
    expect(resourceWithin('arn:aws:s3:::lake/a', ['arn:aws:s3:::lake/?'])).toBe(true);
  });

  test('the issue\'s broker stall: a 2 KB resource against a many-star pattern is decided by bounded work', () => {
    const resource = `arn:aws:s3:::lake/${'year=/month=/day=/'.repeat(110)}`.slice(0, 2048);
    expect(resourceWithin(resource, ['arn:aws:s3:::lake/*/year=*/month=*/day=*/*.parquet'])).toBe(false);
    expect(resourceWithin(`arn:aws:s3:::${'a'.repeat(2000)}`, [`arn:aws:s3:::${'*a'.repeat(5)}*b`])).toBe(false);
  });

  test('a resource past the matcher\'s budget matches nothing (refused), never throws', () => {
    expect(resourceWithin('a'.repeat(GLOB_MAX_LENGTH + 1), ['*'])).toBe(false);
    expect(resourceWithin('a', ['*'.repeat(GLOB_MAX_LENGTH + 1)])).toBe(false);
  });
});
