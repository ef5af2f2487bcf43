import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../helpers/run-cli';

/** One error finding, by rule id (no detail) and logical id, with a line to print when unexpected. */
export interface ErrorFinding { readonly rule: string; readonly resource: string; readonly text: string }

/** The error findings the AgentGuardrailsChecks plugin wrote to the synth's validation report. */
export function packErrors(outdir: string): ErrorFinding[] {
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; violations: { ruleName: string; severity?: string; description: string; violatingConstructs: { cloudFormationResource?: { logicalId: string } }[] }[] }[] };
  const ours = report.pluginReports.find((r) => r.pluginName === 'AgentGuardrailsChecks');
  return (ours?.violations ?? []).filter((v) => v.severity === 'error').flatMap((v) => v.violatingConstructs.map((c) => {
    const resource = c.cloudFormationResource?.logicalId ?? '';
    return { rule: v.ruleName.replace(/\[.*$/, ''), resource, text: `${v.ruleName}@${resource}: ${v.description.slice(0, 200)}` };
  }));
}

/** The error findings of `agent-guardrails check <outdir>`. */
export async function cliErrors(outdir: string): Promise<ErrorFinding[]> {
  const { stdout } = await runCli(['check', outdir, '--format', 'json']);
  return (JSON.parse(stdout) as { findings: { severity: string; ruleId: string; id: string; resource: string; message: string }[] }).findings
    .filter((f) => f.severity === 'error').map((f) => ({ rule: f.ruleId, resource: f.resource, text: `${f.id}@${f.resource}: ${f.message.slice(0, 200)}` }));
}
