import { App, CfnResource, Stack, Stage, Validations } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';
import { Acknowledgement } from '../../../lib/inventory/inventory';
import { stackNameOf } from './nag-finding-nodes';

/**
 * The acknowledgements recorded with `Validations.of(x).acknowledge(...)` on `scope`, its
 * children and its ancestors (acknowledgements are inherited), read from construct metadata
 * the way CDK records them (`aws:cdk:acknowledged-rules`).
 */
export function acknowledgementsOf(scope: IConstruct): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  const constructs = [...scope.node.scopes.slice(0, -1), ...scope.node.findAll()];
  for (const c of constructs) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || typeof entry.data !== 'object' || entry.data === null) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        out.push({ id, reason: typeof reason === 'string' ? reason : '', path: c.node.path, scope: scopeOf(c), ...where(c) });
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
