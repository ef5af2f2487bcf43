import { globCovers, globIntersection, globsOverlap } from '../../../../../lib/rules/aws/private/effective-permissions';

describe('ARN pattern algebra used to intersect grants, boundaries and guardrail resources', () => {
  test.each([
    ['*', 'arn:aws:s3:::b/k', true],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/k', true],
    ['arn:aws:s3:::a*', 'arn:aws:s3:::*b', true],
    ['arn:aws:s3:::a/*', 'arn:aws:s3:::b/*', false],
    ['arn:aws:ssm:eu-west-1:1:parameter/app/*', 'arn:*:ssm:*:*:parameter/agent-guardrails/*', false],
    ['arn:aws:ssm:eu-west-1:1:parameter/*', 'arn:*:ssm:*:*:parameter/agent-guardrails/*', true],
    ['arn:aws:iam::1:role/x?', 'arn:aws:iam::1:role/xy', true],
  ])('overlap(%s, %s) = %s', (a, b, expected) => {
    expect(globsOverlap(a, b)).toBe(expected);
    expect(globsOverlap(b, a)).toBe(expected);
  });

  test.each([
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/prefix/*', true],
    ['arn:aws:s3:::b/prefix/*', 'arn:aws:s3:::b/*', false],
    ['arn:aws:s3:::b/?', 'arn:aws:s3:::b/*', false],
    ['arn:aws:iam::*:role/*', 'arn:aws:iam::${AWS::AccountId}:role/Tool', true],
    ['*', 'anything', true],
  ])('covers(%s, %s) = %s', (pattern, resource, expected) => {
    expect(globCovers(pattern, resource)).toBe(expected);
  });

  test.each([
    ['arn:aws:ssm:eu-west-1:1:parameter/*', 'arn:*:ssm:*:*:parameter/agent-guardrails/*', 'arn:aws:ssm:eu-west-1:1:parameter/agent-guardrails/*'],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/prefix/*', 'arn:aws:s3:::b/prefix/*'],
    ['*', 'arn:aws:iam::1:role/x', 'arn:aws:iam::1:role/x'],
    ['arn:aws:s3:::a*', 'arn:aws:s3:::*b', 'arn:aws:s3:::a*'],
  ])('intersection(%s, %s) = %s', (a, b, expected) => {
    expect(globIntersection(a, b)).toBe(expected);
  });
});
