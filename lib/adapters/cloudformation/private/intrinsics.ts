/**
 * Resolving CloudFormation intrinsic functions offline, as far as a template allows.
 *
 * What cannot be known before deploy becomes a readable placeholder:
 * - `AWS::Partition` → `aws`, `AWS::URLSuffix` → `amazonaws.com`;
 * - `AWS::AccountId`, `AWS::Region`, `AWS::StackName`, `AWS::StackId` stay literal as
 *   `${AWS::AccountId}` etc.: specific (not a wildcard), and still readable in a finding;
 * - `Ref`/`Fn::GetAtt` to a resource of the same template → `${LogicalId}` / `${LogicalId.Attr}`,
 *   except IAM roles, users and managed policies, which get ARN-shaped placeholders
 *   (`arn:aws:iam::${AWS::AccountId}:role/<RoleName or LogicalId>`) so rules can tell a role ARN.
 *
 * A parameter is read as its value passed by a parent stack, else as its default (a different
 * value given at deploy is not seen; SSM-typed parameters are always open).
 *
 * `Fn::ImportValue` of a name another stack of the same app exports reads as that value.
 *
 * What the template itself leaves open (a parameter without default, `Fn::ImportValue` of a name
 * no stack in view exports, an
 * `Fn::If` whose condition depends on deploy-time values, an unknown function) becomes the
 * string `{{unresolved:<what>}}` and is reported through `onUnresolved`: the caller records it
 * so the checks fail closed instead of assuming the value is safe.
 */

import { splitOutsidePlaceholders } from '../../../aws/arn-parts';
import { hasOwn, own } from '../../../private/own';
import { pushAll } from '../../../private/push-all';
import { jsonChars, stringChars } from './json-chars';
import { replaceClosedPlaceholders, withoutTrailingSlashes } from '../../../private/linear-scans';

/**
 * Evaluation budgets: a template is untrusted input. Mappings can chain (`Fn::Select` over two
 * `Fn::FindInMap` per level, 40 levels) into exponential work or values; past a budget the value is
 * unresolved (a finding), never a hang.
 */
/** Intrinsic functions one resolver evaluates (per template and parameters). */
const MAX_INTRINSIC_STEPS = 2_000_000;
/** Nesting of a value (objects, lists, intrinsic arguments) the resolver walks. */
const MAX_VALUE_DEPTH = 256;
/** Size (characters and nodes) of one mapping value once resolved. */
const MAX_MAPPED_VALUE_SIZE = 200_000;

/** Marker for `Ref: AWS::NoValue`: the enclosing property or list item is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

const UNRESOLVED_PREFIX = '{{unresolved:';

/** The placeholder string for a value the template leaves open. */
export function unresolvedPlaceholder(what: string): string {
  return `${UNRESOLVED_PREFIX}${what}}}`;
}

/** Report a value the template leaves open; its placeholder. */
function openValue(report: UnresolvedHandler, what: string): string {
  report(what);
  return unresolvedPlaceholder(what);
}

/** Whether a resolved string holds a placeholder for an unresolved value. */
export function containsUnresolved(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(UNRESOLVED_PREFIX);
  if (Array.isArray(value)) return value.some(containsUnresolved);
  if (value && typeof value === 'object') return Object.values(value).some(containsUnresolved);
  return false;
}

/** Called once per unresolvable value, with a short description (`Fn::ImportValue SharedArn`). */
export type UnresolvedHandler = (what: string) => void;

/** An OIDC provider's issuer as IAM names it: its URL without `https://` and trailing slashes (no regex on input). */
function issuerOf(url: string): string {
  return withoutTrailingSlashes(url.slice(0, 8).toLowerCase() === 'https://' ? url.slice(8) : url);
}

