import { GuardrailError } from '../../errors';
import { DECLARATION_METADATA_KEY } from '../../model/tags';
import { crossAccountOptInOf } from '../../inventory/cross-account-opt-in';
import {
  Acknowledgement, CrossAccountOptIn, Grant, Identity, IdentityKind, Inventory, PolicyDocumentEntry, PolicyStatement, SourceLocation, Unresolved, emptyInventory,
} from '../../inventory/inventory';
import { awsManagedPolicyDataName, awsManagedPolicyDocument, awsManagedPolicyKey } from './aws-managed-policies';
import { TemplateResolver, unresolvedPlaceholder } from './private/intrinsics';
import { transformAddsOnlyAwsRotation } from './aws-rotation-transforms';
import { expandSamTemplate, transformsNotRead, usesSamTransform } from './sam-transform';
import { stackExports } from './private/nested-stack-parameters';
import { declarationOf, isAgentIdentity, labelsOf } from './private/labels';
import { documentSizeChars, isObject, measuredDocumentSizeChars, parseStatements, parseTrust } from './private/policy-document';
import { cdkNagAcknowledgements, holdsCdkNagSuppressions } from './cdk-nag-suppressions';
import { hasOwn, own } from '../../private/own';
import { withPath } from './private/source-location';
import { parseTemplateText } from './read-template-file';
import { pushAll } from '../../private/push-all';

/** Where a template comes from, for ids and finding locations. */
export interface TemplateInventoryOptions {
  /** Stack name (part of every identity and policy id: `aws:<stack>/<logicalId>`). */
  readonly stack: string;
  /**
   * The template file, when read from disk.
   * @default - none (a construct tree)
   */
  readonly file?: string;
  /**
   * Construct path per logical id.
   * @default - read from each resource's `aws:cdk:path` metadata
   */
  readonly constructPaths?: Record<string, string>;
  /**
   * Values for the template's parameters (a nested stack's `Parameters` from its parent, resolved).
   * @default - parameter defaults; a parameter without one is reported as unresolved
   */
  readonly parameterValues?: Record<string, unknown>;
  /**
   * Whether the caller reads nested stacks (`AWS::CloudFormation::Stack`) itself.
   * @default false - each nested stack is reported as unresolved: its template is not read here
   */
  readonly readsNestedStacks?: boolean;
  /**
   * Resolved `Outputs` of the template's nested stacks, by the nested stack's logical id, so that
   * `Fn::GetAtt [Nested, Outputs.X]` reads as the value (e.g. a role ARN) rather than a placeholder.
   * @default - none: such references stay `${Nested.Outputs.X}` placeholders
   */
  readonly nestedStackOutputs?: Record<string, Record<string, unknown>>;
  /**
   * Values the other stacks of the same app export (`Export.Name` → value), so that CDK's
   * cross-stack references (`Fn::ImportValue`) read as the value.
   * @default - none: every `Fn::ImportValue` is reported as unresolved
   */
  readonly exports?: Record<string, unknown>;
  /**
   * Whether the template may hold `Fn::Transform` keys in resource properties: false only when its
   * text shows it cannot (`mayHoldTransforms`), which spares a search of every resource.
   * @default true
   */
  readonly mayHoldTransforms?: boolean;
}

/** Session length AWS applies when a role does not set `MaxSessionDuration`. */
const AWS_DEFAULT_MAX_SESSION_SECONDS = 3600;

const IDENTITY_TYPES: Record<string, IdentityKind> = {
  'AWS::IAM::Role': 'aws-iam-role',
  'AWS::IAM::User': 'aws-iam-user',
  'AWS::IAM::Group': 'aws-iam-group',
};
const NAME_PROPERTY: Record<string, string> = { 'AWS::IAM::Role': 'RoleName', 'AWS::IAM::User': 'UserName', 'AWS::IAM::Group': 'GroupName' };
const ATTACH_PROPERTIES = ['Roles', 'Users', 'Groups'] as const;
/** Single-principal inline policy resources (`AWS::IAM::RolePolicy` …): the property naming it, read like `Roles`. */
const SINGLE_TARGET: Record<string, [string, typeof ATTACH_PROPERTIES[number]]> = {
  'AWS::IAM::RolePolicy': ['RoleName', 'Roles'],
  'AWS::IAM::UserPolicy': ['UserName', 'Users'],
  'AWS::IAM::GroupPolicy': ['GroupName', 'Groups'],
};
/** Resources the adapter reads as IAM (everything else goes to `others`). */
const IAM_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', ...Object.keys(SINGLE_TARGET)]);
const IGNORED_TYPES = new Set(['AWS::CDK::Metadata']);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
interface CfnResourceJson {
  readonly Type?: unknown;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: unknown;
}

