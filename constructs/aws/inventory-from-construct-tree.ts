import { CfnElement, NestedStack, Stack } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';
import { inventoryFromTemplate } from '../../lib/adapters/cloudformation/inventory-from-template';
import { nestedStackParameters, stackExports, stackOutputs } from '../../lib/adapters/cloudformation/private/nested-stack-parameters';
import { Inventory, Unresolved, mergeInventories } from '../../lib/inventory/inventory';
import { pushAll } from '../../lib/private/push-all';

/**
 * The inventory of every stack under `scope` (the scope itself included when it is a stack),
 * built from the construct tree without writing a cloud assembly.
 *
 * Each stack's template is rendered the way aws-cdk-lib renders it at synth: every
 * `CfnElement` of the stack (resources, parameters, conditions, mappings) contributes its
 * fragment through `_toCloudFormation()`, resolved with `stack.resolve(...)`. That method is
 * marked internal in aws-cdk-lib, but it is the only one that applies escape hatches
 * (`addOverride`, `addPropertyOverride`) and renders tags and metadata exactly as the synthesized
 * template has them; the public L1 getters (`cfnProperties`) miss overrides. The template is
 * then read by the same `inventoryFromTemplate` as a file, so both paths give the same inventory.
 *
 * Tags added with `Tags.of(...)` are aspects: call this after aspects ran (inside a validation
 * plugin, or after `app.synth()`), or those tags and the agent labels they carry are missing.
 */
export function inventoryFromConstructTree(scope: IConstruct): Inventory {
  const stacks = scope.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  const rendered = new Map<Stack, Rendered>();
  const exports: Record<string, unknown> = {};
  const render = (stack: Stack): Rendered => {
    let hit = rendered.get(stack);
    if (!hit) {
      hit = renderTemplate(stack);
      // A nested stack gets the values its parent passes, as CloudFormation (and the cdk.out reader) does.
      if (NestedStack.isNestedStack(stack) && stack.nestedStackResource) {
        const parentStack = Stack.of(stack.nestedStackResource);
        const parent = render(parentStack);
        const logicalId = parentStack.resolve(stack.nestedStackResource.logicalId);
        const passed = nestedStackParameters(parent.template, parent.parameterValues, logicalId, exports);
        hit.parameterValues = passed.values;
        // Values the parent itself cannot resolve are reported on the parent's nested-stack resource (as the cdk.out reader does).
        const source = { stack: stackNameOf(parentStack), resource: logicalId, path: stack.nestedStackResource.node.path };
        hit.openParameters = passed.open.map((what) => ({ cloud: 'aws' as const, what: `Properties.Parameters.${what}`, source }));
      }
      rendered.set(stack, hit);
    }
    return hit;
  };
  // What every stack exports, so CDK's cross-stack references (Fn::ImportValue) read as values, as in cdk.out.
  for (const stack of stacks) if (!NestedStack.isNestedStack(stack)) Object.assign(exports, stackExports(render(stack).template));
  // A parent reads the outputs its nested stacks return (`Fn::GetAtt [Nested, Outputs.X]`), bottom up.
  const outputs = new Map<Stack, Record<string, unknown>>();
  const nestedOutputsOf = (stack: Stack): Record<string, Record<string, unknown>> => Object.fromEntries(stacks
    .filter((s) => NestedStack.isNestedStack(s) && s.nestedStackResource && Stack.of(s.nestedStackResource) === stack)
    .map((s) => [stack.resolve((s as NestedStack).nestedStackResource!.logicalId), outputsOf(s)]));
  const outputsOf = (stack: Stack): Record<string, unknown> => {
    let hit = outputs.get(stack);
    if (!hit) {
      const { template, parameterValues } = render(stack);
      hit = stackOutputs(template, parameterValues, nestedOutputsOf(stack), exports);
      outputs.set(stack, hit);
    }
    return hit;
  };
  return mergeInventories(stacks.map((stack) => {
    const { template, constructPaths, parameterValues, openParameters } = render(stack);
    const inventory = inventoryFromTemplate(template, {
      stack: stackNameOf(stack), constructPaths, parameterValues, nestedStackOutputs: nestedOutputsOf(stack), exports, readsNestedStacks: true,
    });
    pushAll(inventory.unresolved, openParameters);
    return inventory;
  }));
}

interface Rendered {
  readonly template: Record<string, Record<string, unknown>>;
  readonly constructPaths: Record<string, string>;
  parameterValues: Record<string, unknown>;
  openParameters: Unresolved[];
}

function renderTemplate(stack: Stack): Rendered {
  const template: Record<string, Record<string, unknown>> = {};
  const constructPaths: Record<string, string> = {};
  for (const c of stack.node.findAll()) {
    if (!CfnElement.isCfnElement(c) || c.stack !== stack) continue;
    const fragment = stack.resolve((c as unknown as { _toCloudFormation(): object })._toCloudFormation()) as Record<string, Record<string, unknown>>;
    for (const [section, entries] of Object.entries(fragment)) {
      template[section] = { ...template[section], ...entries };
    }
    constructPaths[stack.resolve(c.logicalId)] = c.node.path;
  }
  template.Resources ??= {};
  return { template, constructPaths, parameterValues: {}, openParameters: [] };
}

/** The name the cdk.out reader uses: the stack name, or `<parent>/<logicalId>` for a nested stack. */
function stackNameOf(stack: Stack): string {
  if (NestedStack.isNestedStack(stack) && stack.nestedStackResource) {
    const parent = Stack.of(stack.nestedStackResource);
    return `${stackNameOf(parent)}/${parent.resolve(stack.nestedStackResource.logicalId)}`;
  }
  return stack.stackName;
}
