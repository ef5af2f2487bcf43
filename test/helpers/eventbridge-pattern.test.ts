import { matchesPattern } from './eventbridge-pattern';

/** The matcher against the EventBridge User Guide's own examples (event patterns and content filtering pages). */
describe('local EventBridge pattern matcher', () => {
  const ec2 = {
    version: '0', id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718', 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2',
    account: '111122223333', time: '2017-12-22T18:43:48Z', region: 'us-west-1',
    resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
    detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
  };

  it('matches fields and nesting exactly (guide: "Creating event patterns")', () => {
    expect(matchesPattern({ source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } }, ec2)).toBe(true);
    expect(matchesPattern({ source: ['aws.ec2'], detail: { state: ['running', 'pending'] } }, ec2)).toBe(false);
    expect(matchesPattern({ source: ['AWS.EC2'] }, ec2)).toBe(false); // case-sensitive
    expect(matchesPattern({ detail: { missing: ['x'] } }, ec2)).toBe(false);
    expect(matchesPattern({ detail: { state: { nested: ['x'] } } }, ec2)).toBe(false);
  });

  it('matches any element of an array value (guide: "Matching on arrays")', () => {
    expect(matchesPattern({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0', 'other'] }, ec2)).toBe(true);
    expect(matchesPattern({ resources: ['other'] }, ec2)).toBe(false);
  });

  it('applies content filters and $or (guide: "Content filtering")', () => {
    expect(matchesPattern({ time: [{ prefix: '2017-12-22' }] }, ec2)).toBe(true);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2)).toBe(true);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': ['terminated', 'stopped'] }] } }, ec2)).toBe(false);
    expect(matchesPattern({ detail: { state: [{ exists: true }] } }, ec2)).toBe(true);
    expect(matchesPattern({ detail: { other: [{ exists: false }] } }, ec2)).toBe(true);
    expect(matchesPattern({ detail: { $or: [{ state: ['running'] }, { 'instance-id': ['i-1234567890abcdef0'] }] } }, ec2)).toBe(true);
    expect(matchesPattern({ detail: { $or: [{ state: ['running'] }, { 'instance-id': ['i-0'] }] } }, ec2)).toBe(false);
    expect(() => matchesPattern({ detail: { state: [{ numeric: ['>', 0] }] } }, ec2)).toThrow(/not implemented/);
  });
});
