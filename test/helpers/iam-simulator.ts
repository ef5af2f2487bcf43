/**
 * IAM simulator harness over `@cloud-copilot/iam-simulate` (AGPL: tests only, never import from lib/ or constructs/).
 *
 * Decides real requests against the policies of a synthesized CloudFormation template, so tests prove
 * what a role can do instead of asserting the shape of its policy.
 *
 * ```ts
 * const sim = IamSimulator.fromTemplate(Template.fromStack(stack).toJSON(), { account: '333333333333', region: 'eu-west-1' });
 * const roleId = sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags['agent-guardrails:tool'] === 'restart-service');
 * await sim.decide({ role: roleId, action: 'ecs:UpdateService', resource: 'arn:aws:ecs:eu-west-1:333333333333:service/prod/checkout' });
 * //   → 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied'
 * await sim.decideAssume({ role: roleId, principal: brokerArn, action: 'sts:AssumeRole', context: { 'sts:SourceIdentity': 'deploy-operator' } });
 * ```
 *
 * - `decide(request)` evaluates a request made *by* a role of the template: its inline policies
 *   (`Policies`), `AWS::IAM::Policy` resources naming it, its `ManagedPolicyArns` and managed policies
 *   naming it in `Roles`, and its `PermissionsBoundary` (both resolved from the template). Options:
 *   `extraPolicies` (documents added to the identity, e.g. a widened `*` on `*` statement),
 *   `attachManagedPolicies` (ARNs or logical ids of template managed policies to treat as attached, e.g.
 *   the kill switch), `boundary: 'none'` or a document to replace the template's boundary,
 *   `resourceTags` (become `aws:ResourceTag/<key>`), `resourceAccount` (becomes the resource's account and
 *   `aws:ResourceAccount`, which the simulator does not derive itself; default: the ARN's account, else
 *   the harness account), `context` (any keys: `aws:TokenIssueTime`,
 *   `aws:SourceIdentity`, `aws:PrincipalTag/...`, `iam:PolicyARN`, ...). `aws:RequestedRegion` defaults to
 *   the resource ARN's region, else the harness region. Context keys are never set to `undefined`
 *   (the simulator lets an undefined key slip past a `StringNotEquals` deny). A context key the action
 *   does not support (e.g. `aws:ResourceTag/...` for `s3:GetObject`) makes the call throw: the simulator
 *   would drop it before evaluation and a deny test would prove nothing.
 * - `decideAssume(request)` evaluates a request *to* a role (its `AssumeRolePolicyDocument` as the
 *   resource policy): `sts:AssumeRole`, `sts:TagSession`, `sts:SetSourceIdentity`, with the caller's
 *   ARN as `principal`, optional `principalPolicies` and `context` (e.g. `sts:SourceIdentity`,
 *   `aws:RequestTag/<key>`, `aws:TagKeys`).
 * - `roleArn(id)` / `policyArn(id)` give the ARNs the harness resolves `Fn::GetAtt`/`Ref` to
 *   (`arn:aws:iam::<account>:role/<path><RoleName or logical id>`), so tests can build requests naming them.
 * - `logicalIdOf(type, filter)` / `logicalIdsOf` find resources by a predicate over `{ tags, metadata,
 *   properties }` (e.g. the role tagged `agent-guardrails:tool=x`, the policy with component metadata);
 *   `roleView(id)`, `identityPoliciesOf(id)` and `boundaryOf(id)` expose what `decide` evaluates.
 * - Intrinsics resolved: `Ref` (pseudo parameters, IAM roles/managed policies, SSM parameters, SNS
 *   topics, DynamoDB tables, Lambda functions, log groups), `Fn::GetAtt` (`Arn` of those, role `RoleId`,
 *   topic `TopicArn`), `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`. Anything else throws: a test
 *   never silently evaluates a half-resolved policy.
 */
import { runSimulation, Simulation } from '@cloud-copilot/iam-simulate';

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export interface HarnessOptions {
  /** Account the template is deployed to (`AWS::AccountId`). */
  readonly account: string;
  /** Region the template is deployed to (`AWS::Region`); default for `aws:RequestedRegion`. */
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
}

