import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { policiesDir } from '../baseline/baseline';
import { GuardrailError } from '../errors';

/** A catalog file (`policies/catalogs/<id>.json`), validated against `catalog.schema.json`. */
export interface Catalog {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly sources?: string[];
  readonly aws?: string[];
  readonly gcp?: string[];
  readonly azure?: string[];
  readonly paths?: CatalogPath[];
}

export interface CatalogPath {
  readonly id: string;
  readonly cloud: 'aws' | 'gcp' | 'azure';
  readonly actions: string[];
  readonly description: string;
  readonly reference?: string;
}

const cache = new Map<string, Catalog>();
let validate: ReturnType<Ajv['compile']> | undefined;

/** Load a catalog by id (cached per process). Throws a clear error when it is missing or invalid. */
export function loadCatalog(id: string): Catalog {
  const hit = cache.get(id);
  if (hit) return hit;
  const dir = path.join(policiesDir(), 'catalogs');
  if (!validate) validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(fs.readFileSync(path.join(dir, 'catalog.schema.json'), 'utf8')));
  const file = path.join(dir, `${id}.json`);
  if (!fs.existsSync(file)) throw new GuardrailError('AG_CATALOG_MISSING', `catalog ${id} not found; got ${file}. Reinstall agent-guardrails.`);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!validate(doc)) {
    throw new GuardrailError('AG_CATALOG_INVALID', `catalog ${file} does not match catalog.schema.json: ${(validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('; ')}.`);
  }
  cache.set(id, doc as Catalog);
  return doc as Catalog;
}
