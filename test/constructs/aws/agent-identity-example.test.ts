import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib/core';
import { Template } from 'aws-cdk-lib/assertions';
import { SupportObserverStack } from '../../../examples/aws/agents';
import { ensureHandlerBundles } from '../../../examples/aws/handler-bundles';
import { TAG_KEYS } from '../../../lib/model/tags';
import { IamSimulator } from '../../helpers/iam-simulator';

/** The example support-observer (observer, staging): reads tickets and logs, nothing else. */
const ACCOUNT = '222222222222';
const REGION = 'eu-west-1';
const LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app/checkout`;

ensureHandlerBundles();
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-h1-ex-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
const stack = new SupportObserverStack(new App({ outdir }), 'SupportObserverStaging');
const template = Template.fromStack(stack);
const sim = IamSimulator.fromTemplate(template.toJSON(), { account: ACCOUNT, region: REGION });
const role = (tool: string) => sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.tool] === tool);

describe('example support-observer (staging)', () => {
  test('one read-only role per tool, tagged observer/staging, under the agent boundary', () => {
    for (const tool of ['read-tickets', 'read-logs']) {
      const view = sim.roleView(role(tool));
      expect(view.tags).toEqual({
        [TAG_KEYS.agent]: 'support-observer', [TAG_KEYS.tool]: tool, [TAG_KEYS.tier]: 'observer',
        [TAG_KEYS.environment]: 'staging', [TAG_KEYS.component]: 'tool-identity',
      });
      expect(view.properties.PermissionsBoundary).toBeDefined();
    }
  });

  test.each([
    ['read-logs', 'logs:FilterLogEvents', LOG_GROUP, 'Allowed'],
    ['read-logs', 'logs:GetLogEvents', `${LOG_GROUP}:log-stream:web-1`, 'Allowed'],
    ['read-tickets', 'support:DescribeCases', '*', 'Allowed'],
    ['read-tickets', 'logs:FilterLogEvents', LOG_GROUP, 'ImplicitlyDenied'],
    ['read-logs', 'support:DescribeCases', '*', 'ImplicitlyDenied'],
    ['read-logs', 'logs:FilterLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app/payments`, 'ImplicitlyDenied'],
    // The prod account's log group: outside the ceiling, and explicitly denied by the boundary's aws:ResourceAccount wall.
    ['read-logs', 'logs:FilterLogEvents', `arn:aws:logs:${REGION}:333333333333:log-group:/app/checkout`, 'ExplicitlyDenied'],
    ['read-logs', 'logs:DeleteLogGroup', LOG_GROUP, 'ExplicitlyDenied'], // the boundary's audit-tamper deny
    ['read-logs', 'logs:PutLogEvents', `${LOG_GROUP}:log-stream:web-1`, 'ImplicitlyDenied'],
    ['read-tickets', 'support:CreateCase', '*', 'ImplicitlyDenied'],
  ])('%s: %s on %s is %s', async (tool, action, resource, expected) => {
    expect(await sim.decide({ role: role(tool), action, resource })).toBe(expected);
  });
});
