import * as fs from 'fs';
import { Command, Option } from 'commander';
import { ActivityDrift, ActivityDriftReport } from '../activity/activity-drift';
import { ActivityEvaluator } from '../activity/activity-evaluator';
import { ActivityPlaybook } from '../activity/activity-playbook';
import { DEVIATION_CODES } from '../activity/activity-verdict';
import { normalizeLogRecord, unreadableReason } from '../activity/normalize';
import { readJsonRecordBatches, readJsonRecords } from '../activity/read/json-records';
import { inventoryFromPaths } from '../adapters';
import { Baseline } from '../baseline/baseline';
import { DecisionRecord } from '../broker/ports';
import { compareDeployed } from '../deployed/deployed-drift';
import { deployedDriftSummary, renderDeployedDriftSarif, renderDeployedDriftText } from '../deployed/deployed-drift-report';
import { readDeployedExport } from '../deployed/deployed-iam';
import { GuardrailError } from '../errors';
import { writeOutputFile } from './output-file';

interface DriftFlags {
  readonly activity?: string[];
  readonly deployed?: string[];
  readonly decisions?: string[];
  readonly baseline?: string;
  readonly format: 'text' | 'json' | 'sarif';
  readonly failOn: 'trip' | 'alert';
  readonly output?: string;
}

/** Output streams, as `main` passes them. */
interface DriftIo {
  readonly stdout: { write(text: string): unknown };
}

/**
 * `agent-guardrails drift PATH... --activity FILE...`: the period's activity (CloudTrail, GCP audit
 * log, Azure activity log exports) against the declarations in the synthesized output.
 * `agent-guardrails drift PATH... --deployed FILE...`: the deployed IAM (exports of the clouds'
 * CLIs) against the same declarations: roles, bindings, assignments changed out of band.
 */
export function registerDrift(program: Command, io: DriftIo, setExit: (code: number) => void, version: string): void {
  program.command('drift')
    .description('Compare exported activity (--activity: deviations, unused grants, unused tools) or deployed IAM (--deployed: changes made out of band) with the agents\' declarations; exit 0 (none), 1 (drift at --fail-on), 2 (bad input).')
    .argument('<paths...>', 'cdk.out or cdktf.out folders, CloudFormation templates or cdk.tf.json files holding the declarations')
    .option('--activity <files...>', 'exported activity: CloudTrail Records files, Lake/Athena JSON exports, GCP audit log JSON, Azure activity log JSON')
    .option('--deployed <files...>', 'exported deployed IAM: aws iam get-account-authorization-details; gcloud projects get-iam-policy --format=json (PROJECT=FILE when it names no agent service account); az role assignment list --all with az identity list')
    .option('--decisions <files...>', 'broker decision records (JSON lines or arrays): approvals for approval-gated tools')
    .option('--baseline <file>', 'guardrail baseline JSON (severities in activity.verdicts; default: the package\'s default baseline)')
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'lowest severity that fails: trip, or alert (every deviation not set to off; with --deployed: trip = widening changes, alert = any change)').choices(['trip', 'alert']).default('alert'))
    .option('--output <file>', 'write the report to a file (a one-line summary still goes to stdout)')
    .exitOverride()
    .action(async (paths: string[], flags: DriftFlags) => {
      if (!flags.activity === !flags.deployed) {
        throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('drift', 'takes one of --activity and --deployed', flags.activity ? 'both' : 'neither', 'Run one drift per kind of evidence.'));
      }
      setExit(flags.deployed ? deployedDrift(paths, flags.deployed, flags, io, version) : await drift(paths, flags.activity!, flags, io, version));
    });
}

/** `--deployed`: the deployed IAM against the declarations. */
function deployedDrift(paths: string[], files: string[], flags: DriftFlags, io: DriftIo, version: string): number {
  const inventory = inventoryFromPaths(paths);
  if (!inventory.identities.some((i) => i.labels.agent ?? i.declaration?.agent)) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('paths', 'must hold at least one declared agent identity', paths, 'Pass the synthesized output of an app that uses AgentIdentity (cdk.out, cdktf.out or cdk.tf.json).'));
  }
  const exports = files.map(readDeployedExport);
  const azure = new Set(exports.map((e) => e.kind).filter((k) => k.startsWith('azure-')));
  if (azure.size === 1) {
    const [has] = azure;
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('--deployed', 'needs both Azure exports', has, 'Pass `az role assignment list --all` and `az identity list` output together: assignments name principals by object id only, the identities say which tool each is.'));
  }
  const report = compareDeployed(inventory, exports, flags.failOn);
  const rendered = flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : flags.format === 'sarif' ? renderDeployedDriftSarif(report, version) : renderDeployedDriftText(report);
  return emit(flags, io, rendered, deployedDriftSummary(report), report.summary.result);
}

/** Write the report (to --output, with the summary line on stdout, or to stdout); the exit code. */
function emit(flags: DriftFlags, io: DriftIo, rendered: string, summary: string, result: 'pass' | 'fail'): number {
  if (flags.output) {
    writeOutputFile(flags.output, rendered);
    io.stdout.write(summary);
  } else {
    io.stdout.write(rendered);
  }
  return result === 'fail' ? 1 : 0;
}

