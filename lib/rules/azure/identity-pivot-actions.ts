import { loadCatalog } from '../../catalogs/catalog';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { allowGrants, findingAt, identitiesById, principalOf, TargetReach } from './private/azure-rule-helpers';

/** The catalog of identity-pivot actions (`policies/catalogs/azure-privileged-actions.json`). */
export const AZURE_PRIVILEGED_ACTIONS_CATALOG = 'azure-privileged-actions';

/**
 * AZ-004: identity-pivot actions held by agents are flagged, and so are custom role definitions
 * that hold one (wildcards judged by what they reach) when no agent holds them already.
 */
export const AZURE_IDENTITY_PIVOT_RULE: Rule = {
  id: 'AZ-004',
  cloud: 'azure',
  severity: 'warning',
  reason: 'An agent identity holds an identity-pivot action (VM run command, managed identity assign/federate, a service\'s keys or connection strings, automation, deployment scripts).',
  explanation: 'These actions let the holder run code as, or obtain credentials of, another identity: a VM\'s managed identity through '
    + 'run command or extensions, any user-assigned identity through assign/action or a new federated credential, the keys, SAS or '
    + 'connection strings of a service (Storage, Cosmos DB, Event Hubs, Service Bus, Redis, Container Registry, App Service and Functions '
    + 'publishing credentials and host keys, Batch, AI Search, Maps, SignalR, Cognitive Services, …), which authenticate outside Azure RBAC, '
    + 'or an automation account / deployment script that runs as its own identity. The list lives in '
    + 'policies/catalogs/azure-privileged-actions.json. A custom role definition that reaches one (listed, or through a wildcard such as '
    + 'Microsoft.Storage/* or */action) is flagged on the definition too, whoever it is assigned to.',
  fix: 'Remove the action, or give it to a separate tool identity that requires approval and reaches only the one resource it needs.',
  controls: [],
  evaluate(inventory: Inventory): RawFinding[] {
    const pivots = loadCatalog(AZURE_PRIVILEGED_ACTIONS_CATALOG).azure ?? [];
    const identities = identitiesById(inventory, 'azure');
    const reach = new TargetReach(pivots);
    const findings: RawFinding[] = [];
    for (const g of allowGrants(inventory, 'azure')) {
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      if (!identity?.isAgent) continue;
      const reached = reach.reached(g);
      if (reached.length === 0) continue;
      findings.push(findingAt('azure', g.source, {
        detail: g.role,
        identity: identity.id,
        severity: 'warning',
        message: `${g.source.resource} lets the agent identity ${principalOf(g, identity)} pivot through ${reached.slice(0, 4).map((x) => x.t).join(', ')}${reached.length > 4 ? ', …' : ''} (through ${g.role}) at ${g.resources.join(', ')}.`,
        fix: AZURE_IDENTITY_PIVOT_RULE.fix,
      }));
    }
    const agents = new Set([...identities.values()].filter((i) => i.isAgent).map((i) => i.id));
    for (const role of inventory.policies.filter((p) => p.cloud === 'azure' && p.kind === 'azure-role-definition')) {
      if (role.attachedTo.some((id) => agents.has(id))) continue;
      const [control, data] = role.statements;
      const grant = { actions: [...(control?.actions ?? []), ...(data?.actions ?? [])], notActions: [...(control?.notActions ?? []), ...(data?.notActions ?? [])] };
      const reached = reach.reached(grant).map((x) => x.t);
      if (reached.length === 0) continue;
      findings.push(findingAt('azure', role.source, {
        detail: `definition:${reached[0]}`,
        severity: 'warning',
        message: `Custom role ${role.name ?? role.source.resource} can pivot through ${reached.slice(0, 4).join(', ')}${reached.length > 4 ? ', …' : ''}.`,
        fix: AZURE_IDENTITY_PIVOT_RULE.fix,
      }));
    }
    return findings;
  },
};
