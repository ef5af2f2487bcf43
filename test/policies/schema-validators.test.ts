import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { generatedValidators } from '../../scripts/generate-schema-validators';
import { RUNTIME_SCHEMAS, schemaValidator } from '../../lib/private/json-schema-validator';

const policy = (file: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'policies', file), 'utf8'));

describe('generated schema validators (lib/private/generated)', () => {
  test.each(generatedValidators().map((g) => [path.basename(g.file), g]))('%s is what the schemas generate today', (_name, { file, text }) => {
    // Out of step: run `npx ts-node --transpile-only scripts/generate-schema-validators.ts`.
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  test('each decides as ajv compiling its schema does, errors included', () => {
    const samples: Record<string, unknown[]> = {
      'baseline.schema.json': [policy('baseline.default.json'), { id: 'team', version: '1.0.0', unknownKey: 1 }, { id: 'team' }, []],
      'gcp-roles.schema.json': [policy('gcp-roles.json'), { ...policy('gcp-roles.json'), roles: { 'roles/x': { title: 1 } } }],
      'azure-builtin-roles.schema.json': [policy('azure-builtin-roles.json'), { ...policy('azure-builtin-roles.json'), roles: [{ name: 'x' }] }],
      'gcp-roles.compact.schema.json': [{ id: 'gcp-roles', format: 2 }],
      'azure-builtin-roles.compact.schema.json': [{ id: 'azure-builtin-roles', format: 2, roles: 'x' }],
    };
    for (const schemaFile of Object.values(RUNTIME_SCHEMAS).flat()) {
      const reference = new Ajv({ allErrors: true, strict: true }).compile(policy(schemaFile));
      const generated = schemaValidator(schemaFile);
      for (const doc of samples[schemaFile]) {
        expect([generated(doc), generated.errors ?? null]).toEqual([reference(doc), reference.errors ?? null]);
      }
    }
  });
});