/**
 * Build the inventory of one CloudFormation template (already parsed: JSON, YAML via
 * `readTemplateFile`, or rendered from a construct tree).
 *
 * IAM read: `AWS::IAM::Role`/`User`/`Group` (inline `Policies`, `ManagedPolicyArns`,
 * `PermissionsBoundary`, trust, `MaxSessionDuration`, tags and our metadata), `AWS::IAM::Policy`,
 * `AWS::IAM::ManagedPolicy`, `AWS::IAM::RolePolicy`/`UserPolicy`/`GroupPolicy`, `AWS::IAM::AccessKey`.
 * Every other resource goes to `others` with its labels.
 *
 * Ids: identities and customer-managed/inline policies are `aws:<stack>/<logicalId>` (inline
 * policies of a role `aws:<stack>/<logicalId>/<PolicyName>`); AWS-managed policies
 * `aws:<stack>/aws-managed/<name>`. Grants are one per statement and attached identity.
 * Values the template leaves open are placeholders (see `private/intrinsics.ts`) and are
 * recorded in `unresolved`, which AWS-014 reports (fail closed).
 */
export function inventoryFromTemplate(template: unknown, options: TemplateInventoryOptions): Inventory {
  if (!isObject(template) || !isObject(template.Resources)) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format(
      `template ${options.file ?? options.stack}`, 'must be a CloudFormation template with a Resources object',
      isObject(template) ? Object.keys(template).slice(0, 5) : typeof template, 'Pass a synthesized template (JSON or YAML) or a cdk.out folder.'));
  }
  // SAM's transform is read as SAM deploys it (the roles it generates become roles of the template); what it
  // generates that is not modelled is reported.
  const sam = usesSamTransform(template) ? expandSamTemplate(template, options.parameterValues) : undefined;
  const inventory = new TemplateReader(sam ? sam.template : template, options).read();
  const file = options.file ? { file: options.file } : {};
  for (const u of sam?.unseen ?? []) {
    inventory.unresolved.push({ cloud: 'aws', what: `${u.path}: ${u.what}`, source: { stack: options.stack, resource: u.logicalId, ...file }, ...(u.severity ? { severity: u.severity } : {}) });
  }
  // Any other macro generates resources, roles included, at deploy: unseen here (the Secrets Manager transform
  // only turns a HostedRotationLambda into AWS's own rotation application, which the SAM reading judges).
  const others = transformsNotRead(template);
  if (others.length > 0 || (template.Transform !== undefined && !sam && !transformAddsOnlyAwsRotation(template, options.parameterValues))) {
    inventory.unresolved.push({
      cloud: 'aws', what: `Transform: ${JSON.stringify(others.length > 0 ? others : template.Transform)} generates resources at deploy that this check cannot see; check the processed template (e.g. aws cloudformation get-template --template-stage Processed)`,
      source: { stack: options.stack, resource: '(template)', ...file },
    });
  }
  return inventory;
}

/**
 * What a template exports (`Outputs.*.Export.Name` → resolved value). Pass the union over all
 * templates of an app as `exports`, so CDK's cross-stack references (`Fn::ImportValue`) read as
 * values, as `inventoryFromCdkOut` and `inventoryFromConstructTree` do.
 */
export function templateExports(template: unknown): Record<string, unknown> {
  return stackExports(template);
}

class TemplateReader {
  private readonly inventory = emptyInventory();
  private readonly resolver: TemplateResolver;
  private readonly resources: Record<string, CfnResourceJson>;
  private readonly identities = new Map<string, Mutable<Identity>>();
  private readonly identityByName = new Map<string, string>();
  private readonly policies = new Map<string, Mutable<PolicyDocumentEntry>>();
  /** Policies attached to principals that are not in this template (by the name written). */
  private readonly externalAttachments = new Map<string, Set<string>>();
  private readonly reported = new Set<string>();
  /** Users of each group of this template (`User.Groups`, `AWS::IAM::UserToGroupAddition`): they get its grants. */
  private readonly groupMembers = new Map<string, Set<string>>();

  constructor(template: Record<string, unknown>, private readonly options: TemplateInventoryOptions) {
    this.resources = template.Resources as Record<string, CfnResourceJson>;
    this.resolver = new TemplateResolver(template, options.parameterValues, options.nestedStackOutputs, options.exports);
  }

