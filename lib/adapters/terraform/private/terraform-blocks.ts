/**
 * The blocks of a Terraform JSON configuration (`cdk.tf.json`) as a flat list, each with its
 * address and the metadata CDKTF writes under `"//"` (construct path, our labels).
 */

/** Key under a block's `"//"` where the constructs put our labels and the tool's declaration. */
export const TF_METADATA_KEY = 'agent-guardrails';

export interface TerraformBlock {
  readonly mode: 'resource' | 'data';
  /** Terraform type, e.g. `google_project_iam_member`. */
  readonly type: string;
  readonly name: string;
  /** `type.name` for resources, `data.type.name` for data sources. */
  readonly address: string;
  /** The block's arguments, `"//"` removed. */
  readonly body: Record<string, unknown>;
  /** CDKTF construct path (`"//".metadata.path`), when synthesized by CDKTF. */
  readonly constructPath?: string;
  /** Our metadata object (`"//"["agent-guardrails"]`), when present. */
  readonly guardrails?: Record<string, unknown>;
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Every resource and data block of a configuration, in file order. */
export function terraformBlocks(doc: Record<string, unknown>): TerraformBlock[] {
  const out: TerraformBlock[] = [];
  for (const mode of ['resource', 'data'] as const) {
    const byType = doc[mode];
    if (!isObject(byType)) continue;
    for (const [type, byName] of Object.entries(byType)) {
      if (!isObject(byName)) continue;
      for (const [name, raw] of Object.entries(byName)) {
        // Plain HCL-JSON may also write a block as a one-element list.
        const block = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
        if (!isObject(block)) continue;
        const { ['//']: meta, ...body } = block;
        const metadata = isObject(meta) && isObject(meta.metadata) ? meta.metadata : undefined;
        out.push({
          mode,
          type,
          name,
          address: mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`,
          body,
          constructPath: typeof metadata?.path === 'string' ? metadata.path : undefined,
          guardrails: isObject(meta) && isObject(meta[TF_METADATA_KEY]) ? meta[TF_METADATA_KEY] : undefined,
        });
      }
    }
  }
  return out;
}

/** The first element of a nested block (Terraform JSON writes `condition: {...}` or `condition: [{...}]`). */
export function nestedBlock(value: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(value)) return isObject(value[0]) ? value[0] : undefined;
  return isObject(value) ? value : undefined;
}

/** A nested block list (`binding: [{...}, {...}]` or a single object). */
export function nestedBlocks(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}