/** The logical id CDK gives its CfnUtils provider's handler function (the one that serves `CfnJson`), before the hash. */
const CDK_CFN_UTILS_HANDLER = 'AWSCDKCfnUtilsProviderCustomResourceProviderHandler';
/** The same for the provider that serves `iam.OpenIdConnectProvider` (`Custom::AWSCDKOpenIdConnectProvider`): its Ref is the provider's ARN. */
const CDK_OIDC_PROVIDER_HANDLER = 'CustomAWSCDKOpenIdConnectProviderCustomResourceProviderHandler';

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::AccountId': '${AWS::AccountId}',
  'AWS::Region': '${AWS::Region}',
  'AWS::StackName': '${AWS::StackName}',
  'AWS::StackId': '${AWS::StackId}',
};

interface TemplateParts {
  readonly Parameters?: Record<string, { Default?: unknown; Type?: string; AllowedValues?: unknown }>;
  readonly Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

/** Resolves intrinsic functions of one template. */
export class TemplateResolver {
  private readonly template: TemplateParts;
  private readonly parameterValues: Record<string, unknown>;
  private readonly nestedOutputs: Record<string, Record<string, unknown>>;
  private readonly exports: Record<string, unknown>;
  private readonly conditionCache = new Map<string, boolean | undefined>();
  /** Resolved mapping entries with what resolving them reported: each is evaluated once. */
  private readonly mappingCache = new Map<string, { value: unknown; reports: Set<string> }>();
  private steps = 0;
  private depth = 0;
  /** What `jsonChars` says of the value the last measuring walk returned (-1 where JSON writes nothing). */
  private chars = 0;

  /**
   * @param template the parsed template
   * @param parameterValues values passed in for parameters (a nested stack's `Parameters`, already resolved)
   * @param nestedOutputs resolved `Outputs` of this template's nested stacks, by the nested stack's logical id
   * @param exports values exported by the other stacks of the same app (`Export.Name` → value), for `Fn::ImportValue`
   */
  private readonly cfnJsonInProgress = new Set<string>();

  constructor(template: unknown, parameterValues: Record<string, unknown> = {}, nestedOutputs: Record<string, Record<string, unknown>> = {}, exports: Record<string, unknown> = {}) {
    this.template = (template && typeof template === 'object' ? template : {}) as TemplateParts;
    this.parameterValues = parameterValues;
    this.nestedOutputs = nestedOutputs;
    this.exports = exports;
  }

  /** Resolve a value; unresolvable parts become placeholders and are reported. */
  public resolve(value: unknown, onUnresolved: UnresolvedHandler): unknown {
    const out = this.walk(value, onUnresolved);
    return out === NO_VALUE ? undefined : out;
  }

  /**
   * Resolve a value as `resolve` does, and count the characters of the result as `jsonChars` does, in the same
   * walk: a check resolves and sizes thousands of policy documents, which is otherwise two walks of each.
   * `chars` is undefined where JSON writes nothing (the value resolves to nothing, or to no JSON value).
   */
  public resolveMeasured(value: unknown, onUnresolved: UnresolvedHandler): { value: unknown; chars: number | undefined } {
    const out = this.walk(value, onUnresolved, true);
    return out === NO_VALUE ? { value: undefined, chars: undefined } : { value: out, chars: this.chars < 0 ? undefined : this.chars };
  }

  /**
   * Resolve one item of a list: an `Fn::If` chosen at deploy yields both branches' items, anything
   * else itself (nothing for `AWS::NoValue`).
   */
  public resolveItems(item: unknown, onUnresolved: UnresolvedHandler): unknown[] {
    const both = this.bothBranches(item, onUnresolved);
    if (both) return both;
    const out = this.walk(item, onUnresolved);
    return out === NO_VALUE ? [] : [out];
  }

  /** Evaluate a named condition; undefined when it depends on deploy-time values. */
  public condition(name: string, onUnresolved: UnresolvedHandler): boolean | undefined {
    if (this.conditionCache.has(name)) return this.conditionCache.get(name);
    this.conditionCache.set(name, undefined); // guards against cycles
    const body = own(this.template.Conditions, name);
    const result = body === undefined ? undefined : this.evaluateCondition(body, onUnresolved);
    this.conditionCache.set(name, result);
    return result;
  }

