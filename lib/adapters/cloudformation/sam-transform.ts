import * as fs from 'fs';
import * as path from 'path';
import { policiesDir } from '../../baseline/baseline';
import { hasOwn, setOwn } from '../../private/own';
import { awsManagedPolicyKeyByName } from './aws-managed-policies';
import { transformAddsOnlyAwsRotation } from './aws-rotation-transforms';
import { isObject } from './private/policy-document';

/**
 * Reading an AWS SAM template (`Transform: AWS::Serverless-2016-10-31`) as SAM deploys it, for IAM.
 *
 * SAM turns each `AWS::Serverless::Function` and `AWS::Serverless::StateMachine` without a `Role`
 * into the resource plus an execution role `<LogicalId>Role`: the service's trust (or the given
 * `AssumeRolePolicyDocument`), for functions AWSLambdaBasicExecutionRole (+ AWSXrayWriteOnlyAccess
 * with `Tracing`, + AWSLambdaVPCAccessExecutionRole with `VpcConfig`), every `Policies` entry (an
 * AWS-managed policy by name, a policy ARN, an inline document, a SAM policy template, `Fn::If` of
 * those), the managed policy of each poll-based event source (SQS, Kinesis, DynamoDB, MSK), the
 * dead-letter target and the asynchronous-invocation destinations, `PermissionsBoundary`, `RolePath`.
 * This module writes those roles into a copy of the template, so the checks read them as any role.
 *
 * What SAM generates that is not modelled here is returned as `unseen` (reported, never assumed
 * safe): an unknown policy template or `Policies` entry, a nested application of anyone but AWS's
 * rotation publisher, connectors, GraphQL APIs, unknown event sources and SAM resource types.
 */

export const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';

/** What SAM generates that this reading does not model. */
export interface SamUnseen {
  readonly logicalId: string;
  readonly path: string;
  readonly what: string;
  /** A warning when what is unseen can only be AWS-generated, narrow grants (connectors, event-source roles). */
  readonly severity?: 'warning';
}

interface PolicyTemplate { readonly parameters: string[]; readonly statements: Record<string, unknown>[] }

let templates: Record<string, PolicyTemplate> | undefined;

/** The SAM policy templates (policies/aws-sam-policy-templates.json), read on the first SAM template. */
function policyTemplates(): Record<string, PolicyTemplate> {
  templates ??= (JSON.parse(fs.readFileSync(path.join(policiesDir(), 'aws-sam-policy-templates.json'), 'utf8')) as { templates: Record<string, PolicyTemplate> }).templates;
  return templates;
}

const managedArn = (key: string) => `arn:aws:iam::aws:policy/${key}`;
const NO_VALUE = { Ref: 'AWS::NoValue' };
const trustOf = (service: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: [service] }, Action: ['sts:AssumeRole'] }],
});

/** The managed policy SAM attaches for each poll-based event source of a function. */
const EVENT_SOURCE_POLICIES: Record<string, string> = {
  SQS: 'service-role/AWSLambdaSQSQueueExecutionRole',
  Kinesis: 'service-role/AWSLambdaKinesisExecutionRole',
  DynamoDB: 'service-role/AWSLambdaDynamoDBExecutionRole',
  MSK: 'service-role/AWSLambdaMSKExecutionRole',
};
/** Event sources that add nothing to the function's role (they add a resource-based permission, or a role of their own that only invokes the function). */
const PUSH_EVENT_SOURCES = new Set([
  'Api', 'HttpApi', 'S3', 'SNS', 'Schedule', 'ScheduleV2', 'CloudWatchEvent', 'EventBridgeRule', 'CloudWatchLogs', 'IoTRule', 'AlexaSkill', 'Cognito',
]);
/** The action a destination of each type needs, as SAM grants it (dead-letter queues and `EventInvokeConfig`). */
const DESTINATION_ACTIONS: Record<string, string> = {
  SQS: 'sqs:SendMessage', SNS: 'sns:Publish', Lambda: 'lambda:InvokeFunction', EventBridge: 'events:PutEvents',
};
/** SAM resources that become one plain resource and grant nothing themselves. */
const PLAIN_TYPES: Record<string, string> = {
  'AWS::Serverless::SimpleTable': 'AWS::DynamoDB::Table',
  'AWS::Serverless::Api': 'AWS::ApiGateway::RestApi',
  'AWS::Serverless::HttpApi': 'AWS::ApiGatewayV2::Api',
  'AWS::Serverless::LayerVersion': 'AWS::Lambda::LayerVersion',
};

