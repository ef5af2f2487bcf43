import * as fs from 'fs';
import * as path from 'path';
import { Inventory, Unresolved, mergeInventories } from '../../inventory/inventory';
import { confinedPath, readJsonFile, realPath } from '../../private/input-files';
import { inventoryFromTemplate } from './inventory-from-template';
import { TemplateResolver } from './private/intrinsics';
import { nestedStackParameters, stackExports, stackOutputs } from './private/nested-stack-parameters';
import { isObject } from './private/policy-document';
import { mayExport, parseTemplateText, readTemplateFile, readTemplateText } from './read-template-file';
import { assignOwn } from '../../private/own';
import { pushAll } from '../../private/push-all';
import { readTextFile } from '../../private/read-text-file';

interface ManifestArtifact {
  readonly type?: string;
  readonly displayName?: string;
  readonly properties?: { templateFile?: string; stackName?: string; directoryName?: string };
  readonly metadata?: MetadataMap;
  /** Where CDK writes the stack's construct metadata instead of the manifest (`<stack>.metadata.json`). */
  readonly additionalMetadataFile?: string;
}
type MetadataMap = Record<string, { type?: string; data?: unknown }[] | undefined>;

/**
 * Build the inventory of a cloud assembly (`cdk.out`): every `aws:cloudformation:stack` artifact
 * of its `manifest.json`, nested assemblies (`cdk:cloud-assembly`, e.g. CDK Pipelines stages),
 * Service Catalog product stacks (`*.product.template.json`) and nested stacks (`AWS::CloudFormation::Stack` whose template is an asset file of the folder).
 * Construct paths come from the manifest's `aws:cdk:logicalId` metadata.
 */
export function inventoryFromCdkOut(dir: string): Inventory {
  return readAssembly(path.resolve(dir), new Set());
}

/** Deeper nested stacks than this are reported, not read (a cycle that changes its parameters never ends). */
const MAX_NESTING_DEPTH = 64;
/** Distinct (template, parameters) expansions per assembly before the rest are reported, not read. */
const MAX_NESTED_EXPANSIONS = 5_000;

/** What one assembly's stacks share while they are read: exports, the asset index, expanded nested stacks. */
interface AssemblyContext {
  readonly dir: string;
  readonly exports: Record<string, unknown>;
  /** Nested templates by asset object key, read once per assembly (not once per nested stack). */
  assetIndex?: Map<string, string>;
  /** Outputs of each nested (template, parameters) already expanded: a DAG of nested stacks is expanded once. */
  readonly expanded: Map<string, Record<string, unknown>>;
  /** Expansions in progress (a template that nests itself). */
  readonly inProgress: Set<string>;
}

/**
 * Nested stack templates by asset object key (`<hash>.json`), from the folder's `*.assets.json`
 * files: the fallback when a template lacks `aws:asset:path` metadata (apps synthesized
 * outside the CDK CLI do not write it).
 */
function nestedTemplatesByObjectKey(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.assets.json')) continue;
    try {
      const assets = JSON.parse(readTextFile(path.join(dir, f))) as { files?: Record<string, { source?: { path?: string }; destinations?: Record<string, { objectKey?: string }> }> };
      for (const asset of Object.values(assets.files ?? {})) {
        const source = asset.source?.path;
        if (!source) continue;
        for (const d of Object.values(asset.destinations ?? {})) if (d.objectKey) out.set(d.objectKey, source);
      }
    } catch {
      // An unreadable asset manifest only loses the fallback; the nested stack is then reported.
    }
  }
  return out;
}

function readAssembly(dir: string, seen: Set<string>): Inventory {
  // Keyed by the real folder: links inside the assembly name one folder by many paths (two links to the next
  // level, 14 levels deep, read 32,768 assemblies in 173 s).
  const key = realPath(dir);
  if (seen.has(key)) return mergeInventories([]);
  seen.add(key);
  const manifestFile = path.join(dir, 'manifest.json');
  const read = readJsonFile(manifestFile, 'cloud assembly manifest', 'Run cdk synth again.');
  const manifest = (isObject(read) ? read : {}) as { artifacts?: Record<string, ManifestArtifact> };
  const parts: Inventory[] = [];
  const artifacts = Object.entries(manifest.artifacts ?? {});
  // First what every stack exports, so CDK's cross-stack references (Fn::ImportValue) read as values.
  // Texts, not parsed templates, are kept meanwhile: a template is parsed when its turn comes (and
  // once more here only when it may export), so thousands of roles' templates are not all held at once.
  const texts = new Map<string, string>();
  const exports: Record<string, unknown> = {};
  for (const [, artifact] of artifacts) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const file = confinedPath(dir, artifact.properties.templateFile, 'manifest.json templateFile');
    const text = readTemplateText(file);
    texts.set(file, text);
    if (mayExport(text)) assignOwn(exports, stackExports(parseTemplateText(text, file)));
  }
  const context: AssemblyContext = { dir, exports, expanded: new Map(), inProgress: new Set() };
  for (const [artifactId, artifact] of artifacts) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const file = confinedPath(dir, artifact.properties.templateFile, 'manifest.json templateFile');
      const stack = artifact.properties.stackName ?? artifactId;
      const text = texts.get(file);
      parts.push(readStack(context, file, text === undefined ? undefined : parseTemplateText(text, file), stack, constructPathsOf(dir, artifact), {}, 0).inventory);
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      parts.push(readAssembly(confinedPath(dir, artifact.properties.directoryName, 'manifest.json directoryName'), seen));
    }
  }
  // Service Catalog product stacks are written beside the stacks but are no manifest artifact: each
  // becomes a stack of its own once provisioned, so it is checked as one (named by its file).
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.product.template.json')).sort()) {
    const file = path.join(dir, name);
    parts.push(readStack(context, file, undefined, name.slice(0, -'.product.template.json'.length), {}, {}, 0).inventory);
  }
  return mergeInventories(parts);
}

