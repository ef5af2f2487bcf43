import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { awsActions, hasWildcard } from '../../lib/aws/action-catalog';
import { policiesDir } from '../../lib/baseline/baseline';
import { loadCatalog } from '../../lib/catalogs/catalog';

const dir = path.join(policiesDir(), 'catalogs');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'catalog.schema.json').sort();
const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(fs.readFileSync(path.join(dir, 'catalog.schema.json'), 'utf8')));
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));

/** The AWS entries of a catalog: its list and the actions of its AWS paths. */
function awsEntries(doc: { aws?: string[]; paths?: { cloud: string; actions: string[] }[] }): string[] {
  return [...(doc.aws ?? []), ...(doc.paths ?? []).filter((p) => p.cloud === 'aws').flatMap((p) => p.actions)];
}

describe('policies/catalogs', () => {
  test('the catalogs the AWS rules read exist', () => {
    expect(files).toEqual(expect.arrayContaining([
      'aws-credential-returning.json', 'aws-data-read.json', 'aws-destructive.json', 'aws-escalation-paths.json', 'aws-guardrail-tamper.json',
    ]));
  });

  describe.each(files)('%s', (file) => {
    const doc = read(file);

    test('matches catalog.schema.json, and its id is its file name', () => {
      expect(validate(doc) ? [] : validate.errors).toEqual([]);
      expect(`${doc.id}.json`).toBe(file);
      expect(() => loadCatalog(doc.id)).not.toThrow();
    });

    test('every AWS entry is a real action, or a pattern that matches at least one', () => {
      const unknown = awsEntries(doc).filter((entry) => (hasWildcard(entry) ? awsActions().expand(entry).length === 0 : awsActions().action(entry) === undefined));
      expect(unknown).toEqual([]);
    });

    test('AWS entries are written in AWS casing (a reviewer greps for them)', () => {
      const miscased = awsEntries(doc).filter((entry) => !hasWildcard(entry) && awsActions().action(entry)?.action !== entry);
      expect(miscased).toEqual([]);
    });

    test('path ids are unique, and no path repeats an action', () => {
      const ids = (doc.paths ?? []).map((p: { id: string }) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of doc.paths ?? []) expect(new Set(p.actions.map((a: string) => a.toLowerCase())).size).toBe(p.actions.length);
    });
  });

  test('the escalation catalog holds Rhino Security Labs\' methods and the AgentCore code interpreter', () => {
    const paths = loadCatalog('aws-escalation-paths').paths ?? [];
    const byActions = new Set(paths.map((p) => [...p.actions].sort().join('+')));
    for (const combo of [
      ['iam:CreatePolicyVersion'], ['iam:SetDefaultPolicyVersion'], ['ec2:RunInstances', 'iam:PassRole'], ['iam:CreateAccessKey'],
      ['iam:CreateLoginProfile'], ['iam:UpdateLoginProfile'], ['iam:AttachUserPolicy'], ['iam:AttachGroupPolicy'], ['iam:AttachRolePolicy'],
      ['iam:PutUserPolicy'], ['iam:PutGroupPolicy'], ['iam:PutRolePolicy'], ['iam:AddUserToGroup'], ['iam:UpdateAssumeRolePolicy'],
      ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'], ['iam:PassRole', 'lambda:CreateEventSourceMapping', 'lambda:CreateFunction'],
      ['lambda:UpdateFunctionCode'], ['glue:CreateDevEndpoint', 'iam:PassRole'], ['glue:UpdateDevEndpoint'], ['cloudformation:CreateStack', 'iam:PassRole'],
      ['datapipeline:ActivatePipeline', 'datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition', 'iam:PassRole'],
      ['bedrock-agentcore:CreateCodeInterpreter', 'bedrock-agentcore:InvokeCodeInterpreter', 'bedrock-agentcore:StartCodeInterpreterSession', 'iam:PassRole'],
    ]) {
      expect(byActions).toContain([...combo].sort().join('+'));
    }
  });
});
