import * as fs from 'fs';
import * as path from 'path';
import { GuardrailError } from '../errors';
import { Inventory, mergeInventories } from '../inventory/inventory';
import { inventoryFromCdkOut } from './cloudformation/inventory-from-cdk-out';
import { inventoryFromTemplate } from './cloudformation/inventory-from-template';
import { readTemplateFile } from './cloudformation/read-template-file';

export { inventoryFromTemplate, TemplateInventoryOptions } from './cloudformation/inventory-from-template';
export { inventoryFromCdkOut } from './cloudformation/inventory-from-cdk-out';
export { readTemplateFile } from './cloudformation/read-template-file';

const TEMPLATE_EXTENSIONS = new Set(['.json', '.yaml', '.yml', '.template']);

/**
 * The inventory of every path given: a cloud assembly folder (with `manifest.json`), or a
 * CloudFormation template file (`.json`, `.yaml`, `.yml`, `.template`). Terraform input is
 * refused with `AG_INPUT_UNSUPPORTED` for now; anything unreadable throws `AG_INPUT_INVALID`.
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
    if (fs.existsSync(path.join(p, 'manifest.json'))) return inventoryFromCdkOut(p);
    if (isTerraformFolder(p)) throw terraformUnsupported(p);
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('folder', 'is not a cloud assembly (no manifest.json)', p, 'Pass a cdk.out folder or a template file.'));
  }
  if (path.basename(p).endsWith('.tf.json')) throw terraformUnsupported(p);
  if (!TEMPLATE_EXTENSIONS.has(path.extname(p).toLowerCase())) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('file', 'is not a template (.json, .yaml, .yml, .template)', p, 'Pass a CloudFormation template or a cdk.out folder.'));
  }
  const stack = path.basename(p).replace(/\.(template\.json|json|ya?ml|template)$/i, '');
  const template = readTemplateFile(p);
  // Terraform JSON under another name: refuse it the same way as cdk.tf.json.
  if (typeof template === 'object' && template !== null && !('Resources' in template) && ('resource' in template || 'terraform' in template)) throw terraformUnsupported(p);
  return inventoryFromTemplate(template, { stack, file: p });
}

function isTerraformFolder(dir: string): boolean {
  if (fs.existsSync(path.join(dir, 'cdktf.out')) || fs.existsSync(path.join(dir, 'cdk.tf.json'))) return true;
  const stacks = path.join(dir, 'stacks');
  return fs.existsSync(stacks) && fs.readdirSync(stacks).some((s) => fs.existsSync(path.join(stacks, s, 'cdk.tf.json')));
}

function terraformUnsupported(p: string): GuardrailError {
  return new GuardrailError('AG_INPUT_UNSUPPORTED', `Terraform input is not supported yet; got ${JSON.stringify(p)}. Check CloudFormation templates or cdk.out folders for now.`);
}
