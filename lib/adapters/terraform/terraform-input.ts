import * as fs from 'fs';
import * as path from 'path';
import { isObject } from './private/terraform-blocks';
import { readTextFile } from '../../private/read-text-file';

/** Whether a path is a Terraform input: a `*.tf.json` file or a folder with a CDKTF manifest. */
export function isTerraformInput(p: string): boolean {
  if (p.endsWith('.tf.json')) return true;
  try {
    if (!fs.statSync(p).isDirectory()) return false;
    const manifest = path.join(p, 'manifest.json');
    if (!fs.existsSync(manifest)) return false;
    const doc: unknown = JSON.parse(readTextFile(manifest));
    // A CDK cloud assembly also has a manifest.json, with `artifacts` instead of `stacks`.
    return isObject(doc) && isObject(doc.stacks) && !('artifacts' in doc);
  } catch {
    return false;
  }
}
