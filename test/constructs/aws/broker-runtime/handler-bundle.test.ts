import * as fs from 'fs';
import * as path from 'path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { handlerBundleDir } from '../../../../constructs/aws/broker-runtime/handler-bundle';
import { config } from '../../../lib/broker/fakes';
import { ensureBundles } from '../broker-fixture';

/** The artifact that ships, not the sources: built by scripts/build-broker-handler.js. */
describe('prebuilt handler bundles', () => {
  const ssmMock = mockClient(SSMClient);
  const stsMock = mockClient(STSClient);
  let writes: jest.SpyInstance;
  const saved = { ...process.env };

  beforeAll(() => ensureBundles());
  beforeEach(() => { writes = jest.spyOn(process.stdout, 'write').mockImplementation(() => true); });
  afterEach(() => writes.mockRestore());
  afterAll(() => { ssmMock.restore(); stsMock.restore(); process.env = saved; });

  test('are self-contained except for the AWS SDK v3 that the Lambda runtime ships', () => {
    for (const name of ['broker', 'approve', 'monitor'] as const) {
      const code = fs.readFileSync(path.join(handlerBundleDir(name), 'index.js'), 'utf8');
      // Real requires only: ajv keeps `require("ajv/dist/runtime/…")` as code-generation strings for its standalone mode.
      const required = [...code.matchAll(/(?<![`'"])require\("([^"]+)"\)/g)].map((m) => m[1]);
      expect(required.filter((r) => !r.startsWith('@aws-sdk/') && !/^(node:)?[a-z_]+$/.test(r))).toEqual([]);
      expect(code).not.toMatch(/aws-cdk-lib|constructs\/lib|iam-simulate/);
    }
  });

  test('the broker bundle decides from its environment: grants through STS, refuses when the kill switch is engaged', async () => {
    process.env.BROKER_CONFIG = JSON.stringify(config());
    process.env.KILL_SWITCH_PARAMETER = '/agent-guardrails/deploy-operator/kill-switch';
    process.env.AWS_REGION = 'eu-west-1';
    ssmMock.on(GetParameterCommand).resolvesOnce({ Parameter: { Value: 'disengaged' } }).resolves({ Parameter: { Value: 'engaged' } });
    stsMock.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) } });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundle = require(path.join(handlerBundleDir('broker'), 'index.js')) as { handler: (e: unknown) => Promise<{ decision: string; reasonCode: string }> };
    expect(await bundle.handler({ tool: 'read-logs', lineageId: 'run-1' })).toMatchObject({ decision: 'granted', reasonCode: 'GRANTED' });
    expect(stsMock.commandCalls(AssumeRoleCommand)[0].args[0].input).toMatchObject({ RoleArn: 'arn:aws:iam::111111111111:role/read-logs', DurationSeconds: 900, SourceIdentity: 'deploy-operator' });
    expect(await bundle.handler({ tool: 'read-logs', lineageId: 'run-2' })).toMatchObject({ decision: 'refused', reasonCode: 'KILL_SWITCH_ENGAGED' });
    // Approval-gated tools without a configured gate fail closed.
    expect(await bundle.handler({ tool: 'rollback-service', lineageId: 'run-3' })).toMatchObject({ decision: 'refused' });
    const lines = writes.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('broker-decision'));
    expect(lines).toHaveLength(3);
  });
});
