import * as fs from 'fs';
import * as path from 'path';
import { policiesDir } from '../baseline/baseline';
import { GuardrailError } from '../errors';

/**
 * A catalog file (`policies/catalogs/<id>.json`). Catalogs are the package's own data, never user
 * input: test/policies/catalogs.test.ts validates every one against `catalog.schema.json`, so a
 * check does not compile the schema at run time (it cost more than the rest of start-up).
 */
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

/** Load a catalog by id (cached per process). Throws a clear error when it is missing or damaged (an install gone wrong). */
export function loadCatalog(id: string): Catalog {
  const hit = cache.get(id);
  if (hit) return hit;
  const file = path.join(policiesDir(), 'catalogs', `${id}.json`);
  if (!fs.existsSync(file)) throw new GuardrailError('AG_CATALOG_MISSING', `catalog ${id} not found; got ${file}. Reinstall agent-guardrails.`);
  let doc: Catalog;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new GuardrailError('AG_CATALOG_INVALID', `catalog ${file} cannot be read as JSON (${(e as Error).message}). Reinstall agent-guardrails.`);
  }
  if (typeof doc !== 'object' || doc === null || doc.id !== id) {
    throw new GuardrailError('AG_CATALOG_INVALID', `catalog ${file} is not the catalog ${id}. Reinstall agent-guardrails.`);
  }
  cache.set(id, doc);
  return doc;
}
