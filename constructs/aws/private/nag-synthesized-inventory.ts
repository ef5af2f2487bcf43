import * as fs from 'fs';
import { CfnResource, IPolicyValidationContext, NestedStack, Stack } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';
import { inventoryFromTemplate } from '../../../lib/adapters/cloudformation/inventory-from-template';
import { readTemplateFile } from '../../../lib/adapters/cloudformation/read-template-file';
import { Inventory, mergeInventories } from '../../../lib/inventory/inventory';
import { stackNameOf } from './nag-finding-nodes';

/**
 * The inventory of the templates CDK just wrote, when the validation context names them all:
 * what will be deployed, read with the same adapter as the CLI, with construct paths from the
 * tree. Parsing the written JSON is several times cheaper than rendering each stack's template
 * again from the tree. Returns undefined (the caller renders from the tree) when a template is
 * missing or the app has nested stacks (their templates are assets the context does not list).
 */
export function inventoryFromSynthesizedTemplates(app: IConstruct, context: IPolicyValidationContext): Inventory | undefined {
  const templates = context.stackTemplates ?? [];
  if (templates.length === 0) return undefined;
  const stacks = new Map<string, Stack>();
  const constructPaths = new Map<Stack, Record<string, string>>();
  for (const c of app.node.findAll()) {
    if (NestedStack.isNestedStack(c)) return undefined;
    if (Stack.isStack(c)) {
      stacks.set(c.node.path, c);
      constructPaths.set(c, {});
    } else if (CfnResource.isCfnResource(c)) {
      const stack = Stack.of(c);
      const paths = constructPaths.get(stack) ?? {};
      constructPaths.set(stack, paths);
      paths[stack.resolve(c.logicalId) as string] = c.node.path;
    }
  }
  const parts: Inventory[] = [];
  for (const t of templates) {
    const stack = stacks.get(t.stackConstructPath);
    if (!stack || !fs.existsSync(t.templatePath)) return undefined;
    parts.push(inventoryFromTemplate(readTemplateFile(t.templatePath), {
      stack: stackNameOf(stack), constructPaths: constructPaths.get(stack), readsNestedStacks: false,
    }));
  }
  // Every stack of the app must be covered, or a stack would go unchecked.
  if (parts.length !== stacks.size) return undefined;
  return mergeInventories(parts);
}
