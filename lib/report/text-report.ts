import * as path from 'path';
import { CheckReport, ReportFinding, ReportSummary } from './check-report';
import { SourceLine } from './source-line';

/** How to render text. */
export interface TextReportOptions {
  /**
   * Whether to use ANSI colours (the CLI turns them on only for a TTY without NO_COLOR).
   * @default false
   */
  readonly color?: boolean;
  /**
   * Folder that source files are shown relative to.
   * @default - the working directory
   */
  readonly basePath?: string;
  /**
   * Findings shown in full per rule (and acknowledged ones in all); the rest are counted by id
   * on one line that points to the JSON report, so the text stays readable at 2,000 roles.
   * @default 10
   */
  readonly maxPerRule?: number;
}

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1 } as const;
type Style = keyof typeof CODES;
type Paint = (style: Style, text: string) => string;

const DEFAULT_MAX_PER_RULE = 10;
/** Ids named on a rule's "… N more" line. */
const MORE_IDS = 5;

/**
 * The human report: the summary first, then the findings grouped by rule (rules with errors
 * first), each rule headed by its counts and reason; past `maxPerRule` findings a rule's rest is
 * one line counting them by id. The verdict line closes the report too, for logs read from the end.
 */
export function renderText(report: CheckReport, options: TextReportOptions = {}): string {
  const paint: Paint = (style, text) => (options.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text);
  const max = Math.max(1, options.maxPerRule ?? DEFAULT_MAX_PER_RULE);
  const reasons = new Map(report.rules.map((r) => [r.id, r.reason]));
  const lines: string[] = [...summaryLines(report.summary, paint)];
  for (const [ruleId, findings] of byRule(report.findings)) {
    const errors = findings.filter((f) => f.severity === 'error').length;
    const counts = [errors > 0 ? paint('red', plural(errors, 'error')) : '', findings.length > errors ? paint('yellow', plural(findings.length - errors, 'warning')) : '']
      .filter(Boolean).join(', ');
    const reason = reasons.get(ruleId);
    lines.push('', `${paint('bold', ruleId)}  ${counts}${reason ? ` — ${reason}` : ''}`);
    for (const f of findings.slice(0, max)) lines.push(...findingLines(f, paint, options.basePath));
    if (findings.length > max) lines.push(paint('dim', `  … ${thousands(findings.length - max)} more (use --format json): ${countIds(findings.slice(max))}`));
  }
  if (report.acknowledged.length > 0) {
    lines.push('', paint('bold', `Acknowledged (${thousands(report.acknowledged.length)})`));
    for (const f of report.acknowledged.slice(0, max)) {
      lines.push(`  ${paint('dim', 'ack')}     ${f.id}  ${where(f)}`);
      lines.push(paint('dim', `          reason: ${f.acknowledgedBy?.reason ?? ''} (at ${f.acknowledgedBy?.at || 'app'})`));
    }
    if (report.acknowledged.length > max) {
      lines.push(paint('dim', `  … ${thousands(report.acknowledged.length - max)} more (use --format json): ${countIds(report.acknowledged.slice(max))}`));
    }
  }
  if (report.findings.length > 0 || report.acknowledged.length > 0) lines.push('', summaryLines(report.summary, paint)[0]);
  return `${lines.join('\n')}\n`;
}

/** The summary lines alone (what `npm run synth` prints). */
export function renderTextSummary(summary: ReportSummary, options: TextReportOptions = {}): string {
  const paint: Paint = (style, text) => (options.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text);
  return `${summaryLines(summary, paint).join('\n')}\n`;
}