  public read(): Inventory {
    const inv = this.inventory;
    inv.stackResourceCounts[this.options.stack] = Object.keys(this.resources).length;
    // The deployed resources as two parallel lists, walked by index: every pass below visits every resource.
    const ids: string[] = [];
    const rs: CfnResourceJson[] = [];
    for (const id of Object.keys(this.resources)) {
      const r = this.resources[id];
      if (isObject(r) && this.deployed(id, r)) {
        ids.push(id);
        rs.push(r);
      }
    }
    const each = (read: (id: string, r: CfnResourceJson) => void) => {
      for (let i = 0; i < ids.length; i++) read(ids[i], rs[i]);
    };

    each((id, r) => { if (typeof r.Type === 'string' && hasOwn(IDENTITY_TYPES, r.Type)) this.readIdentity(id, r); });
    each((id, r) => this.readMemberships(id, r));
    each((id, r) => this.readDeployTimeContent(id, r));
    each((id, r) => { if (r.Type === 'AWS::IAM::ManagedPolicy') this.readPolicyResource(id, r, 'aws-customer-managed-policy'); });
    each((id, r) => { if (r.Type === 'AWS::IAM::Policy' || (typeof r.Type === 'string' && hasOwn(SINGLE_TARGET, r.Type))) this.readPolicyResource(id, r, 'aws-inline-policy'); });
    each((id, r) => { if (typeof r.Type === 'string' && hasOwn(IDENTITY_TYPES, r.Type)) this.readIdentityPolicies(id, r); });
    each((id, r) => {
      if (typeof r.Type !== 'string' || IAM_TYPES.has(r.Type) || IGNORED_TYPES.has(r.Type)) return;
      if (r.Type === 'AWS::IAM::AccessKey') this.readAccessKey(id, r);
      if (r.Type === 'AWS::CloudFormation::Stack' && !this.options.readsNestedStacks) {
        this.unresolved(id, 'Properties.TemplateURL', 'a nested stack whose template is not read; check the cdk.out folder or the nested template itself');
      }
      inv.others.push({
        cloud: 'aws', type: r.Type,
        // Other resources are context for the rules; their open values are not IAM grants, so not reported.
        properties: (this.resolver.resolve(r.Properties ?? {}, () => undefined) ?? {}) as Record<string, unknown>,
        labels: labelsOf(r.Properties?.Tags, r.Metadata),
        ...optIn(r.Metadata),
        source: this.source(id, r),
      });
    });

    pushAll(inv.identities, this.identities.values());
    pushAll(inv.policies, this.policies.values());
    for (const policy of this.policies.values()) this.grantsOf(policy);
    const acknowledgements: Acknowledgement[] = [];
    each((id, r) => { if (holdsCdkNagSuppressions(r.Metadata)) pushAll(acknowledgements, cdkNagAcknowledgements(r.Metadata, this.source(id, r))); });
    return acknowledgements.length > 0 ? { ...inv, acknowledgements } : inv;
  }

  // --- identities ---------------------------------------------------------------------------

  private readIdentity(logicalId: string, r: CfnResourceJson): void {
    const type = r.Type as string;
    const props = r.Properties ?? {};
    const source = this.source(logicalId, r);
    const name = this.resolveProp(logicalId, props, NAME_PROPERTY[type]);
    const labels = labelsOf(this.resolveProp(logicalId, props, 'Tags'), r.Metadata);
    // Declared resources may be CDK references (bucket.arnForObjects('*')): resolve them like grants are.
    const declaredMetadata = isObject(r.Metadata) && r.Metadata[DECLARATION_METADATA_KEY] !== undefined
      ? { [DECLARATION_METADATA_KEY]: this.resolver.resolve(r.Metadata[DECLARATION_METADATA_KEY], (what) => this.unresolved(logicalId, `Metadata.${DECLARATION_METADATA_KEY}`, what)) }
      : undefined;
    const declaration = declarationOf(declaredMetadata);
    if (declaration === 'malformed') this.unresolved(logicalId, 'Metadata.agent-guardrails:declaration', 'a declaration that is not an object with agent and tool');
    const identity = {
      id: this.idOf(logicalId), cloud: 'aws', kind: IDENTITY_TYPES[type], labels, isAgent: isAgentIdentity(labels),
      trust: [], federations: [], longLivedKeys: [],
    } as Omit<Mutable<Identity>, 'source'> as Mutable<Identity>;
    // Set in the order a spread of optIn() gave (crossAccount, then source): a spread into the literal costs more.
    const crossAccount = crossAccountOptInOf(r.Metadata);
    if (crossAccount) identity.crossAccount = crossAccount;
    identity.source = source;
    if (typeof name === 'string') {
      identity.name = name;
      this.identityByName.set(`${type}/${name}`, logicalId);
    }
    if (declaration && declaration !== 'malformed') identity.declaration = declaration;
    if (type === 'AWS::IAM::Role') {
      const report = (what: string) => this.unresolved(logicalId, 'Properties.AssumeRolePolicyDocument', what);
      const trustDoc = this.resolver.resolveMeasured(props.AssumeRolePolicyDocument, report);
      identity.trust = parseTrust(trustDoc.value, withPath(source, source.path ?? 'Properties.AssumeRolePolicyDocument'), report);
      identity.trustPolicyChars = measuredDocumentSizeChars(trustDoc.value, trustDoc.chars);
      identity.maxSessionSeconds = this.maxSession(logicalId, props);
    }
    this.identities.set(logicalId, identity);
  }

