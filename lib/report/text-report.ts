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
}

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1 } as const;
type Style = keyof typeof CODES;

const NO_STACK = '(no stack)';
const NO_IDENTITY = '(no identity)';

/** The human report: findings grouped by stack, then by identity, then the summary. */
export function renderText(report: CheckReport, options: TextReportOptions = {}): string {
  const paint = (style: Style, text: string) => (options.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  for (const [stack, byIdentity] of group(report.findings)) {
    lines.push(paint('bold', `Stack ${stack}`));
    for (const [identity, findings] of byIdentity) {
      lines.push(`  ${identity === NO_IDENTITY ? identity : `Identity ${identity}`}`);
      for (const f of findings) {
        const level = f.severity === 'error' ? paint('red', 'error  ') : paint('yellow', 'warning');
        lines.push(`    ${level} ${f.id}  ${f.resource}${f.hard ? paint('dim', ' (hard)') : ''}`);
        lines.push(`            ${f.message}`);
        lines.push(paint('dim', `            fix: ${f.fix}`));
        if (f.path) lines.push(paint('dim', `            construct: ${f.path}`));
        if (f.source) lines.push(`            source: ${showSource(f.source, options.basePath)}`);
        if (f.file) lines.push(paint('dim', `            in ${f.file}`));
      }
    }
    lines.push('');
  }
  if (report.acknowledged.length > 0) {
    lines.push(paint('bold', 'Acknowledged'));
    for (const f of report.acknowledged) {
      lines.push(`    ${paint('dim', 'ack')}     ${f.id}  ${f.resource}${f.stack ? ` (${f.stack})` : ''}`);
      lines.push(paint('dim', `            reason: ${f.acknowledgedBy?.reason ?? ''} (at ${f.acknowledgedBy?.at || 'app'})`));
    }
    lines.push('');
  }
  lines.push(...summaryLines(report.summary, paint));
  return `${lines.join('\n')}\n`;
}

/** The summary lines alone (what `npm run synth` prints). */
export function renderTextSummary(summary: ReportSummary, options: TextReportOptions = {}): string {
  const paint = (style: Style, text: string) => (options.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text);
  return `${summaryLines(summary, paint).join('\n')}\n`;
}

function summaryLines(s: ReportSummary, paint: (style: Style, text: string) => string): string[] {
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

function group(findings: readonly ReportFinding[]): Map<string, Map<string, ReportFinding[]>> {
  const out = new Map<string, Map<string, ReportFinding[]>>();
  const sorted = [...findings].sort((a, b) =>
    (a.stack ?? '\uffff').localeCompare(b.stack ?? '\uffff')
    || (a.identity ?? '\uffff').localeCompare(b.identity ?? '\uffff')
    || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1)
    || a.id.localeCompare(b.id));
  for (const f of sorted) {
    const stack = f.stack ?? NO_STACK;
    const identity = f.identity ?? NO_IDENTITY;
    const byIdentity = out.get(stack) ?? new Map<string, ReportFinding[]>();
    out.set(stack, byIdentity);
    byIdentity.set(identity, [...(byIdentity.get(identity) ?? []), f]);
  }
  return out;
}

/** `file:line:column`, the file relative to the base when under it (terminals and editors open it). */
function showSource(source: SourceLine, basePath: string = process.cwd()): string {
  const relative = path.relative(basePath, source.file);
  const file = relative.startsWith('..') || path.isAbsolute(relative) ? source.file : relative.split(path.sep).join('/');
  return `${file}:${source.line}${source.column ? `:${source.column}` : ''}`;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
