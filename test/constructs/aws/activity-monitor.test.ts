import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Template } from 'aws-cdk-lib/assertions';
import { AgentActivityMonitor } from '../../../constructs/aws/activity-monitor';
import { AgentGuardrailsChecks } from '../../../constructs/aws/agent-guardrails-checks';
import { DeployOperatorStack } from '../../../examples/aws/agents';
import { AgentIdentity } from '../../../constructs/aws/agent-identity';
import { CredentialBroker } from '../../../constructs/aws/credential-broker';
import { ActivityPlaybook } from '../../../lib/activity/activity-playbook';
import { inventoryFromTemplate } from '../../../lib/adapters/cloudformation/inventory-from-template';
import { Baseline } from '../../../lib/baseline/baseline';
import { KILL_SWITCH } from '../../../lib/rules/agent/kill-switch';
import { runRules } from '../../../lib/rules/run-rules';
import { AgentTier, Environment, Tool } from '../../../lib/model';
import { matchesPattern } from '../../helpers/eventbridge-pattern';
import { ACCOUNT, eventBridgeApiCall, synthesizeMonitorExample } from './monitor-fixture';

const ex = synthesizeMonitorExample('ag-monitor-');
const resources = ex.template.Resources as Record<string, any>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const rule = ofType('AWS::Events::Rule').map(([, r]) => r)[0];
const pattern = ex.sim.resolve(rule.Properties.EventPattern) as Record<string, unknown>;
const toolArn = (tool: string) => ex.sim.roleArn(ex.roleOf(tool));
const TIME = '2026-03-25T11:00:00Z';

