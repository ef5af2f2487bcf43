import * as fs from 'fs';
import * as path from 'path';
import { XMLValidator } from 'fast-xml-parser';
import { synthesizeExampleAwsApp } from '../../helpers/example-aws-app';
import { synthesizeExampleTfApp } from '../../helpers/example-tf-app';
import { runCli } from '../../helpers/run-cli';
import { inventoryFromPaths } from '../../../lib/adapters';
import { buildPermissionMap } from '../../../lib/report/permission-map';
import { renderPermissionMapMermaid } from '../../../lib/report/permission-map-mermaid';

const ROOT = path.join(__dirname, '..', '..', '..');
const README = path.join(ROOT, 'README.md');
const END = '<!-- end of map -->';

const awsOut = synthesizeExampleAwsApp('ag-map-ex-');
const tfOut = synthesizeExampleTfApp('ag-map-tf-');

/** The maps the README shows, each produced by the command from the example app's synthesized output. */
const EXAMPLES = [
  { out: 'cdk.out', dir: () => awsOut, start: '<!-- agent-guardrails map cdk.out (examples/aws), generated: see test/lib/report/permission-map.test.ts -->', svg: 'docs/maps/aws-agents.svg' },
  { out: 'cdktf.out', dir: () => tfOut, start: '<!-- agent-guardrails map cdktf.out (examples/tf), generated: see test/lib/report/permission-map.test.ts -->', svg: 'docs/maps/gcp-azure-agents.svg' },
];

describe('agent-guardrails map of the example agents', () => {
  test('each agent with its broker, kill switch, approval gate and tools, grants grouped read / write / destructive', async () => {
    const json = JSON.parse((await runCli(['map', awsOut, '--format', 'json'])).stdout);
    expect(json.agents.map((a: { name: string }) => a.name)).toEqual(['deploy-operator', 'support-observer']);
    const operator = json.agents[0];
    expect(operator).toMatchObject({ cloud: 'aws', tier: 'operator', environments: ['prod'], approvalGate: true, brokers: ['agent-guardrails-deploy-operator-broker'] });
    expect(operator.killSwitch).toHaveLength(1);
    const restart = operator.tools.find((t: { name: string }) => t.name === 'restart-service');
    expect(restart).toMatchObject({ accessLevel: 'destructive', requiresApproval: true, window: expect.any(String) });
    expect(restart.grants).toEqual([expect.objectContaining({ access: 'destructive', actions: ['ecs:UpdateService'] })]);
    const read = operator.tools.find((t: { name: string }) => t.name === 'read-service');
    expect(read.grants).toEqual([expect.objectContaining({ access: 'read', actions: ['ecs:DescribeServices'] })]);
  });

  test('cdktf.out: an agent on GCP and on Azure is drawn once per cloud; a role is drawn as its permissions, named beside', async () => {
    const json = JSON.parse((await runCli(['map', tfOut, '--format', 'json'])).stdout);
    expect(json.agents.map((a: { name: string; cloud: string }) => `${a.name}/${a.cloud}`)).toEqual([
      'deploy-operator/azure', 'deploy-operator/gcp', 'support-observer/azure', 'support-observer/gcp',
    ]);
    const gcpRead = json.agents[1].tools.find((t: { name: string }) => t.name === 'read-service');
    expect(gcpRead.grants).toEqual([expect.objectContaining({
      access: 'read', actions: expect.arrayContaining(['run.services.get']), roles: ['projects/acme-checkout-prod/roles/ag_deploy_operator_read_service'],
    })]);
    const azureRollback = json.agents[0].tools.find((t: { name: string }) => t.name === 'rollback-deployment');
    expect(azureRollback.grants.map((g: { access: string }) => g.access)).toEqual(['destructive']);
  });

  test('GCP and Azure brokers draw the approval gate from their construct record\'s approvers, per agent and cloud', () => {
    const inventory = inventoryFromPaths([tfOut]);
    const gate = (m: ReturnType<typeof buildPermissionMap>) => Object.fromEntries(m.agents.map((a) => [`${a.name}/${a.cloud}`, a.approvalGate]));
    expect(inventory.brokers!.map((b) => [b.cloud, b.approvers?.length])).toEqual(expect.arrayContaining([['gcp', 2], ['azure', 2]]));
    expect(gate(buildPermissionMap(inventory, []))).toEqual({
      'deploy-operator/azure': true, 'deploy-operator/gcp': true, 'support-observer/azure': false, 'support-observer/gcp': false,
    });
    // The Azure broker without approvers: no gate on Azure, although the same agent name has one on GCP.
    const noAzureApprovers = { ...inventory, brokers: inventory.brokers!.map((b) => (b.cloud === 'azure' ? { ...b, approvers: undefined } : b)) };
    expect(gate(buildPermissionMap(noAzureApprovers, []))).toMatchObject({ 'deploy-operator/azure': false, 'deploy-operator/gcp': true });
  });

  test('findings are marked on the edge of the action they name', () => {
    const inventory = inventoryFromPaths([awsOut]);
    const tool = inventory.identities.find((i) => i.labels.tool === 'restart-service')!;
    const m = buildPermissionMap(inventory, [{
      ruleId: 'AWS-999', detail: 'ecs:UpdateService', severity: 'error', hard: false, cloud: 'aws', resource: tool.source.resource,
      identity: tool.id, message: 'holds ecs:UpdateService', fix: 'x',
    }]);
    const grant = m.agents[0].tools.find((t) => t.name === 'restart-service')!.grants[0];
    expect(grant.findings).toEqual(['AWS-999[ecs:UpdateService]']);
    expect(renderPermissionMapMermaid(m)).toMatch(/destructive: ecs:UpdateService<br\/>⚠ AWS-999#91;ecs:UpdateService#93;/);
    expect(renderPermissionMapMermaid(m)).toMatch(/linkStyle \d+ stroke:#d00/);
  });

  describe.each(EXAMPLES)('the README shows the map of $out that the command draws (regenerate: UPDATE_README_MAPS=1 npx jest test/lib/report/permission-map.test.ts)', ({ dir, start, svg }) => {
    test('Mermaid, in the README', async () => {
      const r = await runCli(['map', dir()]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^flowchart LR\n/);
      const block = `${start}\n\`\`\`mermaid\n${r.stdout}\`\`\`\n${END}`;
      const readme = fs.readFileSync(README, 'utf8');
      const at = readme.indexOf(start);
      const end = readme.indexOf(END, at);
      if (process.env.UPDATE_README_MAPS && at >= 0 && end > at) fs.writeFileSync(README, `${readme.slice(0, at)}${block}${readme.slice(end + END.length)}`);
      const current = fs.readFileSync(README, 'utf8');
      const from = current.indexOf(start);
      expect(from).toBeGreaterThanOrEqual(0);
      expect(current.slice(from, current.indexOf(END, from) + END.length)).toBe(block);
      expect(current).toContain(`](${svg})`);
    });

    test(`SVG picture, committed as ${svg}`, async () => {
      const file = path.join(ROOT, svg);
      if (process.env.UPDATE_README_MAPS) expect((await runCli(['map', dir(), '--format', 'svg', '--output', file])).code).toBe(0);
      const r = await runCli(['map', dir(), '--format', 'svg']);
      expect(r.code).toBe(0);
      expect(XMLValidator.validate(r.stdout)).toBe(true);
      expect(fs.readFileSync(file, 'utf8')).toBe(r.stdout);
    });
  });
});
