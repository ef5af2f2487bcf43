import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readTextFile } from '../../../lib/private/read-text-file';

describe('readTextFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-read-text-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Whatever the bytes, the string is the one fs.readFileSync(file, 'utf8') gives.
  test.each([
    ['ASCII', Buffer.from('{"Resources": {"R": {"Type": "AWS::IAM::Role"}}}\n')],
    ['UTF-8 beyond ASCII', Buffer.from('{"Description": "caf\u00e9 \u2014 \ud83d\ude80"}')],
    ['a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')])],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x80, 0x7d])],
    ['Latin-1 text', Buffer.from('caf\u00e9', 'latin1')],
    ['nothing', Buffer.alloc(0)],
  ])('%s', (_name, bytes) => {
    const file = path.join(dir, 'f.json');
    fs.writeFileSync(file, bytes);
    expect(readTextFile(file)).toBe(fs.readFileSync(file, 'utf8'));
  });

  test('a missing file throws as fs does', () => {
    expect(() => readTextFile(path.join(dir, 'missing.json'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