  // --- group membership ----------------------------------------------------------------------

  /** `User.Groups` and `AWS::IAM::UserToGroupAddition`: a group of this template passes its grants on; an external one is unknown. */
  private readMemberships(logicalId: string, r: CfnResourceJson): void {
    const props = r.Properties ?? {};
    const add = (groupRaw: unknown, users: string[], path: string) => {
      const group = this.principalFromReference(logicalId, groupRaw, 'Groups', path);
      if (group.identity) {
        const set = this.groupMembers.get(group.identity) ?? new Set<string>();
        for (const u of users) set.add(u);
        this.groupMembers.set(group.identity, set);
      } else if (group.external) {
        this.unresolved(logicalId, path, `${group.external}, which is not in this template: its members get whatever it grants, unchecked`);
      }
    };
    if (r.Type === 'AWS::IAM::User' && props.Groups !== undefined) {
      const user = this.identities.get(logicalId);
      const groups = Array.isArray(props.Groups) ? props.Groups : [props.Groups];
      groups.forEach((g, i) => add(g, user ? [user.id] : [], `Properties.Groups[${i}]`));
    }
    if (r.Type === 'AWS::IAM::UserToGroupAddition') {
      const users = (Array.isArray(props.Users) ? props.Users : [props.Users]).flatMap((u, i) => {
        const target = this.principalFromReference(logicalId, u, 'Users', `Properties.Users[${i}]`);
        return target.identity ? [target.identity] : [];
      });
      add(props.GroupName, users, 'Properties.GroupName');
    }
  }

  // --- resources added at deploy time --------------------------------------------------------

  /**
   * What CloudFormation adds at deploy time: `Fn::Transform` (AWS::Include) under `Resources` or in
   * properties, modules (`…::MODULE`), and stack sets. A stack set's inline `TemplateBody` is read
   * like a template of its own; anything else is reported as unresolved (the check fails closed).
   */
  private readDeployTimeContent(logicalId: string, r: CfnResourceJson): void {
    if (logicalId === 'Fn::Transform') {
      this.unresolved(logicalId, 'Resources', 'Fn::Transform includes resources at deploy time (AWS::Include); check the processed template');
      return;
    }
    if (typeof r.Type === 'string' && /::MODULE$/.test(r.Type)) {
      this.unresolved(logicalId, 'Type', `module ${r.Type} expands into resources at deploy time; check the processed template`);
    }
    if (this.options.mayHoldTransforms !== false && containsKey(r.Properties, 'Fn::Transform')) {
      this.unresolved(logicalId, 'Properties', 'Fn::Transform adds properties at deploy time (AWS::Include); check the processed template');
    }
    if (r.Type === 'AWS::CloudFormation::StackSet') this.readStackSet(logicalId, r);
  }

  private readStackSet(logicalId: string, r: CfnResourceJson): void {
    const raw = this.resolveProp(logicalId, r.Properties ?? {}, 'TemplateBody');
    if (raw === undefined) {
      this.unresolved(logicalId, 'Properties.TemplateURL', 'a stack set whose template is not in this one; check that template');
      return;
    }
    let body: unknown;
    try {
      body = typeof raw === 'string' ? parseTemplateText(raw, `${this.options.file ?? this.options.stack} (${logicalId}.TemplateBody)`) : raw;
      const inner = inventoryFromTemplate(body, { stack: `${this.options.stack}/${logicalId}`, ...(this.options.file ? { file: this.options.file } : {}) });
      for (const key of ['identities', 'grants', 'policies', 'others', 'unresolved'] as const) pushAll(this.inventory[key] as unknown[], inner[key]);
    } catch {
      this.unresolved(logicalId, 'Properties.TemplateBody', 'a stack set template that cannot be read as a CloudFormation template');
    }
  }

  private maxSession(logicalId: string, props: Record<string, unknown>): number | undefined {
    if (props.MaxSessionDuration === undefined) return AWS_DEFAULT_MAX_SESSION_SECONDS;
    const v = this.resolveProp(logicalId, props, 'MaxSessionDuration');
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
    if (n === undefined && !JSON.stringify(v ?? null).includes('{{unresolved:')) this.unresolved(logicalId, 'Properties.MaxSessionDuration', `a value that is not a number of seconds (${JSON.stringify(v)})`);
    return n;
  }

