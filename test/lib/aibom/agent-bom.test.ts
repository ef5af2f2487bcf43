import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { AgentBom } from '../../../lib/aibom';
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

  test('an empty inventory gives an empty, valid BOM', () => {
    const doc = JSON.parse(AgentBom.fromInventory(new InventoryBuilder().inventory).toJson());
    expect(doc.components ?? []).toEqual([]);
    expect(validateCycloneDx16(doc)).toEqual([]);
    // The validator does reject what is not CycloneDX 1.6.
    expect(validateCycloneDx16({ ...doc, specVersion: 1.6, components: [{ type: 'agent', name: 'x' }] })).not.toEqual([]);
  });
});
