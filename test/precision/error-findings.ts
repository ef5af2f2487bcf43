import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../helpers/run-cli';

/** One error finding, by rule id (no detail) and logical id, with a line to print when unexpected. */
export interface ErrorFinding { readonly rule: string; readonly resource: string; readonly text: string }

/** The error findings the AgentGuardrailsChecks plugin wrote to the synth's validation report (hard errors are `fatal` there). */
export function packErrors(outdir: string): ErrorFinding[] {
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; violations: { ruleName: string; severity?: string; description: string; violatingConstructs: { cloudFormationResource?: { logicalId: string } }[] }[] }[] };
  const ours = report.pluginReports.find((r) => r.pluginName === 'AgentGuardrailsChecks');
  return (ours?.violations ?? []).filter((v) => v.severity === 'error' || v.severity === 'fatal').flatMap((v) => v.violatingConstructs.map((c) => {
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

/**
 * An expected error: the rule, and the start of the flagged resource's logical id; `detail`, the start
 * of the finding's detail (`ec2:TerminateInstances` of `AWS-003[ec2:TerminateInstances]`), where one
 * resource holds several causes; `pending`, an error another change in flight removes: allowed, not required.
 */
export interface ExpectedError { readonly rule: string; readonly resourcePrefix: string; readonly detail?: string; readonly pending?: boolean }

/** The errors no expected entry explains, and the entries no error matched (a fixed cause must leave the list). */
export function unexplained(errors: readonly ErrorFinding[], expected: readonly (ExpectedError & { readonly label: string })[]): { extra: string[]; missed: string[] } {
  const explains = (e: ErrorFinding, x: ExpectedError) => e.rule === x.rule && e.resource.startsWith(x.resourcePrefix)
    && (x.detail === undefined || e.text.startsWith(`${x.rule}[${x.detail}`));
  return {
    extra: errors.filter((e) => !expected.some((x) => explains(e, x))).map((e) => e.text),
    missed: expected.filter((x) => !x.pending && !errors.some((e) => explains(e, x))).map((x) => `${x.label} (${x.rule})`),
  };
}
