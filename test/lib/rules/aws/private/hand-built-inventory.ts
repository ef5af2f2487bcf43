/**
 * Hand-built AWS inventories for the catalog-driven rule tests (AWS-004/006/007/008/012): small
 * builders so each test states only what matters to it, and CDK stacks read by the
 * CloudFormation adapter for the tests that go through real templates.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack, Tags } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Template } from 'aws-cdk-lib/assertions';
import { DeployOperatorStack, SupportObserverStack } from '../../../../../examples/aws/agents';
import { inventoryFromTemplate } from '../../../../../lib/adapters/cloudformation/inventory-from-template';
import { Declaration, emptyInventory, mergeInventories, Grant, Identity, Inventory, OtherResource, PolicyDocumentEntry, PolicyStatement } from '../../../../../lib/inventory/inventory';
import { Baseline } from '../../../../../lib/baseline/baseline';
import { Component, DECLARATION_METADATA_KEY, TAG_KEYS } from '../../../../../lib/model/tags';
import { Rule } from '../../../../../lib/rules/rule';
import { Finding } from '../../../../../lib/rules/rule';
import { runRules } from '../../../../../lib/rules/run-rules';

export const STACK = 'AgentStack';

export interface RoleOptions {
  readonly agent?: boolean;
  readonly component?: string;
  readonly name?: string;
  readonly boundary?: string;
  readonly declaration?: Partial<Declaration>;
}

export function role(logicalId: string, options: RoleOptions = {}): Identity {
  const agent = options.agent ?? false;
  return {
    id: `aws:${STACK}/${logicalId}`, cloud: 'aws', kind: 'aws-iam-role', name: options.name,
    labels: agent ? { agent: 'ops', tool: logicalId, tier: 'operator', environment: 'prod', component: options.component ?? 'tool-identity' } : { component: options.component },
    isAgent: agent,
    declaration: options.declaration ? {
      agent: 'ops', tool: logicalId, tier: 'operator', environment: 'prod', accessLevel: 'read', actions: [], resources: [], dataSources: [],
      requiresApproval: false, hasWindow: false, ...options.declaration,
    } : undefined,
    boundary: options.boundary, trust: [], federations: [], longLivedKeys: [],
    source: { stack: STACK, resource: logicalId },
  };
}

export interface StatementOptions {
  readonly notActions?: string[];
  readonly notResources?: string[];
  readonly condition?: Record<string, Record<string, unknown>>;
  /** Policy logical id the grant comes from. @default - an inline policy of the role */
  readonly policy?: string;
}

let seq = 0;
function grant(effect: 'Allow' | 'Deny', identity: Identity, actions: string[], resources: string[], o: StatementOptions): Grant {
  const policy = o.policy ?? identity.source.resource;
  return {
    id: `g${++seq}`, cloud: 'aws', identityId: identity.id, effect, actions: o.notActions ? [] : actions, notActions: o.notActions,
    resources: o.notResources ? [] : resources, notResources: o.notResources, condition: o.condition,
    via: o.policy ? 'managed-policy' : 'inline-policy', policyId: o.policy ? `aws:${STACK}/${o.policy}` : undefined,
    source: { stack: STACK, resource: policy },
  };
}

export function allow(identity: Identity, actions: string[], resources: string[] = ['*'], o: StatementOptions = {}): Grant {
  return grant('Allow', identity, actions, resources, o);
}

export function deny(identity: Identity, actions: string[], resources: string[] = ['*'], o: StatementOptions = {}): Grant {
  return grant('Deny', identity, actions, resources, o);
}

export function statement(effect: 'Allow' | 'Deny', actions: string[], resources: string[] = ['*'], o: StatementOptions = {}): PolicyStatement {
  return { effect, actions: o.notActions ? undefined : actions, notActions: o.notActions, resources: o.notResources ? undefined : resources, notResources: o.notResources, condition: o.condition };
}