async function drift(paths: string[], activity: string[], flags: DriftFlags, io: DriftIo, version: string): Promise<number> {
  const baseline = flags.baseline ? Baseline.fromFile(flags.baseline) : Baseline.default();
  const playbook = ActivityPlaybook.fromInventory(inventoryFromPaths(paths));
  if (playbook.agents.length === 0) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('paths', 'must hold at least one declared agent tool', paths, 'Pass the synthesized output of an app that uses AgentIdentity (cdk.out or cdk.tf.json).'));
  }
  const evaluator = new ActivityEvaluator(playbook, { baseline });
  for (const file of flags.decisions ?? []) {
    for await (const record of readJsonRecords(existing(file))) evaluator.recordDecision(record as DecisionRecord);
  }
  const collector = new ActivityDrift(playbook, evaluator);
  for (const file of activity) {
    let records = 0;
    let unreadable = 0;
    let firstReason = '';
    for await (const batch of readJsonRecordBatches(existing(file))) {
      records += batch.length;
      for (const record of batch) {
        const events = normalizeLogRecord(record);
        for (const e of events) collector.add(e);
        if (events.length > 0) continue;
        const reason = unreadableReason(record);
        if (reason === undefined) {
          collector.skip();
        } else {
          unreadable++;
          firstReason ||= reason;
          collector.unreadableRecord(reason);
        }
      }
    }
    if (records > 0 && unreadable === records) {
      throw new GuardrailError('AG_ACTIVITY_UNREADABLE', `activity file holds no record drift can read; got ${file} (${records} record(s), the first: ${firstReason}). Pass CloudTrail Records files, Lake/Athena JSON exports, GCP audit log JSON or Azure activity log JSON.`);
    }
  }
  const report = collector.report(flags.failOn);
  const rendered = flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : flags.format === 'sarif' ? renderDriftSarif(report, version) : renderDriftText(report);
  return emit(flags, io, rendered, summaryLine(report), report.summary.result);
}

function existing(file: string): string {
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('file', 'does not exist', file, 'Check the path of the exported activity or decision records.'));
  }
  return file;
}

function summaryLine(r: ActivityDriftReport): string {
  const unreadable = r.unreadableRecords > 0 ? `, ${r.unreadableRecords} records that could not be read (they fail the check)` : '';
  return `drift: ${r.summary.result.toUpperCase()} — ${r.events} events, ${r.summary.trip} tripping and ${r.summary.alert} alerting deviations, ${r.skippedRecords} records of no agent session${unreadable}\n`;
}

/** The text report: per agent, its deviations, then unused grants and tools. */
export function renderDriftText(r: ActivityDriftReport): string {
  const lines: string[] = [];
  lines.push(`Activity ${r.period.from ?? '-'} .. ${r.period.to ?? '-'}: ${r.events} agent events`);
  if (r.unreadableRecords > 0) {
    lines.push('', `UNREADABLE ${r.unreadableRecords} record(s) could not be judged (an agent's calls may be among them):`);
    for (const why of r.unreadableExamples) lines.push(`    ${why}`);
  }
  for (const a of r.agents) {
    lines.push('', `${a.agent} (${a.environment})`);
    if (a.deviations.length === 0) lines.push('  no deviations');
    for (const d of a.deviations) {
      lines.push(`  ${d.severity.toUpperCase()} ${d.code} — tool ${d.tool}: ${d.count} event(s)`);
      for (const e of d.examples) lines.push(`    ${e.time} ${e.reason}${e.eventId ? ` [${e.eventId}]` : ''}`);
    }
    for (const t of a.tools) {
      if (t.events > 0 && t.unusedActions.length > 0) lines.push(`  granted but unused by ${t.tool} (${t.cloud}): ${t.unusedActions.join(', ')}`);
    }
    if (a.unusedTools.length > 0) lines.push(`  tools never used: ${a.unusedTools.join(', ')}`);
  }
  lines.push('', summaryLine(r).trimEnd());
  return `${lines.join('\n')}\n`;
}

/** SARIF 2.1.0: one result per deviation kind, agent and tool; rules are the verdict codes. */
export function renderDriftSarif(r: ActivityDriftReport, version: string): string {
  const rules = DEVIATION_CODES.map((code) => ({ id: code, name: code, shortDescription: { text: `Agent activity deviation: ${code}` } }));
  const results = r.agents.flatMap((a) => a.deviations.map((d) => ({
    ruleId: d.code,
    ruleIndex: DEVIATION_CODES.indexOf(d.code),
    level: d.severity === 'trip' ? 'error' : 'warning',
    message: { text: `${a.agent} (${a.environment}) tool ${d.tool}: ${d.count} event(s). ${d.examples[0]?.reason ?? ''}`.trim() },
    locations: [{ logicalLocations: [{ name: d.tool, fullyQualifiedName: `${a.agent}/${a.environment}/${d.tool}`, kind: 'member' }] }],
    partialFingerprints: { 'agentGuardrailsDrift/v1': `${a.agent}/${a.environment}/${d.tool}/${d.code}` },
    properties: { count: d.count, severity: d.severity, examples: d.examples },
  })));
  const doc = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'agent-guardrails drift', version, informationUri: 'https://github.com/agent-guardrails/agent-guardrails', rules } },
      // Records it could not judge are no result of a rule, but the run could not vouch for them.
      invocations: [{
        executionSuccessful: r.unreadableRecords === 0,
        toolExecutionNotifications: r.unreadableExamples.map((why) => ({ level: 'error', message: { text: `${r.unreadableRecords} activity record(s) could not be judged: ${why}` } })),
      }],
      results,
    }],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