describe('AgentActivityMonitor in the example app (deploy-operator, prod)', () => {
  test('one rule on CloudTrail API calls, read-only management events included, to the monitor function with a dead-letter queue', () => {
    expect(ofType('AWS::Events::Rule')).toHaveLength(1);
    expect(rule.Properties.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    expect(rule.Properties.Name).toBe('agent-guardrails-deploy-operator-prod-monitor');
    const [target] = rule.Properties.Targets;
    expect(target.DeadLetterConfig.Arn).toBeDefined();
    expect(pattern).toEqual({
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        $or: [
          { userIdentity: { sessionContext: { sourceIdentity: ['deploy-operator'] } } },
          { userIdentity: { sessionContext: { sessionIssuer: { arn: ['read-service', 'open-ops-item', 'restart-service', 'rollback-deployment'].map(toolArn) } } } },
        ],
      },
    });
  });

  test('the function carries the agent\'s declarations from the inventory, with each tool role\'s ARN as its identity', () => {
    const playbook = ActivityPlaybook.fromJson(ex.env.ACTIVITY_PLAYBOOK);
    expect(playbook.agents).toHaveLength(1);
    const [agent] = playbook.agents;
    expect(agent.agent).toBe('deploy-operator');
    expect(agent.placement).toEqual({ aws: { account: ACCOUNT } });
    expect(Object.fromEntries(agent.tools.map((t) => [t.name, t.identities]))).toEqual({
      'read-service': [toolArn('read-service')], 'open-ops-item': [toolArn('open-ops-item')],
      'restart-service': [toolArn('restart-service')], 'rollback-deployment': [toolArn('rollback-deployment')],
    });
    const restart = agent.tools.find((t) => t.name === 'restart-service')!;
    expect(restart).toMatchObject({ actions: ['ecs:UpdateService'], requiresApproval: true, window: { timeZone: 'Europe/Dublin' } });
    const settings = JSON.parse(ex.env.MONITOR_SETTINGS);
    expect(settings.policy.verdicts).toMatchObject({ 'other-environment': 'trip', 'destructive-without-approval': 'trip', 'unknown-identity': 'trip', 'undeclared-action': 'alert' });
    expect(settings.killSwitch).toEqual({
      revocationRoleArn: ex.sim.roleArn(ex.revocationRole),
      denyAllPolicyArn: ex.sim.policyArn(ex.killSwitchPolicy),
      toolRoleNames: ['read-service', 'open-ops-item', 'restart-service', 'rollback-deployment'].map((t) => ex.roleOf(t)),
      flagParameterName: '/agent-guardrails/deploy-operator/kill-switch',
    });
  });

  test('the monitor role holds exactly: assume the revocation role, publish alerts, write its log, its own table', () => {
    const policies = ex.sim.identityPoliciesOf(ex.monitorRole).flatMap((p) => p.policy.Statement);
    const summary = policies.map((s: any) => [s.Action, s.Resource]);
    expect(summary).toEqual(expect.arrayContaining([
      ['sts:AssumeRole', ex.sim.roleArn(ex.revocationRole)],
      ['sns:Publish', expect.stringMatching(/^arn:aws:sns:eu-west-1:333333333333:agent-guardrails-deploy-operator-prod-monitor$/)],
      [['logs:CreateLogStream', 'logs:PutLogEvents'], expect.stringMatching(/^arn:aws:logs:/)],
      [['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], expect.stringMatching(/:table\/agent-guardrails-deploy-operator-prod-monitor$/)],
    ]));
    // Nothing else: the on-failure destination only repeats sns:Publish on the same topic.
    const actions = new Set(policies.flatMap((s: any) => [s.Action].flat()));
    expect([...actions].sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sns:Publish', 'sts:AssumeRole']);
    expect(ex.sim.roleView(ex.monitorRole).tags).toMatchObject({ 'agent-guardrails:component': 'monitor', 'agent-guardrails:agent': 'deploy-operator' });
  });

  test('its own failures alert: failed invocations go to the topic, alarms on errors, dead letters and failed deliveries', () => {
    const topic = ofType('AWS::SNS::Topic').find(([, r]) => r.Properties.TopicName === 'agent-guardrails-deploy-operator-prod-monitor')![0];
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(['dead-letters', 'errors', 'failed-deliveries'].map((s) => `agent-guardrails-deploy-operator-prod-monitor-${s}`));
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topic }]);
    const invokeConfig = ofType('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties)[0];
    expect(invokeConfig.DestinationConfig.OnFailure.Destination).toEqual({ Ref: topic });
    expect(invokeConfig.MaximumRetryAttempts).toBe(2);
  });

  test('approved broker decisions reach it through a subscription on the broker\'s decision log', () => {
    const [filter] = ofType('AWS::Logs::SubscriptionFilter').map(([, r]) => r.Properties);
    expect(filter.FilterPattern).toBe('{ ($.type = "agent-guardrails.broker-decision") && ($.decision = "granted") }');
  });

  test('the nag pack passes the example stack with the monitor (every check on, at synth)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-monitor-nag-'));
    try {
      const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
      Validations.of(app).addPlugins(new AgentGuardrailsChecks(app));
      new DeployOperatorStack(app, 'DeployOperatorProd');
      // Control: a stack with one admin role, so an empty result cannot come from a pack that never ran.
      const control = new Stack(app, 'Control');
      new iam.Role(control, 'Admin', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(new iam.PolicyStatement({ actions: ['*'], resources: ['*'] }));
      app.synth();
      const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
      const violations = report.pluginReports.find((r: any) => r.pluginName === 'AgentGuardrailsChecks')?.violations ?? [];
      const where = (v: any) => JSON.stringify(v.violatingConstructs ?? v.violatingResources ?? v);
      expect(violations.length).toBeGreaterThan(0);
      expect(violations.filter((v: any) => !where(v).includes('Control')).map((v: any) => `${v.ruleName}: ${where(v).slice(0, 300)}`)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('the nag pack sees the monitor and the tool roles, at synth and before it (AGENT-005 through the pack)', () => {
  /** The example stack with `widen` applied, checked by the pack at synth (validation plugin) or by `validateScope` before any synth (tag aspects not run). */
  const packFindings = (when: 'synth' | 'before-synth', widen: (s: DeployOperatorStack) => void = () => undefined): string[] => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-monitor-pack-'));
    try {
      const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
      const pack = new AgentGuardrailsChecks(app);
      if (when === 'synth') Validations.of(app).addPlugins(pack);
      const stack = new DeployOperatorStack(app, 'DeployOperatorProd');
      widen(stack);
      if (when === 'before-synth') return pack.validateScope(app).violations.map((v) => v.ruleName).filter((n) => n.startsWith('AGENT-'));
      app.synth();
      const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
      return (report.pluginReports.find((r: any) => r.pluginName === 'AgentGuardrailsChecks')?.violations ?? [])
        .map((v: any) => v.ruleName as string).filter((n: string) => n.startsWith('AGENT-'));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  };

  test('the checks\' inventory of the synthesized example sees the monitor\'s rule, function and role, labelled as its agent\'s monitor', () => {
    const inventory = inventoryFromTemplate(ex.template, { stack: 'DeployOperatorProd' });
    const monitorParts = [
      ...inventory.identities.filter((i) => i.labels.component === 'monitor').map((i) => [i.kind, i.labels.agent]),
      ...inventory.others.filter((o) => o.labels?.component === 'monitor' && ['AWS::Events::Rule', 'AWS::Lambda::Function'].includes(o.type)).map((o) => [o.type, o.labels?.agent]),
    ];
    expect(monitorParts).toEqual(expect.arrayContaining([['aws-iam-role', 'deploy-operator'], ['AWS::Events::Rule', 'deploy-operator'], ['AWS::Lambda::Function', 'deploy-operator']]));
  });

  test.each(['synth', 'before-synth'] as const)('%s: the example has no agent finding (its tool roles are known as the agent\'s tools)', (when) => {
    expect(packFindings(when)).toEqual([]);
  });

  test.each(['synth', 'before-synth'] as const)('%s: a monitor role with an extra grant is reported by the pack', (when) => {
    expect(packFindings(when, (s) => s.monitor.role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: ['*'] }))))
      .toEqual(['AGENT-005[monitor-holds:ecs:UpdateService]']);
  });

  test.each(['synth', 'before-synth'] as const)('%s: a revocation role that may attach the deny-all policy to an application role (unlabelled) is reported', (when) => {
    // Attack: whoever pulls the switch (incident response, the monitor) could cut an application role the agent does not own.
    expect(packFindings(when, (s) => s.agent.killSwitch.coverRole(new iam.Role(s, 'PaymentsApp', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }))))
      .toEqual(['AGENT-005[revocation-holds:iam:AttachRolePolicy]']);
  });
});

describe('the rule\'s pattern on CloudTrail events (EventBridge matching, documented shapes)', () => {
  const call = (over: Partial<Parameters<typeof eventBridgeApiCall>[0]>) => eventBridgeApiCall({
    roleArn: toolArn('restart-service'), session: 'deploy-operator.restart-service.incident-7', sourceIdentity: 'deploy-operator',
    eventSource: 'ecs.amazonaws.com', eventName: 'UpdateService', time: TIME, eventId: 'e-1',
    requestParameters: { cluster: 'prod-cluster', service: 'checkout', forceNewDeployment: true }, ...over,
  });
  const otherAgentRoleArn = (() => {
    const [id] = Object.entries(ex.otherTemplate.Resources as Record<string, any>)
      .find(([, r]) => r.Type === 'AWS::IAM::Role' && (r.Properties.Tags ?? []).some((t: any) => t.Key === 'agent-guardrails:tool' && t.Value === 'read-logs'))!;
    return `arn:aws:iam::222222222222:role/${id}`;
  })();

  const cases: [string, Record<string, unknown>, boolean][] = [
    ['the agent\'s tool session, management write', call({}), true],
    ['the agent\'s tool session, read-only call', call({ roleArn: toolArn('read-service'), session: 'deploy-operator.read-service.r1', eventName: 'DescribeServices', readOnly: true }), true],
    ['the agent\'s tool session, denied call', call({ eventName: 'DeleteService', errorCode: 'AccessDenied' }), true],
    ['the agent\'s tool session, S3 data event', call({ eventSource: 's3.amazonaws.com', eventName: 'GetObject', category: 'Data', readOnly: true,
      requestParameters: { bucketName: 'acme-prod-logs', key: 'a.log' }, resources: [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::acme-prod-logs/a.log' }] }), true],
    ['a role chained from an agent session (source identity persists)', call({ roleArn: `arn:aws:iam::${ACCOUNT}:role/payments-admin`, session: 'chained' }), true],
    ['a tool role session without source identity', call({ sourceIdentity: undefined, session: 'someone' }), true],
    ['another agent\'s session', call({ roleArn: otherAgentRoleArn, session: 'support-observer.read-logs.r1', sourceIdentity: 'support-observer', eventSource: 'logs.amazonaws.com', eventName: 'FilterLogEvents' }), false],
    ['a look-alike source identity (case differs)', call({ roleArn: `arn:aws:iam::${ACCOUNT}:role/other`, sourceIdentity: 'Deploy-Operator' }), false],
    ['a prefix of the agent name', call({ roleArn: `arn:aws:iam::${ACCOUNT}:role/other`, sourceIdentity: 'deploy-operator-2' }), false],
    ['an unrelated role session (AWS docs example: MyRole/my-session)', call({ roleArn: `arn:aws:iam::${ACCOUNT}:role/MyRole`, session: 'my-session', sourceIdentity: undefined }), false],
  ];
  test.each(cases.map(([name, event, expected]) => [`${name}: ${expected ? 'matches' : 'does not match'}`, event, expected] as const))('%s', (_name, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  test('an IAM user\'s call and a console sign-in do not match', () => {
    const user = call({});
    (user.detail as any).userIdentity = { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:user/Alice`, accountId: ACCOUNT, accessKeyId: 'AKIAEXAMPLE', userName: 'Alice' };
    expect(matchesPattern(pattern, user)).toBe(false);
    expect(matchesPattern(pattern, { ...call({}), 'detail-type': 'AWS Console Sign In via CloudTrail' })).toBe(false);
  });

  test('exhaustively over the fields it reads: matches iff detail-type is an API call and (source identity is the agent or the issuer is a tool role)', () => {
    const identities = [undefined, 'deploy-operator', 'support-observer', 'deploy-operator ', ''];
    const issuers = [undefined, toolArn('read-service'), toolArn('rollback-deployment'), `arn:aws:iam::${ACCOUNT}:role/other`, toolArn('read-service').toUpperCase()];
    const types = ['AWS API Call via CloudTrail', 'AWS Service Event via CloudTrail', 'AWS Console Action via CloudTrail'];
    let count = 0;
    for (const sourceIdentity of identities) for (const issuer of issuers) for (const type of types) {
      const event = call({ sourceIdentity });
      (event as any)['detail-type'] = type;
      const ctx = (event.detail as any).userIdentity.sessionContext;
      if (issuer === undefined) delete ctx.sessionIssuer; else ctx.sessionIssuer.arn = issuer;
      const expected = type === 'AWS API Call via CloudTrail' && (sourceIdentity === 'deploy-operator' || ['read-service', 'rollback-deployment'].map(toolArn).includes(issuer ?? ''));
      expect([sourceIdentity, issuer, type, matchesPattern(pattern, event)]).toEqual([sourceIdentity, issuer, type, expected]);
      count += 1;
    }
    expect(count).toBe(75);
  });
});

describe('AgentActivityMonitor refuses and warns', () => {
  const env = Environment.of({ name: 'a-very-long-environment-name', aws: { account: ACCOUNT, regions: ['eu-west-1'] } });
  const make = (agentName: string, e = env) => {
    const stack = new Stack(new App(), 'S', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const broker = new CredentialBroker(stack, 'Broker', { runtime: iam.Role.fromRoleArn(stack, 'Rt', `arn:aws:iam::${ACCOUNT}:role/rt`, { mutable: false }) });
    const agent = new AgentIdentity(stack, 'Agent', {
      agentName, tier: AgentTier.OBSERVER, environment: e, broker: broker.role,
      tools: [Tool.read('read-objects', { aws: { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::acme-reports/daily/*'] } })],
      revocationPrincipals: [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/incident-response`)],
    });
    broker.addAgent(agent);
    return { stack, agent, broker };
  };

  test('names too long for Lambda and EventBridge are refused with the fix', () => {
    const { stack, agent } = make('a-rather-long-agent-name-for-this-test');
    expect(() => new AgentActivityMonitor(stack, 'Monitor', { agent })).toThrow(/AG_MONITOR_NAME_TOO_LONG[\s\S]*Shorten the agent or environment name/);
  });

  test('a data-event trail logs the declared S3 object prefix', () => {
    const short = Environment.of({ name: 'prod', aws: { account: ACCOUNT, regions: ['eu-west-1'] } });
    const { stack, agent, broker } = make('reporter', short);
    new AgentActivityMonitor(stack, 'Monitor', { agent, broker, dataEventTrail: true });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'agent-guardrails-reporter-prod-monitor-data-events',
      EventSelectors: [{ IncludeManagementEvents: false, ReadWriteType: 'All', DataResources: [{ Type: 'AWS::S3::Object', Values: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::acme-reports/daily/']] }] }] }],
    });
  });
});

describe('AGENT-005 knows the monitor (attacks on the synthesized template)', () => {
  const agent005 = (template: any) => runRules(inventoryFromTemplate(template, { stack: 'DeployOperatorProd' }), [KILL_SWITCH], Baseline.default()).map((f) => f.detail);
  const copy = () => JSON.parse(JSON.stringify(ex.template));
  const monitorPolicy = (t: any) => t.Resources[ex.monitorRole].Properties.Policies[0].PolicyDocument.Statement as any[];
  const pullPolicy = (t: any) => Object.values(t.Resources as Record<string, any>)
    .find((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.PolicyDocument.Statement.some((st: any) => st.Action === 'sts:AssumeRole')).Properties.PolicyDocument.Statement as any[];

  test('the example as synthesized: no finding', () => {
    expect(agent005(copy())).toEqual([]);
  });

  test('a monitor role widened beyond its set is a finding', () => {
    const t = copy();
    monitorPolicy(t).push({ Effect: 'Allow', Action: 'ecs:UpdateService', Resource: '*' });
    expect(agent005(t)).toEqual(['monitor-holds:ecs:UpdateService']);
  });

  test('a monitor that may assume any role (or a tool role) is a finding', () => {
    const any = copy();
    pullPolicy(any)[0].Resource = '*';
    expect(agent005(any)).toEqual(['monitor-holds:sts:AssumeRole']);
    const tool = copy();
    pullPolicy(tool)[0].Resource = { 'Fn::GetAtt': [ex.roleOf('restart-service'), 'Arn'] };
    expect(agent005(tool)).toEqual(['monitor-holds:sts:AssumeRole']);
  });

  test('a monitor whose own actions reach any topic or table is a finding', () => {
    const t = copy();
    const table = monitorPolicy(t).find((st) => [st.Action].flat().includes('dynamodb:UpdateItem'));
    table.Resource = '*';
    expect(agent005(t)).toEqual(['monitor-holds:dynamodb:GetItem']);
    const topics = copy();
    monitorPolicy(topics).find((st) => st.Action === 'sns:Publish').Resource = 'arn:aws:sns:eu-west-1:333333333333:*';
    expect(agent005(topics)).toEqual(['monitor-holds:sns:Publish']);
  });

  test('a revocation role (which the monitor assumes) that can attach policies to any role, or any policy, or do more, is a finding', () => {
    const revocationPolicy = (t: any) => t.Resources[ex.revocationRole].Properties.Policies[0].PolicyDocument.Statement as any[];
    const anyRole = copy();
    revocationPolicy(anyRole)[0].Resource = '*';
    expect(agent005(anyRole)).toEqual(['revocation-holds:iam:AttachRolePolicy']);
    const otherRole = copy();
    revocationPolicy(otherRole)[0].Resource = [revocationPolicy(otherRole)[0].Resource].flat().concat({ 'Fn::GetAtt': [ex.monitorRole, 'Arn'] });
    expect(agent005(otherRole)).toEqual(['revocation-holds:iam:AttachRolePolicy']);
    const anyPolicy = copy();
    delete revocationPolicy(anyPolicy)[0].Condition; // could attach AdministratorAccess to a tool role
    expect(agent005(anyPolicy)).toEqual(['revocation-holds:iam:AttachRolePolicy']);
    const likeAny = copy();
    revocationPolicy(likeAny)[0].Condition = { ArnLike: { 'iam:PolicyARN': 'arn:aws:iam::*:policy/*' } };
    expect(agent005(likeAny)).toEqual(['revocation-holds:iam:AttachRolePolicy']);
    const more = copy();
    revocationPolicy(more).push({ Effect: 'Allow', Action: 'iam:DetachRolePolicy', Resource: '*' });
    expect(agent005(more)).toEqual(['revocation-holds:iam:DetachRolePolicy']);
    // A role named by ARN that the inventory does not hold is not known as the agent's tool: not assumed to be one.
    const outside = copy();
    revocationPolicy(outside)[0].Resource = [revocationPolicy(outside)[0].Resource].flat().concat(`arn:aws:iam::${ACCOUNT}:role/payments-app`);
    expect(agent005(outside)).toEqual(['revocation-holds:iam:AttachRolePolicy']);
  });

  test('a revocation role that trusts a tool role is a finding', () => {
    const t = copy();
    t.Resources[ex.revocationRole].Properties.AssumeRolePolicyDocument.Statement.push({
      Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: { 'Fn::GetAtt': [ex.roleOf('open-ops-item'), 'Arn'] } },
    });
    expect(agent005(t)).toEqual([`revocation-trusts:${ex.roleOf('open-ops-item')}`]);
  });
});