type Json = Record<string, unknown>;

/** Turns a RotationSchedule's `HostedRotationLambda` into AWS's own rotation application, which SAM then reads. */
const SECRETS_MANAGER_TRANSFORM = 'AWS::SecretsManager-2020-07-23';

/** Whether a template's `Transform` (a string or a list) names SAM. */
export function usesSamTransform(template: { Transform?: unknown }): boolean {
  const t = template.Transform;
  return t === SAM_TRANSFORM || (Array.isArray(t) && t.includes(SAM_TRANSFORM));
}

/** The macros of a template's `Transform` that this reading does not model (anything but SAM and the rotation transform). */
export function transformsNotRead(template: { Transform?: unknown }): unknown[] {
  const t = template.Transform;
  if (t === undefined) return [];
  return (Array.isArray(t) ? t : [t]).filter((x) => x !== SAM_TRANSFORM && x !== SECRETS_MANAGER_TRANSFORM);
}

/**
 * A copy of a SAM template with what SAM generates for IAM written out as plain CloudFormation,
 * and what it generates that this does not model.
 */
export function expandSamTemplate(template: Json, parameterValues: Record<string, unknown> = {}): { template: Json; unseen: SamUnseen[] } {
  const resources = isObject(template.Resources) ? template.Resources : {};
  const globals = isObject(template.Globals) && isObject(template.Globals.Function) ? template.Globals.Function : {};
  const out: Json = {};
  const unseen: SamUnseen[] = [];
  // Logical ids are keys the template chose (`__proto__` too): written as own members, never by assignment.
  const add = (id: string, resource: Json) => {
    // A logical id the template already uses wins (SAM would fail the deploy on the clash).
    if (!hasOwn(out, id) && !hasOwn(resources, id)) setOwn<unknown>(out, id, resource);
  };
  for (const id of Object.keys(resources)) {
    const r = resources[id];
    const type = isObject(r) ? r.Type : undefined;
    if (!isObject(r) || typeof type !== 'string' || !type.startsWith('AWS::Serverless::')) {
      setOwn<unknown>(out, id, r);
      continue;
    }
    const keep = { ...(r.Condition !== undefined ? { Condition: r.Condition } : {}), ...(r.DependsOn !== undefined ? { DependsOn: r.DependsOn } : {}), ...(isObject(r.Metadata) ? { Metadata: r.Metadata } : {}) };
    const props = isObject(r.Properties) ? r.Properties : {};
    const note = (p: string, what: string, severity?: 'warning') => unseen.push({ logicalId: id, path: p, what, ...(severity ? { severity } : {}) });
    switch (type) {
      case 'AWS::Serverless::Function': {
        const merged = { ...globals, ...props };
        const role = merged.Role;
        setOwn<unknown>(out, id, { Type: 'AWS::Lambda::Function', ...keep, Properties: { ...withoutSamProperties(merged), Tags: samTags(merged.Tags), Role: role ?? { 'Fn::GetAtt': [`${id}Role`, 'Arn'] } } });
        if (role === undefined) add(`${id}Role`, { Type: 'AWS::IAM::Role', ...conditionOf(keep), Properties: functionRole(id, merged, note, add) });
        publicUrlPermission(id, merged, keep, add);
        codeDeployRole(merged, add);
        break;
      }
      case 'AWS::Serverless::StateMachine': {
        const role = props.Role;
        setOwn<unknown>(out, id, { Type: 'AWS::StepFunctions::StateMachine', ...keep, Properties: { ...withoutSamProperties(props), RoleArn: role ?? { 'Fn::GetAtt': [`${id}Role`, 'Arn'] } } });
        if (role === undefined) {
          const policies = samPolicies(id, props.Policies, note);
          add(`${id}Role`, { Type: 'AWS::IAM::Role', ...conditionOf(keep), Properties: roleProperties(props, trustOf('states.amazonaws.com'), policies.managed, policies.inline) });
        }
        break;
      }
      case 'AWS::Serverless::Application':
        setOwn<unknown>(out, id, r);
        if (!transformAddsOnlyAwsRotation({ ...template, Transform: SAM_TRANSFORM, Resources: { [id]: r } }, parameterValues)) {
          note('Properties.Location', 'a nested application whose template (and the roles it creates) this check cannot see; check that application\'s template');
        }
        break;
      case 'AWS::Serverless::Connector':
        setOwn<unknown>(out, id, r);
        note('Properties.Permissions', 'a SAM connector: SAM writes its policy on the source\'s role from Source, Destination and Permissions, which this check does not read', 'warning');
        break;
      case 'AWS::Serverless::GraphQLApi':
        setOwn<unknown>(out, id, r);
        note('Properties', 'a SAM GraphQL API: SAM creates roles for its data sources and logging, which this check does not read', 'warning');
        break;
      default:
        if (hasOwn(PLAIN_TYPES, type)) {
          setOwn<unknown>(out, id, { ...r, Type: PLAIN_TYPES[type] });
        } else {
          setOwn<unknown>(out, id, r);
          note('Type', `${type}, a SAM resource type this check does not know: what SAM generates for it is not checked`);
        }
    }
  }
  const { Globals: _globals, ...rest } = template;
  return { template: { ...rest, Resources: out }, unseen };
}

