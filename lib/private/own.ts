/**
 * `obj[key]` when `key` is the object's own property, else undefined. Keys come from templates
 * (`Ref: valueOf`, a parameter named `constructor`): plain indexing or `key in obj` would find
 * `Object.prototype`'s members instead.
 */
export function own<T>(obj: Readonly<Record<string, T>> | undefined | null, key: string): T | undefined {
  return obj !== undefined && obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Whether `key` is an own property of `obj` (never one inherited from `Object.prototype`). */
export function hasOwn(obj: object | undefined | null, key: string): boolean {
  return obj !== undefined && obj !== null && Object.prototype.hasOwnProperty.call(obj, key);
}

/** `obj[key] = value` as an own property, even for `__proto__` (plain assignment would replace the prototype). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  // Only `__proto__` is an accessor on Object.prototype; every other inherited member is a writable data
  // property, so plain assignment makes an own property, and keeps V8's fast object shapes (defineProperty
  // on every key was a tenth of the Terraform adapter's time).
  if (key === '__proto__' || !Object.prototype.hasOwnProperty.call(obj, key) && !isPlainPrototype(obj)) {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Whether `obj` inherits straight from Object.prototype (or nothing), so assignment cannot reach a setter. */
function isPlainPrototype(obj: object): boolean {
  const proto = Object.getPrototypeOf(obj);
  return proto === Object.prototype || proto === null;
}

/** `Object.assign` for untrusted keys: every own entry of `source` becomes an own property of `target`. */
export function assignOwn<T>(target: Record<string, T>, source: Record<string, T>): void {
  for (const [k, v] of Object.entries(source)) setOwn(target, k, v);
}
