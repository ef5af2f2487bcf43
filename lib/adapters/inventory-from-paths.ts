import * as fs from 'fs';
import * as path from 'path';
import { GuardrailError } from '../errors';
import { Inventory, mergeInventories } from '../inventory/inventory';
import { readTemplateFile } from './cloudformation/read-template-file';
import { isTerraformInput } from './terraform/terraform-input';
import { assignOwn } from '../private/own';

/*
 * Each adapter is loaded on the first input that needs it: a check of a cdk.out loads no Terraform
 * reader (nor jsonc-parser), a check of a cdktf.out no CloudFormation template reader. `require`, not
 * `import()`, for builds that keep `import()` as it is.
 */
function cloudFormation(): typeof import('./cloudformation/inventory-from-cdk-out') {
  return require('./cloudformation/inventory-from-cdk-out');
}

function templateFiles(): typeof import('./cloudformation/inventory-from-template') {
  return require('./cloudformation/inventory-from-template');
}

function terraform(): typeof import('./terraform/inventory-from-terraform') {
  return require('./terraform/inventory-from-terraform');
}

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
  for (const input of inputs) if (input.kind === 'template') assignOwn(exports, templateFiles().templateExports(input.template));
  return mergeInventories(inputs.map((input) => (input.kind === 'template'
    ? templateFiles().inventoryFromTemplate(input.template, { stack: input.stack, file: input.file, exports })
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
    const terraformInventory = terraformFolderInventory(p);
    if (terraformInventory) return { kind: 'inventory', inventory: terraformInventory };
    if (fs.existsSync(path.join(p, 'manifest.json'))) return { kind: 'inventory', inventory: cloudFormation().inventoryFromCdkOut(p) };
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('folder', 'is not a cloud assembly (no manifest.json)', p, 'Pass a cdk.out folder or a template file.'));
  }
  if (path.basename(p).endsWith('.tf.json')) return { kind: 'inventory', inventory: terraform().inventoryFromTerraformFile(p) };
  if (!TEMPLATE_EXTENSIONS.has(path.extname(p).toLowerCase())) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('file', 'is not a template (.json, .yaml, .yml, .template)', p, 'Pass a CloudFormation template or a cdk.out folder.'));
  }
  const stack = path.basename(p).replace(/\.(template\.json|json|ya?ml|template)$/i, '');
  const template = readTemplateFile(p);
  // Terraform JSON under another name.
  if (typeof template === 'object' && template !== null && !('Resources' in template) && ('resource' in template || 'terraform' in template)) return { kind: 'inventory', inventory: terraform().inventoryFromTerraformJson(template, { file: p }) };
  return { kind: 'template', template, stack, file: p };
}

/** A `cdktf.out` folder, a project folder holding one, a folder with `cdk.tf.json`, or `stacks/*\/cdk.tf.json`. */
function terraformFolderInventory(dir: string): Inventory | undefined {
  if (isTerraformInput(dir)) return terraform().inventoryFromCdktfOut(dir);
  const out = path.join(dir, 'cdktf.out');
  if (isTerraformInput(out)) return terraform().inventoryFromCdktfOut(out);
  if (fs.existsSync(path.join(dir, 'cdk.tf.json'))) return terraform().inventoryFromTerraformFile(path.join(dir, 'cdk.tf.json'));
  const stacks = path.join(dir, 'stacks');
  const files = fs.existsSync(stacks) ? fs.readdirSync(stacks).filter((s) => fs.existsSync(path.join(stacks, s, 'cdk.tf.json'))) : [];
  return files.length > 0 ? mergeInventories(files.map((s) => terraform().inventoryFromTerraformFile(path.join(stacks, s, 'cdk.tf.json'), s))) : undefined;
}
