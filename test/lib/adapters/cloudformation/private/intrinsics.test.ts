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

  test('a part of a part is that resource\'s part too (CDK\'s task definition family: Select 1 of Split "/" of Select 5 of Split ":")', () => {
    const field = { 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'Machine' }] }] };
    const family = { 'Fn::Select': [1, { 'Fn::Split': ['/', field] }] };
    expect(resolve({ 'Fn::Join': ['', ['arn:aws:ecs:eu-west-1:111122223333:task-definition/', family, ':*']] }))
      .toEqual({ value: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/${Machine[5][1]}:*', open: [] });
  });

  test('past the end of a list of known values, or of a pseudo parameter, it stays unresolved', () => {
    expect(resolve({ 'Fn::Select': [3, { 'Fn::Split': [',', 'a,b'] }] }).open).toEqual(['Fn::Select on a list it cannot index']);
    expect(resolve({ 'Fn::Select': [3, { 'Fn::Split': [':', { Ref: 'AWS::Region' }] }] }).open).toEqual(['Fn::Select on a list it cannot index']);
  });
});

describe('TemplateResolver: Fn::Split keeps the placeholders whole', () => {
  const template = { Resources: { HandlerRole: { Type: 'AWS::IAM::Role', Properties: {} } } };
  const resolve = (value: unknown) => {
    const open: string[] = [];
    return { value: new TemplateResolver(template).resolve(value, (w) => open.push(w)), open };
  };

  test('a role\'s name taken from its ARN (CDK\'s singleton providers attach their policy so) is the role', () => {
    const arn = { 'Fn::GetAtt': ['HandlerRole', 'Arn'] };
    const name = { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', arn] }] }] }] };
    expect(resolve(name)).toEqual({ value: resolve({ Ref: 'HandlerRole' }).value, open: [] });
  });

  test('the delimiter inside a placeholder\'s notation does not split it; outside it does', () => {
    expect(resolve({ 'Fn::Split': [':', { 'Fn::Sub': 'a:${AWS::AccountId}:b' }] }).value).toEqual(['a', '${AWS::AccountId}', 'b']);
    expect(resolve({ 'Fn::Split': [':oidc-provider/', 'arn:aws:iam::${AWS::AccountId}:oidc-provider/issuer'] }).value).toEqual(['arn:aws:iam::${AWS::AccountId}', 'issuer']);
  });
});

describe('TemplateResolver: CDK\'s CfnJson', () => {
  const HANDLER = 'AWSCDKCfnUtilsProviderCustomResourceProviderHandlerCF82AA57';
  const template = (value: unknown, handler = HANDLER) => ({ Resources: {
    [handler]: { Type: 'AWS::Lambda::Function', Properties: {} },
    Json: { Type: 'Custom::AWSCDKCfnJson', Properties: { ServiceToken: { 'Fn::GetAtt': [handler, 'Arn'] }, Value: value } },
  } });
  const resolve = (t: unknown) => {
    const open: string[] = [];
    return { value: new TemplateResolver(t).resolve({ 'Fn::GetAtt': ['Json', 'Value'] }, (w) => open.push(w)), open };
  };

  test('its Value attribute is its Value property parsed, once resolved', () => {
    expect(resolve(template({ 'Fn::Join': ['', ['{"', { Ref: 'AWS::Partition' }, ':k":"v"}']] }))).toEqual({ value: { 'aws:k': 'v' }, open: [] });
  });

  test('served by another function, referring to itself, or not JSON: unresolved', () => {
    expect(resolve(template('{"k":"v"}', 'OtherHandler')).value).toBe('${Json.Value}');
    expect(resolve(template({ 'Fn::GetAtt': ['Json', 'Value'] })).open).toEqual([expect.stringMatching(/refers to itself/)]);
    expect(resolve(template('{not json')).open).toEqual([expect.stringMatching(/not valid JSON/)]);
  });
});
