import { Identity } from '../../../inventory/inventory';
import { own } from '../../../private/own';
import { BuildContext } from './build-context';
import { isObject, TerraformBlock } from './terraform-blocks';

/** Module arguments that configure the call itself, not the module's inputs. */
const CALL_ARGUMENTS: ReadonlySet<string> = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each', '//']);
/** Words of an input name that say it carries IAM (`roles`, `iam_members`, `role_definition_name`, `bindings`, …). */
const IAM_WORDS: ReadonlySet<string> = new Set([
  'role', 'roles', 'member', 'members', 'binding', 'bindings', 'iam', 'permission', 'permissions', 'principal', 'principals',
  'assignment', 'assignments', 'grant', 'grants', 'rbac', 'admins', 'owners',
]);
/** Input values walked per configuration, all module calls and levels (hostile input: a bounded walk, fail closed past it). */
const MAX_NODES = 100_000;
const VARIABLE_OR_LOCAL = /\b(local|var)\.([A-Za-z_][A-Za-z0-9_-]*)/g;
const BLOCK_REFERENCE = /\b([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)/g;
const TOKEN_SEPARATORS = /[\s:/",=[\]{}()]+/;

/** What a module call is handed: our identities (by input name) and its IAM-looking inputs. */
export interface ModuleInputs {
  readonly identities: { readonly identity: Identity; readonly input: string }[];
  readonly iamInputs: string[];
  /** False when the walk ran past the budget: some inputs were not looked at. */
  readonly complete: boolean;
}

/**
 * The identities of this configuration a module call is handed, and its IAM-looking inputs. An identity is handed
 * when an input (at any depth, directly or through locals and variable defaults) references its block, by any
 * attribute or expression (`google_service_account.sa.email`, `values(google_service_account.sa)[*].member`), or
 * names a service account's email literally.
 */
export function moduleInputs(ctx: BuildContext, body: Record<string, unknown>, known: OurIdentities, budget: { nodes: number }): ModuleInputs {
  const { byBase, emails } = known;
  const identities: { identity: Identity; input: string }[] = [];
  const seen = new Set<Identity>();
  const iamInputs: string[] = [];
  const expanded = new Set<string>();
  const stack: { value: unknown; input: string; key: string }[] = [];
  for (const [k, v] of Object.entries(body)) if (!CALL_ARGUMENTS.has(k)) stack.push({ value: v, input: k, key: k });
  const hand = (identity: Identity | undefined, input: string) => {
    if (identity === undefined || seen.has(identity)) return;
    seen.add(identity);
    identities.push({ identity, input });
  };
  for (; stack.length > 0 && budget.nodes > 0; budget.nodes--) {
    const { value, input, key } = stack.pop()!;
    if (isIamName(key) && !iamInputs.includes(input)) iamInputs.push(input);
    if (Array.isArray(value)) {
      for (const v of value) stack.push({ value: v, input, key });
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) stack.push({ value: v, input, key: k });
    } else if (typeof value === 'string') {
      if (value.includes('${')) {
        for (const m of value.matchAll(BLOCK_REFERENCE)) for (const identity of byBase.get(`${m[1]}.${m[2]}`) ?? []) hand(identity, input);
        // A local or variable default that is a collection: its elements are inputs too (each one walked once).
        for (const m of value.matchAll(VARIABLE_OR_LOCAL)) {
          const name = `${m[1]}.${m[2]}`;
          if (expanded.has(name)) continue;
          expanded.add(name);
          const v = m[1] === 'local' ? ctx.refs.localValue(m[2]) : ctx.refs.variableDefault(m[2]);
          if (v !== undefined) stack.push({ value: v, input, key });
        }
      }
      const text = ctx.refs.resolve(value)?.text ?? value;
      for (const token of text.split(TOKEN_SEPARATORS)) hand(emails.get(token.toLowerCase()), input);
    }
  }
  return { identities, iamInputs, complete: stack.length === 0 };
}

function isIamName(key: string): boolean {
  return key.toLowerCase().split(/[_-]/).some((w) => IAM_WORDS.has(w));
}

/** The configuration's identities as module inputs can name them (built once per configuration). */
export interface OurIdentities {
  /** By their block's address without an instance key (`google_service_account.sa` for `…sa["api"]`). */
  readonly byBase: ReadonlyMap<string, readonly Identity[]>;
  /** Service accounts by email, lower case. */
  readonly emails: ReadonlyMap<string, Identity>;
}

function identitiesByBaseAddress(ctx: BuildContext): Map<string, Identity[]> {
  const out = new Map<string, Identity[]>();
  for (const [address, identity] of ctx.identitiesByAddress) {
    const bracket = address.indexOf('[');
    const base = bracket === -1 ? address : address.slice(0, bracket);
    const list = out.get(base) ?? [];
    list.push(identity);
    out.set(base, list);
  }
  return out;
}

/**
 * Report each module call for the clouds it can touch. Its resources are not in this configuration, so its grants are
 * not checked; what it can grant follows from what it is handed (RULES-SPEC: an unreadable reference counts only where
 * it can widen). Handed an agent identity, it can grant that agent anything: an error. Handed another identity of ours,
 * IAM-looking inputs, or nothing of the kind: a warning. A registry version pin makes no difference (the module's
 * content is still unseen). A baseline with `terraform.unresolvedReferences: error` makes every one an error.
 */
export function reportModuleCalls(ctx: BuildContext, doc: Record<string, unknown>): void {
  const modules = isObject(doc.module) ? doc.module : {};
  if (Object.keys(modules).length === 0) return;
  const providers = isObject(doc.provider) ? Object.keys(doc.provider) : [];
  const known: OurIdentities = { byBase: identitiesByBaseAddress(ctx), emails: gcpEmails(ctx) };
  const budget = { nodes: MAX_NODES };
  for (const [name, raw] of Object.entries(modules)) {
    const body = isObject(raw) ? raw : {};
    const source = typeof own(body, 'source') === 'string' ? own(body, 'source') as string : '';
    const block: TerraformBlock = { mode: 'resource', type: 'module', name, address: `module.${name}`, body };
    const inputs = moduleInputs(ctx, body, known, budget);
    const clouds = new Set<'gcp' | 'azure'>();
    if (/google|gcp/i.test(source)) clouds.add('gcp');
    if (/azure|avm-/i.test(source)) clouds.add('azure');
    for (const { identity } of inputs.identities) if (identity.cloud !== 'aws') clouds.add(identity.cloud);
    if (clouds.size === 0) {
      if (providers.some((p) => p.startsWith('google'))) clouds.add('gcp');
      if (providers.some((p) => p === 'azurerm' || p === 'azuread')) clouds.add('azure');
    }
    // Nothing says which cloud (a local module that configures its own providers): it may grant on either, so it is
    // reported on both rather than on none.
    if (clouds.size === 0) { clouds.add('gcp'); clouds.add('azure'); }
    for (const cloud of clouds) {
      const handed = inputs.identities.filter((h) => h.identity.cloud === cloud);
      const agents = handed.filter((h) => h.identity.isAgent);
      const what = `is the module ${JSON.stringify(source)}, whose resources (and grants) are not in this configuration`;
      if (!inputs.complete) {
        ctx.unresolved(cloud, block, 'source', `${what}, and its inputs are past the budget of ${MAX_NODES} values read per configuration: what it is handed is not known`);
      } else if (handed.length > 0) {
        const list = handed.map((h) => `${h.identity.source.resource}${h.identity.isAgent ? ' (an agent identity)' : ''}`).join(', ');
        const field = (agents[0] ?? handed[0]).input;
        const problem = `hands ${list} to the module ${JSON.stringify(source)}, whose resources are not in this configuration: it can grant ${handed.length > 1 ? 'them' : 'it'} any role there`;
        ctx.unresolved(cloud, block, field, problem, agents.length > 0 ? undefined : 'warning');
      } else if (inputs.iamInputs.length > 0) {
        ctx.unresolved(cloud, block, inputs.iamInputs[0], `${what}, is handed IAM inputs (${inputs.iamInputs.join(', ')}) whose grants are not checked here`, 'warning');
      } else {
        ctx.unresolved(cloud, block, 'source', `${what}; its grants are not checked here`, 'warning');
      }
    }
  }
}

/** Our service accounts by email (lower case), for inputs that name one literally. */
function gcpEmails(ctx: BuildContext): Map<string, Identity> {
  const out = new Map<string, Identity>();
  for (const [address, identity] of ctx.identitiesByAddress) {
    if (identity.cloud !== 'gcp') continue;
    const email = ctx.refs.resolve(`\${${address}.email}`)?.text;
    if (email && !email.includes('${')) out.set(email.toLowerCase(), identity);
  }
  return out;
}