export function managedPolicy(logicalId: string, statements: PolicyStatement[], o: { attachedTo?: Identity[]; boundaryOf?: Identity[]; name?: string; component?: string } = {}): PolicyDocumentEntry {
  return {
    id: `aws:${STACK}/${logicalId}`, cloud: 'aws', kind: 'aws-customer-managed-policy', name: o.name, statements,
    attachedTo: (o.attachedTo ?? []).map((i) => i.id), boundaryOf: (o.boundaryOf ?? []).map((i) => i.id),
    labels: o.component ? { component: o.component } : undefined, source: { stack: STACK, resource: logicalId },
  };
}

export function inventory(parts: { identities?: Identity[]; grants?: Grant[]; policies?: PolicyDocumentEntry[]; others?: OtherResource[] }): Inventory {
  return { ...emptyInventory(), identities: parts.identities ?? [], grants: parts.grants ?? [], policies: parts.policies ?? [], others: parts.others ?? [] };
}

/** Run one rule under the default baseline. */
export function check(rule: Rule, inv: Inventory): Finding[] {
  return runRules(inv, [rule], Baseline.default());
}

/** `resource[detail]` of each finding, sorted: compact assertions. */
export function ids(findings: Finding[]): string[] {
  return findings.map((f) => `${f.resource}[${f.detail}]`).sort();
}

/** `resource[action]` for every concrete action the findings stand for (a wildcard's finding lists each it reaches). */
export function actionIds(findings: Finding[]): string[] {
  return findings.flatMap((f) => (f.actions ?? [f.detail]).map((a) => `${f.resource}[${a}]`)).sort();
}

/**
 * A CDK stack built by `build`, synthesized offline (temporary outdir, removed) and read by the
 * CloudFormation adapter: the template (for the IAM simulator) and its inventory (for the rules).
 */
export function synthesized(build: (stack: Stack) => void, stackName = STACK): { template: any; inventory: Inventory } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-h2b-'));
  try {
    const app = new App({ outdir });
    const stack = new Stack(app, stackName, { env: { account: ACCOUNT, region: REGION } });
    build(stack);
    const template = Template.fromStack(stack).toJSON();
    return { template, inventory: inventoryFromTemplate(template, { stack: stackName }) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The example app's two agent stacks (examples/aws), read by the adapter. */
export function exampleAppInventory(): Inventory {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-h2b-example-'));
  try {
    const app = new App({ outdir });
    const stacks = [new SupportObserverStack(app, 'SupportObserverStaging'), new DeployOperatorStack(app, 'DeployOperatorProd')];
    return mergeInventories(stacks.map((s) => inventoryFromTemplate(Template.fromStack(s).toJSON(), { stack: s.stackName })));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';

/** A role tagged as an agent tool identity, optionally with a declaration (as AgentIdentity writes them). */
export function agentRole(stack: Stack, id: string, declaration?: Partial<Declaration>): iam.Role {
  const r = new iam.Role(stack, id, { assumedBy: new iam.AccountPrincipal(ACCOUNT) });
  const labels = { agent: 'ops', tool: id.toLowerCase(), tier: 'operator', environment: 'prod', component: Component.TOOL_IDENTITY };
  for (const [k, v] of Object.entries(labels)) Tags.of(r).add(TAG_KEYS[k as keyof typeof TAG_KEYS], v);
  if (declaration) {
    (r.node.defaultChild as CfnResource).addMetadata(DECLARATION_METADATA_KEY, {
      agent: 'ops', tool: id.toLowerCase(), tier: 'operator', environment: 'prod', accessLevel: 'read', actions: [], resources: [], dataSources: [], ...declaration,
    });
  }
  return r;
}

/** Logical id of the only resource of a type in a template. */
export function logicalIdOf(template: any, type: string): string {
  const ids = Object.keys(template.Resources).filter((k) => template.Resources[k].Type === type);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0];
}