/**
 * One stack's template and its nested stacks (recursively): each nested stack gets the parameters
 * its parent passes, and the parent reads the outputs its nested stacks return.
 */
function readStack(assembly: AssemblyContext, file: string, preRead: unknown, stack: string, constructPaths: Record<string, string>, parameterValues: Record<string, unknown>, depth: number): { inventory: Inventory; outputs: Record<string, unknown> } {
  const { exports } = assembly;
  const template = preRead ?? readTemplateFile(file);
  const resources = isObject(template) && isObject(template.Resources) ? template.Resources : {};
  const resolver = new TemplateResolver(template, parameterValues);
  const children: Inventory[] = [];
  const nestedOutputs: Record<string, Record<string, unknown>> = {};
  const open: Unresolved[] = [];
  for (const [logicalId, r] of Object.entries(resources)) {
    if (!isObject(r) || r.Type !== 'AWS::CloudFormation::Stack') continue;
    const props = isObject(r.Properties) ? r.Properties : {};
    const nestedFile = nestedTemplateFile(assembly, r.Metadata, resolver.resolve(props.TemplateURL, () => undefined));
    const source = { file, stack, resource: logicalId, path: constructPaths[logicalId] ?? 'Properties.TemplateURL' };
    if (!nestedFile || !fs.existsSync(nestedFile)) {
      open.push({ cloud: 'aws', what: 'Properties.TemplateURL: a nested stack whose template is not in the cloud assembly', source });
      continue;
    }
    const passed = nestedStackParameters(template, parameterValues, logicalId, exports);
    for (const what of passed.open) open.push({ cloud: 'aws', what: `Properties.Parameters.${what}`, source });
    // The same template with the same parameters yields the same identities: expand it once (a DAG of
    // nested stacks is otherwise expanded once per path, exponentially often).
    const key = `${nestedFile}\u0000${JSON.stringify(passed.values)}`;
    const done = assembly.expanded.get(key);
    if (done) {
      nestedOutputs[logicalId] = done;
      continue;
    }
    if (assembly.inProgress.has(key) || depth >= MAX_NESTING_DEPTH || assembly.expanded.size >= MAX_NESTED_EXPANSIONS) {
      const why = assembly.inProgress.has(key) ? 'nests itself' : depth >= MAX_NESTING_DEPTH ? `is nested more than ${MAX_NESTING_DEPTH} levels deep` : `is past the ${MAX_NESTED_EXPANSIONS} nested stacks read per assembly`;
      open.push({ cloud: 'aws', what: `Properties.TemplateURL: a nested stack that ${why}, not analysed`, source });
      continue;
    }
    assembly.inProgress.add(key);
    const child = readStack(assembly, nestedFile, undefined, `${stack}/${logicalId}`, {}, passed.values, depth + 1);
    assembly.inProgress.delete(key);
    assembly.expanded.set(key, child.outputs);
    children.push(child.inventory);
    nestedOutputs[logicalId] = child.outputs;
  }
  const own = inventoryFromTemplate(template, { stack, file, constructPaths, parameterValues, nestedStackOutputs: nestedOutputs, exports, readsNestedStacks: true });
  pushAll(own.unresolved, open);
  return { inventory: mergeInventories([own, ...children]), outputs: stackOutputs(template, parameterValues, nestedOutputs, exports) };
}

function nestedTemplateFile(assembly: AssemblyContext, metadata: unknown, templateUrl: unknown): string | undefined {
  const { dir } = assembly;
  const assetPath = isObject(metadata) ? metadata['aws:asset:path'] : undefined;
  if (typeof assetPath === 'string') return confinedPath(dir, assetPath, 'nested stack aws:asset:path');
  if (typeof templateUrl !== 'string') return undefined;
  const objectKey = templateUrl.split('/').pop() ?? '';
  assembly.assetIndex ??= nestedTemplatesByObjectKey(dir);
  const source = assembly.assetIndex.get(objectKey);
  return source ? confinedPath(dir, source, 'asset manifest source.path') : undefined;
}

/**
 * Logical id → construct path (`Stack/Role/Resource`, as `node.path` has it), from the
 * `aws:cdk:logicalId` entries of the manifest and of the stack's additional metadata file.
 */
function constructPathsOf(dir: string, artifact: ManifestArtifact): Record<string, string> {
  const out: Record<string, string> = {};
  const metadata: MetadataMap = { ...(artifact.metadata ?? {}), ...additionalMetadata(dir, artifact) };
  for (const [constructPath, entries] of Object.entries(metadata)) {
    for (const e of entries ?? []) {
      if (e.type === 'aws:cdk:logicalId' && typeof e.data === 'string') out[e.data] = constructPath.replace(/^\//, '');
    }
  }
  return out;
}

/** The stack's `additionalMetadataFile`, when the manifest names one; unreadable is AG_INPUT_INVALID (as an unreadable manifest is). */
function additionalMetadata(dir: string, artifact: ManifestArtifact): MetadataMap {
  if (!artifact.additionalMetadataFile) return {};
  const file = confinedPath(dir, artifact.additionalMetadataFile, 'manifest.json additionalMetadataFile');
  const parsed = readJsonFile(file, 'cloud assembly metadata file', 'Run cdk synth again.');
  return isObject(parsed) ? (parsed as MetadataMap) : {};
}