  /**
   * Resolve recursively; a subtree without intrinsics is returned as is (no copy: templates of thousands of roles).
   * When `measure` is set, `chars` is left holding what `jsonChars` says of the result (see `resolveMeasured`).
   */
  private walk(value: unknown, report: UnresolvedHandler, measure = false): unknown {
    if (value === null || typeof value !== 'object') {
      if (measure) this.chars = jsonChars(value) ?? -1;
      return value;
    }
    if (this.depth >= MAX_VALUE_DEPTH) {
      const what = `a value nested more than ${MAX_VALUE_DEPTH} levels deep`;
      report(what);
      const placeholder = unresolvedPlaceholder(what);
      if (measure) this.chars = stringChars(placeholder);
      return placeholder;
    }
    this.depth++;
    try {
      return this.walkObject(value, report, measure);
    } finally {
      this.depth--;
    }
  }

  private walkObject(value: object, report: UnresolvedHandler, measure: boolean): unknown {
    // Rare (dates from YAML): JSON writes what toJSON returns, so it is counted as jsonChars counts it.
    if (measure && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      const out = this.walkObject(value, report, false);
      this.chars = jsonChars(out) ?? -1;
      return out;
    }
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      // Characters of the items kept (an item JSON writes nothing for is written as null).
      let itemChars = 0;
      for (let i = 0; i < value.length; i++) {
        const both = this.bothBranches(value[i], report);
        if (both) {
          out ??= value.slice(0, i);
          pushAll(out, both);
          if (measure) for (const b of both) itemChars += jsonChars(b) ?? 4;
          continue;
        }
        const r = this.walk(value[i], report, measure);
        if (measure && r !== NO_VALUE) itemChars += this.chars < 0 ? 4 : this.chars;
        if (out === undefined && r === value[i]) continue;
        out ??= value.slice(0, i);
        if (r !== NO_VALUE) out.push(r);
      }
      const result = out ?? value;
      if (measure) this.chars = 2 + Math.max(0, result.length - 1) + itemChars;
      return result;
    }
    const obj = value as Record<string, unknown>;
    // Own keys by `for…in` (what `Object.keys` lists, in its order) without building a list per object:
    // every object of every walked document passes here.
    const only = soleKey(obj);
    if (only !== undefined && isIntrinsicKey(only)) {
      const r = this.intrinsic(only, obj[only], report);
      if (measure) this.chars = r === NO_VALUE ? -1 : jsonChars(r) ?? -1;
      return r;
    }
    let out: Record<string, unknown> | undefined;
    // Characters of the members kept: `{}`, then each member's key, colon and value (commas added at the end).
    let memberChars = 2;
    let members = 0;
    let protoKey = false;
    for (const k in obj) {
      if (!hasOwn(obj, k)) continue;
      const r = this.walk(obj[k], report, measure);
      if (measure && r !== NO_VALUE && this.chars >= 0) {
        memberChars += stringChars(k) + 1 + this.chars;
        members++;
        if (k === '__proto__') protoKey = true;
      }
      if (out === undefined && r === obj[k]) continue;
      if (out === undefined) {
        out = {};
        for (const j in obj) {
          if (j === k) break;
          if (hasOwn(obj, j)) out[j] = obj[j];
        }
      }
      if (r !== NO_VALUE) out[k] = r;
    }
    // A copy does not keep a `__proto__` member as its own (assignment sets the prototype): counted as JSON would write the copy.
    if (measure) this.chars = protoKey && out !== undefined ? jsonChars(out) ?? -1 : memberChars + Math.max(0, members - 1);
    return out ?? obj;
  }

