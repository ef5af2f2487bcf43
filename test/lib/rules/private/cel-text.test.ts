import { resourceNameRestriction } from '../../../../lib/rules/agent/private/gcp-resource-condition';
import { splitTopLevel, stripParens } from '../../../../lib/rules/private/cel-text';

describe('CEL text helpers', () => {
  test('split only on top-level operators, outside parentheses and either kind of string literal', () => {
    expect(splitTopLevel('a || (b || c) || "x||y" || \'p||q\'', '||')).toEqual(['a', 'b || c', '"x||y"', "'p||q'"]);
    expect(splitTopLevel('(a && b)', '&&')).toEqual(['a && b']);
  });

  test('strip only parentheses that wrap the whole expression', () => {
    expect(stripParens('((a))')).toBe('a');
    expect(stripParens('(a) || (b)')).toBe('(a) || (b)');
    expect(stripParens('((a)')).toBe('((a)');
  });

  test('the agent rules read a resource restriction next to a single-quoted literal holding an operator', () => {
    expect(resourceNameRestriction('resource.name == "projects/_/buckets/logs" && request.path != \'a||b\'')).toEqual(['projects/_/buckets/logs']);
  });
});