/** The execution role SAM writes for a function without `Role`. */
function functionRole(id: string, props: Json, note: (p: string, what: string, severity?: 'warning') => void, add: (id: string, r: Json) => void): Json {
  const managed: unknown[] = [managedArn('service-role/AWSLambdaBasicExecutionRole')];
  if (props.Tracing !== undefined) managed.push(managedArn('AWSXrayWriteOnlyAccess'));
  if (props.VpcConfig !== undefined) managed.push(managedArn('service-role/AWSLambdaVPCAccessExecutionRole'));
  const policies = samPolicies(id, props.Policies, note);
  managed.push(...policies.managed);
  const inline = [...policies.inline];
  const events = isObject(props.Events) ? props.Events : {};
  for (const name of Object.keys(events)) {
    const event = events[name];
    const type = isObject(event) ? event.Type : undefined;
    if (typeof type === 'string' && hasOwn(EVENT_SOURCE_POLICIES, type)) managed.push(managedArn(EVENT_SOURCE_POLICIES[type]));
    else if (typeof type !== 'string' || !PUSH_EVENT_SOURCES.has(type)) {
      note(`Properties.Events.${name}`, `an event source of type ${JSON.stringify(type)}, for which SAM adds permissions to the function's role that this check does not read`, 'warning');
    }
  }
  const dlq = props.DeadLetterQueue;
  if (isObject(dlq)) {
    const action = typeof dlq.Type === 'string' ? DESTINATION_ACTIONS[dlq.Type] : undefined;
    if (action && (dlq.Type === 'SQS' || dlq.Type === 'SNS')) inline.push(inlinePolicy(`${id}RoleDeadLetterQueuePolicy`, [{ Effect: 'Allow', Action: action, Resource: dlq.TargetArn }]));
    else note('Properties.DeadLetterQueue', `a dead-letter target of type ${JSON.stringify(dlq.Type)}, which SAM does not accept`);
  }
  const destinations = isObject(props.EventInvokeConfig) && isObject(props.EventInvokeConfig.DestinationConfig) ? props.EventInvokeConfig.DestinationConfig : {};
  for (const when of ['OnSuccess', 'OnFailure']) {
    const d = destinations[when];
    if (!isObject(d)) continue;
    const action = typeof d.Type === 'string' && hasOwn(DESTINATION_ACTIONS, d.Type) ? DESTINATION_ACTIONS[d.Type] : undefined;
    if (!action) {
      note(`Properties.EventInvokeConfig.DestinationConfig.${when}`, `a destination of type ${JSON.stringify(d.Type)}, for which SAM adds permissions this check does not read`, 'warning');
      continue;
    }
    let target = d.Destination;
    if (target === undefined && (d.Type === 'SQS' || d.Type === 'SNS')) {
      // Without a Destination, SAM creates the queue or topic itself.
      const created = `${id}EventInvokeConfig${when}${d.Type === 'SQS' ? 'Queue' : 'Topic'}`;
      add(created, { Type: d.Type === 'SQS' ? 'AWS::SQS::Queue' : 'AWS::SNS::Topic', Properties: {} });
      target = d.Type === 'SQS' ? { 'Fn::GetAtt': [created, 'Arn'] } : { Ref: created };
    }
    inline.push(inlinePolicy(`${id}EventInvokeConfig${when}Policy`, [{ Effect: 'Allow', Action: action, Resource: target }]));
  }
  return roleProperties(props, props.AssumeRolePolicyDocument ?? trustOf('lambda.amazonaws.com'), managed, inline);
}