function summaryLines(s: ReportSummary, paint: Paint): string[] {
  const verdict = s.result === 'fail' ? paint('red', 'FAIL') : paint('green', 'PASS');
  const lines = [
    `agent-guardrails check: ${verdict} — ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${s.acknowledged} acknowledged`
      + ` (fail on ${s.failOn}; ${plural(s.identities, 'identity', 'identities')} checked, ${s.agentIdentities} of agents)`,
    `baseline ${s.baseline.id} ${s.baseline.version}${s.baseline.lineage.length > 1 ? ` (${s.baseline.lineage.join(' > ')})` : ''} — ${s.baseline.origin}`,
  ];
  for (const n of s.baseline.notApplied) {
    lines.push(paint('yellow', `  not applied: the app's baseline ${n.id} ${n.version} embedded in ${n.where} differs; the baseline above governs`));
  }
  for (const l of s.baseline.loosenings) {
    lines.push(paint('yellow', `  loosened by ${l.baseline}: ${l.path} ${JSON.stringify(l.from)} -> ${JSON.stringify(l.to)} (${l.reason})`));
  }
  for (const c of s.crossAccount) {
    const where = `${c.stack ? `${c.stack}/` : ''}${c.resource}${c.component ? ` (${c.component}${c.agent ? ` of ${c.agent}` : ''})` : ''}`;
    lines.push(paint('yellow', `  cross-account opt-in: ${where} admits ${c.accounts.join(', ')} (${c.reason})`));
  }
  const rules = Object.entries(s.byRule).sort(([a], [b]) => a.localeCompare(b));
  if (rules.length > 0) lines.push(`by rule: ${rules.map(([id, n]) => `${id} ${n}`).join(', ')}`);
  return lines;
}

function findingLines(f: ReportFinding, paint: Paint, basePath: string | undefined): string[] {
  const level = f.severity === 'error' ? paint('red', 'error  ') : paint('yellow', 'warning');
  const out = [
    `  ${level} ${f.id}  ${where(f)}${f.hard ? paint('dim', ' (hard)') : ''}`,
    `          ${f.message}`,
    paint('dim', `          fix: ${f.fix}`),
  ];
  if (f.path) out.push(paint('dim', `          construct: ${f.path}`));
  if (f.source) out.push(`          source: ${showSource(f.source, basePath)}`);
  if (f.file) out.push(paint('dim', `          in ${f.file}`));
  return out;
}

/** `Stack/Resource`, and the identity when the finding is on another resource (a policy of it). */
function where(f: ReportFinding): string {
  const resource = f.stack ? `${f.stack}/${f.resource}` : f.resource;
  const identity = f.identity?.split('/').pop();
  return identity && identity !== f.resource ? `${resource} (identity ${identity})` : resource;
}

/** Findings by rule: rules with errors first, then by id; within a rule errors first, then by place. */
function byRule(findings: readonly ReportFinding[]): Map<string, ReportFinding[]> {
  const groups = new Map<string, ReportFinding[]>();
  for (const f of findings) {
    const group = groups.get(f.ruleId);
    if (group) group.push(f);
    else groups.set(f.ruleId, [f]);
  }
  for (const group of groups.values()) {
    group.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1)
      || (a.stack ?? '\uffff').localeCompare(b.stack ?? '\uffff') || a.resource.localeCompare(b.resource) || a.id.localeCompare(b.id));
  }
  const hasErrors = (g: ReportFinding[]) => g.some((f) => f.severity === 'error');
  return new Map([...groups].sort(([a, ga], [b, gb]) => Number(hasErrors(gb)) - Number(hasErrors(ga)) || a.localeCompare(b)));
}

/** `AWS-008[s3:*] ×1,200, AWS-008[dynamodb:*] ×790 and 3 other ids`: the most frequent ids first. */
function countIds(findings: readonly ReportFinding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.id, (counts.get(f.id) ?? 0) + 1);
  const top = [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const shown = top.slice(0, MORE_IDS).map(([id, n]) => `${id} ×${thousands(n)}`).join(', ');
  return top.length > MORE_IDS ? `${shown} and ${thousands(top.length - MORE_IDS)} other ids` : shown;
}

/** `file:line:column`, the file relative to the base when under it (terminals and editors open it). */
function showSource(source: SourceLine, basePath: string = process.cwd()): string {
  const relative = path.relative(basePath, source.file);
  const file = relative.startsWith('..') || path.isAbsolute(relative) ? source.file : relative.split(path.sep).join('/');
  return `${file}:${source.line}${source.column ? `:${source.column}` : ''}`;
}

/** `12,345`, as `toLocaleString('en-US')` writes counts, without loading ICU's number formats (~60 ms at start-up). */
function thousands(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${thousands(n)} ${n === 1 ? word : many}`;
}
