import { awsActions, hasWildcard, wildcardGlob } from '../../aws/action-catalog';
import { Glob } from '../../private/glob-match';
import { Catalog, loadCatalog } from '../../catalogs/catalog';
import { GuardrailError } from '../../errors';
import { Cloud, Identity, Inventory } from '../../inventory/inventory';
import { AccessLevel } from '../../model/access-level';
import { isBundledReaderChannel } from '../private/access-classifier';
import { RawFinding, Rule, RuleContext } from '../rule';
import { globsIntersect } from './private/resource-match';
import { allowGrants, assumersOf, describeIdentity, grantsByIdentity, grantFinding, identityFinding, PrincipalIndex, toolIdentities, withoutPlaceholderColons } from './private/agent-inventory';
import { BrokerIndex } from './private/brokers';
import { pushAll } from '../../private/push-all';

/**
 * AGENT-004: destructive actions are reachable only through the approval-gated broker. A
 * destructive tool requires approval and can be assumed only by a broker identity; a tool that
 * is not destructive holds no action from the destructive catalog.
 */
export const DESTRUCTIVE_THROUGH_BROKER: Rule = {
  id: 'AGENT-004',
  cloud: 'all',
  severity: 'error',
  reason: 'Destructive actions are reachable only through the approval-gated broker, never granted directly.',
  explanation:
    'The broker checks the kill switch, the change window and a fresh human approval before it mints a short-lived credential. '
    + 'A destructive tool that does not require approval, that someone other than the broker can assume, or a read/write tool that quietly holds '
    + 'a destructive action (delete, terminate, roll back) bypasses that gate. The destructive classes are the versioned catalogs in policies/catalogs '
    + '(a missing AWS catalog is an error, never a pass; GCP and Azure fall back to destroying verbs such as delete and stop until they have catalogs). '
    + 'On GCP and Azure the broker is the one its construct recorded for the agent and environment (its service account; on Azure exactly its issuer '
    + 'with the tool\'s agent/tool/environment subject); a way in merely labelled as the broker\'s does not count when such a record exists. '
    + 'A broker role outside the checked inventory is reported as a warning: check the broker\'s stack together with the agent\'s.',
  fix: 'Declare destructive actions only on destructive tools (Tool.destructive) with requiresApproval, and trust only the broker identity on their roles or service accounts.',
  controls: [],
  evaluate(inventory: Inventory, _context: RuleContext): RawFinding[] {
    const findings: RawFinding[] = [];
    const byIdentity = grantsByIdentity(inventory);
    const index = PrincipalIndex.of(inventory);
    const brokers = BrokerIndex.of(inventory);
    const catalogs = new Map<Cloud, CatalogPattern[] | GuardrailError>();
    const destructiveList = (cloud: Cloud) => {
      if (!catalogs.has(cloud)) {
        const entries = loadDestructive(cloud);
        catalogs.set(cloud, entries instanceof GuardrailError ? entries : entries.map((entry) => ({ entry, re: wildcardGlob(entry) })));
      }
      return catalogs.get(cloud)!;
    };
    const missingReported = new Set<Cloud>();
    // Thousands of tool roles hold the same few actions: match each against the catalog once.
    const matches = new Map<string, string | undefined>();
    const matchOf = (cloud: Cloud, action: string, list: readonly CatalogPattern[]) => {
      const key = `${cloud}\u0000${action}`;
      if (!matches.has(key)) matches.set(key, destructiveMatch(cloud, action, list));
      return matches.get(key);
    };

    for (const identity of toolIdentities(inventory)) {
      const decl = identity.declaration;
      if (decl?.accessLevel === AccessLevel.DESTRUCTIVE) {
        if (!decl.requiresApproval) {
          findings.push(identityFinding(identity, 'no-approval',
            `${describeIdentity(identity)} is a destructive tool that does not require approval`,
            'Remove requiresApproval: false from the destructive tool; approvals go through the broker.'));
        }
        pushAll(findings, brokerOnly(index, identity, brokers));
        continue;
      }
      const grants = allowGrants(byIdentity, identity);
      if (grants.length === 0) continue;
      const list = destructiveList(identity.cloud);
      if (list instanceof GuardrailError) {
        if (!missingReported.has(identity.cloud)) {
          missingReported.add(identity.cloud);
          findings.push(identityFinding(identity, `catalog-missing:${identity.cloud}`,
            `the destructive catalog for ${identity.cloud} cannot be loaded (${list.message}), so destructive grants cannot be ruled out`,
            `Add policies/catalogs/${identity.cloud}-destructive.json (or reinstall agent-guardrails).`));
        }
        continue;
      }
      for (const grant of grants) {
        const held = [...grant.actions, ...(grant.role ? [grant.role] : [])];
        for (const action of held) {
          // Channels bundled into Azure reader roles (support tickets, delegation keys) delete nothing (AGENT-003 warns about them).
          if (isBundledReaderChannel(grant.cloud, action, grant.role)) continue;
          const hit = matchOf(identity.cloud, action, list);
          if (!hit) continue;
          findings.push(grantFinding(identity, grant, `destructive:${hit}`,
            `${describeIdentity(identity)} is a ${decl?.accessLevel ?? 'undeclared'} tool but holds ${action}, which can ${hit === action ? 'destroy state' : `perform ${hit}`} (destructive catalog)`,
            `Move ${hit} to a destructive tool (Tool.destructive) that only the approval-gated broker can assume.`));
        }
      }
    }
    return findings;
  },
};