  private intrinsic(fn: string, arg: unknown, report: UnresolvedHandler): unknown {
    if (++this.steps > MAX_INTRINSIC_STEPS) return openValue(report, `${fn} past the evaluation budget of ${MAX_INTRINSIC_STEPS} intrinsic functions per template`);
    switch (fn) {
      case 'Ref':
        return typeof arg === 'string' ? this.ref(arg, report) : openValue(report, 'Ref with a non-string argument');
      case 'Fn::GetAtt': {
        const [res, attr] = typeof arg === 'string' ? splitOnce(arg, '.') : Array.isArray(arg) ? [arg[0], this.walk(arg[1], report)] : [undefined, undefined];
        if (typeof res !== 'string' || typeof attr !== 'string') return openValue(report, 'Fn::GetAtt with a malformed argument');
        if (attr === 'Value' && this.isCdkCfnJson(res)) return this.cfnJsonValue(res, report);
        return this.getAtt(res, attr, report);
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2) return openValue(report, 'Fn::Join with a malformed argument');
        const delimiter = this.walk(arg[0], report);
        const parts = this.walk(arg[1], report);
        if (typeof delimiter !== 'string' || !Array.isArray(parts)) return openValue(report, 'Fn::Join with a malformed argument');
        return parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(delimiter);
      }
      case 'Fn::Sub':
        return this.sub(arg, report);
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) return openValue(report, 'Fn::Select with a malformed argument');
        const index = Number(this.walk(arg[0], report));
        const list = this.walk(arg[1], report);
        if (Array.isArray(list) && Number.isInteger(index) && index >= list.length) {
          const part = partOfResourceValue(list, index);
          if (part !== undefined) return part;
        }
        if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) return openValue(report, 'Fn::Select on a list it cannot index');
        return list[index];
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2) return openValue(report, 'Fn::Split with a malformed argument');
        const delimiter = this.walk(arg[0], report);
        const source = this.walk(arg[1], report);
        if (typeof delimiter !== 'string' || typeof source !== 'string') return openValue(report, 'Fn::Split with a malformed argument');
        return splitOutsidePlaceholders(source, delimiter);
      }
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return openValue(report, 'Fn::If with a malformed argument');
        const decided = this.condition(arg[0], report);
        if (decided !== undefined) return this.walk(decided ? arg[1] : arg[2], report);
        // Chosen at deploy: both branches are checked. Strings (actions, resources) become the list of both.
        const [a, b] = [this.walk(arg[1], report), this.walk(arg[2], report)];
        if (JSON.stringify(a) === JSON.stringify(b) && a !== NO_VALUE && b !== NO_VALUE) return a;
        const strings = (v: unknown) => (typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v as string[] : undefined);
        const [sa, sb] = [strings(a), strings(b)];
        if (sa && sb) return [...new Set([...sa, ...sb])];
        if (Array.isArray(a) && Array.isArray(b)) return unionOfItems([...a, ...b]);
        return openValue(report, `Fn::If on condition ${arg[0]}, which depends on deploy-time values`);
      }
      case 'Fn::FindInMap': {
        if (!Array.isArray(arg) || arg.length < 3) return openValue(report, 'Fn::FindInMap with a malformed argument');
        const [map, top, second] = arg.slice(0, 3).map((a) => this.walk(a, report));
        const hit = typeof map === 'string' && typeof top === 'string' && typeof second === 'string' ? own(own(own(this.template.Mappings, map), top), second) : undefined;
        return hit === undefined ? openValue(report, `Fn::FindInMap ${[map, top, second].map(String).join('.')}`) : this.mapped(`${map}\u0000${top}\u0000${second}`, hit, report);
      }
      case 'Fn::Base64':
        return this.walk(arg, report);
      case 'Fn::ToJsonString':
        return JSON.stringify(this.walk(arg, report));
      case 'Fn::GetAZs':
        return ['${AWS::Region}a', '${AWS::Region}b', '${AWS::Region}c'];
      case 'Fn::ImportValue': {
        const name = this.walk(arg, report);
        // Exported by another stack of the same app (CDK's cross-stack references): the value is known.
        if (typeof name === 'string' && hasOwn(this.exports, name)) return this.exports[name];
        return openValue(report, `Fn::ImportValue ${typeof name === 'string' ? name : JSON.stringify(name)}`);
      }
      default:
        return openValue(report, `${fn}, which the adapter does not evaluate`);
    }
  }

  /**
   * For a list item `Fn::If` whose condition is chosen at deploy: what both branches add (Deny
   * statements left out, so a branch's Deny never hides the other's grants). Undefined otherwise.
   */
  private bothBranches(item: unknown, report: UnresolvedHandler): unknown[] | undefined {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
    // Most items (statements, ARNs) hold no `Fn::If`: asked first, before counting keys.
    if (!hasOwn(item, 'Fn::If') || soleKey(item) !== 'Fn::If') return undefined;
    const arg = (item as Record<string, unknown>)['Fn::If'];
    if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return undefined;
    if (this.condition(arg[0], report) !== undefined) return undefined;
    return unionOfItems([this.walk(arg[1], report), this.walk(arg[2], report)]);
  }

  /**
   * The values a deployer may choose for a parameter no parent stack passes: its AllowedValues, or
   * `any`. Undefined when the value is fixed (passed in) or the name is no parameter.
   */
  private choices(name: string): unknown[] | 'any' | undefined {
    if (hasOwn(this.parameterValues, name)) return undefined;
    const p = own(this.template.Parameters, name);
    if (!p || typeof p !== 'object') return undefined;
    return Array.isArray(p.AllowedValues) && p.AllowedValues.length > 0 ? p.AllowedValues : 'any';
  }

  /** A mapping entry's value, resolved once per resolver (replaying what it reported), within a size budget. */
  private mapped(key: string, raw: unknown, report: UnresolvedHandler): unknown {
    let entry = this.mappingCache.get(key);
    if (!entry) {
      // A set: an entry that uses another twice reports its open values once, not twice per level.
      const reports = new Set<string>();
      let value = this.walk(raw, (what) => reports.add(what));
      if (!sizeWithin(value, MAX_MAPPED_VALUE_SIZE)) {
        const what = `Fn::FindInMap to a value larger than ${MAX_MAPPED_VALUE_SIZE} characters once resolved`;
        reports.add(what);
        value = unresolvedPlaceholder(what);
      }
      entry = { value, reports };
      this.mappingCache.set(key, entry);
    }
    for (const what of entry.reports) report(what);
    return entry.value;
  }

  private ref(name: string, report: UnresolvedHandler): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const pseudo = own(PSEUDO_PARAMETERS, name);
    if (pseudo !== undefined) return pseudo;
    if (name.startsWith('AWS::')) {
      report(`Ref ${name}`);
      return unresolvedPlaceholder(`Ref ${name}`);
    }
    if (hasOwn(this.parameterValues, name)) return this.parameterValues[name];
    const parameter = own(this.template.Parameters, name);
    if (parameter && typeof parameter === 'object') {
      // AllowedValues a deployer may pick that name actions, ARNs or wildcards: every one of them is checked.
      const allowed = Array.isArray(parameter.AllowedValues) ? parameter.AllowedValues.filter((v): v is string => typeof v === 'string') : [];
      if (allowed.some((v) => v !== parameter.Default && /[*?:]/.test(v))) return [...new Set(allowed)];
      // An SSM-typed parameter's default is the SSM name, not the value used at deploy.
      if (parameter.Default !== undefined && !String(parameter.Type ?? '').startsWith('AWS::SSM::Parameter::Value')) {
        return String(parameter.Type ?? '').startsWith('List<') || parameter.Type === 'CommaDelimitedList'
          ? String(parameter.Default).split(',').map((s) => s.trim())
          : parameter.Default;
      }
      const what = `Ref ${name}, a parameter without a default`;
      report(what);
      return unresolvedPlaceholder(what);
    }
    const resource = own(this.template.Resources, name);
    if (resource && typeof resource === 'object') return this.refToResource(name, resource);
    const what = `Ref ${name}, which is neither a parameter nor a resource of the template`;
    report(what);
    return unresolvedPlaceholder(what);
  }

  private refToResource(logicalId: string, resource: { Type?: string; Properties?: Record<string, unknown> }): string {
    const props = resource.Properties ?? {};
    const literal = (key: string) => (typeof props[key] === 'string' ? (props[key] as string) : logicalId);
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return literal('RoleName');
      case 'AWS::IAM::User':
        return literal('UserName');
      case 'AWS::IAM::Group':
        return literal('GroupName');
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::\${AWS::AccountId}:policy/${literal('ManagedPolicyName')}`;
      case 'AWS::IAM::OIDCProvider':
      case 'Custom::AWSCDKOpenIdConnectProvider':
        // Its ARN names the issuer (`oidc-provider/<Url without https://>`), the prefix of the condition keys
        // trusting it (`token.actions.githubusercontent.com:sub`): the trust rule matches the two. CDK's custom
        // provider returns that ARN as its physical id; a custom resource of that type served by any other
        // function returns whatever that function chooses.
        return typeof props.Url === 'string' && (resource.Type === 'AWS::IAM::OIDCProvider' || this.isServedByCdk(logicalId, CDK_OIDC_PROVIDER_HANDLER))
          ? `arn:aws:iam::\${AWS::AccountId}:oidc-provider/${issuerOf(props.Url)}` : `\${${logicalId}}`;
      default:
        return `\${${logicalId}}`;
    }
  }

  /**
   * Whether a resource is CDK's `CfnJson` (`Custom::AWSCDKCfnJson` served by CDK's CfnUtils
   * provider): its `Value` attribute is its `Value` property, a JSON text built at deploy, parsed.
   * CDK writes trust conditions whose keys hold a token this way (an EKS service account's
   * `<issuer>:sub`). Served by any other function, the attribute is whatever that function returns.
   */
  private isCdkCfnJson(logicalId: string): boolean {
    return own(this.template.Resources, logicalId)?.Type === 'Custom::AWSCDKCfnJson' && this.isServedByCdk(logicalId, CDK_CFN_UTILS_HANDLER);
  }

  /** Whether a custom resource's ServiceToken is the ARN of a Lambda function of the template with CDK's logical id for that provider. */
  private isServedByCdk(logicalId: string, handlerPrefix: string): boolean {
    const token = (own(this.template.Resources, logicalId)?.Properties as Record<string, unknown> | undefined)?.ServiceToken as Record<string, unknown> | undefined;
    const handler = Array.isArray(token?.['Fn::GetAtt']) && token['Fn::GetAtt'].length === 2 && token['Fn::GetAtt'][1] === 'Arn' ? token['Fn::GetAtt'][0] : undefined;
    return typeof handler === 'string' && handler.startsWith(handlerPrefix) && own(this.template.Resources, handler)?.Type === 'AWS::Lambda::Function';
  }

  private cfnJsonValue(logicalId: string, report: UnresolvedHandler): unknown {
    if (this.cfnJsonInProgress.has(logicalId)) return openValue(report, `Fn::GetAtt ${logicalId}.Value, a CfnJson whose value refers to itself`);
    this.cfnJsonInProgress.add(logicalId);
    let inner: string | undefined;
    const text = this.walk((own(this.template.Resources, logicalId)?.Properties as Record<string, unknown> | undefined)?.Value, (what) => { inner ??= what; report(what); });
    this.cfnJsonInProgress.delete(logicalId);
    // An open part already reported stands for the whole value (one report per cause).
    const fail = (why: string) => (inner !== undefined ? unresolvedPlaceholder(inner) : openValue(report, `Fn::GetAtt ${logicalId}.Value, a CfnJson whose value ${why}`));
    if (typeof text !== 'string') return fail('is not a JSON text');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return fail('is not valid JSON once resolved');
    }
  }

  private getAtt(logicalId: string, attr: string, report: UnresolvedHandler): string {
    const resource = own(this.template.Resources, logicalId);
    if (!resource || typeof resource !== 'object') return openValue(report, `Fn::GetAtt ${logicalId}.${attr}, which is not a resource of the template`);
    // `Fn::GetAtt [NestedStack, Outputs.X]`: the value the nested template outputs, when it was read.
    const output = resource.Type === 'AWS::CloudFormation::Stack' && attr.startsWith('Outputs.') ? own(own(this.nestedOutputs, logicalId), attr.slice('Outputs.'.length)) : undefined;
    if (output !== undefined) return stringOf(output);
    if (attr === 'Arn') {
      const name = this.refToResource(logicalId, resource);
      const iamPath = typeof resource.Properties?.Path === 'string' ? resource.Properties.Path : '/';
      switch (resource.Type) {
        case 'AWS::IAM::Role': return `arn:aws:iam::\${AWS::AccountId}:role${iamPath}${name}`;
        case 'AWS::IAM::User': return `arn:aws:iam::\${AWS::AccountId}:user${iamPath}${name}`;
        case 'AWS::IAM::Group': return `arn:aws:iam::\${AWS::AccountId}:group/${name}`;
        case 'AWS::IAM::ManagedPolicy': return name;
        case 'AWS::IAM::OIDCProvider': return name;
        default: break;
      }
    }
    if (resource.Type === 'AWS::IAM::Role' && attr === 'RoleId') return `\${${logicalId}.RoleId}`;
    return `\${${logicalId}.${attr}}`;
  }

  private sub(arg: unknown, report: UnresolvedHandler): unknown {
    const [template, rawVars] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? [arg[0], arg[1] ?? {}] : [undefined, undefined];
    if (typeof template !== 'string' || !rawVars || typeof rawVars !== 'object') return openValue(report, 'Fn::Sub with a malformed argument');
    const vars = this.walk(rawVars, report) as Record<string, unknown>;
    return replaceClosedPlaceholders(template, (whole, name) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (hasOwn(vars, name)) return stringOf(vars[name]);
      if (name.includes('.')) {
        const [res, attr] = splitOnce(name, '.');
        return this.getAtt(res, attr, report);
      }
      const r = this.ref(name, report);
      if (Array.isArray(r) && !isListParameter(own(this.template.Parameters, name))) return openValue(report, `\${${name}}, a parameter whose AllowedValues differ in what they grant`);
      return r === NO_VALUE ? whole : stringOf(r);
    });
  }

  /** Whether a value uses (by `Ref` or `Fn::Sub`) a parameter chosen at deploy. */
  private mentionsChosenParameter(value: unknown): boolean {
    const stack: unknown[] = [value];
    while (stack.length > 0) {
      const v = stack.pop();
      if (v === null || typeof v !== 'object') continue;
      if (!Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        if (typeof o.Ref === 'string' && this.choices(o.Ref) !== undefined) return true;
        const subText = typeof o['Fn::Sub'] === 'string' ? o['Fn::Sub'] : Array.isArray(o['Fn::Sub']) && typeof o['Fn::Sub'][0] === 'string' ? o['Fn::Sub'][0] : undefined;
        if (subText !== undefined && [...subText.matchAll(/\$\{([^}!.$]*)\}/g)].some((m) => this.choices(m[1]) !== undefined)) return true;
      }
      pushAll(stack, Array.isArray(v) ? v : Object.values(v));
    }
    return false;
  }

  private evaluateCondition(body: unknown, report: UnresolvedHandler): boolean | undefined {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return typeof body === 'boolean' ? body : undefined;
    const [fn, arg] = Object.entries(body as Record<string, unknown>)[0] ?? [];
    const args = Array.isArray(arg) ? arg : [];
    switch (fn) {
      case 'Condition':
        return typeof arg === 'string' ? this.condition(arg, report) : undefined;
      case 'Fn::Not': {
        const v = this.evaluateCondition(args[0], report);
        return v === undefined ? undefined : !v;
      }
      case 'Fn::And': {
        const vs = args.map((a) => this.evaluateCondition(a, report));
        return vs.includes(false) ? false : vs.includes(undefined) ? undefined : true;
      }
      case 'Fn::Or': {
        const vs = args.map((a) => this.evaluateCondition(a, report));
        return vs.includes(true) ? true : vs.includes(undefined) ? undefined : false;
      }
      case 'Fn::Equals': {
        // Resolve quietly: an open operand makes the condition undecidable, which the caller reports.
        // A parameter the deployer chooses is any of its AllowedValues (or anything): the condition is
        // decided only when every choice gives the same answer.
        const options = args.slice(0, 2).map((x) => {
          const ref = x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>).Ref : undefined;
          const chosen = typeof ref === 'string' ? this.choices(ref) : undefined;
          if (chosen === 'any') return 'any';
          if (chosen) return chosen;
          if (this.mentionsChosenParameter(x)) return 'any';
          return [this.walk(x, () => undefined)];
        });
        if (options.includes('any')) return undefined;
        const [as, bs] = options as unknown[][];
        if ([...as, ...bs].some((x) => containsUnresolved(x) || (typeof x === 'string' && /\$\{AWS::/.test(x)))) return undefined;
        const answers = new Set(as.flatMap((a) => bs.map((b) => JSON.stringify(a) === JSON.stringify(b))));
        return answers.size === 1 ? [...answers][0] : undefined;
      }
      default:
        return undefined;
    }
  }
}

