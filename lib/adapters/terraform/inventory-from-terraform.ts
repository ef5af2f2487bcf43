import * as fs from 'fs';
import * as path from 'path';
import { GuardrailError } from '../../errors';
import { EMBEDDED_BASELINE_KEY } from '../../baseline/embedded-baseline';
import { BrokerEntry, emptyInventory, Inventory, mergeInventories } from '../../inventory/inventory';
import { BROKER_METADATA_KEY } from '../../model/tags';
import { brokerRecordOfBlock } from './private/labels';
import { azureComputed, readAzure } from './private/azure-reader';
import { BuildContext } from './private/build-context';
import { gcpComputed, readGcp } from './private/gcp-reader';
import { isObject, terraformBlocks, TerraformBlock } from './private/terraform-blocks';
import { confinedPath, readJsonFile } from '../../private/input-files';
import { readTextFile } from '../../private/read-text-file';
import { TerraformReferences } from './private/terraform-references';
import { expandRepetition } from './private/repetition';
import { reportModuleCalls } from './private/module-calls';
import { normalizeTerraformJson, readTerraformJson } from './private/terraform-json';

export { isTerraformInput } from './terraform-input';

/** Where a Terraform configuration came from, for findings. */
export interface TerraformSourceOptions {
  /**
   * File the configuration was read from.
   * @default - none (e.g. from a CDKTF tree)
   */
  readonly file?: string;
  /**
   * Stack name.
   * @default - `"//".metadata.stackName` of the configuration, when present
   */
  readonly stack?: string;
}

/**
 * Build the inventory from one Terraform JSON configuration (a parsed `cdk.tf.json`): google_*
 * IAM members, bindings and policies, service accounts and keys, custom roles, deny policies,
 * workload identity providers; azurerm role assignments and definitions, user-assigned
 * identities, federated credentials; everything else as `others`. Values that cannot be known
 * offline are listed in `unresolved`.
 */
export function inventoryFromTerraformJson(input: unknown, options: TerraformSourceOptions = {}): Inventory {
  if (!isObject(input)) {
    throw new GuardrailError('AG_TF_INVALID', GuardrailError.format('Terraform configuration', 'must be a JSON object', typeof input, 'Pass the content of a cdk.tf.json file.'));
  }
  // The list forms Terraform accepts (`"resource": [ {…} ]`) read as their merged objects.
  return inventoryOfConfiguration(normalizeTerraformJson(input, options.file), options, true);
}

/**
 * The inventory of a normalized configuration (as `normalizeTerraformJson` or the file reader returns it: a file is
 * normalized once, not again here). `mayHoldDynamic: false` when its reader knows it holds no `dynamic` key.
 */
function inventoryOfConfiguration(doc: Record<string, unknown>, options: TerraformSourceOptions, mayHoldDynamic: boolean): Inventory {
  const meta = isObject(doc['//']) && isObject(doc['//'].metadata) ? doc['//'].metadata : {};
  const stack = options.stack ?? (typeof meta.stackName === 'string' ? meta.stackName : undefined);
  const declared = terraformBlocks(doc);
  const gcp = gcpComputed(doc);
  const azure = azureComputed(doc);
  const computed = (block: TerraformBlock, attribute: string, r: TerraformReferences) =>
    block.type.startsWith('google_') ? gcp(block, attribute, r) : azure(block, attribute, r);
  // One block per instance of a for_each/count whose collection is known, dynamic blocks made; references then
  // reach the instances (`google_service_account.sa["api"].email`) and the made nested blocks.
  const plain = new TerraformReferences(doc, declared, computed);
  const { blocks, problems } = expandRepetition(declared, plain, mayHoldDynamic);
  const unchanged = blocks.length === declared.length && blocks.every((b, i) => b === declared[i]);
  // A second index, not the first one extended: the first has cached locals resolved before the instances existed (a
  // local naming `google_service_account.sa["api"].email` resolved as "not in this configuration") and has spent part
  // of its expression budget, so reusing it would change results. Building the map of addresses again is cheap.
  const refs = unchanged ? plain : new TerraformReferences(doc, [...declared, ...blocks], computed);
  const inventory = emptyInventory();
  const ctx = new BuildContext(inventory, refs, blocks, options.file, stack);
  for (const p of problems) {
    const cloud = cloudOfType(p.block.type);
    if (cloud) ctx.unresolved(cloud, p.block, p.field, p.problem);
  }
  readGcp(ctx, doc);
  readAzure(ctx);
  const brokers = readBrokerRecords(ctx);
  // Last: walking module inputs spends the shared reference budget, which the IAM readers and broker records come first for.
  reportModuleCalls(ctx, doc);
  // The baseline the app's checks ran with (GuardrailChecks records it), for the CLI to weigh.
  const embedded = isObject(doc['//']) ? doc['//'][EMBEDDED_BASELINE_KEY] : undefined;
  return {
    ...inventory,
    ...(brokers.length > 0 ? { brokers } : {}),
    ...(embedded !== undefined ? { baselines: [{ record: embedded, where: options.file ?? `stack ${stack ?? '(unnamed)'}` }] } : {}),
  };
}