  /** Inline `Policies`, `ManagedPolicyArns` and `PermissionsBoundary` of a role, user or group. */
  private readIdentityPolicies(logicalId: string, r: CfnResourceJson): void {
    const identity = this.identities.get(logicalId)!;
    const props = r.Properties ?? {};
    if (props.Policies !== undefined) {
      // Resolved one policy at a time, so an unresolved value is reported at `Policies[i]`.
      const whole = Array.isArray(props.Policies) ? props.Policies : this.resolveProp(logicalId, props, 'Policies');
      const raw = Array.isArray(whole) ? whole : [whole];
      // Every policy resolved before any is read (the order unresolved values are reported in); plain loops, not a pair per item.
      const items: unknown[] = [];
      const indexes: number[] = [];
      for (let i = 0; i < raw.length; i++) {
        if (!(i in raw)) continue; // a hole, as flatMap skipped it
        const open: string[] = [];
        const resolved = this.resolver.resolveItems(raw[i], (what) => open.push(what));
        for (const what of open) this.unresolved(logicalId, `Properties.Policies[${i}]`, what, chosenElsewhereAsResource(resolved, what));
        for (const p of resolved) {
          items.push(p);
          indexes.push(i);
        }
      }
      for (let k = 0; k < items.length; k++) {
        const p = items[k];
        const i = indexes[k];
        const path = `Properties.Policies[${i}]`;
        if (p === undefined) continue;
        if (!isObject(p)) {
          this.unresolved(logicalId, path, 'an inline policy that is not an object');
          continue;
        }
        const name = typeof p.PolicyName === 'string' ? p.PolicyName : String(i);
        // Both branches of a deploy-time Fn::If may name their policy alike: keep both.
        const base = `${identity.id}/${name}`;
        let id = base;
        for (let k = 2; this.policies.has(id); k++) id = `${base}~${k}`;
        this.policies.set(id, {
          id, cloud: 'aws', kind: 'aws-inline-policy', name,
          statements: parseStatements(p.PolicyDocument, (what) => this.unresolved(logicalId, `${path}.PolicyDocument`, what)),
          sizeChars: documentSizeChars(p.PolicyDocument), attachedTo: [identity.id], boundaryOf: [],
          source: this.source(logicalId, r, path),
        });
      }
    }
    const arns = props.ManagedPolicyArns;
    if (arns !== undefined) {
      const list = (Array.isArray(arns) ? arns : [arns]).flatMap((raw, i) => {
        const open: string[] = [];
        const resolved = this.resolver.resolveItems(raw, (what) => open.push(what));
        for (const what of open) this.unresolved(logicalId, `Properties.ManagedPolicyArns[${i}]`, externalPolicyArn(resolved, what), 'warning');
        return resolved.map((v) => ({ v, i }));
      });
      list.forEach(({ v: raw, i }) => {
        const policy = this.policyFromReference(logicalId, r, raw, `Properties.ManagedPolicyArns[${i}]`, 'attached');
        if (policy) addOnce(policy.attachedTo, identity.id);
      });
    }
    if (props.PermissionsBoundary !== undefined) {
      const policy = this.policyFromReference(logicalId, r, props.PermissionsBoundary, 'Properties.PermissionsBoundary', 'boundary');
      if (policy) {
        identity.boundary = policy.id;
        addOnce(policy.boundaryOf, identity.id);
      } else {
        // Keep what was written, so "no boundary" is never concluded from "unknown boundary".
        identity.boundary = String(this.resolveProp(logicalId, props, 'PermissionsBoundary', () => undefined));
      }
    }
  }

  /**
   * A managed policy referenced by `Ref`, by an ARN of a template policy, or by an AWS-managed
   * ARN (from the managed-policy data; one the data lacks is an error naming it). A customer-managed
   * policy defined elsewhere can only add grants we cannot see: a warning. A boundary defined
   * elsewhere can only narrow: it is analysed as absent (no credit, nothing reported here).
   */
  private policyFromReference(logicalId: string, r: CfnResourceJson, raw: unknown, path: string, use: 'attached' | 'boundary'): Mutable<PolicyDocumentEntry> | undefined {
    if (isObject(raw) && typeof raw.Ref === 'string' && own(this.resources, raw.Ref)?.Type === 'AWS::IAM::ManagedPolicy') {
      const hit = this.policies.get(this.idOf(raw.Ref));
      if (hit) return hit;
    }
    const arn = this.resolver.resolve(raw, (what) => this.unresolved(logicalId, path, what));
    if (typeof arn !== 'string') {
      this.unresolved(logicalId, path, `a policy ARN that is not a string (${JSON.stringify(arn)})`);
      return undefined;
    }
    if (arn.includes('{{unresolved:')) return undefined;
    const key = awsManagedPolicyKey(arn);
    if (key !== undefined) return this.awsManagedPolicy(key, logicalId, r, path);
    for (const p of this.policies.values()) {
      if (p.kind === 'aws-customer-managed-policy' && arn === this.resolver.resolve({ Ref: p.source.resource }, () => undefined)) return p;
    }
    if (use === 'attached') this.unresolved(logicalId, path, `policy ARN ${arn}, which is not defined in this template (its grants are unknown)`, 'warning');
    return undefined;
  }

