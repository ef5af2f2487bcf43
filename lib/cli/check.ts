import * as fs from 'fs';
import * as path from 'path';
import { inventoryFromPaths } from '../adapters/inventory-from-paths';
import { Baseline } from '../baseline/baseline';
import { baselineInForce } from '../baseline/baseline-in-force';
import { Finding, Rule } from '../rules/rule';
import { ALL_RULES } from '../rules';
import { runRules } from '../rules/run-rules';
import { buildCheckReport, CheckReport, crossAccountOptIns, FailOn, LocatedFinding } from '../report/check-report';
import { withoutCopiesOf } from '../adapters/cloudformation/cdk-nag-suppressions';
import { acknowledgementDrift } from '../report/acknowledgement-drift';
import { CloudAssemblyMetadata } from './cloud-assembly-metadata';

/** What to check. */
export interface CheckPathsOptions {
  /**
   * The baseline to check against; it governs whole (a baseline the input embeds never loosens it).
   * @default - the baseline the input embeds (the app's, recorded at synth), else the package default
   */
  readonly baseline?: Baseline;
  /**
   * How reports name where `baseline` came from (e.g. `--baseline team.json`).
   * @default - the file it was read from
   */
  readonly baselineOrigin?: string;
  /** @default 'error' */
  readonly failOn?: FailOn;
  /**
   * Rules to run.
   * @default ALL_RULES
   */
  readonly rules?: readonly Rule[];
}

/**
 * Check templates and `cdk.out` folders: build the inventory, add the acknowledgements the
 * cloud assembly records, run the rules once, and split findings into open and acknowledged.
 * Throws a GuardrailError for input that cannot be read (the CLI turns it into exit code 2).
 */
export function checkPaths(paths: readonly string[], options: CheckPathsOptions = {}): CheckReport {
  const rules = options.rules ?? ALL_RULES;
  const inventory = inventoryFromPaths([...paths]);
  const metadata = CloudAssemblyMetadata.empty();
  for (const p of paths) {
    if (fs.statSync(p).isDirectory() && fs.existsSync(path.join(p, 'manifest.json'))) metadata.addAll(CloudAssemblyMetadata.read(p));
  }
  const explicit = options.baseline ? { baseline: options.baseline, origin: options.baselineOrigin ?? (options.baseline.source ? `file ${options.baseline.source}` : 'given') } : undefined;
  const inForce = baselineInForce(explicit, [...metadata.baselines, ...(inventory.baselines ?? [])].map((s) => ({ ...s, where: displayPath(s.where) })));
  const baseline = inForce.baseline;
  // cdk-nag-style acknowledgements in templates, less copies of those CDK records (the pack reads the same).
  const acknowledgements = [...withoutCopiesOf(inventory.acknowledgements ?? [], metadata.acknowledgements), ...metadata.acknowledgements];
  const sources = new ExistingSources(metadata);
  const located = runRules({ ...inventory, acknowledgements }, rules, baseline).map((f) => withConstructPath(f, metadata));
  const drift = acknowledgementDrift(located, acknowledgements, baseline).map((f) => withConstructPath(f, metadata));
  // Findings name few files (the inputs'): each is made relative once, not once per finding.
  const shown = new Map<string, string>();
  const findings = [...located, ...drift].map((f) => sources.locate(withRelativeFile(f, shown)));
  return buildCheckReport({
    findings,
    acknowledgements,
    baseline,
    baselineOrigin: inForce.origin,
    baselinesNotApplied: inForce.notApplied,
    rules,
    failOn: options.failOn,
    inputs: [...paths],
    identities: inventory.identities.length,
    agentIdentities: inventory.identities.filter((i) => i.isAgent).length,
    crossAccount: crossAccountOptIns(inventory),
  });
}

/**
 * The construct path a finding is reported on, the way the pack reports it: its resource's
 * (by logical id), else the path it names when that construct exists, else its stack's
 * (findings that name no resource), else the app's (`''`).
 */
function withConstructPath(f: Finding, metadata: CloudAssemblyMetadata): Finding {
  const known = f.path !== undefined && metadata.hasConstructPath(f.path) ? f.path : undefined;
  const p = metadata.constructPathOf(f.stack, f.resource) ?? known ?? metadata.stackPathOf(f.stack) ?? (metadata.isEmpty ? f.path : '');
  return p === f.path ? f : { ...f, path: p };
}

/** Files under the working directory are shown relative to it (portable CI output). */
function withRelativeFile(f: Finding, shown: Map<string, string>): Finding {
  if (!f.file || !path.isAbsolute(f.file)) return f;
  let file = shown.get(f.file);
  if (file === undefined) {
    file = displayPath(f.file);
    shown.set(f.file, file);
  }
  return file === f.file ? f : { ...f, file };
}

/** A path as reports show it: relative to the working directory when under it, else as given. */
function displayPath(p: string): string {
  if (!path.isAbsolute(p)) return p;
  const relative = path.relative(process.cwd(), p);
  return relative.startsWith('..') || path.isAbsolute(relative) ? p : relative.split(path.sep).join('/');
}

/** Source lines of findings, kept only when the file is still there (a cdk.out may come from another machine). */
class ExistingSources {
  private readonly exists = new Map<string, boolean>();
  constructor(private readonly metadata: CloudAssemblyMetadata) {}

  public locate(f: Finding): LocatedFinding {
    const source = f.path ? this.metadata.sourceOf(f.path) : undefined;
    if (!source) return f;
    if (!this.exists.has(source.file)) this.exists.set(source.file, fs.existsSync(source.file));
    return this.exists.get(source.file) ? { ...f, source } : f;
  }
}
