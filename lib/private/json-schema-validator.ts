import type { ValidateFunction } from 'ajv';

/**
 * The schemas that user-supplied files are validated against at run time (`--baseline`, embedded
 * baselines, `--role-data`), by file name in policies/, each in the group of validators generated
 * with the same ajv options. The package's own data is validated by its tests instead.
 */
export const RUNTIME_SCHEMAS = {
  'role-data': ['gcp-roles.schema.json', 'gcp-roles.compact.schema.json', 'azure-builtin-roles.schema.json', 'azure-builtin-roles.compact.schema.json'],
  'baseline': ['baseline.schema.json'],
} as const;

export type RuntimeSchema = (typeof RUNTIME_SCHEMAS)[keyof typeof RUNTIME_SCHEMAS][number];

/** The name a schema's validator is exported under (`gcp-roles.compact.schema.json` → `gcpRolesCompact`). */
export function validatorExportName(schemaFile: string): string {
  return schemaFile.replace(/\.schema\.json$/, '').replace(/[-.]([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The validator of one of the `RUNTIME_SCHEMAS`. The validators are ajv's standalone code, generated
 * from the schemas by `scripts/generate-schema-validators.ts` (a test keeps them in step): a check
 * neither loads ajv's compiler (about 60 modules) nor compiles a schema. Loaded on first use only.
 */
export function schemaValidator(schemaFile: RuntimeSchema): ValidateFunction {
  const group = (RUNTIME_SCHEMAS.baseline as readonly string[]).includes(schemaFile)
    ? require('./generated/baseline-validator')
    : require('./generated/role-data-validators');
  const validate = (group as Record<string, ValidateFunction | undefined>)[validatorExportName(schemaFile)];
  if (!validate) throw new Error(`no validator generated for ${schemaFile}: run scripts/generate-schema-validators.ts`);
  return validate;
}