  private awsManagedPolicy(key: string, logicalId: string, r: CfnResourceJson, path: string): Mutable<PolicyDocumentEntry> | undefined {
    const id = `aws:${this.options.stack}/aws-managed/${key}`;
    const existing = this.policies.get(id);
    if (existing) return existing;
    const doc = awsManagedPolicyDocument(key);
    if (doc === undefined) {
      this.unresolved(logicalId, path, `AWS-managed policy ${key}, which is not in the AWS-managed policy data (${awsManagedPolicyDataName()}): a typo, or a policy newer than the data (npm run update-data)`);
      return undefined;
    }
    const entry: Mutable<PolicyDocumentEntry> = {
      id, cloud: 'aws', kind: 'aws-managed-policy', name: key,
      statements: parseStatements(doc, (what) => this.unresolved(logicalId, path, what)),
      sizeChars: documentSizeChars(doc), attachedTo: [], boundaryOf: [],
      source: this.source(logicalId, r, path),
    };
    this.policies.set(id, entry);
    return entry;
  }

  // --- policy resources ----------------------------------------------------------------------

  private readPolicyResource(logicalId: string, r: CfnResourceJson, kind: 'aws-customer-managed-policy' | 'aws-inline-policy'): void {
    const props = r.Properties ?? {};
    const open: string[] = [];
    const doc = this.resolver.resolveMeasured(props.PolicyDocument, (what) => open.push(what));
    for (const what of open) this.unresolved(logicalId, 'Properties.PolicyDocument', what, chosenElsewhereAsResource([{ PolicyDocument: doc.value }], what));
    const report = (what: string) => this.unresolved(logicalId, 'Properties.PolicyDocument', what);
    const name = this.resolveProp(logicalId, props, kind === 'aws-inline-policy' ? 'PolicyName' : 'ManagedPolicyName');
    const id = this.idOf(logicalId);
    const entry: Mutable<PolicyDocumentEntry> = {
      id, cloud: 'aws', kind,
      statements: parseStatements(doc.value, report),
      sizeChars: measuredDocumentSizeChars(doc.value, doc.chars), attachedTo: [], boundaryOf: [],
      labels: labelsOf(undefined, r.Metadata), source: this.source(logicalId, r),
    };
    if (typeof name === 'string') entry.name = name;
    const single = own(SINGLE_TARGET, r.Type as string);
    for (const prop of ATTACH_PROPERTIES) {
      const key = single ? (single[1] === prop ? single[0] : undefined) : prop;
      const list = key === undefined ? undefined : props[key];
      if (list === undefined) continue;
      (Array.isArray(list) ? list : [list]).forEach((raw, i) => {
        const target = this.principalFromReference(logicalId, raw, prop, single ? `Properties.${key}` : `Properties.${prop}[${i}]`);
        if (target.identity) addOnce(entry.attachedTo, target.identity);
        if (target.external) {
          const set = this.externalAttachments.get(id) ?? new Set<string>();
          set.add(target.external);
          this.externalAttachments.set(id, set);
        }
      });
    }
    this.policies.set(id, entry);
  }

  /** A role/user/group named in `Roles`/`Users`/`Groups`: in this template, or external (by name). */
  private principalFromReference(logicalId: string, raw: unknown, prop: typeof ATTACH_PROPERTIES[number], path: string): { identity?: string; external?: string } {
    const type = `AWS::IAM::${prop.slice(0, -1)}`;
    if (isObject(raw) && typeof raw.Ref === 'string' && own(this.resources, raw.Ref)?.Type === type && this.identities.has(raw.Ref)) {
      return { identity: this.identities.get(raw.Ref)!.id };
    }
    const name = this.resolver.resolve(raw, (what) => this.unresolved(logicalId, path, what));
    const hit = typeof name === 'string' ? this.identityByName.get(`${type}/${name}`) : undefined;
    if (hit) return { identity: this.identities.get(hit)!.id };
    return { external: `${prop.slice(0, -1).toLowerCase()}/${typeof name === 'string' ? name : JSON.stringify(name)}` };
  }

