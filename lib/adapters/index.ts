import * as fs from 'fs';
import * as path from 'path';
import { GuardrailError } from '../errors';
import { Inventory, mergeInventories } from '../inventory/inventory';
import { inventoryFromCdkOut } from './cloudformation/inventory-from-cdk-out';
import { inventoryFromTemplate } from './cloudformation/inventory-from-template';
import { readTemplateFile } from './cloudformation/read-template-file';
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
 */
export function inventoryFromPaths(paths: string[]): Inventory {
  if (paths.length === 0) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('paths', 'must name at least one template or cdk.out folder', paths, 'Pass a path, e.g. cdk.out.'));
  }
  return mergeInventories(paths.map(inventoryFromPath));
}

function inventoryFromPath(p: string): Inventory {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('path', 'does not exist', p, 'Check the path (run cdk synth first for cdk.out).'));
  }
  if (stat.isDirectory()) {
    const terraform = terraformFolderInventory(p);
    if (terraform) return terraform;
    if (fs.existsSync(path.join(p, 'manifest.json'))) return inventoryFromCdkOut(p);
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('folder', 'is not a cloud assembly (no manifest.json)', p, 'Pass a cdk.out folder or a template file.'));
  }
  if (path.basename(p).endsWith('.tf.json')) return inventoryFromTerraformFile(p);
  if (!TEMPLATE_EXTENSIONS.has(path.extname(p).toLowerCase())) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('file', 'is not a template (.json, .yaml, .yml, .template)', p, 'Pass a CloudFormation template or a cdk.out folder.'));
  }
  const stack = path.basename(p).replace(/\.(template\.json|json|ya?ml|template)$/i, '');
  const template = readTemplateFile(p);
  // Terraform JSON under another name.
  if (typeof template === 'object' && template !== null && !('Resources' in template) && ('resource' in template || 'terraform' in template)) return inventoryFromTerraformJson(template, { file: p });
  return inventoryFromTemplate(template, { stack, file: p });
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
