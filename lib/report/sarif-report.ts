import { createHash } from 'crypto';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { ArtifactLocation, Location, Log, ReportingDescriptor, Result } from 'sarif';
import { RuleMetadata } from '../rules/rule';
import { CheckReport, ReportFinding } from './check-report';
import { ruleHelpUri } from './rules-markdown';
import { sentence, sentences } from './sentence';
import { TemplateLines } from './template-lines';

/** How to render SARIF. */
export interface SarifReportOptions {
  /**
   * Folder that artifact URIs are relative to (GitHub code scanning wants repo-relative URIs).
   * URIs under it are relative with `uriBaseId: "SRCROOT"`, which `originalUriBaseIds` maps to
   * this folder; files outside it get absolute `file:` URIs.
   * @default - `repoRoot`, else the working directory
   */
  readonly basePath?: string;
  /**
   * Former name of `basePath`.
   * @deprecated use `basePath`
   * @default - the working directory
   */
  readonly repoRoot?: string;
  /**
   * Version reported as the tool's version.
   * @default '0.0.0'
   */
  readonly toolVersion?: string;
  /**
   * File to locate findings that name none (engine errors), so every result has a physical
   * location (GitHub code scanning drops results without one).
   * @default - such results carry only a logical location
   */
  readonly defaultFile?: string;
}

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The base id of repo-relative URIs (`originalUriBaseIds` says where it is). */
export const SARIF_SRCROOT = 'SRCROOT';
const INFORMATION_URI = 'https://github.com/agent-guardrails/agent-guardrails';
/** GitHub ranks security results by this property (0–10). */
const SECURITY_SEVERITY: Record<string, string> = { error: '8.0', warning: '5.0' };

/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per engine rule (with help text, a link to its
 * section of RULES.md and tags), one result per finding, located at the line of the user's code
 * that made the resource when known (the template's line is then a related location), else at
 * the resource's line in its template; acknowledged findings carry an accepted suppression with
 * the reason.
 */
export function renderSarif(report: CheckReport, options: SarifReportOptions = {}): string {
  return `${JSON.stringify(buildSarif(report, options), null, 2)}\n`;
}

/** The SARIF log as an object (typed with `@types/sarif`). */
export function buildSarif(report: CheckReport, options: SarifReportOptions = {}): Log {
  const base = path.resolve(options.basePath ?? options.repoRoot ?? process.cwd());
  const rules = new Map<string, RuleMetadata>(report.rules.map((r) => [r.id, r]));
  const all = [...report.findings, ...report.acknowledged];
  for (const f of all) if (!rules.has(f.ruleId)) rules.set(f.ruleId, unknownRule(f));
  const descriptors = [...rules.values()].map(descriptor);
  const index = new Map(descriptors.map((d, i) => [d.id, i]));
  const lines = new TemplateLines();
  const results = all.map((f): Result => ({
    ruleId: f.ruleId,
    ruleIndex: index.get(f.ruleId),
    level: f.severity,
    message: { text: sentences(f.message, `Fix: ${sentence(f.fix)}`) },
    ...locations(f, base, lines, options.defaultFile),
    partialFingerprints: { 'agentGuardrailsFinding/v1': fingerprint(f) },
    properties: { findingId: f.id, stack: f.stack, identity: f.identity, constructPath: f.path, hard: f.hard },
    ...(f.acknowledgedBy ? {
      suppressions: [{ kind: 'external', status: 'accepted', justification: `${f.acknowledgedBy.reason} (${f.acknowledgedBy.id} at ${f.acknowledgedBy.at || 'app'})` }],
    } : {}),
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'agent-guardrails',
          informationUri: INFORMATION_URI,
          semanticVersion: options.toolVersion ?? '0.0.0',
          version: options.toolVersion ?? '0.0.0',
          rules: descriptors,
        },
      },
      automationDetails: { id: 'agent-guardrails/check/' },
      originalUriBaseIds: { [SARIF_SRCROOT]: { uri: directoryUri(base) } },
      // The baseline, and any loosening of a parent it states, travel with the results.
      properties: { baseline: report.summary.baseline, crossAccount: report.summary.crossAccount, summary: { errors: report.summary.errors, warnings: report.summary.warnings, acknowledged: report.summary.acknowledged } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
}

function descriptor(rule: RuleMetadata): ReportingDescriptor {
  const controls = rule.controls.length > 0 ? `\n\nPrior art: ${rule.controls.join(', ')}.` : '';
  return {
    id: rule.id,
    name: rule.id.replace(/-/g, ''),
    shortDescription: { text: sentence(rule.reason) },
    fullDescription: { text: sentence(rule.explanation) },
    helpUri: ruleHelpUri(rule.id),
    help: {
      text: `${sentence(rule.reason)}\n\n${sentence(rule.explanation)}\n\nFix: ${sentence(rule.fix)}${controls}`,
      markdown: `**${sentence(rule.reason)}**\n\n${sentence(rule.explanation)}\n\n**Fix:** ${sentence(rule.fix)}${controls}`,
    },
    defaultConfiguration: { level: rule.severity },
    properties: {
      tags: ['security', 'iam', 'agent-guardrails', ...(rule.cloud === 'all' ? ['aws', 'gcp', 'azure'] : [rule.cloud])],
      'security-severity': SECURITY_SEVERITY[rule.severity],
      precision: 'high',
    },
  };
}

function unknownRule(f: ReportFinding): RuleMetadata {
  return {
    id: f.ruleId, cloud: f.cloud, severity: f.severity, controls: [],
    reason: `${f.ruleId} finding`, explanation: f.message, fix: f.fix,
  };
}

/**
 * Where a result is: the user's source line when known (with the template as a related
 * location), else the resource's line in its template, else (no file at all) only logically.
 */
function locations(f: ReportFinding, base: string, lines: TemplateLines, defaultFile?: string): Pick<Result, 'locations' | 'relatedLocations'> {
  const logicalLocations = [{ name: f.resource, fullyQualifiedName: f.stack ? `${f.stack}/${f.resource}` : f.resource, kind: 'resource' }];
  const file = f.file ?? defaultFile;
  const template: Location | undefined = file ? {
    physicalLocation: { artifactLocation: artifact(path.resolve(file), base), region: { startLine: lines.lineOf(path.resolve(file), f.resource) } },
    logicalLocations,
  } : undefined;
  if (!f.source) return { locations: [template ?? { logicalLocations }] };
  const source: Location = {
    physicalLocation: {
      artifactLocation: artifact(f.source.file, base),
      region: { startLine: f.source.line, ...(f.source.column ? { startColumn: f.source.column } : {}) },
    },
    logicalLocations,
    ...(f.path ? { message: { text: `Construct ${f.path}` } } : {}),
  };
  return {
    locations: [source],
    ...(template ? { relatedLocations: [{ id: 1, ...template, message: { text: `Synthesized resource ${f.resource}` } }] } : {}),
  };
}

/** Relative to the base (`uriBaseId`) when under it; an absolute `file:` URI otherwise. */
function artifact(absolute: string, base: string): ArtifactLocation {
  const relative = path.relative(base, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return { uri: pathToFileURL(absolute).href };
  return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SARIF_SRCROOT };
}

/** A folder's `file:` URI with the trailing slash SARIF requires of a base. */
function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/** Stable across runs and line moves: the finding id, where it is, and for which identity. */
function fingerprint(f: ReportFinding): string {
  return createHash('sha256').update([f.id, f.cloud, f.stack ?? '', f.resource, f.identity ?? ''].join('\u0000')).digest('hex').slice(0, 32);
}
