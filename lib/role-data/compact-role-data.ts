import { GuardrailError } from '../errors';

/**
 * The compact form `agent-guardrails data pull` writes (format 2). The full role data repeats each
 * permission in every role that holds it (GCP: about 165,000 listings of 14,000 distinct permissions),
 * so format 2 stores every distinct permission once, in a sorted table, and each role as an array of
 * table positions, sorted and delta-encoded (the first position, then the gap to the next; gaps are
 * at least 1, so a role lists no permission twice). Reading expands it back to the format-1 shape the
 * shipped catalog uses (`policies/gcp-roles.schema.json`, `policies/azure-builtin-roles.schema.json`).
 */
export const COMPACT_ROLE_DATA_FORMAT = 2;

/** The formats this version reads: 1 (no `format` key: the shipped catalog's shape) and 2 (compact). */
export const READABLE_ROLE_DATA_FORMATS: readonly number[] = [1, COMPACT_ROLE_DATA_FORMAT];

type Doc = Record<string, unknown>;
interface GcpRoleV1 { title: string; stage?: string; flags: string[]; permissionsComplete: boolean; permissions: string[] }
interface AzureRoleV1 { name: string; id: string; custom?: boolean; flags: string[]; actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] }

/** The format a parsed role-data file declares (`format` missing means 1); an unknown one is a clear error. */
export function roleDataFormat(doc: Doc, file: string): number {
  const format = doc.format ?? 1;
  if (typeof format !== 'number' || !READABLE_ROLE_DATA_FORMATS.includes(format)) {
    throw new GuardrailError('AG_ROLE_DATA_FORMAT', `role data file ${file} has format ${JSON.stringify(format).slice(0, 40)}; this agent-guardrails reads formats ${READABLE_ROLE_DATA_FORMATS.join(' and ')}. `
      + 'Upgrade agent-guardrails, or pull the data again with this version (`agent-guardrails data pull`).');
  }
  return format;
}

/** Sorted distinct strings and a lookup from string to position. */
function table(values: Iterable<string>): { strings: string[]; index: Map<string, number> } {
  const strings = [...new Set(values)].sort();
  return { strings, index: new Map(strings.map((s, i) => [s, i])) };
}

function encode(values: readonly string[], index: ReadonlyMap<string, number>): number[] {
  const positions = [...new Set(values.map((v) => index.get(v)!))].sort((a, b) => a - b);
  return positions.map((p, i) => (i === 0 ? p : p - positions[i - 1]));
}

/**
 * Positions back to strings. Bounded and linear: every gap after the first must be at least 1 and
 * every position inside the table, else the file is refused (naming the role and field).
 */
function decode(deltas: readonly number[], strings: readonly string[], file: string, where: string): string[] {
  const out = new Array<string>(deltas.length);
  let position = -1;
  for (let i = 0; i < deltas.length; i++) {
    const d = deltas[i];
    if (i > 0 && d < 1) throw invalid(file, `${where}[${i}] is ${d}: after the first position, gaps must be at least 1`);
    position = i === 0 ? d : position + d;
    if (position >= strings.length) throw invalid(file, `${where}[${i}] points to position ${position}, past the ${strings.length}-entry table`);
    out[i] = strings[position];
  }
  return out;
}

function invalid(file: string, what: string): GuardrailError {
  return new GuardrailError('AG_ROLE_DATA_INVALID', `role data file ${file}: ${what}. Pull it again with \`agent-guardrails data pull\`.`);
}

/** The table must be sorted and distinct (what the writer produces); a file that is not was edited or damaged. */
function checkTable(strings: readonly string[], file: string, name: string): void {
  for (let i = 1; i < strings.length; i++) {
    if (!(strings[i - 1] < strings[i])) throw invalid(file, `${name}[${i}] is not after ${name}[${i - 1}] (the table must be sorted and distinct)`);
  }
}

/** Format 1 to format 2 (what `data pull` writes). */
export function compactRoleData(cloud: 'gcp' | 'azure', doc: Doc): Doc {
  const { roles, $schema: _schema, ...rest } = doc;
  const head = { $schema: cloud === 'gcp' ? './gcp-roles.compact.schema.json' : './azure-builtin-roles.compact.schema.json', ...rest };
  if (cloud === 'gcp') {
    const gcp = roles as Record<string, GcpRoleV1>;
    const { strings, index } = table(Object.values(gcp).flatMap((r) => r.permissions));
    return {
      ...head, format: COMPACT_ROLE_DATA_FORMAT, permissions: strings,
      roles: Object.fromEntries(Object.entries(gcp).map(([name, r]) => [name, { title: r.title, ...(r.stage !== undefined ? { stage: r.stage } : {}), p: encode(r.permissions, index) }])),
    };
  }
  const azure = roles as AzureRoleV1[];
  const { strings, index } = table(azure.flatMap((r) => [...r.actions, ...r.notActions, ...r.dataActions, ...r.notDataActions]));
  return {
    ...head, format: COMPACT_ROLE_DATA_FORMAT, actions: strings,
    roles: azure.map((r) => ({
      name: r.name, id: r.id, ...(r.custom ? { custom: true } : {}),
      a: encode(r.actions, index), na: encode(r.notActions, index), d: encode(r.dataActions, index), nd: encode(r.notDataActions, index),
    })),
  };
}

/** Format 2 (already schema-valid) to the format-1 shape, checking every position. */
export function expandRoleData(cloud: 'gcp' | 'azure', doc: Doc, file: string): Doc {
  const { roles, permissions, actions, format: _format, ...head } = doc;
  if (cloud === 'gcp') {
    const strings = permissions as string[];
    checkTable(strings, file, 'permissions');
    const out: Record<string, GcpRoleV1> = {};
    for (const [name, r] of Object.entries(roles as Record<string, { title: string; stage?: string; p: number[] }>)) {
      out[name] = { title: r.title, ...(r.stage !== undefined ? { stage: r.stage } : {}), flags: [], permissionsComplete: true, permissions: decode(r.p, strings, file, `roles["${name}"].p`) };
    }
    return { ...head, roles: out };
  }
  const strings = actions as string[];
  checkTable(strings, file, 'actions');
  const out = (roles as { name: string; id: string; custom?: boolean; a: number[]; na: number[]; d: number[]; nd: number[] }[]).map((r, i): AzureRoleV1 => ({
    name: r.name, id: r.id, ...(r.custom ? { custom: true } : {}), flags: [],
    actions: decode(r.a, strings, file, `roles[${i}].a`), notActions: decode(r.na, strings, file, `roles[${i}].na`),
    dataActions: decode(r.d, strings, file, `roles[${i}].d`), notDataActions: decode(r.nd, strings, file, `roles[${i}].nd`),
  }));
  return { ...head, roles: out };
}
