import { CheckReport, ReportFinding } from './check-report';

/**
 * The JSON report: `{"findings":[{ruleId, severity, cloud, resource, file, message, fix, …}],
 * "acknowledged":[…], "summary":{…}}`. The listed fields are a contract for CI scripts: never
 * rename them; add new ones instead.
 */
export function renderJson(report: CheckReport): string {
  return `${JSON.stringify({
    findings: report.findings.map(toJson),
    acknowledged: report.acknowledged.map(toJson),
    summary: report.summary,
  }, null, 2)}\n`;
}

function toJson(f: ReportFinding): Record<string, unknown> {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    cloud: f.cloud,
    resource: f.resource,
    file: f.file ?? null,
    message: f.message,
    fix: f.fix,
    id: f.id,
    detail: f.detail ?? null,
    stack: f.stack ?? null,
    path: f.path ?? null,
    identity: f.identity ?? null,
    hard: f.hard,
    source: f.source ?? null,
    ...(f.acknowledgedBy ? { acknowledged: f.acknowledgedBy } : {}),
  };
}
