import { isAscii } from 'buffer';
import * as fs from 'fs';

/**
 * A file's text, as `fs.readFileSync(file, 'utf8')` gives it (same string, same errors), read faster
 * when every byte is ASCII (synthesized templates and cloud-assembly files nearly always are): ASCII
 * bytes are the same characters in Latin-1, which Node copies into a string without UTF-8 decoding.
 * A check reads tens of megabytes of templates; decoding them cost about a third of their JSON parse.
 */
export function readTextFile(file: string): string {
  const bytes = fs.readFileSync(file);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}
