import { App, CfnResource, IAspect, NestedStack, Stack, Stage, Validations } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';
import { ACKNOWLEDGEMENTS_ABOVE_METADATA_KEY } from '../../../lib/cli/cloud-assembly-metadata';
import { Acknowledgement } from '../../../lib/inventory/inventory';
import { ACKNOWLEDGEMENT_NAMESPACE, parseAcknowledgementId } from '../../../lib/rules/agent/acknowledgements';
import { stackNameOf } from './nag-finding-nodes';

/**
 * The acknowledgements recorded with `Validations.of(x).acknowledge(...)` on `scope`, its
 * children and its ancestors (acknowledgements are inherited), read from construct metadata
 * the way CDK records them (`aws:cdk:acknowledged-rules`). `all` is `scope.node.findAll()`
 * when the caller already has it (a walk of a large tree is not free).
 */
export function acknowledgementsOf(scope: IConstruct, all: readonly IConstruct[] = scope.node.findAll()): Acknowledgement[] {
  return acknowledgementsOn(scope.node.scopes.slice(0, -1), all);
}

/**
 * Records on each top-level stack the acknowledgements of ours made above it (app, stages),
 * which CDK writes to no stack's metadata, so the CLI reading `cdk.out` sees them too.
 */
export class RecordAcknowledgementsAbove implements IAspect {
  public visit(node: IConstruct): void {
    if (!Stack.isStack(node) || NestedStack.isNestedStack(node)) return;
    const above = acknowledgementsOn(node.node.scopes.slice(0, -1))
      .filter((a) => parseAcknowledgementId(a.id).namespace === ACKNOWLEDGEMENT_NAMESPACE || a.id.startsWith('Annotation::'));
    if (above.length > 0) {
      node.node.addMetadata(ACKNOWLEDGEMENTS_ABOVE_METADATA_KEY, above.map((a) => ({ id: a.id, reason: a.reason, path: a.path, scope: a.scope })));
    }
  }
}

function acknowledgementsOn(...lists: (readonly IConstruct[])[]): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const constructs of lists) {
    for (const c of constructs) {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || typeof entry.data !== 'object' || entry.data === null) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
          out.push({ id, reason: typeof reason === 'string' ? reason : '', path: c.node.path, scope: scopeOf(c), ...where(c) });
        }
      }
    }
  }
  return out;
}

function scopeOf(c: IConstruct): Acknowledgement['scope'] {
  if (App.isApp(c) || c.node.scope === undefined) return 'app';
  if (Stage.isStage(c)) return 'stage';
  if (Stack.isStack(c)) return 'stack';
  return 'construct';
}

/** Stack name and logical id of the resource the acknowledgement sits on (or of its default child). */
function where(c: IConstruct): { stack?: string; resource?: string } {
  if (scopeOf(c) === 'app' || scopeOf(c) === 'stage') return {};
  const stack = Stack.of(c);
  const resource = CfnResource.isCfnResource(c) ? c : CfnResource.isCfnResource(c.node.defaultChild) ? c.node.defaultChild : undefined;
  return { stack: stackNameOf(stack), ...(resource ? { resource: stack.resolve(resource.logicalId) as string } : {}) };
}
