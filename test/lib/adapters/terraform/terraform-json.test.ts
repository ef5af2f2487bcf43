import { parseTerraformJson } from '../../../../lib/adapters/terraform/private/terraform-json';

/**
 * Terraform JSON is read with `JSON.parse` when no object repeats a key (decided by counting keys in
 * the text and in the result), and by the duplicate-keeping parser otherwise: both must read the same.
 */
describe('parseTerraformJson: the JSON.parse fast path and the duplicate-keeping parser agree', () => {
  test('strings holding quotes, colons and backslashes (keys and values) are not miscounted as keys', () => {
    const doc = { resource: { t: { 'a\\":': { v: 'x": "y', w: ['"k": 1', '\\', { 'q\\\\': ':' }], 'z :': '\\":' } } }, locals: { 'a"b': 1 } };
    expect(parseTerraformJson(JSON.stringify(doc, null, 2), 'f.tf.json')).toEqual(doc);
  });

  test('a repeated block key still becomes a list of blocks (Terraform keeps both)', () => {
    const text = '{"resource":{"t":{"a":{"dynamic":{"x":{"k":1}},"dynamic":{"y":{"k":2}}}}}}';
    expect(parseTerraformJson(text, 'f.tf.json')).toEqual({ resource: { t: { a: { dynamic: [{ x: { k: 1 } }, { y: { k: 2 } }] } } } });
  });

  test('a repeated argument is still refused, whitespace before the colon or not', () => {
    expect(() => parseTerraformJson('{"resource":{"t":{"a":{"name":"x", "name" :"y"}}}}', 'f.tf.json')).toThrow(/repeats an argument/);
  });

  test('a "__proto__" key stays an own property and never becomes the prototype', () => {
    const out = parseTerraformJson('{"locals":{"__proto__":{"polluted":true}}}', 'f.tf.json') as { locals: Record<string, unknown> };
    expect(Object.prototype.hasOwnProperty.call(out.locals, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(out.locals)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('text JSON.parse refuses still gets the positioned error', () => {
    expect(() => parseTerraformJson('{"resource": {,}}', 'f.tf.json')).toThrow(/is not valid JSON \(.* at line 1, column \d+\)/);
  });
});
