/**
 * Times the hostile inputs of issue 13 (each was a hang, a crash or out of memory before): a
 * measurement, not a test. Run by bench/fuzz/run.sh; figures go to stdout and bench/results/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resourceWithin } from '../../lib/broker/resource-match';
import { checkPaths } from '../../lib/cli/check';
import { globMatch } from '../../lib/private/glob-match';
import { localsBomb, mappingBomb, writeManyAssetManifests, writeNestedDag } from '../../test/fixtures/hostile/generators';

function time(label: string, f: () => unknown): { label: string; ms: number } {
  const start = process.hrtime.bigint();
  f();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label}: ${ms.toFixed(1)} ms`);
  return { label, ms };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-hostile-bench-'));
const write = (name: string, content: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
};
try {
  const results = [
    time('broker: lake/*/year=*/month=*/day=*/*.parquet against a 2 KB resource', () =>
      resourceWithin(`arn:aws:s3:::lake/${'year=/month=/day=/'.repeat(110)}`.slice(0, 2048), ['arn:aws:s3:::lake/*/year=*/month=*/day=*/*.parquet'])),
    time('glob: (*a)x25*b against 16 KB of a', () => globMatch(`${'*a'.repeat(25)}*b`, 'a'.repeat(16_000))),
    time('glob: iam: + *? x30 against every action name length', () => globMatch(`iam:${'*?'.repeat(30)}`, `iam:${'x'.repeat(60)}`)),
    time('check: nested stacks as a DAG, 24 levels x 2', () => checkPaths([writeNestedDag(path.join(dir, 'dag'), 24)])),
    time('check: Mappings chained 40 levels through Fn::Select', () => checkPaths([write('mapping.json', mappingBomb(40))])),
    time('check: Terraform locals 6 references x 16 levels', () => checkPaths([write('locals.tf.json', localsBomb(16, 6))])),
    time('check: 2,000 asset manifests, 400 nested stacks', () => checkPaths([writeManyAssetManifests(path.join(dir, 'assets'), 2000, 400)])),
  ];
  fs.mkdirSync('bench/results', { recursive: true });
  fs.writeFileSync('bench/results/fuzz-hostile-inputs.json', JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
