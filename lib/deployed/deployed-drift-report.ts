import { DeployedDriftReport } from './deployed-drift';

/** One line: the result and the counts (stdout, also when the report goes to a file). */
export function deployedDriftSummary(r: DeployedDriftReport): string {
  const compared = Object.entries(r.compared).map(([cloud, n]) => `${n} ${cloud}`).join(', ') || 'none';
  return `drift --deployed: ${r.summary.result.toUpperCase()} — ${r.summary.trip} widening and ${r.summary.alert} other out-of-band changes; declared identities compared: ${compared}\n`;
}

/** The text report: per agent (and cloud, environment), each change with the identity it concerns. */
export function renderDeployedDriftText(r: DeployedDriftReport): string {
  const lines = [`Deployed IAM from ${r.sources.map((s) => `${s.file} (${s.kind}${s.scope ? ` ${s.scope}` : ''})`).join(', ')}`];
  for (const a of r.agents) {
    lines.push('', `${a.agent} (${a.cloud}, ${a.environment})${a.declared ? '' : ' — not declared in the synthesized output'}`);
    if (a.items.length === 0) lines.push('  no out-of-band change');
    for (const i of a.items) {
      lines.push(`  ${i.severity.toUpperCase()} ${i.what} ${i.change} — ${i.identity}${i.deployedName ? ` (${i.deployedName})` : ''}: ${i.detail}`);
    }
  }
  lines.push('', deployedDriftSummary(r).trimEnd());
  return `${lines.join('\n')}\n`;
}

const RULES = ['identity', 'permission', 'managed-policy', 'boundary', 'trust', 'binding', 'assignment']
  .flatMap((what) => ['added', 'removed', 'changed'].map((change) => `deployed-${what}-${change}`));

/** SARIF 2.1.0: one result per change; rule ids `deployed-<what>-<change>`. */
export function renderDeployedDriftSarif(r: DeployedDriftReport, version: string): string {
  const rules = RULES.map((id) => ({ id, name: id, shortDescription: { text: `Deployed IAM differs from the synthesized declarations: ${id.slice('deployed-'.length).replace(/-(added|removed|changed)$/, ' $1')} out of band` } }));
  const results = r.agents.flatMap((a) => a.items.map((i) => {
    const ruleId = `deployed-${i.what}-${i.change}`;
    const name = `${a.agent}/${a.cloud}/${a.environment}/${i.identity}`;
    return {
      ruleId,
      ruleIndex: RULES.indexOf(ruleId),
      level: i.severity === 'trip' ? 'error' : 'warning',
      message: { text: `${a.agent} (${a.cloud}, ${a.environment}) ${i.identity}${i.deployedName ? ` (${i.deployedName})` : ''}: ${i.what} ${i.change}: ${i.detail}` },
      locations: [{ logicalLocations: [{ name: i.identity, fullyQualifiedName: name, kind: 'member' }] }],
      partialFingerprints: { 'agentGuardrailsDeployedDrift/v1': `${name}/${ruleId}/${i.detail}` },
      properties: { severity: i.severity, agentDeclared: a.declared },
    };
  }));
  const doc = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'agent-guardrails drift --deployed', version, informationUri: 'https://github.com/agent-guardrails/agent-guardrails', rules } }, results }],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
