import { Baseline } from '../baseline/baseline';
import { Acknowledgement, Cloud } from '../inventory/inventory';
import { ACKNOWLEDGEMENT_NAMESPACE, AGENT_007_ACKNOWLEDGEMENTS, parseAcknowledgementId } from '../rules/agent/acknowledgements';
import { Finding } from '../rules/rule';
import { findingId } from '../rules/run-rules';
import { isWhereAcknowledged } from './check-report';

/** How many finding ids a message lists before "…". */
const LISTED = 5;

/**
 * AGENT-007 warnings for acknowledgements that cannot do what they say, found once the findings
 * are known (both front doors call this with the same findings and acknowledgements, so they
 * agree):
 * - one that names a rule without a detail (`AgentGuardrailsChecks::AWS-008`) while that rule's
 *   findings have details: it covers none of them;
 * - one that matches no finding where it is made: stale (the grant is gone) or misspelt.
 * Acknowledgements AGENT-007 already refuses (hard rules, AGENT-007 itself) are not repeated.
 *
 * @param findings every finding of the run, with the construct paths the reports show
 */
export function acknowledgementDrift(findings: readonly Finding[], acknowledgements: readonly Acknowledgement[], baseline: Baseline): Finding[] {
  const severity = baseline.severityOf(AGENT_007_ACKNOWLEDGEMENTS.id, AGENT_007_ACKNOWLEDGEMENTS.severity);
  if (severity === 'off') return [];
  const byRule = new Map<string, Finding[]>();
  // Appended in place: copying the list per finding was quadratic (a run with 27,000 findings of one rule took 19 s here).
  for (const f of findings) {
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  }
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const ack of acknowledgements) {
    const parsed = parseAcknowledgementId(ack.id);
    if (parsed.namespace !== ACKNOWLEDGEMENT_NAMESPACE || parsed.ruleId === AGENT_007_ACKNOWLEDGEMENTS.id || baseline.isHard(parsed.ruleId)) continue;
    const key = `${ack.id}\u0000${ack.path}\u0000${ack.stack ?? ''}\u0000${ack.resource ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const here = (byRule.get(parsed.ruleId) ?? []).filter((f) => isWhereAcknowledged(f, ack));
    if (here.some((f) => findingId(f) === parsed.findingId)) continue;
    const where = ack.path === '' ? 'on the app' : `on ${ack.path}`;
    const noDetail = parsed.findingId === parsed.ruleId;
    const ids = [...new Set(here.map(findingId))].sort();
    const listed = `${ids.slice(0, LISTED).join(', ')}${ids.length > LISTED ? ', …' : ''}`;
    const [problem, message, fix] = noDetail && ids.length > 0
      ? ['no-detail', `acknowledgement "${ack.id}" ${where} names rule ${parsed.ruleId} without a detail, so it covers none of its findings there (${listed})`,
        `Acknowledge each finding by its id, e.g. "${ACKNOWLEDGEMENT_NAMESPACE}::${ids[0]}".`]
      : ['unmatched', `acknowledgement "${ack.id}" ${where} matches no finding${noDetail ? ` (${parsed.ruleId} findings are acknowledged by id, RuleId[detail])` : ''}; it is stale or misspelt`,
        'Remove it, or correct the id to the finding id the report shows.'];
    out.push({
      ruleId: AGENT_007_ACKNOWLEDGEMENTS.id, detail: `${problem}:${parsed.findingId}`, severity: 'warning', hard: baseline.isHard(AGENT_007_ACKNOWLEDGEMENTS.id),
      cloud: cloudOf(parsed.ruleId), resource: ack.resource ?? ack.stack ?? '(app)', stack: ack.stack, file: ack.file, path: ack.path, message, fix,
    });
  }
  return out;
}

function cloudOf(ruleId: string): Cloud {
  return ruleId.startsWith('GCP-') ? 'gcp' : ruleId.startsWith('AZ-') ? 'azure' : 'aws';
}
