import { Tool } from '../../lib/model';
import { awsDeclaredCalls } from './aws-declared-calls';

const SERVICE = 'arn:aws:ecs:eu-west-1:333333333333:service/prod-cluster/checkout';
const DEPLOYMENTS = 'arn:aws:ecs:eu-west-1:333333333333:service-deployment/prod-cluster/checkout/*';

describe('awsDeclaredCalls: the calls a declaration implies, from the AWS action data', () => {
  test('one call per required resource type, on a declared ARN of that type (a "*" becomes a sample name)', async () => {
    const job = await awsDeclaredCalls(Tool.destructive('rollback', { aws: { actions: ['ecs:StopServiceDeployment'], resources: [SERVICE, DEPLOYMENTS] } }));
    expect(job.missing).toEqual([]);
    expect(job.calls.map((c) => c.resource).sort()).toEqual([SERVICE, DEPLOYMENTS.replace('*', 'sample')].sort());
  });

  test('a required resource type nothing declared covers is reported: the tool could not do its job', async () => {
    const job = await awsDeclaredCalls(Tool.destructive('rollback', { aws: { actions: ['ecs:StopServiceDeployment'], resources: [DEPLOYMENTS] } }));
    expect(job.missing).toEqual([expect.stringMatching(/^ecs:StopServiceDeployment needs a service resource/)]);
  });

  test('an action without resource types is called on "*"; log streams and log groups are told apart', async () => {
    const group = 'arn:aws:logs:eu-west-1:222222222222:log-group:/app/checkout';
    const ops = await awsDeclaredCalls(Tool.write('open', { aws: { actions: ['ssm:CreateOpsItem'], resources: ['*'] } }));
    expect(ops.calls).toEqual([{ action: 'ssm:CreateOpsItem', resource: '*', why: 'declared' }]);
    const logs = await awsDeclaredCalls(Tool.read('logs', { aws: { actions: ['logs:GetLogEvents', 'logs:FilterLogEvents'], resources: [group, `${group}:log-stream:*`] } }));
    expect(logs.calls).toEqual([
      { action: 'logs:GetLogEvents', resource: `${group}:log-stream:sample`, why: 'declared' },
      { action: 'logs:FilterLogEvents', resource: group, why: 'declared' },
    ]);
  });
});
