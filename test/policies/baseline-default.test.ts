import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { Baseline, policiesDir } from '../../lib/baseline/baseline';

const read = (file: string) => JSON.parse(fs.readFileSync(path.join(policiesDir(), file), 'utf8'));

describe('policies/baseline.default.json', () => {
  // The CLI and the constructs read the shipped default without a schema check (it cost more than
  // the rest of a check's start-up): this test is that check.
  test('matches baseline.schema.json', () => {
    const validate = new Ajv({ allErrors: true, strict: true }).compile(read('baseline.schema.json'));
    expect(validate(read('baseline.default.json')) ? [] : validate.errors).toEqual([]);
  });

  test('an embedded copy of the default is recognised by content; any other document still meets the schema', () => {
    const embedded = Baseline.default().toEmbedded();
    expect(Baseline.fromEmbedded(embedded, 'test').digest).toBe(Baseline.default().digest);
    const tampered = { ...embedded, document: { ...embedded.document, unknownKey: true } };
    expect(() => Baseline.fromEmbedded(tampered, 'test')).toThrow(/must match policies\/baseline.schema.json.*unknownKey/);
  });
});
