import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { App, Stack } from 'aws-cdk-lib/core';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentIdentity } from '../../../constructs/aws';
import { inventoryFromTemplate } from '../../../lib/adapters/cloudformation/inventory-from-template';
import { AgentBom } from '../../../lib/aibom';
import { AgentTier, Environment, Tool } from '../../../lib/model';
import { InventoryBuilder } from '../rules/agent/inventory-builder';

const SCHEMA_DIR = path.join(path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
const BUCKET = 'arn:aws:s3:::triage-logs';

/** Validate against the official CycloneDX 1.6 JSON schema (the library's own validator needs an extra package). */
function validateCycloneDx16(doc: unknown): string[] {
  const load = (file: string, id: string) => ({ ...JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8')), $id: id });
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('idn-email', true);
  ajv.addFormat('iri-reference', true);
  ajv.addSchema(load('spdx.SNAPSHOT.schema.json', 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json'));
  ajv.addSchema(load('jsf-0.82.SNAPSHOT.schema.json', 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json'));
  const validate = ajv.compile(load('bom-1.6.SNAPSHOT.schema.json', 'http://cyclonedx.org/schema/bom-1.6.schema.json'));
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

function twoAgents(): InventoryBuilder {
  const b = new InventoryBuilder();
  const read = b.tool({
    name: 'read-logs', agent: 'triage', tier: 'observer', environment: 'prod',
    declaration: { accessLevel: 'read', actions: ['s3:GetObject'], resources: [`${BUCKET}/app/*`], dataSources: ['triage-logs'] },
  });
  b.grant(read, ['s3:GetObject'], [`${BUCKET}/app/*`]);
  b.grant(read, ['s3:DeleteObject'], [`${BUCKET}/app/*`]); // drift
  const sa = b.tool({ cloud: 'gcp', name: 'scale', agent: 'fixer', tier: 'operator', environment: 'dev', declaration: { accessLevel: 'write', actions: ['roles/run.developer'], resources: ['projects/p/locations/l/services/api'], hasWindow: true } });
  (sa.declaration as unknown as Record<string, unknown>).model = 'claude-sonnet-4';
  b.grant(sa, ['run.services.update'], ['projects/p/locations/l/services/api'], { role: 'roles/run.developer' });
  b.guardrail({ name: 'broker', component: 'broker' }); // not part of the AIBOM
  return b;
}

describe('AgentBom: the agent bill of materials', () => {
  test('per agent and environment: tier, model, tools with access level, declarations, actual grants and drift', () => {
    const bom = AgentBom.fromInventory(twoAgents().inventory);
    expect(bom.agents.map((a) => `${a.name}/${a.environment}`)).toEqual(['fixer/dev', 'triage/prod']);
    const [fixer, triage] = bom.agents;
    expect(fixer).toMatchObject({ tiers: ['operator'], model: 'claude-sonnet-4' });
    expect(triage.model).toBeUndefined();
    expect(triage.tools).toEqual([expect.objectContaining({
      name: 'read-logs', cloud: 'aws', accessLevel: 'read', declaredActions: ['s3:GetObject'], dataSources: ['triage-logs'],
      granted: [
        { actions: ['s3:GetObject'], resources: [`${BUCKET}/app/*`], source: 'read-logsPolicy' },
        { actions: ['s3:DeleteObject'], resources: [`${BUCKET}/app/*`], source: 'read-logsPolicy' },
      ],
      drift: ['action:s3:DeleteObject'],
    })]);
    expect(fixer.tools[0]).toMatchObject({ accessLevel: 'write', hasWindow: true, drift: [], granted: [expect.objectContaining({ role: 'roles/run.developer' })] });
  });

  test('serialises as valid CycloneDX 1.6: agents are applications, tools sub-components, data sources data, the model an ML model', () => {
    const json = AgentBom.fromInventory(twoAgents().inventory).toJson();
    const doc = JSON.parse(json);
    expect(validateCycloneDx16(doc)).toEqual([]);
    expect(doc).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    const triage = doc.components.find((c: { name: string }) => c.name === 'triage');
    expect(triage.type).toBe('application');
    expect(triage.properties).toEqual(expect.arrayContaining([{ name: 'agent-guardrails:tier', value: 'observer' }, { name: 'agent-guardrails:environment', value: 'prod' }]));
    const tool = triage.components[0];
    expect(tool).toMatchObject({ type: 'application', name: 'read-logs' });
    expect(tool.properties).toEqual(expect.arrayContaining([
      { name: 'agent-guardrails:accessLevel', value: 'read' },
      { name: 'agent-guardrails:declared:action', value: 's3:GetObject' },
      { name: 'agent-guardrails:granted:action', value: 's3:DeleteObject' },
      { name: 'agent-guardrails:drift', value: 'action:s3:DeleteObject' },
    ]));
    expect(tool.components).toEqual([expect.objectContaining({ type: 'data', name: 'triage-logs' })]);
    const fixer = doc.components.find((c: { name: string }) => c.name === 'fixer');
    expect(fixer.components).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'machine-learning-model', name: 'claude-sonnet-4' })]));
  });

  test('is reproducible: the same inventory gives the same text; serial number and timestamp only on request', () => {
    const a = AgentBom.fromInventory(twoAgents().inventory).toJson();
    expect(AgentBom.fromInventory(twoAgents().inventory).toJson()).toBe(a);
    expect(JSON.parse(a).serialNumber).toBeUndefined();
    const stamped = JSON.parse(AgentBom.fromInventory(twoAgents().inventory).toJson({
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', timestamp: new Date('2026-11-21T00:00:00Z'),
    }));
    expect(stamped).toMatchObject({ serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', metadata: { timestamp: '2026-11-21T00:00:00.000Z' } });
    expect(validateCycloneDx16(stamped)).toEqual([]);
  });

  test('writeJson writes the same document to a file, creating its folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aibom-file-'));
    try {
      const bom = AgentBom.fromInventory(twoAgents().inventory);
      const file = path.join(dir, 'out', 'aibom.cdx.json');
      bom.writeJson(file);
      expect(fs.readFileSync(file, 'utf8')).toBe(`${bom.toJson()}\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an empty inventory gives an empty, valid BOM', () => {
    const doc = JSON.parse(AgentBom.fromInventory(new InventoryBuilder().inventory).toJson());
    expect(doc.components ?? []).toEqual([]);
    expect(validateCycloneDx16(doc)).toEqual([]);
    // The validator does reject what is not CycloneDX 1.6.
    expect(validateCycloneDx16({ ...doc, specVersion: 1.6, components: [{ type: 'agent', name: 'x' }] })).not.toEqual([]);
  });
});

describe('AgentBom from a template synthesized with the AWS constructs', () => {
  test('lists the agent, its tools with access levels, declarations and grants, with no drift', () => {
    // GIVEN an operator agent built with AgentIdentity
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'aibom-'));
    try {
      const app = new App({ outdir });
      const env = Environment.of({ name: 'prod', aws: { account: '333333333333', regions: ['eu-west-1'] } });
      const stack = new Stack(app, 'Prod', { env: { account: '333333333333', region: 'eu-west-1' } });
      const broker = new iam.Role(stack, 'Broker', { assumedBy: new iam.AccountPrincipal('333333333333') });
      new AgentIdentity(stack, 'Ops', {
        agentName: 'ops', tier: AgentTier.OPERATOR, environment: env, broker,
        revocationPrincipals: [new iam.ArnPrincipal('arn:aws:iam::333333333333:role/incident-response')],
        tools: [
          Tool.read('read-service', { aws: { actions: ['ecs:DescribeServices'], resources: ['arn:aws:ecs:eu-west-1:333333333333:service/c/s'] }, dataSources: ['ecs-service-state'] }),
          Tool.destructive('stop-deployment', { aws: { actions: ['ecs:StopServiceDeployment'], resources: ['arn:aws:ecs:eu-west-1:333333333333:service-deployment/c/s/*'] } }),
        ],
      });
      // WHEN
      const bom = AgentBom.fromInventory(inventoryFromTemplate(Template.fromStack(stack).toJSON(), { stack: 'Prod' }));
      // THEN
      expect(bom.agents).toHaveLength(1);
      expect(bom.agents[0]).toMatchObject({ name: 'ops', environment: 'prod', tiers: ['operator'] });
      expect(bom.agents[0].tools.map((t) => [t.name, t.accessLevel, t.requiresApproval, t.drift.length])).toEqual([
        ['read-service', 'read', false, 0],
        ['stop-deployment', 'destructive', true, 0],
      ]);
      expect(bom.agents[0].tools[0].granted).toEqual([expect.objectContaining({ actions: ['ecs:DescribeServices'] })]);
      expect(validateCycloneDx16(JSON.parse(bom.toJson()))).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
