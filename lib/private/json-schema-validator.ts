import * as fs from 'fs';
import type Ajv from 'ajv';
import type { Options, ValidateFunction } from 'ajv';

/**
 * A validator for the JSON schema in `schemaFile`, for data users supply (baselines, pulled role
 * data). ajv (about 60 modules, and a schema compile) is loaded only on the first call: a check that
 * reads only the package's own data, which its tests validate, never pays for it.
 */
export function compileSchemaFile(schemaFile: string, options: Options = {}, shared?: { ajv?: Ajv }): ValidateFunction {
  const AjvClass = (require('ajv') as typeof import('ajv')).default;
  const ajv = shared?.ajv ?? new AjvClass({ allErrors: true, strict: true, ...options });
  if (shared) shared.ajv = ajv;
  return ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
}