/**
 * Every principal that can become a destructive tool identity must be its broker: the broker its
 * construct recorded for the agent and environment (GCP, Azure), else a broker identity by its metadata.
 */
function brokerOnly(index: PrincipalIndex, identity: Identity, brokers: BrokerIndex): RawFinding[] {
  const out: RawFinding[] = [];
  const assumers = assumersOf(index, identity);
  if (assumers.length === 0 && identity.cloud === 'aws') {
    out.push(identityFinding(identity, 'no-trust',
      `${describeIdentity(identity)} is a destructive tool whose trust policy is not in the inventory, so broker-only access cannot be shown`,
      'Give the role a trust policy that names only the broker role.'));
  }
  for (const a of assumers) {
    if (brokers.isTheBroker(identity, a)) continue;
    if (!a.identity && a.via === 'trust' && /^arn:[^:]+:iam::[^:]*:role\//.test(withoutPlaceholderColons(a.principal))) {
      // A role outside this inventory (e.g. a broker imported by ARN): reported, not assumed to be the broker.
      out.push(identityFinding(identity, 'unverified-broker',
        `${describeIdentity(identity)} is a destructive tool that role ${a.principal} can assume; that role is not in the checked inventory, so it cannot be shown to be the broker`,
        'Check the broker stack together with this one (the CLI over the whole cdk.out, or the pack on the app that holds the CredentialBroker), or make sure the role is the broker.',
        'warning'));
      continue;
    }
    out.push(identityFinding(identity, `non-broker:${a.via}`,
      `${describeIdentity(identity)} is a destructive tool that ${a.identity ? describeIdentity(a.identity) : a.principal} can assume (via ${a.via}); only the broker may`,
      'Trust only the broker identity (component broker) on destructive tools, so every use passes the approval gate.'));
  }
  return out;
}

/**
 * The destructive entries for a cloud: `<cloud>-destructive`, else a shared `destructive`
 * catalog. AWS needs its catalog (missing = an error finding). GCP and Azure fall back to the
 * destroying verbs (`*.delete`, `*.stop`, `/delete`, …) until they have catalogs of their own.
 */
function loadDestructive(cloud: Cloud): string[] | GuardrailError {
  let firstError: GuardrailError | undefined;
  for (const id of [`${cloud}-destructive`, 'destructive']) {
    let catalog: Catalog;
    try {
      catalog = loadCatalog(id);
    } catch (e) {
      if (!GuardrailError.isGuardrailError(e)) throw e;
      firstError ??= e;
      continue;
    }
    const entries = catalog[cloud];
    if (entries) return entries;
  }
  if (cloud !== 'aws') return [...DESTRUCTIVE_VERBS[cloud]];
  return firstError ?? new GuardrailError('AG_CATALOG_MISSING', `no destructive catalog lists ${cloud} entries`);
}

/** Verbs that destroy or stop, used on GCP and Azure when no catalog lists them. */
const DESTRUCTIVE_VERBS: Record<'gcp' | 'azure', readonly string[]> = {
  gcp: ['*.delete', '*.destroy', '*.purge', '*.stop', '*.reset', '*.suspend', '*.rollback', '*.disable', '*.undeploy'],
  azure: ['*/delete', '*/stop/action', '*/deallocate/action', '*/restart/action', '*/powerOff/action', '*/purge/action', '*/reimage/action'],
};

interface CatalogPattern {
  readonly entry: string;
  readonly re: Glob;
}

/** The catalog entry a held action matches (AWS wildcards are expanded against the real actions). */
function destructiveMatch(cloud: Cloud, action: string, patterns: readonly CatalogPattern[]): string | undefined {
  const direct = patterns.find((p) => p.re.test(action));
  if (direct) return direct.entry;
  if (cloud === 'aws' && hasWildcard(action)) {
    for (const info of awsActions().expand(action)) {
      const hit = patterns.find((p) => p.re.test(info.action));
      if (hit) return info.action;
    }
  } else if (hasWildcard(action)) {
    // GCP/Azure have no action list to expand against: a wildcard that can meet an entry holds it.
    return patterns.find((p) => globsIntersect(action, p.entry))?.entry;
  }
  return undefined;
}