function roleProperties(props: Json, trust: unknown, managed: unknown[], inline: Json[]): Json {
  return {
    AssumeRolePolicyDocument: trust,
    ManagedPolicyArns: managed,
    ...(inline.length ? { Policies: inline } : {}),
    ...(props.PermissionsBoundary !== undefined ? { PermissionsBoundary: props.PermissionsBoundary } : {}),
    ...(props.RolePath !== undefined ? { Path: props.RolePath } : {}),
    Tags: [{ Key: 'lambda:createdBy', Value: 'SAM' }, ...samTags(props.Tags)],
  };
}

/** SAM's `Tags` is a map; the role gets them as a CloudFormation tag list. */
function samTags(tags: unknown): Json[] {
  return isObject(tags) ? Object.keys(tags).map((Key) => ({ Key, Value: tags[Key] })) : [];
}

function inlinePolicy(name: string, statements: unknown[]): Json {
  return { PolicyName: name, PolicyDocument: { Version: '2012-10-17', Statement: statements } };
}

/**
 * SAM's `Policies` (a name, an ARN, a document, a policy template, `Fn::If` of those, or a list of
 * them) as managed policy ARNs and inline policies of the generated role.
 */
function samPolicies(id: string, raw: unknown, note: (p: string, what: string) => void): { managed: unknown[]; inline: Json[] } {
  const managed: unknown[] = [];
  const inline: Json[] = [];
  if (raw === undefined) return { managed, inline };
  const items = Array.isArray(raw) ? raw : [raw];
  items.forEach((item, i) => {
    const one = samPolicyEntry(id, item, i, (what) => note(`Properties.Policies[${i}]`, what));
    managed.push(...one.managed);
    inline.push(...one.inline);
  });
  return { managed, inline };
}

/** `Fn::If` nesting read in one `Policies` entry (each level is a branch of the one above: input of any depth). */
const MAX_POLICY_IF_DEPTH = 64;

