import type * as YAML from 'yaml';
import { GuardrailError } from '../../errors';
import { parseErrorReason } from '../../private/input-files';
import { readTextFile } from '../../private/read-text-file';

/** Short-form intrinsic functions CloudFormation YAML allows (`!Ref`, `!Sub`, `!GetAtt`, …). */
const SHORT_FORMS = [
  'Ref', 'Condition', 'Sub', 'GetAtt', 'Join', 'Select', 'Split', 'If', 'Equals', 'And', 'Or', 'Not',
  'FindInMap', 'ImportValue', 'Base64', 'GetAZs', 'Cidr', 'Transform', 'ToJsonString', 'Length',
];

type CustomTag = NonNullable<YAML.ParseOptions & YAML.SchemaOptions>['customTags'];

/** `!Name` → `{ "Fn::Name": … }` (or `Ref`/`Condition`), for scalars, sequences and maps alike. */
function cloudFormationTags(): CustomTag {
  const key = (n: string) => (n === 'Ref' || n === 'Condition' ? n : `Fn::${n}`);
  return SHORT_FORMS.flatMap((n) => [
    // `!GetAtt Role.Arn` is the short form of `Fn::GetAtt: [Role, Arn]`.
    { tag: `!${n}`, resolve: (s: string) => ({ [key(n)]: n === 'GetAtt' ? splitOnce(s, '.') : s }) },
    { tag: `!${n}`, collection: 'seq' as const, resolve: (seq: YAML.YAMLSeq) => ({ [key(n)]: seq.toJSON() }) },
    { tag: `!${n}`, collection: 'map' as const, resolve: (map: YAML.YAMLMap) => ({ [key(n)]: map.toJSON() }) },
  ]) as CustomTag;
}

function splitOnce(s: string, sep: string): string[] {
  const i = s.indexOf(sep);
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)];
}

/**
 * Read a CloudFormation template file: JSON, or YAML with the short-form tags.
 * Throws `AG_INPUT_INVALID` with a one-line reason when the file cannot be read or parsed.
 */
export function readTemplateFile(file: string): unknown {
  return parseTemplateText(readTemplateText(file), file);
}

/** A template file's text; throws `AG_INPUT_INVALID` when it cannot be read. */
export function readTemplateText(file: string): string {
  try {
    return readTextFile(file);
  } catch (e) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('template file', 'cannot be read', file, `${(e as NodeJS.ErrnoException).code ?? (e as Error).message}: check the path.`));
  }
}

/**
 * Whether a template's text may export values (`Outputs.*.Export`). Apps of many stacks read
 * every template for its exports before reading any for its identities: this cheap test spares
 * parsing (and holding) the templates that export nothing.
 */
export function mayExport(text: string): boolean {
  return text.includes('Export');
}

/**
 * Whether a template's text may hold an `Fn::Transform` key. In JSON a key reaches the parsed
 * template as written or through `\u` escapes, so a JSON text that holds neither the name nor an
 * escape holds none, and the reader need not search every resource for one. YAML (quoted scalars
 * fold lines, short-form tags) always may.
 */
export function mayHoldTransforms(text: string): boolean {
  return !text.trimStart().startsWith('{') || text.includes('Fn::Transform') || text.includes('\\u');
}

/** Parse a template's text (JSON, or YAML with the short-form tags); `file` names it in errors. */
export function parseTemplateText(text: string, file: string): unknown {
  const trimmed = text.trimStart();
  try {
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) return JSON.parse(text);
    const doc = yaml().parseDocument(text, { customTags: cloudFormationTags(), uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) throw doc.errors[0];
    const value: unknown = doc.toJSON();
    const odd = nonJsonValue(value);
    if (odd !== undefined) {
      throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('template file', 'holds a YAML value that is not JSON data', file, `It holds ${odd} (a YAML 1.1 tag such as !!omap, !!set or !!binary), which CloudFormation does not read and this check would not see into. Write it as a plain map, list or string.`));
    }
    return value;
  } catch (e) {
    if (GuardrailError.isGuardrailError(e)) throw e;
    const reason = parseErrorReason(e);
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('template file', 'is not valid JSON or YAML', file, `${reason}. Fix the syntax.`));
  }
}

/**
 * The first value of a parsed YAML document that JSON has no type for (`%YAML 1.1` turns `!!omap`, `!!set`,
 * `!!binary` into a Map, a Set, bytes): what every reader walks with `Object.keys` would see as empty, so a
 * `Resources: !!omap [...]` would hide its roles. Iterative: YAML nests as deep as its text.
 */
function nonJsonValue(root: unknown): string | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
      continue;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return `a ${(v as object).constructor?.name ?? 'non-JSON'} value`;
    for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
  }
  return undefined;
}

/** The YAML parser, loaded on the first YAML template: most inputs are JSON (cdk.out), and it is a large module to load at start-up. */
function yaml(): typeof YAML {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml') as typeof YAML;
}
