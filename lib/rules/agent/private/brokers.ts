import { brokerSubject } from '../../../broker/broker-subject';
import { BrokerEntry, Identity, Inventory } from '../../../inventory/inventory';
import { Component } from '../../../model/tags';
import { agentOf, Assumer, environmentOf, federationKey, toolOf } from './agent-inventory';
import { appendTo } from '../../../private/append-to';

/** Whether an identity is one of the brokers' own (its construct metadata or tags say `component: broker`). */
export function isBrokerIdentity(i: Identity): boolean {
  return i.labels.component === Component.BROKER;
}

/**
 * Which broker serves a tool identity, and whether a way in to it (an `Assumer`) is that broker.
 *
 * - GCP and Azure brokers are known by their construct's record (`agent-guardrails:broker` on the
 *   broker's function: agent, environment, its identity, on Azure its issuer). When a record serves
 *   the tool's agent and environment, only that broker's identity (GCP: Token Creator and friends on
 *   the tool service account) or exactly its issuer with the tool's subject
 *   (`agent-guardrails:agent:<agent>:tool:<tool>:environment:<environment>`, Azure federated
 *   credential) is the broker; a `component: broker` label on a way in proves nothing by itself.
 * - Without a record (AWS, or a broker checked in another stack), the broker is an identity whose
 *   metadata or tags say `component: broker`, or a way in that
 *   the constructs labelled as the broker's.
 */
export class BrokerIndex {
  /** The index of an inventory, built once and shared by the rules (which never change the inventory). */
  public static of(inventory: Inventory): BrokerIndex {
    const hit = INDEXES.get(inventory);
    if (hit && hit.brokers === inventory.brokers && hit.identities === inventory.identities) return hit.index;
    const index = new BrokerIndex(inventory);
    INDEXES.set(inventory, { brokers: inventory.brokers, identities: inventory.identities, index });
    return index;
  }

  private readonly records = new Map<string, BrokerEntry[]>();
  /** Federation keys of broker identities (a broker that is itself federated, as the constructs' earlier brokers were). */
  private readonly brokerFederations: ReadonlySet<string>;

  constructor(inventory: Inventory) {
    for (const b of inventory.brokers ?? []) {
      const key = recordKey(b.cloud, b.agent, b.environment);
      appendTo(this.records, key, b);
    }
    this.brokerFederations = new Set(inventory.identities.filter(isBrokerIdentity).flatMap((b) => b.federations.map(federationKey)));
  }

  /** The recorded brokers that serve this tool identity's agent and environment (none when unknown). */
  public recordsFor(tool: Identity): readonly BrokerEntry[] {
    const agent = agentOf(tool);
    const environment = environmentOf(tool);
    return agent && environment ? this.records.get(recordKey(tool.cloud, agent, environment)) ?? [] : [];
  }

  /**
   * Whether the tool is served by a broker: a recorded one, or a broker identity (or a way in
   * labelled as the broker's) among those who can reach it.
   */
  public isBrokered(tool: Identity, assumers: readonly Assumer[]): boolean {
    return this.recordsFor(tool).length > 0 || assumers.some((a) => this.isUnrecordedBroker(a));
  }

  /** Whether this way in to `tool` is its broker. */
  public isTheBroker(tool: Identity, a: Assumer): boolean {
    const records = this.recordsFor(tool);
    if (records.length === 0) return this.isUnrecordedBroker(a);
    return records.some((r) => recordAdmits(r, tool, a));
  }

  private isUnrecordedBroker(a: Assumer): boolean {
    // One AWS broker may serve several agents (its agent tag names only one of them): any broker identity counts.
    if (a.identity) return isBrokerIdentity(a.identity);
    return a.labelledBroker || (a.via === 'federation' && this.brokerFederations.has(a.principal));
  }
}

const INDEXES = new WeakMap<Inventory, { readonly brokers?: readonly BrokerEntry[]; readonly identities: readonly Identity[]; readonly index: BrokerIndex }>();

function recordKey(cloud: string, agent: string, environment: string): string {
  return `${cloud}\u0000${agent}\u0000${environment}`;
}

/** Whether a recorded broker is this way in: its identity by name or member, or its issuer with exactly the tool's subject. */
function recordAdmits(r: BrokerEntry, tool: Identity, a: Assumer): boolean {
  if (a.via === 'federation') {
    const agent = agentOf(tool);
    const name = toolOf(tool);
    const environment = environmentOf(tool);
    if (r.issuer === undefined || !agent || !name || !environment) return false;
    return a.principal === `${r.issuer}#${brokerSubject(agent, name, environment)}`;
  }
  const email = r.identity.toLowerCase();
  const principal = a.principal.toLowerCase();
  if (principal === email || principal === `serviceaccount:${email}`) return true;
  const i = a.identity;
  if (!i || i.cloud !== r.cloud || i.name === undefined) return false;
  return r.cloud === 'gcp' ? email.startsWith(`${i.name.toLowerCase()}@`) : i.name.toLowerCase() === email;
}
