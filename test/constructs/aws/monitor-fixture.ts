import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib/core';
import { Template } from 'aws-cdk-lib/assertions';
import { DeployOperatorStack, SupportObserverStack } from '../../../examples/aws/agents';
import { ensureHandlerBundles } from '../../../examples/aws/handler-bundles';
import { TAG_KEYS } from '../../../lib/model/tags';
import { IamSimulator } from '../../helpers/iam-simulator';

export const ACCOUNT = '333333333333';
export const REGION = 'eu-west-1';

/** The example app's deploy-operator stack (with its activity monitor), synthesized once, with a simulator over it. */
export interface MonitorExample {
  readonly template: any;
  readonly sim: IamSimulator;
  /** Logical id of a tool's role. */
  roleOf(tool: string): string;
  readonly monitorRole: string;
  readonly revocationRole: string;
  readonly killSwitchPolicy: string;
  /** The monitor function's environment, resolved as deployed. */
  readonly env: Record<string, string>;
  /** The other agent's (support-observer, staging) template. */
  readonly otherTemplate: any;
}

export function synthesizeMonitorExample(prefix: string): MonitorExample {
  ensureHandlerBundles();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  const stack = new DeployOperatorStack(app, 'DeployOperatorProd');
  const other = new SupportObserverStack(app, 'SupportObserverStaging');
  const template = Template.fromStack(stack).toJSON();
  const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
  const fn = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.ACTIVITY_PLAYBOOK);
  const env = sim.resolve(fn.Properties.Environment.Variables) as Record<string, string>;
  return {
    template, sim, env,
    roleOf: (tool) => sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.tool] === tool),
    monitorRole: sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.component] === 'monitor'),
    revocationRole: sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.component] === 'revocation'),
    killSwitchPolicy: sim.logicalIdOf('AWS::IAM::ManagedPolicy', (p) => p.metadata[TAG_KEYS.component] === 'kill-switch'),
    otherTemplate: Template.fromStack(other).toJSON(),
  };
}

export interface ApiCall {
  /** The role whose session made the call (ARN). */
  readonly roleArn: string;
  /** The session name (`<agent>.<tool>.<lineage>` for broker sessions). */
  readonly session: string;
  /** Absent for sessions without one (console users, services). */
  readonly sourceIdentity?: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly time: string;
  readonly eventId: string;
  readonly requestParameters?: Record<string, unknown>;
  readonly resources?: { ARN: string; accountId?: string; type?: string }[];
  readonly errorCode?: string;
  readonly readOnly?: boolean;
  readonly category?: 'Management' | 'Data';
}

/**
 * A CloudTrail API call as EventBridge delivers it: the envelope of "AWS service events delivered
 * via AWS CloudTrail" (EventBridge User Guide: version, id, detail-type `AWS API Call via
 * CloudTrail`, source `aws.<service>`, account, time, region, resources, detail) around a record in
 * the shape of the CloudTrail User Guide's "CloudTrail userIdentity element" (an `AssumedRole`
 * identity with `sessionContext.sessionIssuer` and `sourceIdentity`) and "CloudTrail record contents".
 */
export function eventBridgeApiCall(c: ApiCall): Record<string, unknown> {
  const account = c.roleArn.split(':')[4];
  const roleName = c.roleArn.slice(c.roleArn.lastIndexOf('/') + 1);
  const service = c.eventSource.split('.')[0];
  return {
    version: '0',
    id: `eb-${c.eventId}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${service}`,
    account,
    time: c.time,
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: `AROAEXAMPLEID:${c.session}`,
        arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${c.session}`,
        accountId: account,
        accessKeyId: 'ASIAEXAMPLEKEY',
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEID', arn: c.roleArn, accountId: account, userName: roleName },
          attributes: { creationDate: c.time, mfaAuthenticated: 'false' },
          ...(c.sourceIdentity === undefined ? {} : { sourceIdentity: c.sourceIdentity }),
        },
      },
      eventTime: c.time,
      eventSource: c.eventSource,
      eventName: c.eventName,
      awsRegion: REGION,
      sourceIPAddress: '203.0.113.10',
      userAgent: 'aws-sdk-js/3',
      requestParameters: c.requestParameters ?? null,
      responseElements: null,
      ...(c.errorCode ? { errorCode: c.errorCode, errorMessage: 'User is not authorized to perform this operation' } : {}),
      requestID: `req-${c.eventId}`,
      eventID: c.eventId,
      readOnly: c.readOnly ?? false,
      ...(c.resources ? { resources: c.resources } : {}),
      eventType: 'AwsApiCall',
      managementEvent: (c.category ?? 'Management') === 'Management',
      recipientAccountId: account,
      eventCategory: c.category ?? 'Management',
    },
  };
}