/**
 * `Fn::Select [i, Fn::Split [d, <a resource's Ref or attribute>]]` past the end of the split: the
 * placeholder stands for a value (an ARN, a name) whose delimiters it hides, so CDK's usual
 * `Select 6 of Split ":" of a state machine's ARN` cannot be evaluated. The part is one specific
 * piece of that resource's value, named `${LogicalId.Attr[i]}` (never a wildcard: CloudFormation
 * generates it). Undefined when the list holds no such placeholder.
 */
function partOfResourceValue(list: unknown[], index: number): string | undefined {
  // A part of a part (`Select 1 of Split "/" of Select 5 of Split ":"`, CDK's task definition family) is a part too.
  const placeholder = list.find((x): x is string => typeof x === 'string' && /^\$\{(?!AWS::)[A-Za-z0-9]+(\.[A-Za-z0-9.]+)?(\[[0-9]+\])*\}$/.test(x));
  return placeholder === undefined ? undefined : `${placeholder.slice(0, -1)}[${index}]}`;
}

/** An object's own key when it has exactly one, else undefined. */
function soleKey(obj: object): string | undefined {
  let only: string | undefined;
  for (const k in obj) {
    if (!hasOwn(obj, k)) continue;
    if (only !== undefined) return undefined;
    only = k;
  }
  return only;
}

function isIntrinsicKey(key: string): boolean {
  return key === 'Ref' || key.startsWith('Fn::');
}
function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

function stringOf(v: unknown): string {
  return typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : JSON.stringify(v);
}

/** Whether a value's size (string characters plus nodes) stays within `limit`; stops counting past it. */
function sizeWithin(value: unknown, limit: number): boolean {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    size += typeof v === 'string' ? v.length + 1 : 1;
    if (size > limit) return false;
    if (Array.isArray(v)) pushAll(stack, v);
    else if (v !== null && typeof v === 'object') pushAll(stack, Object.values(v));
  }
  return true;
}

function isListParameter(p: { Type?: string } | undefined): boolean {
  const type = String(p?.Type ?? '');
  return type.startsWith('List<') || type === 'CommaDelimitedList';
}

/** List items of both branches of a deploy-time choice: once each, without AWS::NoValue or Deny statements (a Deny of one branch must not hide the other's grants). */
function unionOfItems(items: unknown[]): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const v of items) {
    if (v === NO_VALUE) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && (v as Record<string, unknown>).Effect === 'Deny') continue;
    const key = JSON.stringify(v);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}
