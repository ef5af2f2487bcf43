import * as fs from 'fs';
import { IPolicyValidationContext, Stack } from 'aws-cdk-lib/core';
import { inventoryFromTemplate, templateExports } from '../../../lib/adapters/cloudformation/inventory-from-template';
import { mayExport, mayHoldTransforms, parseTemplateText, readTemplateText } from '../../../lib/adapters/cloudformation/read-template-file';
import { Inventory, mergeInventories } from '../../../lib/inventory/inventory';
import { FindingNodes, stackNameOf } from './nag-finding-nodes';

/**
 * The inventory of the templates CDK just wrote, when the validation context names them all:
 * what will be deployed, read with the same adapter as the CLI, with construct paths from the
 * tree. Parsing the written JSON is several times cheaper than rendering each stack's template
 * again from the tree. Returns undefined (the caller renders from the tree) when a template is
 * missing or the app has nested stacks (their templates are assets the context does not list).
 * Only the stacks the context lists are read: a plugin registered on a stage sees its own.
 * What those templates export is shared between them, so CDK's cross-stack references
 * (`Fn::ImportValue`) read as values, as in `inventoryFromCdkOut`.
 */
export function inventoryFromSynthesizedTemplates(nodes: FindingNodes, context: IPolicyValidationContext): Inventory | undefined {
  const templates = context.stackTemplates ?? [];
  if (templates.length === 0 || nodes.hasNestedStacks) return undefined;
  const read: { readonly stack: Stack; readonly file: string; readonly text: string }[] = [];
  const exports: Record<string, unknown> = {};
  for (const t of templates) {
    const stack = nodes.stackAt(t.stackConstructPath);
    if (!stack || !fs.existsSync(t.templatePath)) return undefined;
    const text = readTemplateText(t.templatePath);
    read.push({ stack, file: t.templatePath, text });
    if (mayExport(text)) Object.assign(exports, templateExports(parseTemplateText(text, t.templatePath)));
  }
  // One parsed template at a time: thousands of roles' templates held together cost more in garbage collection than they save.
  return mergeInventories(read.map(({ stack, file, text }) => inventoryFromTemplate(parseTemplateText(text, file), {
    stack: stackNameOf(stack), constructPaths: nodes.constructPathsOf(stack), exports, readsNestedStacks: false, mayHoldTransforms: mayHoldTransforms(text),
  })));
}
