import * as fs from 'fs';
import * as path from 'path';
import { synthesizeExampleAwsApp } from '../../helpers/example-aws-app';
import { inventoryFromPaths } from '../../../lib/adapters';
import { CliIo, main } from '../../../lib/cli/main';
import { buildPermissionMap } from '../../../lib/report/permission-map';
import { renderPermissionMapMermaid } from '../../../lib/report/permission-map-mermaid';

const README = path.join(__dirname, '..', '..', '..', 'README.md');
const START = '<!-- agent-guardrails map cdk.out (examples/aws), generated: see test/lib/report/permission-map.test.ts -->';
const END = '<!-- end of map -->';

const outdir = synthesizeExampleAwsApp('ag-map-ex-');

async function map(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } }, env: {} };
  const code = await main(['map', outdir, ...args], io);
  return { code, stdout, stderr };
}

describe('agent-guardrails map of the example agents', () => {
  test('each agent with its broker, kill switch, approval gate and tools, grants grouped read / write / destructive', async () => {
    const json = JSON.parse((await map('--format', 'json')).stdout);
    expect(json.agents.map((a: { name: string }) => a.name)).toEqual(['deploy-operator', 'support-observer']);
    const operator = json.agents[0];
    expect(operator).toMatchObject({ tier: 'operator', environments: ['prod'], approvalGate: true, brokers: ['agent-guardrails-deploy-operator-broker'] });
    expect(operator.killSwitch).toHaveLength(1);
    const restart = operator.tools.find((t: { name: string }) => t.name === 'restart-service');
    expect(restart).toMatchObject({ accessLevel: 'destructive', requiresApproval: true, window: expect.any(String) });
    expect(restart.grants).toEqual([expect.objectContaining({ access: 'destructive', actions: ['ecs:UpdateService'] })]);
    const read = operator.tools.find((t: { name: string }) => t.name === 'read-service');
    expect(read.grants).toEqual([expect.objectContaining({ access: 'read', actions: ['ecs:DescribeServices'] })]);
  });

  test('findings are marked on the edge of the action they name', () => {
    const inventory = inventoryFromPaths([outdir]);
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

  test('the README shows the map the command draws (regenerate: UPDATE_README_MAPS=1 npx jest test/lib/report/permission-map.test.ts)', async () => {
    const r = await map();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^flowchart LR\n/);
    const block = `${START}\n\`\`\`mermaid\n${r.stdout}\`\`\`\n${END}`;
    const readme = fs.readFileSync(README, 'utf8');
    const at = readme.indexOf(START);
    const end = readme.indexOf(END);
    if (process.env.UPDATE_README_MAPS && at >= 0 && end > at) fs.writeFileSync(README, `${readme.slice(0, at)}${block}${readme.slice(end + END.length)}`);
    const current = fs.readFileSync(README, 'utf8');
    expect(current.slice(current.indexOf(START), current.indexOf(END) + END.length)).toBe(block);
  });
});