  private readAccessKey(logicalId: string, r: CfnResourceJson): void {
    const raw = r.Properties?.UserName;
    const target = this.principalFromReference(logicalId, raw, 'Users', 'Properties.UserName');
    if (target.identity) this.identities.get(target.identity.slice(this.idOf('').length))?.longLivedKeys.push(this.source(logicalId, r));
  }

  // --- grants --------------------------------------------------------------------------------

  private grantsOf(policy: PolicyDocumentEntry): void {
    const via: Grant['via'] = policy.kind === 'aws-managed-policy' ? 'aws-managed-policy' : policy.kind === 'aws-customer-managed-policy' ? 'managed-policy' : 'inline-policy';
    // Members of a group of this template hold what the group holds (a set only when there are groups: most policies have one holder).
    let holders: Iterable<string> = policy.attachedTo;
    if (this.groupMembers.size > 0) {
      const all = new Set(policy.attachedTo);
      for (const id of policy.attachedTo) for (const member of this.groupMembers.get(id) ?? []) all.add(member);
      holders = all;
    }
    for (const identityId of holders) {
      // An AWS-managed policy has no resource of its own: findings point at the identity it is attached to.
      const source: SourceLocation = policy.kind === 'aws-managed-policy' && identityId
        ? { ...this.identityById(identityId).source }
        : policy.source;
      this.grantsTo(policy, via, source, identityId, undefined);
    }
    for (const principal of this.externalAttachments.get(policy.id) ?? []) this.grantsTo(policy, via, policy.source, undefined, principal);
  }

  /** One grant per statement of `policy`, held by an identity of this template or by a principal named outside it. */
  private grantsTo(policy: PolicyDocumentEntry, via: Grant['via'], source: SourceLocation, identityId: string | undefined, principal: string | undefined): void {
    const statements = policy.statements;
    for (let i = 0; i < statements.length; i++) {
      const s: PolicyStatement = statements[i];
      const grant: Mutable<Grant> = {
        id: `${policy.id}#${i}@${identityId ?? principal}`,
        cloud: 'aws', effect: s.effect, actions: s.actions ?? [], resources: s.resources ?? [], via, policyId: policy.id, source,
      };
      if (identityId) grant.identityId = identityId;
      if (principal) grant.principal = principal;
      if (s.notActions) grant.notActions = s.notActions;
      if (s.notResources) grant.notResources = s.notResources;
      if (s.condition) grant.condition = s.condition;
      this.inventory.grants.push(grant);
    }
  }

  private identityById(id: string): Identity {
    return this.identities.get(id.slice(this.idOf('').length))!;
  }

  // --- helpers -------------------------------------------------------------------------------

  private deployed(logicalId: string, r: CfnResourceJson): boolean {
    if (typeof r.Condition !== 'string') return true;
    // Undecidable conditions count as deployed: the resource is checked rather than skipped.
    return this.resolver.condition(r.Condition, (what) => this.unresolved(logicalId, 'Condition', what)) !== false;
  }

  private resolveProp(logicalId: string, props: Record<string, unknown>, key: string, report?: (what: string) => void): unknown {
    const value = props[key];
    // A string, number or absent value resolves to itself: no handler to build (names, session lengths).
    if (value === null || typeof value !== 'object') return value;
    return this.resolver.resolve(value, report ?? ((what) => this.unresolved(logicalId, `Properties.${key}`, what)));
  }

