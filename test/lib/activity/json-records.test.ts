import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readJsonRecords } from '../../../lib/activity/read/json-records';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-records-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function read(text: string, wholeFileMaxBytes: number): Promise<unknown[]> {
  const file = path.join(dir, 'f.json');
  fs.writeFileSync(file, text);
  const out: unknown[] = [];
  for await (const r of readJsonRecords(file, wholeFileMaxBytes)) out.push(r);
  return out;
}

const big = Array.from({ length: 3000 }, (_, i) => ({ eventID: `e${i}`, s: 'x}]"{\\'.repeat(i % 7), n: [i, { d: 'é' }] }));

describe.each([['parsed whole', 1 << 30], ['streamed', 0]])('readJsonRecords (%s)', (_, limit) => {
  test.each([
    ['CloudTrail Records file', JSON.stringify({ Records: big }), big],
    ['a wrapper with other keys first', JSON.stringify({ meta: { x: [1, 2] }, Records: big.slice(0, 3) }), big.slice(0, 3)],
    ['a JSON array', JSON.stringify(big), big],
    ['Azure value', JSON.stringify({ value: big.slice(0, 2) }), big.slice(0, 2)],
    ['Lake QueryResultRows', JSON.stringify({ QueryResultRows: [[{ eventID: 'e1' }, { eventName: 'X' }]], QueryStatus: 'FINISHED' }), [[{ eventID: 'e1' }, { eventName: 'X' }]]],
  ])('%s', async (_name, text, expected) => {
    expect(await read(text, limit)).toEqual(expected);
  });

  test('JSON Lines', async () => {
    expect(await read(big.slice(0, 50).map((r) => JSON.stringify(r)).join('\n'), limit)).toEqual(big.slice(0, 50));
  });

  test.each([
    ['truncated', '{"Records":[{"a":1},'],
    ['not JSON', 'hello'],
    ['empty', ''],
  ])('%s input is a one-line error', async (_name, text) => {
    await expect(read(text, limit)).rejects.toThrow(/AG_ACTIVITY_UNREADABLE/);
  });
});
