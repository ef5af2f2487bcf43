import { isAscii } from 'buffer';
import * as fs from 'fs';

/**
 * A file's text, as `fs.readFileSync(file, 'utf8')` gives it (same string, same errors), read faster
 * when every byte is ASCII (synthesized templates and cloud-assembly files nearly always are): ASCII
 * bytes are the same characters in Latin-1, which Node copies into a string without UTF-8 decoding.
 * A check reads tens of megabytes of templates; decoding them cost about a third of their JSON parse.
 */
export function readTextFile(file: string): string {
  refuseUnboundedFile(file);
  const bytes = fs.readFileSync(file);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** Input files larger than this are refused before they are read (the largest templates and plans are tens of MB). */
export const MAX_INPUT_FILE_BYTES = 256 * 2 ** 20;

/**
 * Throws (an Error without `code`, its message naming what is refused) for what a path in a pull request can name
 * but no input is: a device or FIFO (a template linked to /dev/zero was read until the process aborted) or a file
 * past MAX_INPUT_FILE_BYTES. Errors of `fs` (ENOENT, EACCES) pass as they are.
 */
function refuseUnboundedFile(file: string): void {
  const stat = fs.statSync(file);
  if (stat.isDirectory()) return; // readFileSync's own EISDIR, as before
  if (!stat.isFile()) throw new Error('not a regular file (a device, socket or FIFO), which is never read');
  if (stat.size > MAX_INPUT_FILE_BYTES) throw new Error(`${stat.size} bytes, more than the ${MAX_INPUT_FILE_BYTES} an input file may have`);
}
