import * as path from 'path';
import { IPolicyValidationContext } from 'aws-cdk-lib/core';
import { hasOwn } from '../../../lib/private/own';
import { readTextFile } from '../../../lib/private/read-text-file';

const LOGICAL_ID = 'aws:cdk:logicalId';

interface ManifestArtifact {
  readonly type?: string;
  readonly properties?: { readonly templateFile?: string };
  readonly metadata?: MetadataMap;
  readonly additionalMetadataFile?: string;
}
type MetadataMap = Record<string, { readonly type?: string; readonly data?: unknown }[] | undefined>;

/**
 * Construct path → logical id of every CloudFormation element of the stacks CDK just wrote, read
 * from the cloud assembly's `aws:cdk:logicalId` metadata (in `manifest.json` or the stack's
 * `additionalMetadataFile`), which CDK writes before it calls validation plugins. Reading these
 * values is much cheaper than resolving each element's logical id token again. Anything missing
 * or unreadable is simply absent: the caller resolves those from the tree.
 */
export function assemblyLogicalIds(context: IPolicyValidationContext): Map<string, string> {
  const out = new Map<string, string>();
  const byDir = new Map<string, Set<string>>();
  for (const t of context.stackTemplates ?? []) {
    const dir = path.dirname(t.templatePath);
    const files = byDir.get(dir) ?? new Set<string>();
    files.add(path.basename(t.templatePath));
    byDir.set(dir, files);
  }
  for (const [dir, templateFiles] of byDir) {
    const manifest = readJson(path.join(dir, 'manifest.json')) as { artifacts?: Record<string, ManifestArtifact> } | undefined;
    for (const artifact of Object.values(manifest?.artifacts ?? {})) {
      if (artifact.type !== 'aws:cloudformation:stack' || !templateFiles.has(artifact.properties?.templateFile ?? '')) continue;
      const extra = artifact.additionalMetadataFile ? readJson(path.join(dir, artifact.additionalMetadataFile)) as MetadataMap | undefined : undefined;
      for (const metadata of [artifact.metadata, extra]) {
        // Own keys in `Object.entries` order, without building the entries (thousands per stack).
        for (const constructPath in metadata ?? {}) {
          const entries = hasOwn(metadata, constructPath) ? metadata![constructPath] : undefined;
          if (!Array.isArray(entries)) continue;
          for (const e of entries) {
            if (e?.type === LOGICAL_ID && typeof e.data === 'string') out.set(constructPath.startsWith('/') ? constructPath.slice(1) : constructPath, e.data);
          }
        }
      }
    }
  }
  return out;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readTextFile(file));
  } catch {
    return undefined;
  }
}
