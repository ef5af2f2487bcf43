import { fail } from '../errors';
import { ChangeWindow } from '../model/change-window';
import { Tool } from '../model/tool';
import { BrokerToolConfig, BrokerWindow } from './broker-config';

/** Minutes since midnight → `HH:MM` (1440 → `24:00`). */
function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** A change window as the JSON the broker reads back with `ChangeWindow.of`. */
export function brokerWindow(window: ChangeWindow): BrokerWindow {
  return {
    timeZone: window.timeZone,
    slots: window.slots.map((s) => ({ days: [...s.days], start: hhmm(s.startMinute), end: hhmm(s.endMinute) })),
    ...(window.expiresAt === undefined ? {} : { expiresAt: window.expiresAt }),
  };
}

/**
 * What the broker needs to know about a tool on one cloud, given that tool's identity there.
 * @param cloud which of the tool's permission sets to read
 * @param scopes the OAuth scopes a token for this tool is minted with (GCP, Azure); AWS has none
 */
export function toolBrokerConfig(tool: Tool, identity: string, cloud: 'aws' | 'gcp' | 'azure', scopes?: readonly string[]): BrokerToolConfig {
  const declared = declaredPermissions(tool, cloud);
  if (!declared) {
    fail('AG_BROKER_TOOL_CLOUD', `Tool(${tool.name}).${cloud}`, 'is required for a tool served by the broker on this cloud', undefined, `Declare ${cloud} permissions on the tool.`);
  }
  return {
    name: tool.name,
    identity,
    accessLevel: tool.accessLevel,
    requiresApproval: tool.requiresApproval,
    resources: declared.resources,
    actions: declared.actions,
    ...(scopes ? { scopes: [...scopes] } : {}),
    ...(tool.window ? { window: brokerWindow(tool.window) } : {}),
  };
}

/** A tool's declared actions and resources on one cloud (GCP: roles and permissions on one resource; Azure: roles and actions at one scope). */
function declaredPermissions(tool: Tool, cloud: 'aws' | 'gcp' | 'azure'): { resources: string[]; actions: string[] } | undefined {
  if (cloud === 'aws') return tool.aws && { resources: [...tool.aws.resources], actions: [...tool.aws.actions] };
  if (cloud === 'gcp') return tool.gcp && { resources: [tool.gcp.resource], actions: [...(tool.gcp.roles ?? []), ...(tool.gcp.permissions ?? [])] };
  return tool.azure && { resources: [tool.azure.scope], actions: [...(tool.azure.roles ?? []), ...(tool.azure.actions ?? []), ...(tool.azure.dataActions ?? [])] };
}
