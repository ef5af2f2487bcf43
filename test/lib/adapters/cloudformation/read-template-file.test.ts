import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inventoryFromTemplate } from '../../../../lib/adapters/cloudformation/inventory-from-template';
import { mayHoldTransforms, readTemplateFile } from '../../../../lib/adapters/cloudformation/read-template-file';

describe('readTemplateFile', () => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-read-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  test('YAML short forms become the long forms, in scalars, sequences and maps', () => {
    const file = write('t.yaml', [
      'Resources:',
      '  R:',
      '    Type: AWS::IAM::Role',
      '    Properties:',
      '      A: !Ref X',
      '      B: !GetAtt Role.Arn',
      '      C: !Sub [ "x${Y}", { Y: !Ref Z } ]',
      '      D: !If [ C1, !Ref "AWS::NoValue", !Join [ ":", [ a, !Select [ 0, !Split [ ",", "b,c" ] ] ] ] ]',
      '      E: !Not [ !Equals [ !Ref P, prod ] ]',
      '      F: !ImportValue { "Fn::Sub": "${AWS::StackName}-arn" }',
      '      G: !GetAtt [ Role, Arn ]',
    ].join('\n'));
    expect((readTemplateFile(file) as { Resources: { R: { Properties: unknown } } }).Resources.R.Properties).toEqual({
      A: { Ref: 'X' },
      B: { 'Fn::GetAtt': ['Role', 'Arn'] },
      C: { 'Fn::Sub': ['x${Y}', { Y: { Ref: 'Z' } }] },
      D: { 'Fn::If': ['C1', { Ref: 'AWS::NoValue' }, { 'Fn::Join': [':', ['a', { 'Fn::Select': [0, { 'Fn::Split': [',', 'b,c'] }] }]] }] },
      E: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'P' }, 'prod'] }] },
      F: { 'Fn::ImportValue': { 'Fn::Sub': '${AWS::StackName}-arn' } },
      G: { 'Fn::GetAtt': ['Role', 'Arn'] },
    });
  });

  test('JSON is read as JSON, whatever the extension', () => {
    expect(readTemplateFile(write('t.template', '{ "Resources": {} }'))).toEqual({ Resources: {} });
  });

  test('broken or duplicate-key input is AG_INPUT_INVALID on one line', () => {
    for (const file of [write('bad.json', '{ "Resources": '), write('dup.yaml', 'Resources: {}\nResources: {}\n'), path.join(dir, 'missing.yaml')]) {
      expect(() => readTemplateFile(file)).toThrow(/^\[AG_INPUT_INVALID\] template file [^\n]+$/);
    }
  });
});

describe('the YAML parser is loaded only for a YAML template', () => {
  test('JSON templates (every cdk.out) leave it unloaded: the CLI starts faster', () => {
    jest.isolateModules(() => {
      const loaded = jest.fn();
      jest.doMock('yaml', () => {
        loaded();
        return jest.requireActual('yaml');
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { parseTemplateText } = require('../../../../lib/adapters/cloudformation/read-template-file') as typeof import('../../../../lib/adapters/cloudformation/read-template-file');
      expect(parseTemplateText('{"Resources": {}}', 't.json')).toEqual({ Resources: {} });
      expect(loaded).not.toHaveBeenCalled();
      expect(parseTemplateText('Resources:\n  R: { Type: X, Properties: { A: !Ref B } }\n', 't.yaml')).toEqual({ Resources: { R: { Type: 'X', Properties: { A: { Ref: 'B' } } } } });
      expect(loaded).toHaveBeenCalledTimes(1);
    });
  });
});

describe('mayHoldTransforms', () => {
  const withTransform = (key: string) => JSON.stringify({
    Resources: { P: { Type: 'AWS::SNS::Topic', Properties: { Nested: { [key]: { Name: 'AWS::Include', Parameters: { Location: 's3://b/k' } } } } } },
  });

  test('a JSON text without the name or an escape holds no Fn::Transform: the search is skipped', () => {
    expect(mayHoldTransforms(JSON.stringify({ Resources: { T: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'x' } } } }))).toBe(false);
  });

  test('a key written with \\u escapes is still searched for, and reported', () => {
    // GIVEN a JSON text whose Fn::Transform key is spelled with escapes (the name never appears as written)
    const text = withTransform('Fn::Transform').replace('Fn::Transform', 'Fn::\\u0054ransform');
    expect(text).not.toContain('Fn::Transform');
    // WHEN read as the pack reads it
    const inventory = inventoryFromTemplate(JSON.parse(text), { stack: 'S', mayHoldTransforms: mayHoldTransforms(text) });
    // THEN the include is reported, as without the hint
    expect(mayHoldTransforms(text)).toBe(true);
    expect(inventory.unresolved.map((u) => u.what)).toEqual([expect.stringContaining('Fn::Transform adds properties at deploy time')]);
  });

  test('YAML may always hold one (short-form tags, folded quoted keys)', () => {
    expect(mayHoldTransforms('Resources:\n  T:\n    Type: AWS::SNS::Topic\n')).toBe(true);
  });
});
