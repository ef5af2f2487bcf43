import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import { Baseline } from '../baseline/baseline';
import { GuardrailError } from '../errors';
import { useRoleData } from '../role-data/role-data';
import { FailOn } from '../report/check-report';
import { renderJson } from '../report/json-report';
import { renderSarif } from '../report/sarif-report';
import { renderText, renderTextSummary } from '../report/text-report';
import { packageVersion } from '../private/package-version';
import { checkPaths } from './check';
import { CliIo, EXIT_FINDINGS, EXIT_PASS } from './main';
import { writeOutputFile } from './output-file';

interface CheckFlags {
  readonly baseline?: string;
  readonly format: 'text' | 'json' | 'sarif';
  readonly failOn: FailOn;
  readonly output?: string;
  readonly basePath?: string;
  readonly roleData?: string;
}

/**
 * `agent-guardrails check PATH...`: the findings of the rules on synthesized output or templates,
 * as text, JSON or SARIF; `setExit` receives 0 (pass) or 1 (findings at --fail-on).
 */
export function registerCheckCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program.command('check')
    .description('Check cdk.out and cdktf.out folders, CloudFormation templates and cdk.tf.json files; exit 0 (pass), 1 (findings at --fail-on), 2 (bad input).')
    .argument('<paths...>', 'cdk.out folders, CloudFormation templates (.json, .yaml, .yml, .template), cdktf.out folders or cdk.tf.json files')
    .option('--baseline <file>', 'guardrail baseline JSON; it governs whole (default: the baseline the app embedded at synth, else the package default)')
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'lowest severity that fails the check').choices(['error', 'warning']).default('error'))
    .option('--output <file>', 'write the report to a file (the summary still goes to stdout)')
    .option('--base-path <dir>', 'folder that SARIF URIs and source lines are relative to (default: the git repository root, else the working directory)')
    .option('--role-data <dir>', 'role data written by `agent-guardrails data pull` (default: the baseline\'s roleData, else the shipped catalog)')
    .exitOverride()
    .action((paths: string[], flags: CheckFlags) => {
      setExit(check(paths, flags, io));
    });
}

function check(paths: string[], flags: CheckFlags, io: CliIo): number {
  // The reviewer's --baseline governs; without it, the baseline the app embedded at synth applies (checkPaths decides).
  const baseline = flags.baseline ? Baseline.fromFile(flags.baseline) : undefined;
  useRoleData(flags.roleData ?? baseline?.roleData ?? (io.env.AGENT_GUARDRAILS_ROLE_DATA || undefined));
  const report = checkPaths(paths, { baseline, baselineOrigin: flags.baseline ? `--baseline ${flags.baseline}` : undefined, failOn: flags.failOn });
  for (const n of report.summary.baseline.notApplied) {
    io.stderr.write(`agent-guardrails: warning: the app's baseline ${n.id} ${n.version} (embedded in ${n.where}) differs from --baseline ${flags.baseline}; --baseline governs, the app's is not applied.\n`);
  }
  const color = !flags.output && io.stdout.isTTY === true && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
  const basePath = flags.basePath ? existingDirectory(flags.basePath, '--base-path') : repoRoot(process.cwd());
  const rendered = flags.format === 'json' ? renderJson(report)
    : flags.format === 'sarif' ? renderSarif(report, { basePath, toolVersion: packageVersion(), defaultFile: paths[0] })
      : renderText(report, { color, basePath: flags.basePath ? basePath : undefined });
  if (flags.output) {
    writeOutputFile(flags.output, rendered);
    io.stdout.write(renderTextSummary(report.summary));
  } else {
    io.stdout.write(rendered);
  }
  return report.summary.result === 'fail' ? EXIT_FINDINGS : EXIT_PASS;
}

function existingDirectory(dir: string, option: string): string {
  const resolved = path.resolve(dir);
  if (!fs.statSync(resolved, { throwIfNoEntry: false })?.isDirectory()) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format(option, 'must be an existing folder', dir, 'Pass the repository root or another folder.'));
  }
  return resolved;
}

/** The repository root (nearest folder with `.git`), so SARIF URIs are repo-relative. */
function repoRoot(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from);
  }
}