  private unresolved(logicalId: string, path: string, what: string, severity?: 'warning'): void {
    const key = `${logicalId}\u0000${path}\u0000${what}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const r = own(this.resources, logicalId);
    const entry: Mutable<Unresolved> = { cloud: 'aws', what: `${path}: ${what}`, source: this.source(logicalId, r, path) };
    if (severity) entry.severity = severity;
    this.inventory.unresolved.push(entry);
  }

  private idOf(logicalId: string): string {
    return `aws:${this.options.stack}/${logicalId}`;
  }

  private constructPath(logicalId: string, r: CfnResourceJson | undefined): string | undefined {
    const fromMetadata = r?.Metadata?.['aws:cdk:path'];
    return this.options.constructPaths?.[logicalId] ?? (typeof fromMetadata === 'string' ? fromMetadata : undefined);
  }

  /**
   * The resource's location, at its construct path when known. With `fallbackPath`, at that path otherwise (what
   * `withPath(source, constructPath ?? fallbackPath)` gives, built as one object).
   */
  private source(logicalId: string, r: CfnResourceJson | undefined, fallbackPath?: string): SourceLocation {
    const loc: Mutable<SourceLocation> = { stack: this.options.stack, resource: logicalId };
    if (this.options.file) loc.file = this.options.file;
    const path = this.constructPath(logicalId, r);
    if (fallbackPath !== undefined) loc.path = path ?? fallbackPath;
    else if (path) loc.path = path;
    return loc;
  }
}

/** Values the template takes from outside: another stack's export, or a parameter the deployer must give. */
const CHOSEN_ELSEWHERE = /^Fn::ImportValue |, a parameter without a default$/;

/**
 * `'warning'` when an open value is chosen outside the template (an import, a parameter without a
 * default) and appears only as a resource of Allow statements (`Resource: !ImportValue shared-TableArn`):
 * the name of a resource reviewed where it is defined, as a policy defined elsewhere is. The rules
 * still read it as an unknown resource (credential returns and escalation on it stay errors).
 * Anywhere else (actions, principals, conditions, a Deny) it stays an error.
 */
function chosenElsewhereAsResource(policies: unknown[], what: string): 'warning' | undefined {
  if (!CHOSEN_ELSEWHERE.test(what)) return undefined;
  const placeholder = JSON.stringify(unresolvedPlaceholder(what)).slice(1, -1);
  const count = (v: unknown) => JSON.stringify(v ?? null).split(placeholder).length - 1;
  let total = 0;
  let asResource = 0;
  for (const p of policies) {
    total += count(p);
    const doc = isObject(p) ? p.PolicyDocument : undefined;
    const statements = isObject(doc) ? (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) : [];
    for (const st of statements) if (isObject(st) && st.Effect === 'Allow') asResource += count(st.Resource);
  }
  return total > 0 && asResource === total ? 'warning' : undefined;
}

/**
 * What an attached policy ARN the template leaves open (an import, a parameter without default, anything
 * unresolvable) is: an external policy whose grants are unknown, as a literal ARN of another template's
 * policy is (a warning unless the baseline sets unresolved references to error). When the open value could
 * also be an AWS-managed ARN (`arn:…:iam::aws:policy/…`), the message says it cannot then be checked
 * against the managed-policy data.
 */
function externalPolicyArn(resolved: unknown[], what: string): string {
  const placeholder = unresolvedPlaceholder(what);
  const couldBeAwsManaged = resolved.some((v) => typeof v === 'string' && v.includes(placeholder) && mayNameAwsManaged(v.split(placeholder).join('*')));
  return `a policy ARN from ${what}, not known before deploy: an external policy, its grants are unknown`
    + (couldBeAwsManaged ? ' (it could also be an AWS-managed policy, which cannot then be checked against the managed-policy data)' : '');
}

/**
 * Whether a policy ARN with open parts (`*`) could name an AWS-managed policy: false only when its service
 * and account fields are written and are not `iam` and `aws` (`arn:aws:iam::${AWS::AccountId}:policy/*`).
 */
function mayNameAwsManaged(arn: string): boolean {
  // Pseudo parameters are written `${AWS::…}`: keep their colons out of the ARN's fields.
  const fields = arn.split('${AWS::').join('${AWS_').split(':');
  if (fields.length < 6 || fields[0] !== 'arn') return true;
  const [service, account] = [fields[2], fields[4]];
  if (service.includes('*') || account.includes('*')) return true;
  return service === 'iam' && account === 'aws';
}

/** Push unless present; a policy shared by thousands of roles stays linear (the Set shadows the array). */
const MEMBERS = new WeakMap<string[], Set<string>>();
function addOnce(list: string[], id: string): void {
  let set = MEMBERS.get(list);
  if (!set) {
    set = new Set(list);
    MEMBERS.set(list, set);
  }
  if (set.has(id)) return;
  set.add(id);
  list.push(id);
}

/**
 * Whether `key` appears as an object key anywhere in `value` (iterative: values may nest deeply).
 * Every resource of every template is searched: only objects go on the stack, and no list of
 * values is built per object.
 */
function containsKey(value: unknown, key: string): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: object[] = [value];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        if (item !== null && typeof item === 'object') stack.push(item);
      }
      continue;
    }
    if (hasOwn(v, key)) return true;
    // Parsed templates are plain objects: for-in sees their own keys (`__proto__` included), as Object.values did.
    for (const k in v) {
      const item: unknown = (v as Record<string, unknown>)[k];
      if (item !== null && typeof item === 'object') stack.push(item);
    }
  }
  return false;
}

/** `{ crossAccount }` when the resource's metadata records an opt-in, else nothing. */
function optIn(metadata: unknown): { crossAccount?: CrossAccountOptIn } {
  const crossAccount = crossAccountOptInOf(metadata);
  return crossAccount ? { crossAccount } : {};
}
