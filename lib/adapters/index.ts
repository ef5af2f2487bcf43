import * as fs from 'fs';
import * as path from 'path';
import { GuardrailError } from '../errors';
import { Inventory, mergeInventories } from '../inventory/inventory';
import { inventoryFromCdkOut } from './cloudformation/inventory-from-cdk-out';
import { inventoryFromTemplate, templateExports } from './cloudformation/inventory-from-template';
import { readTemplateFile } from './cloudformation/read-template-file';
import { assignOwn } from '../private/own';
import { inventoryFromCdktfOut, inventoryFromTerraformFile, inventoryFromTerraformJson, isTerraformInput } from './terraform';

export { inventoryFromTemplate, TemplateInventoryOptions } from './cloudformation/inventory-from-template';
export { inventoryFromCdkOut } from './cloudformation/inventory-from-cdk-out';
export { readTemplateFile } from './cloudformation/read-template-file';
export { inventoryFromCdktfOut, inventoryFromTerraformFile, inventoryFromTerraformJson, isTerraformInput } from './terraform';

const TEMPLATE_EXTENSIONS = new Set(['.json', '.yaml', '.yml', '.template']);

/**
 * The inventory of every path given: a cloud assembly folder (with `manifest.json`), a
 * CloudFormation template file (`.json`, `.yaml`, `.yml`, `.template`), a `cdktf.out` folder, a
 * `cdk.tf.json` file, or a CDKTF project folder; anything unreadable throws `AG_INPUT_INVALID`.
 * Template files given together are read as one app: what one exports, another can import.
 */
export function inventoryFromPaths(paths: string[]): Inventory {
  if (paths.length === 0) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('paths', 'must name at least one template or cdk.out folder', paths, 'Pass a path, e.g. cdk.out.'));
  }
  const inputs = paths.map(readInput);
  // What every template file exports, so a cross-stack reference (Fn::ImportValue) between them reads as the value.
  const exports: Record<string, unknown> = {};
  for (const input of inputs) if (input.kind === 'template') assignOwn(exports, templateExports(input.template));
  return mergeInventories(inputs.map((input) => (input.kind === 'template'
    ? inventoryFromTemplate(input.template, { stack: input.stack, file: input.file, exports })
    : input.inventory)));
}

/** One input: a CloudFormation template file (read; its inventory waits for the other files' exports), or any other input's inventory. */
type Input = { readonly kind: 'template'; readonly template: unknown; readonly stack: string; readonly file: string } | { readonly kind: 'inventory'; readonly inventory: Inventory };

function readInput(p: string): Input {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('path', 'does not exist', p, 'Check the path (run cdk synth first for cdk.out).'));
  }
  if (stat.isDirectory()) {
    const terraform = terraformFolderInventory(p);
    if (terraform) return { kind: 'inventory', inventory: terraform };
    if (fs.existsSync(path.join(p, 'manifest.json'))) return { kind: 'inventory', inventory: inventoryFromCdkOut(p) };
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('folder', 'is not a cloud assembly (no manifest.json)', p, 'Pass a cdk.out folder or a template file.'));
  }
  if (path.basename(p).endsWith('.tf.json')) return { kind: 'inventory', inventory: inventoryFromTerraformFile(p) };
  if (!TEMPLATE_EXTENSIONS.has(path.extname(p).toLowerCase())) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('file', 'is not a template (.json, .yaml, .yml, .template)', p, 'Pass a CloudFormation template or a cdk.out folder.'));
  }
  const stack = path.basename(p).replace(/\.(template\.json|json|ya?ml|template)$/i, '');
  const template = readTemplateFile(p);
  // Terraform JSON under another name.
  if (typeof template === 'object' && template !== null && !('Resources' in template) && ('resource' in template || 'terraform' in template)) return { kind: 'inventory', inventory: inventoryFromTerraformJson(template, { file: p }) };
  return { kind: 'template', template, stack, file: p };
}

/** A `cdktf.out` folder, a project folder holding one, a folder with `cdk.tf.json`, or `stacks/*\/cdk.tf.json`. */
function terraformFolderInventory(dir: string): Inventory | undefined {
  if (isTerraformInput(dir)) return inventoryFromCdktfOut(dir);
  const out = path.join(dir, 'cdktf.out');
  if (isTerraformInput(out)) return inventoryFromCdktfOut(out);
  if (fs.existsSync(path.join(dir, 'cdk.tf.json'))) return inventoryFromTerraformFile(path.join(dir, 'cdk.tf.json'));
  const stacks = path.join(dir, 'stacks');
  const files = fs.existsSync(stacks) ? fs.readdirSync(stacks).filter((s) => fs.existsSync(path.join(stacks, s, 'cdk.tf.json'))) : [];
  return files.length > 0 ? mergeInventories(files.map((s) => inventoryFromTerraformFile(path.join(stacks, s, 'cdk.tf.json'), s))) : undefined;
}