function samPolicyEntry(id: string, item: unknown, i: number, note: (what: string) => void, depth = 0): { managed: unknown[]; inline: Json[] } {
  const name = `${id}RolePolicy${i}`;
  if (depth > MAX_POLICY_IF_DEPTH) {
    note(`a Policies entry of Fn::If nested more than ${MAX_POLICY_IF_DEPTH} levels deep, past what is read`);
    return { managed: [], inline: [] };
  }
  if (typeof item === 'string') {
    if (item.startsWith('arn:')) return { managed: [item], inline: [] };
    // A name the managed-policy data lacks stays an AWS-managed ARN: the adapter reports it by name.
    return { managed: [managedArn(awsManagedPolicyKeyByName(item) ?? item)], inline: [] };
  }
  if (!isObject(item)) {
    note(`a Policies entry SAM does not accept (${JSON.stringify(item)})`);
    return { managed: [], inline: [] };
  }
  const keys = Object.keys(item);
  if (hasOwn(item, 'Statement')) return { managed: [], inline: [{ PolicyName: name, PolicyDocument: item }] };
  if (keys.length === 1 && keys[0] === 'Fn::If' && Array.isArray(item['Fn::If']) && item['Fn::If'].length === 3) {
    // Each branch's policies, present only when the condition picks that branch (the adapter decides it, or reads both).
    const [condition, whenTrue, whenFalse] = item['Fn::If'] as unknown[];
    const branch = (v: unknown) => (isObject(v) && v.Ref === 'AWS::NoValue' ? { managed: [], inline: [] } : samPolicyEntry(id, v, i, note, depth + 1));
    const a = branch(whenTrue);
    const b = branch(whenFalse);
    return {
      managed: [...a.managed.map((m) => ({ 'Fn::If': [condition, m, NO_VALUE] })), ...b.managed.map((m) => ({ 'Fn::If': [condition, NO_VALUE, m] }))],
      inline: [...a.inline.map((p) => ({ 'Fn::If': [condition, p, NO_VALUE] }) as Json), ...b.inline.map((p) => ({ 'Fn::If': [condition, NO_VALUE, p] }) as Json)],
    };
  }
  // Any other intrinsic (Ref, Fn::Sub, Fn::ImportValue, …) is a policy ARN.
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return { managed: [item], inline: [] };
  if (keys.length === 1) {
    const template = hasOwn(policyTemplates(), keys[0]) ? policyTemplates()[keys[0]] : undefined;
    if (!template) {
      note(`SAM policy template ${keys[0]}, which is not in the SAM policy template data (policies/aws-sam-policy-templates.json): a typo, or a template newer than the data`);
      return { managed: [], inline: [] };
    }
    const args = isObject(item[keys[0]]) ? item[keys[0]] as Json : {};
    const missing = template.parameters.filter((p) => args[p] === undefined);
    if (missing.length > 0) {
      note(`SAM policy template ${keys[0]} without its parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
      return { managed: [], inline: [] };
    }
    const variables: Json = {};
    for (const p of template.parameters) variables[p] = args[p];
    return { managed: [], inline: [inlinePolicy(name, template.statements.map((s) => substitute(s, variables)))] };
  }
  note('a Policies entry that is neither a policy document, a policy template nor a policy ARN');
  return { managed: [], inline: [] };
}

/** A template statement with each `${…}` string as an `Fn::Sub` over the template's parameters. */
function substitute(value: unknown, variables: Json): unknown {
  if (typeof value === 'string') return value.includes('${') ? { 'Fn::Sub': [value, variables] } : value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, variables));
  if (isObject(value)) {
    const out: Json = {};
    for (const k of Object.keys(value)) out[k] = substitute(value[k], variables);
    return out;
  }
  return value;
}

/** A function URL with `AuthType: NONE`: SAM adds the public permission to call it. */
function publicUrlPermission(id: string, props: Json, keep: Json, add: (id: string, r: Json) => void): void {
  const url = props.FunctionUrlConfig;
  if (!isObject(url) || url.AuthType !== 'NONE') return;
  add(`${id}UrlPublicPermissions`, {
    Type: 'AWS::Lambda::Permission', ...conditionOf(keep),
    Properties: { Action: 'lambda:InvokeFunctionUrl', FunctionName: { Ref: id }, Principal: '*', FunctionUrlAuthType: 'NONE' },
  });
}

/**
 * An enabled `DeploymentPreference` without a `Role`: the CodeDeploy service role SAM generates, once per template, as
 * SAM's translator writes it (samtranslator/model/preferences/deployment_preference_collection.py, `CodeDeployServiceRole`;
 * the sources of policies/aws-sam-policy-templates.json): trusted by codedeploy.amazonaws.com only (sts:AssumeRole), with
 * `service-role/AWSCodeDeployRoleForLambda` (SAM attaches the narrower `…ForLambdaLimited` only in the aws-iso partitions:
 * reading the wider one is the safe side). A preference is disabled by `Enabled: false` or the strings "false"/"False"
 * (deployment_preference.py); an empty `Role` is no role. SAM conditions the role when every enabled preference is
 * conditional; it is read unconditionally here (checked whether or not it is deployed).
 */
function codeDeployRole(props: Json, add: (id: string, r: Json) => void): void {
  const pref = props.DeploymentPreference;
  if (!isObject(pref) || (pref.Role !== undefined && pref.Role !== null && pref.Role !== '') || [false, 'false', 'False'].includes(pref.Enabled as never)) return;
  add('CodeDeployServiceRole', {
    Type: 'AWS::IAM::Role',
    Properties: { AssumeRolePolicyDocument: trustOf('codedeploy.amazonaws.com'), ManagedPolicyArns: [managedArn('service-role/AWSCodeDeployRoleForLambda')] },
  });
}

function conditionOf(keep: Json): Json {
  return keep.Condition !== undefined ? { Condition: keep.Condition } : {};
}

/** SAM-only properties, dropped from the plain resource (they are read here, not by the adapter). */
const SAM_ONLY = new Set(['Policies', 'Events', 'Role', 'RolePath', 'PermissionsBoundary', 'AssumeRolePolicyDocument', 'DeadLetterQueue', 'EventInvokeConfig', 'DeploymentPreference', 'AutoPublishAlias', 'FunctionUrlConfig', 'CodeUri', 'InlineCode', 'DefinitionUri', 'Definition', 'DefinitionSubstitutions', 'Tags']);

function withoutSamProperties(props: Json): Json {
  const out: Json = {};
  for (const k of Object.keys(props)) if (!SAM_ONLY.has(k)) out[k] = props[k];
  return out;
}
