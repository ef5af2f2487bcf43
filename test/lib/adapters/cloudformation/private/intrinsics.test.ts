import { TemplateResolver } from '../../../../../lib/adapters/cloudformation/private/intrinsics';

describe('TemplateResolver: Fn::Select of Fn::Split', () => {
  const template = { Resources: { Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: {} } } };
  const resolve = (value: unknown) => {
    const open: string[] = [];
    return { value: new TemplateResolver(template).resolve(value, (w) => open.push(w)), open };
  };

  test('a part of a resource\'s value that the placeholder hides is that resource\'s part, not unresolved (CDK\'s execution ARNs)', () => {
    const name = { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: 'Machine' }] }] };
    expect(resolve({ 'Fn::Join': ['', ['arn:aws:states:eu-west-1:111122223333:execution:', name, ':*']] }))
      .toEqual({ value: 'arn:aws:states:eu-west-1:111122223333:execution:${Machine[6]}:*', open: [] });
  });

  test('past the end of a list of known values, or of a pseudo parameter, it stays unresolved', () => {
    expect(resolve({ 'Fn::Select': [3, { 'Fn::Split': [',', 'a,b'] }] }).open).toEqual(['Fn::Select on a list it cannot index']);
    expect(resolve({ 'Fn::Select': [3, { 'Fn::Split': [':', { Ref: 'AWS::Region' }] }] }).open).toEqual(['Fn::Select on a list it cannot index']);
  });
});
