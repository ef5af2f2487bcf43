import { MapGrant, PermissionMap, listed, mapAgentTitle } from './permission-map';

/** How many resources an edge lists before "+N more". */
const LISTED = 3;

/**
 * The permission map as a Mermaid flowchart (GitHub renders it in a pull request comment): per
 * agent a box with its broker, kill switch and approval gate, each tool's identity with its
 * window, and one edge per access group to the resources it reaches; edges and identities a
 * finding concerns are marked ⚠ with the finding ids and drawn red.
 */
export function renderPermissionMapMermaid(map: PermissionMap): string {
  const lines = ['flowchart LR'];
  const flagged: number[] = [];
  let edge = 0;
  const link = (line: string, findings: readonly string[]) => {
    lines.push(line);
    if (findings.length > 0) flagged.push(edge);
    edge++;
  };
  map.agents.forEach((agent, a) => {
    const id = `a${a}`;
    lines.push(`  subgraph ${id}["${text(mapAgentTitle(agent))}"]`, '    direction LR');
    lines.push(`    ${id}_broker{{"${text(agent.brokers.length > 0 ? `broker<br/>${agent.brokers.join('<br/>')}` : 'no broker')}"}}`);
    if (agent.killSwitch.length > 0) lines.push(`    ${id}_kill[/"${text(`kill switch<br/>${agent.killSwitch.join('<br/>')}`)}"/]`);
    if (agent.approvalGate) lines.push(`    ${id}_gate(["approval gate"])`);
    if (agent.crossAccount) lines.push(`    ${id}_cross>"${text(`cross-account opt-in<br/>${agent.crossAccount.join('<br/>')}`)}"]`);
    agent.tools.forEach((tool, t) => {
      const details = [
        `<b>${tool.name}</b> (${tool.accessLevel ?? 'tool'})`, tool.identity,
        ...(tool.window ? [`window ${tool.window}`] : []), ...(tool.requiresApproval ? ['approval required'] : []),
        ...(tool.findings.length > 0 ? [`⚠ ${tool.findings.join(', ')}`] : []),
      ];
      lines.push(`    ${id}_t${t}["${text(details.join('<br/>'))}"]`);
    });
    lines.push('  end');
    agent.tools.forEach((tool, t) => {
      const node = `${id}_t${t}`;
      link(`  ${id}_broker -->|mints| ${node}`, []);
      if (agent.killSwitch.length > 0) link(`  ${id}_kill -.->|cuts| ${node}`, []);
      if (tool.requiresApproval && agent.approvalGate) link(`  ${id}_gate -.->|approves| ${node}`, []);
      if (tool.findings.length > 0) lines.push(`  style ${node} stroke:#d00,stroke-width:2px`);
      tool.grants.forEach((g, k) => {
        const target = `${node}_r${k}`;
        lines.push(`  ${target}[("${text(resources(g))}")]`);
        link(`  ${node} -->|"${text(grantLabel(g))}"| ${target}`, g.findings);
      });
    });
  });
  if (flagged.length > 0) lines.push(`  linkStyle ${flagged.join(',')} stroke:#d00,stroke-width:2px`);
  return `${lines.join('\n')}\n`;
}

function grantLabel(g: MapGrant): string {
  const via = g.roles?.length ? `<br/>via ${g.roles.join(', ')}` : '';
  return `${g.access}: ${listed(g.actions, 4).join(', ')}${via}${g.findings.length > 0 ? `<br/>⚠ ${g.findings.join(', ')}` : ''}`;
}

function resources(g: MapGrant): string {
  return listed(g.resources, LISTED).join('<br/>');
}

/** Text safe inside a quoted Mermaid label: quotes and brackets as entities, `<br/>` and `<b>` kept. */
function text(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/\[/g, '#91;').replace(/\]/g, '#93;').replace(/\|/g, '#124;');
}
