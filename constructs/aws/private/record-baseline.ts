import { IAspect, NestedStack, Stack } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';
import type { Baseline } from '../../../lib/baseline/baseline';
import { EMBEDDED_BASELINE_KEY } from '../../../lib/baseline/embedded-baseline';

/**
 * Records the baseline the pack checks against on every stack it validates (stack metadata,
 * written to the cloud assembly's manifest), so `agent-guardrails check cdk.out` applies it
 * without `--baseline`. The package default is not recorded: the CLI has it. Read at synth, so
 * an app's baseline set after the pack was registered is the one recorded.
 */
export class RecordBaselineOnStacks implements IAspect {
  constructor(private readonly baselineOf: { readonly baseline: Baseline }) {}

  public visit(node: IConstruct): void {
    if (!Stack.isStack(node) || NestedStack.isNestedStack(node)) return;
    if (node.node.metadata.some((m) => m.type === EMBEDDED_BASELINE_KEY)) return;
    const baseline = this.baselineOf.baseline;
    if (!baseline.isDefault) node.node.addMetadata(EMBEDDED_BASELINE_KEY, baseline.toEmbedded());
  }
}