export interface RoleRequest {
  /** Logical id of the `AWS::IAM::Role` making the request. */
  readonly role: string;
  readonly action: string;
  /** Resource ARN (`*` for wildcard-only actions). */
  readonly resource: string;
  /** @default - the account in the ARN, else the harness account */
  readonly resourceAccount?: string;
  /** Extra request context. */
  readonly context?: Record<string, string | string[]>;
  /** Tags of the resource, as `aws:ResourceTag/<key>`. */
  readonly resourceTags?: Record<string, string>;
  /** Extra identity policy documents (e.g. a widened `*` on `*`). */
  readonly extraPolicies?: unknown[];
  /** Managed policies (ARN or template logical id) to treat as attached. */
  readonly attachManagedPolicies?: string[];
  /** `'none'` to drop the boundary, or a document replacing it. @default - the template's boundary */
  readonly boundary?: 'none' | unknown;
}

export interface AssumeRequest {
  /** Logical id of the role being assumed. */
  readonly role: string;
  /** ARN of the caller. */
  readonly principal: string;
  /** `sts:AssumeRole`, `sts:TagSession`, `sts:SetSourceIdentity`. */
  readonly action: string;
  readonly context?: Record<string, string | string[]>;
  /** Identity policies of the caller. @default - none (same-account trust naming the caller suffices) */
  readonly principalPolicies?: unknown[];
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
}

export interface RoleView {
  readonly logicalId: string;
  readonly properties: Record<string, any>;
  readonly tags: Record<string, string>;
  readonly metadata: Record<string, any>;
}

export class IamSimulator {
  public static fromTemplate(template: any, options: HarnessOptions): IamSimulator {
    return new IamSimulator(template, options);
  }

  private readonly resources: Record<string, CfnResource>;
  private readonly partition: string;

  private constructor(template: any, private readonly options: HarnessOptions) {
    this.resources = template.Resources ?? {};
    this.partition = options.partition ?? 'aws';
  }

  /** Logical ids of resources of a type, optionally filtered by a predicate over the role view. */
  public logicalIdsOf(type: string, filter?: (r: RoleView) => boolean): string[] {
    return Object.entries(this.resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => this.view(id, r))
      .filter((v) => !filter || filter(v))
      .map((v) => v.logicalId);
  }

  /** The one logical id matching; throws when there is not exactly one. */
  public logicalIdOf(type: string, filter?: (r: RoleView) => boolean): string {
    const ids = this.logicalIdsOf(type, filter);
    if (ids.length !== 1) throw new Error(`expected exactly one ${type} matching, found ${ids.length}: ${ids.join(', ')}`);
    return ids[0];
  }

  public roleArn(logicalId: string): string {
    const r = this.resource(logicalId, 'AWS::IAM::Role');
    const name = r.Properties?.RoleName ? this.resolve(r.Properties.RoleName) : logicalId;
    return `arn:${this.partition}:iam::${this.options.account}:role${r.Properties?.Path ?? '/'}${name}`;
  }

  public policyArn(logicalId: string): string {
    const r = this.resource(logicalId, 'AWS::IAM::ManagedPolicy');
    const name = r.Properties?.ManagedPolicyName ? this.resolve(r.Properties.ManagedPolicyName) : logicalId;
    return `arn:${this.partition}:iam::${this.options.account}:policy${r.Properties?.Path ?? '/'}${name}`;
  }

