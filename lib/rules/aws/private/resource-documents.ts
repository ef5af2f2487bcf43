import { OtherResource } from '../../../inventory/inventory';

/** A policy document as a resource property holds it: an object, or (ECR, Secrets Manager, …) a JSON string. */
export function documentOf(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return isRecord(value) ? value : undefined;
}

/** The statements of a document (`Statement` as one object or a list). */
export function statementsOf(doc: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const raw = doc?.Statement;
  return (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(isRecord);
}

/** Values of a property as a list of strings (one string or a list; other entries dropped). */
export function stringsOf(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The finding location of another resource. */
export function otherLocation(r: OtherResource): { cloud: 'aws'; resource: string; stack?: string; file?: string; path?: string } {
  return { cloud: 'aws', resource: r.source.resource, stack: r.source.stack, file: r.source.file, path: r.source.path };
}
