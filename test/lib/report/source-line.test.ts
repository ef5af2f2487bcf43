import * as path from 'path';
import { callerSourceLine, parseStackFrame, userSourceLine } from '../../../lib/report/source-line';
import { sentences } from '../../../lib/report/sentence';

describe('source lines from stack frames', () => {
  test.each([
    ['new DeployOperatorStack (/app/lib/agents.ts:75:26)', { file: '/app/lib/agents.ts', line: 75, column: 26 }],
    ['    at Object.<anonymous> (/app/bin/app.ts:11:1)', { file: '/app/bin/app.ts', line: 11, column: 1 }],
    ['at /app/bin/app.js:3:7', { file: '/app/bin/app.js', line: 3, column: 7 }],
    ['new X (file:///app/my%20app/a.js:2:9)', { file: '/app/my app/a.js', line: 2, column: 9 }],
  ])('%s', (frame, expected) => {
    expect(parseStackFrame(frame)).toEqual(expected);
  });

  test.each(['...new Table2 in aws-cdk-lib...', '(no user code in 10 frames, use --stack-trace-limit to capture more)', 'x (relative.ts:1:2)', 'x (/a.ts:0:2)', ''])('not a location: %s', (frame) => {
    expect(parseStackFrame(frame)).toBeUndefined();
  });

  test('the first frame that is neither node_modules, Node, nor this package', () => {
    const own = path.resolve(__dirname, '..', '..', '..', 'constructs', 'aws', 'agent-identity.ts');
    expect(userSourceLine([
      '...new Role2 in aws-cdk-lib...',
      'new Role (/app/node_modules/aws-cdk-lib/aws-iam/lib/role.js:1:1)',
      `new AgentIdentity (${own}:120:7)`,
      'Module._compile (node:internal/modules/cjs/loader:1:1)',
      'new MyStack (/app/lib/my-stack.ts:42:5)',
    ])).toEqual({ file: '/app/lib/my-stack.ts', line: 42, column: 5 });
  });

  test('a hostile frame is parsed in linear time without error', () => {
    expect(parseStackFrame(`${'('.repeat(100_000)}:1:${':'.repeat(100_000)}`)).toBeUndefined();
  });

  test('callerSourceLine names this test file', () => {
    expect(callerSourceLine()).toMatchObject({ file: __filename, line: expect.any(Number) });
  });
});

describe('sentences', () => {
  test('join without doubled full stops', () => {
    expect(sentences('Grants s3:*.', 'Fix: list the actions')).toBe('Grants s3:*. Fix: list the actions.');
    expect(sentences('Ends with a question?', '', ' Fix: do it. ')).toBe('Ends with a question? Fix: do it.');
  });
});
