import * as fc from 'fast-check';
import { brokerWindow, toolBrokerConfig } from '../../../lib/broker/tool-broker-config';
import { ChangeWindow, Tool, Weekday } from '../../../lib/model';

describe('tool → broker config', () => {
  const window = ChangeWindow.of({
    timeZone: 'America/New_York',
    slots: [{ days: [Weekday.SATURDAY], start: '22:00', end: '24:00' }, { days: [Weekday.SUNDAY], start: '00:00', end: '02:30' }],
    expiresAt: '2027-03-31T00:00:00+02:00',
  });

  test('a window survives the trip through JSON: same decision at every instant', () => {
    const back = ChangeWindow.of(JSON.parse(JSON.stringify(brokerWindow(window))));
    fc.assert(fc.property(fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-06-01T00:00:00Z'), noInvalidDate: true }), (at) => {
      expect(back.isOpen(at)).toBe(window.isOpen(at));
    }), { numRuns: 5000 });
    expect(brokerWindow(window)).toEqual({
      timeZone: 'America/New_York',
      slots: [{ days: [6], start: '22:00', end: '24:00' }, { days: [0], start: '00:00', end: '02:30' }],
      expiresAt: '2027-03-30T22:00:00.000Z',
    });
  });

  test('a tool without AWS permissions cannot be served on AWS', () => {
    const gcpOnly = Tool.read('read-bucket', { gcp: { roles: ['roles/storage.objectViewer'], resource: 'projects/_/buckets/b' } });
    expect(() => toolBrokerConfig(gcpOnly, 'arn:aws:iam::111111111111:role/x', 'aws')).toThrow(/AG_BROKER_TOOL_CLOUD/);
  });

  test('approval defaults follow the tool: destructive tools need one', () => {
    const t = Tool.destructive('rollback', { aws: { actions: ['ecs:StopServiceDeployment'], resources: ['arn:aws:ecs:eu-west-1:111111111111:service-deployment/c/s/*'] } });
    expect(toolBrokerConfig(t, 'arn:aws:iam::111111111111:role/rollback', 'aws')).toEqual({
      name: 'rollback', identity: 'arn:aws:iam::111111111111:role/rollback', accessLevel: 'destructive', requiresApproval: true,
      resources: ['arn:aws:ecs:eu-west-1:111111111111:service-deployment/c/s/*'], actions: ['ecs:StopServiceDeployment'],
    });
  });
});
