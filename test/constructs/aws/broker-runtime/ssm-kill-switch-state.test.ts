import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { CredentialBrokerCore, ReasonCode } from '../../../../lib/broker';
import { SsmKillSwitchState } from '../../../../constructs/aws/broker-runtime/ssm-kill-switch-state';
import { config, fakes } from '../../../lib/broker/fakes';

const ssmMock = mockClient(SSMClient);
afterAll(() => ssmMock.restore());
beforeEach(() => ssmMock.reset());

async function decideWith(value: string | undefined | Error): Promise<ReasonCode> {
  if (value instanceof Error) ssmMock.on(GetParameterCommand).rejects(value);
  else ssmMock.on(GetParameterCommand).resolves({ Parameter: value === undefined ? undefined : { Name: '/agent-guardrails/deploy-operator/kill-switch', Value: value } });
  const f = fakes();
  const core = new CredentialBrokerCore(config(), { ...f, killSwitch: new SsmKillSwitchState(new SSMClient({ region: 'eu-west-1' }), '/agent-guardrails/deploy-operator/kill-switch') });
  return (await core.decide({ tool: 'read-logs', lineageId: 'run-1' })).reasonCode;
}

describe('SsmKillSwitchState: read on every request, fail closed', () => {
  test('only exactly "disengaged" lets a request through', async () => {
    expect(await decideWith('disengaged')).toBe(ReasonCode.GRANTED);
    expect(ssmMock.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: '/agent-guardrails/deploy-operator/kill-switch' });
  });

  test('"engaged", or any other value, is engaged', async () => {
    for (const v of ['engaged', 'off', 'DISENGAGED', 'false', '']) expect(await decideWith(v)).toBe(ReasonCode.KILL_SWITCH_ENGAGED);
  });

  test('a missing parameter, an empty answer or an SSM error is unreadable → refused', async () => {
    expect(await decideWith(new ParameterNotFound({ message: 'gone', $metadata: {} }))).toBe(ReasonCode.KILL_SWITCH_UNREADABLE);
    expect(await decideWith(new Error('AccessDenied'))).toBe(ReasonCode.KILL_SWITCH_UNREADABLE);
    expect(await decideWith(undefined)).toBe(ReasonCode.KILL_SWITCH_UNREADABLE);
  });

  test('engaging takes effect on the very next request (no cache)', async () => {
    ssmMock.on(GetParameterCommand).resolvesOnce({ Parameter: { Value: 'disengaged' } }).resolves({ Parameter: { Value: 'engaged' } });
    const f = fakes();
    const core = new CredentialBrokerCore(config(), { ...f, killSwitch: new SsmKillSwitchState(new SSMClient({ region: 'eu-west-1' }), '/p') });
    expect((await core.decide({ tool: 'read-logs', lineageId: 'run-1' })).reasonCode).toBe(ReasonCode.GRANTED);
    expect((await core.decide({ tool: 'read-logs', lineageId: 'run-2' })).reasonCode).toBe(ReasonCode.KILL_SWITCH_ENGAGED);
  });
});
