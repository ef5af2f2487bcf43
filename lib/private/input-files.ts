import * as fs from 'fs';
import * as path from 'path';
import { GuardrailError } from '../errors';
import { readTextFile } from './read-text-file';

/**
 * Reading files named by other files (a `cdk.out` manifest, a `cdktf.out` manifest) without trusting them.
 *
 * Input errors quote nothing of what was read: a parser's message can hold the first characters of
 * the file (`Unexpected token 'r', "root:x:0:0"...`), and a manifest can point at any file.
 */

/**
 * `relative` resolved inside `dir`, or AG_INPUT_INVALID when it leads outside (`..`, an absolute
 * path, or a symbolic link out of the folder). The error names the field, never the path read.
 */
export function confinedPath(dir: string, relative: string, field: string): string {
  const root = path.resolve(dir);
  const resolved = path.resolve(root, relative);
  if (!isInside(root, resolved) || !isInside(realPath(root), realPath(resolved))) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format(
      field, 'must name a file inside the folder that holds the manifest', 'a path outside that folder',
      'Synthesize the app again; a manifest never points outside its own output folder.'));
  }
  return resolved;
}

/** A parse error's reason without any of the text it parsed: its kind and position only. */
export function parseErrorReason(e: unknown): string {
  const message = e instanceof Error ? e.message : '';
  const position = /at position (\d+)/.exec(message)?.[1];
  const line = /at line (\d+)/.exec(message)?.[1];
  const column = /column (\d+)/.exec(message)?.[1];
  const yamlCode = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : undefined;
  const where = line !== undefined ? ` at line ${line}${column !== undefined ? `, column ${column}` : ''}` : position !== undefined ? ` at position ${position}` : '';
  if (yamlCode && /^[A-Z_]+$/.test(yamlCode)) return `${yamlCode.toLowerCase().replace(/_/g, ' ')}${where}`;
  if (/end of (JSON )?input/i.test(message)) return 'unexpected end of input';
  return `syntax error${where}`;
}

/** Read and parse a JSON file; AG_INPUT_INVALID (naming `what` and the file, quoting nothing of it) when it cannot be. */
export function readJsonFile(file: string, what: string, fix: string, code = 'AG_INPUT_INVALID'): unknown {
  let text: string;
  try {
    text = readTextFile(file);
  } catch (e) {
    throw new GuardrailError(code, GuardrailError.format(what, 'cannot be read', file, `${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. ${fix}`));
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new GuardrailError(code, GuardrailError.format(what, 'cannot be read as JSON', file, `${parseErrorReason(e)}. ${fix}`));
  }
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest (files not written yet). */
export function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    const parent = path.dirname(p);
    return parent === p ? p : path.join(realPath(parent), path.basename(p));
  }
}
