import { MapGrant, PermissionMap, listed, mapAgentTitle } from './permission-map';

/** How many resources an edge's target lists before "+N more" (as in the Mermaid map). */
const LISTED = 3;
/** How many actions an edge's label lists before "+N more". */
const ACTIONS_LISTED = 4;
const RED = '#cc0000';

/**
 * The permission map in Graphviz DOT, drawn like the Mermaid map: per agent a cluster with its
 * broker, kill switch and approval gate, each tool's identity with its window, and one edge per
 * access group to the resources it reaches; edges and identities a finding concerns are marked ⚠
 * with the finding ids and drawn red. Node ids are positional, so the same map gives the same text.
 */
export function renderPermissionMapDot(map: PermissionMap): string {
  const lines = [
    'digraph "agent-guardrails map" {',
    '  rankdir=LR;',
    '  graph [fontname="Helvetica", fontsize=12, nodesep=0.25, ranksep=0.6];',
    // Margins leave room for fonts a little wider than the Helvetica metrics Graphviz lays out with.
  '  node [fontname="Helvetica", fontsize=10, shape=box, margin="0.25,0.08"];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  map.agents.forEach((agent, a) => {
    const id = `a${a}`;
    lines.push(`  subgraph cluster_${id} {`, `    label=${quote(mapAgentTitle(agent))};`, '    style=rounded;');
    lines.push(`    ${id}_broker [style="rounded,filled", fillcolor="#e8eefc", label=${quote(agent.brokers.length > 0 ? ['broker', ...agent.brokers].join('\n') : 'no broker')}];`);
    if (agent.killSwitch.length > 0) lines.push(`    ${id}_kill [style="dashed,filled", fillcolor="#fdecec", label=${quote(['kill switch', ...agent.killSwitch].join('\n'))}];`);
    if (agent.approvalGate) lines.push(`    ${id}_gate [style="rounded,filled", fillcolor="#e9f7e9", label="approval gate"];`);
    agent.tools.forEach((tool, t) => {
      const details = [
        `${tool.name} (${tool.accessLevel ?? 'tool'})`, tool.identity,
        ...(tool.window ? [`window ${tool.window}`] : []), ...(tool.requiresApproval ? ['approval required'] : []),
        ...(tool.findings.length > 0 ? [`⚠ ${tool.findings.join(', ')}`] : []),
      ];
      const flagged = tool.findings.length > 0 ? `, color=${quote(RED)}, fontcolor=${quote(RED)}, penwidth=2` : '';
      lines.push(`    ${id}_t${t} [label=${quote(details.join('\n'))}${flagged}];`);
    });
    lines.push('  }');
    agent.tools.forEach((tool, t) => {
      const node = `${id}_t${t}`;
      lines.push(`  ${id}_broker -> ${node} [label="mints"];`);
      if (agent.killSwitch.length > 0) lines.push(`  ${id}_kill -> ${node} [label="cuts", style=dashed];`);
      if (tool.requiresApproval && agent.approvalGate) lines.push(`  ${id}_gate -> ${node} [label="approves", style=dashed];`);
      tool.grants.forEach((g, k) => {
        const target = `${node}_r${k}`;
        lines.push(`  ${target} [style=filled, fillcolor="#f4f4f4", label=${quote(resources(g))}];`);
        const flagged = g.findings.length > 0 ? `, color=${quote(RED)}, fontcolor=${quote(RED)}, penwidth=2` : '';
        lines.push(`  ${node} -> ${target} [label=${quote(grantLabel(g))}${flagged}];`);
      });
    });
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function grantLabel(g: MapGrant): string {
  return [
    `${g.access}: ${listed(g.actions, ACTIONS_LISTED).join(',\n')}`,
    ...(g.roles?.length ? [`via ${g.roles.join(', ')}`] : []),
    ...(g.findings.length > 0 ? [`⚠ ${g.findings.join(', ')}`] : []),
  ].join('\n');
}

function resources(g: MapGrant): string {
  return listed(g.resources, LISTED).join('\n');
}

/**
 * A DOT quoted string: backslashes and quotes escaped (so no DOT escape such as `\N` or `\l`
 * from the input is interpreted), line breaks as `\n`, other control characters dropped.
 */
export function quote(s: string): string {
  const escaped = s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n');
  // eslint-disable-next-line no-control-regex
  return `"${escaped.replace(/[\u0000-\u001f\u007f]/g, '')}"`;
}