  /** A template value with every intrinsic resolved (throws on what it cannot resolve). */
  public resolve(value: any): any {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = value[k];
      switch (k) {
        case 'Ref': return this.ref(arg);
        case 'Fn::GetAtt': return this.getAtt(Array.isArray(arg) ? arg : String(arg).split('.'));
        case 'Fn::Join': return (this.resolve(arg[1]) as any[]).join(arg[0]);
        case 'Fn::Select': return this.resolve(arg[1])[Number(this.resolve(arg[0]))];
        case 'Fn::Split': return String(this.resolve(arg[1])).split(arg[0]);
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
          return String(text).replace(/\$\{([^}!]+)\}/g, (_m, name: string) =>
            vars[name] !== undefined ? this.resolve(vars[name]) : name.includes('.') ? this.getAtt(name.split('.')) : this.ref(name));
        }
        default:
          if (k.startsWith('Fn::')) throw new Error(`harness cannot resolve ${k}`);
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(value[k])]));
  }

  public roleView(logicalId: string): RoleView {
    return this.view(logicalId, this.resource(logicalId, 'AWS::IAM::Role'));
  }

  /** Identity policy documents of a role, resolved (inline, AWS::IAM::Policy, attached managed). */
  public identityPoliciesOf(roleId: string): { name: string; policy: any }[] {
    const role = this.resource(roleId, 'AWS::IAM::Role');
    const out: { name: string; policy: any }[] = [];
    for (const p of role.Properties?.Policies ?? []) out.push({ name: `${roleId}/${p.PolicyName}`, policy: this.resolve(p.PolicyDocument) });
    const namesRole = (list: any[] | undefined) => (list ?? []).some((r) => r?.Ref === roleId);
    for (const [id, r] of Object.entries(this.resources)) {
      if (r.Type === 'AWS::IAM::Policy' && namesRole(r.Properties?.Roles)) out.push({ name: id, policy: this.resolve(r.Properties!.PolicyDocument) });
      if (r.Type === 'AWS::IAM::ManagedPolicy' && namesRole(r.Properties?.Roles)) out.push({ name: id, policy: this.resolve(r.Properties!.PolicyDocument) });
    }
    for (const arn of this.resolve(role.Properties?.ManagedPolicyArns ?? []) as string[]) out.push({ name: arn, policy: this.managedPolicyDocument(arn) });
    return out;
  }

  /** The resolved boundary document of a role, or undefined. */
  public boundaryOf(roleId: string): any | undefined {
    const pb = this.resource(roleId, 'AWS::IAM::Role').Properties?.PermissionsBoundary;
    return pb === undefined ? undefined : this.managedPolicyDocument(this.resolve(pb));
  }

  /** Decide a request made by a template role. */
  public async decide(req: RoleRequest): Promise<Decision> {
    const identityPolicies = [
      ...this.identityPoliciesOf(req.role),
      ...(req.attachManagedPolicies ?? []).map((p) => {
        const arn = p.startsWith('arn:') ? p : this.policyArn(p);
        return { name: arn, policy: this.managedPolicyDocument(arn) };
      }),
      ...(req.extraPolicies ?? []).map((policy, i) => ({ name: `extra-${i}`, policy })),
    ];
    const boundary = req.boundary === 'none' ? undefined : req.boundary !== undefined ? req.boundary : this.boundaryOf(req.role);
    const arnParts = req.resource.split(':');
    const resourceAccount = req.resourceAccount ?? (arnParts[4] || this.options.account);
    const context: Record<string, string | string[]> = {
      'aws:RequestedRegion': arnParts[3] || this.options.region,
      'aws:PrincipalArn': this.roleArn(req.role),
      'aws:PrincipalAccount': this.options.account,
      // AWS includes the resource's account for most actions; the simulator does not derive it.
      'aws:ResourceAccount': resourceAccount,
    };
    for (const [k, v] of Object.entries(req.resourceTags ?? {})) context[`aws:ResourceTag/${k}`] = v;
    Object.assign(context, defined(req.context ?? {}));
    return this.run({
      request: {
        principal: this.roleArn(req.role),
        action: req.action,
        resource: { resource: req.resource, accountId: resourceAccount },
        contextVariables: context,
      },
      identityPolicies,
      permissionBoundaryPolicies: boundary ? [{ name: 'boundary', policy: boundary }] : undefined,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    });
  }

  /** Decide a request to assume (or tag a session of) a template role. */
  public async decideAssume(req: AssumeRequest): Promise<Decision> {
    const role = this.resource(req.role, 'AWS::IAM::Role');
    const callerAccount = req.principal.split(':')[4] || this.options.account;
    return this.run({
      request: {
        principal: req.principal,
        action: req.action,
        resource: { resource: this.roleArn(req.role), accountId: this.options.account },
        contextVariables: { 'aws:PrincipalArn': req.principal, 'aws:PrincipalAccount': callerAccount, ...defined(req.context ?? {}) },
      },
      identityPolicies: (req.principalPolicies ?? []).map((policy, i) => ({ name: `caller-${i}`, policy })),
      resourcePolicy: this.resolve(role.Properties!.AssumeRolePolicyDocument),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    });
  }

  private async run(simulation: Simulation): Promise<Decision> {
    const result = await runSimulation(simulation, {});
    const what = `${simulation.request.action} on ${simulation.request.resource.resource}`;
    if (result.resultType === 'error') {
      throw new Error(`simulation rejected: ${result.errors.message} ${JSON.stringify(result.errors)} for ${what}`);
    }
    // A key the action does not support would be dropped before evaluation: a deny test would then prove nothing.
    const results = result.resultType === 'single' ? [result.result] : result.results;
    const ignored = [...new Set(results.flatMap((r) => r.ignoredContextKeys ?? []))].filter((k) => !AUTO_KEYS.has(k.toLowerCase()));
    if (ignored.length > 0) throw new Error(`simulator ignored context keys ${ignored.join(', ')} for ${what}: the action does not support them`);
    return result.overallResult;
  }

  private managedPolicyDocument(arn: string): any {
    for (const [id, r] of Object.entries(this.resources)) {
      if (r.Type === 'AWS::IAM::ManagedPolicy' && this.policyArn(id) === arn) return this.resolve(r.Properties!.PolicyDocument);
    }
    throw new Error(`managed policy ${arn} is not in the template; pass its document as extraPolicies`);
  }

  private resource(logicalId: string, type: string): CfnResource {
    const r = this.resources[logicalId];
    if (!r || r.Type !== type) throw new Error(`${logicalId} is not a ${type} in the template`);
    return r;
  }

  private view(logicalId: string, r: CfnResource): RoleView {
    const tags: Record<string, string> = {};
    for (const t of r.Properties?.Tags ?? []) tags[t.Key] = t.Value;
    return { logicalId, properties: r.Properties ?? {}, tags, metadata: r.Metadata ?? {} };
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::AccountId': return this.options.account;
      case 'AWS::Region': return this.options.region;
      case 'AWS::Partition': return this.partition;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return 'Stack';
      default:
    }
    const r = this.resources[name];
    if (!r) throw new Error(`harness cannot resolve Ref ${name}`);
    const named = (key: string) => (r.Properties?.[key] !== undefined ? String(this.resolve(r.Properties[key])) : name);
    switch (r.Type) {
      case 'AWS::IAM::ManagedPolicy': return this.policyArn(name);
      case 'AWS::IAM::Role': return named('RoleName');
      case 'AWS::SSM::Parameter': return named('Name');
      case 'AWS::SNS::Topic': return this.arnOf('sns', named('TopicName'));
      case 'AWS::DynamoDB::Table': return named('TableName');
      case 'AWS::Lambda::Function': return named('FunctionName');
      case 'AWS::Logs::LogGroup': return named('LogGroupName');
      default: throw new Error(`harness cannot resolve Ref to ${r.Type}`);
    }
  }

  private getAtt([id, attr]: string[]): string {
    const r = this.resources[id];
    const type = r?.Type;
    if (type === 'AWS::IAM::Role' && attr === 'Arn') return this.roleArn(id);
    if (type === 'AWS::IAM::Role' && attr === 'RoleId') return `AROA${id.toUpperCase().slice(0, 16)}`;
    if (type === 'AWS::DynamoDB::Table' && attr === 'Arn') return this.arnOf('dynamodb', `table/${this.ref(id)}`);
    if (type === 'AWS::Lambda::Function' && attr === 'Arn') return this.arnOf('lambda', `function:${this.ref(id)}`);
    if (type === 'AWS::Logs::LogGroup' && attr === 'Arn') return this.arnOf('logs', `log-group:${this.ref(id)}:*`);
    if (type === 'AWS::SNS::Topic' && attr === 'TopicArn') return this.ref(id);
    throw new Error(`harness cannot resolve Fn::GetAtt ${id}.${attr}`);
  }

  private arnOf(service: string, resource: string): string {
    return `arn:${this.partition}:${service}:${this.options.region}:${this.options.account}:${resource}`;
  }
}

/** Keys the harness sets on every request; the simulator may drop them for some actions, which is harmless. */
const AUTO_KEYS = new Set(['aws:requestedregion', 'aws:principalarn', 'aws:principalaccount', 'aws:resourceaccount']);

function defined(context: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(context).filter((e): e is [string, string | string[]] => e[1] !== undefined));
}
