import * as fs from 'fs';
import * as path from 'path';
import { GuardrailError } from '../errors';

/**
 * Write a report to `file`, creating missing folders one at a time. Any failure (a parent that
 * is a file, no permission, a path that cannot exist) is one GuardrailError naming the option,
 * the path and the system's reason: the CLI prints one line and exits 2. Node's recursive
 * `mkdirSync` is not used: on some paths (e.g. under `/proc`) it never returns.
 */
export function writeOutputFile(file: string, text: string, option = '--output'): void {
  const target = path.resolve(file);
  const fail = (why: string): never => {
    throw new GuardrailError('AG_OUTPUT_UNWRITABLE', GuardrailError.format(option, 'cannot be written', file, `${why}. Pass a file path in a folder you can write to.`));
  };
  const stat = (p: string): fs.Stats | undefined => {
    try {
      return fs.statSync(p, { throwIfNoEntry: false });
    } catch (e) {
      return fail(reason(e));
    }
  };
  if (stat(target)?.isDirectory()) fail('it is a folder');
  const missing: string[] = [];
  let dir = path.dirname(target);
  // Each step goes one folder up: at most as many steps as the path has parts.
  while (!stat(dir)) {
    missing.unshift(dir);
    const parent = path.dirname(dir);
    if (parent === dir) fail(`no folder of it exists`);
    dir = parent;
  }
  if (!stat(dir)!.isDirectory()) fail(`${dir} is not a folder`);
  try {
    for (const m of missing) fs.mkdirSync(m);
    fs.writeFileSync(target, text);
  } catch (e) {
    fail(reason(e));
  }
}

const REASONS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOENT: 'its folder cannot be created',
  EISDIR: 'it is a folder',
  ENAMETOOLONG: 'the name is too long',
  ENOSPC: 'no space left on the device',
};

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (!err.code) return String((e as Error).message ?? e).split('\n')[0];
  return `${REASONS[err.code] ?? 'the system refused it'} (${err.code})`;
}