/** The cloud whose rules judge a block type, if any. */
function cloudOfType(type: string): 'gcp' | 'azure' | undefined {
  return type.startsWith('google_') ? 'gcp' : type.startsWith('azurerm_') || type.startsWith('azuread_') ? 'azure' : undefined;
}

/** Build the inventory from a `cdk.tf.json` (or any Terraform JSON) file. */
export function inventoryFromTerraformFile(file: string, stack?: string): Inventory {
  let text: string;
  try {
    text = readTextFile(file);
  } catch (e) {
    throw new GuardrailError('AG_TF_UNREADABLE', GuardrailError.format('Terraform file', 'cannot be read', file, `${(e as NodeJS.ErrnoException).code ?? (e as Error).message}: check the path.`));
  }
  const { doc, mayHoldDynamic } = readTerraformJson(text, file);
  return inventoryOfConfiguration(doc, stack !== undefined ? { file, stack } : { file }, mayHoldDynamic);
}

/** Build the inventory from a `cdktf.out` folder: every stack its `manifest.json` lists. */
export function inventoryFromCdktfOut(dir: string): Inventory {
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = readJsonFile(manifestFile, 'cdktf.out manifest', 'Run cdktf synth first.', 'AG_TF_UNREADABLE');
  const stacks = isObject(manifest) && isObject(manifest.stacks) ? manifest.stacks : undefined;
  if (!stacks) {
    throw new GuardrailError('AG_TF_INVALID', GuardrailError.format('cdktf.out manifest', 'must list stacks', manifestFile, 'Run cdktf synth again; the manifest has no "stacks".'));
  }
  return mergeInventories(Object.entries(stacks).map(([name, s]) => {
    const rel = isObject(s) && typeof s.synthesizedStackPath === 'string' ? s.synthesizedStackPath : path.join('stacks', name, 'cdk.tf.json');
    const file = confinedPath(dir, rel, 'cdktf.out manifest synthesizedStackPath');
    return inventoryFromTerraformFile(file, isObject(s) && typeof s.name === 'string' ? s.name : name);
  }));
}

/** Read a Terraform input of either kind. */
export function inventoryFromTerraformPath(p: string): Inventory {
  return p.endsWith('.json') && !fs.statSync(p).isDirectory() ? inventoryFromTerraformFile(p) : inventoryFromCdktfOut(p);
}

/** The brokers' construct records; a malformed one is reported (fail closed: it cannot vouch for a broker). */
function readBrokerRecords(ctx: BuildContext): BrokerEntry[] {
  const out: BrokerEntry[] = [];
  for (const block of ctx.blocks) {
    if (block.mode !== 'resource') continue;
    const record = brokerRecordOfBlock(block, (v) => {
      const r = ctx.refs.resolve(v);
      return r && !r.problem && !r.text.includes('${') ? r.text : undefined;
    });
    if (record === undefined) continue;
    const cloud = block.type.startsWith('azurerm_') ? 'azure' : 'gcp';
    if (record === 'malformed') {
      ctx.unresolved(cloud, block, BROKER_METADATA_KEY, 'is not a readable broker record (agent, environment, identity and, on Azure, issuer)');
      continue;
    }
    out.push({ ...record, source: ctx.source(block) });
  }
  return out;
}
