import { ActivityEvent, ActivityPlaybook, ActivityPlaybookDocument } from '../../../lib/activity';

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';
export const SERVICE = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/web`;
export const BUCKET = 'arn:aws:s3:::acme-prod-logs';
/** Wednesday 2026-03-25 11:00 in Berlin (10:00 UTC): inside the restart window. */
export const IN_WINDOW = Date.parse('2026-03-25T10:00:00Z');
/** The same Wednesday, 20:00 in Berlin: outside it. */
export const OUT_OF_WINDOW = Date.parse('2026-03-25T19:00:00Z');

export const PLAYBOOK_DOC: ActivityPlaybookDocument = {
  version: 1,
  agents: [
    {
      agent: 'deploy-operator',
      environment: 'prod',
      placement: { aws: { account: ACCOUNT }, gcp: { project: 'acme-prod' }, azure: { subscriptionId: '00000000-0000-0000-0000-000000000001', resourceGroup: 'rg-prod' } },
      tools: [
        {
          name: 'read-logs', cloud: 'aws', identities: ['deploy-operator-read-logs'], accessLevel: 'read', requiresApproval: false,
          actions: ['s3:GetObject', 's3:ListBucket'], resources: [`${BUCKET}/*`, BUCKET], dataSources: [],
        },
        {
          name: 'restart-service', cloud: 'aws', identities: ['deploy-operator-restart-service'], accessLevel: 'write', requiresApproval: false,
          actions: ['ecs:UpdateService', 'ecs:DescribeServices'], resources: [SERVICE], dataSources: [],
          window: { timeZone: 'Europe/Berlin', slots: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }] },
        },
        {
          name: 'rollback-deployment', cloud: 'aws', identities: ['deploy-operator-rollback'], accessLevel: 'destructive', requiresApproval: true,
          actions: ['ecs:StopServiceDeployment'], resources: [`arn:aws:ecs:eu-west-1:${ACCOUNT}:service-deployment/prod/*`], dataSources: [],
        },
        {
          name: 'read-logs', cloud: 'gcp', identities: ['deploy-operator-read-logs@acme-prod.iam.gserviceaccount.com'], accessLevel: 'read', requiresApproval: false,
          actions: ['logging.logEntries.list', 'storage.objects.get'], resources: ['projects/_/buckets/acme-prod-logs'], dataSources: [],
        },
        {
          name: 'restart-vm', cloud: 'azure', identities: ['11111111-2222-3333-4444-555555555555'], accessLevel: 'write', requiresApproval: false,
          actions: ['Microsoft.Compute/virtualMachines/restart/action', 'Microsoft.Compute/*/read'],
          resources: ['/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod'], dataSources: [],
        },
      ],
    },
    {
      agent: 'deploy-operator',
      environment: 'dev',
      placement: { aws: { account: OTHER_ACCOUNT } },
      tools: [
        {
          name: 'read-logs', cloud: 'aws', identities: ['deploy-operator-dev-read-logs'], accessLevel: 'read', requiresApproval: false,
          actions: ['s3:GetObject'], resources: ['arn:aws:s3:::acme-dev-logs/*'], dataSources: [],
        },
      ],
    },
  ],
};

export const playbook = (): ActivityPlaybook => ActivityPlaybook.fromJson(PLAYBOOK_DOC);

/** An event of the prod restart tool, as the CloudTrail normalizer would give it. */
export function restartEvent(over: Partial<ActivityEvent> = {}): ActivityEvent {
  return {
    cloud: 'aws', agent: 'deploy-operator', tool: 'restart-service', lineage: 'incident-7',
    identity: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy-operator-restart-service/deploy-operator.restart-service.incident-7`,
    action: 'ecs:UpdateService', resources: [SERVICE], location: { account: ACCOUNT, region: 'eu-west-1' },
    time: IN_WINDOW, outcome: 'allowed', ...over,
  };
}
