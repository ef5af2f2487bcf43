import { TerraformStack } from 'cdktf';
import { inventoryFromTerraformJson } from '../../lib/adapters/terraform';
import { Inventory } from '../../lib/inventory/inventory';

/**
 * The inventory of a CDKTF stack: its Terraform JSON (`stack.toTerraform()`, references already
 * rendered as `${type.name.attr}`) read by the same adapter as `cdk.tf.json` files, so the
 * validation and the CLI see the same thing.
 */
export function inventoryFromTfStack(stack: TerraformStack): Inventory {
  return inventoryFromTerraformJson(stack.toTerraform(), { stack: stack.node.id });
}
