import * as fs from 'fs';
import { expectContract, hostileDir, roleWith, runCli, template, writeInput } from '../../fixtures/hostile/hostile-cli';

let dir: string;
beforeAll(() => {
  dir = hostileDir();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hostile input: wildcard patterns never backtrack', () => {
  test('`iam:` followed by `*?` thirty times is expanded, not a hang', async () => {
    const file = writeInput(dir, 'star-question.json', template({ R: roleWith([{ Effect: 'Allow', Action: `iam:${'*?'.repeat(30)}`, Resource: '*' }]) }));
    const r = await runCli(['check', file]);
    expectContract(r);
    expect(r.code).toBe(1);
  });

  test('a resource `arn:aws:s3:::aaaa…` against a Deny of `(*a)×25*b`', async () => {
    const resource = `arn:aws:s3:::${'a'.repeat(3000)}`;
    const file = writeInput(dir, 'deny-backtrack.json', template({
      R: roleWith([
        { Effect: 'Allow', Action: 's3:PutObject', Resource: resource },
        { Effect: 'Deny', Action: 's3:*', Resource: `arn:aws:s3:::${'*a'.repeat(25)}*b` },
      ]),
    }));
    const r = await runCli(['check', file]);
    expectContract(r);
  });

  test('the same pattern as a permissions boundary', async () => {
    const resource = `arn:aws:s3:::${'a'.repeat(3000)}`;
    const file = writeInput(dir, 'boundary-backtrack.json', template({
      B: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: `arn:aws:s3:::${'*a'.repeat(25)}*b` }] } } },
      R: roleWith([{ Effect: 'Allow', Action: 's3:PutObject', Resource: resource }], { PermissionsBoundary: { Ref: 'B' } }),
    }));
    const r = await runCli(['check', file]);
    expectContract(r);
  });
});
