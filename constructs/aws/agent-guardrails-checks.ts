import * as path from 'path';
import {
  Aspects, CfnResource, IPolicyValidationContext, PolicyValidationPluginReport, PolicyViolation, PolicyViolatingResource,
} from 'aws-cdk-lib/core';
import { NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { Baseline } from '../../lib/baseline/baseline';
import { Acknowledgement, Inventory, mergeInventories } from '../../lib/inventory/inventory';
import { withoutCopiesOf } from '../../lib/adapters/cloudformation/cdk-nag-suppressions';
import { acknowledgementDrift } from '../../lib/report/acknowledgement-drift';
import { acknowledgementFor, isAcknowledgeable } from '../../lib/report/check-report';
import { ACKNOWLEDGEMENT_NAMESPACE } from '../../lib/rules/agent/acknowledgements';
import { ALL_RULES } from '../../lib/rules';
import { Finding, Rule } from '../../lib/rules/rule';
import { findingId, runRules } from '../../lib/rules/run-rules';
import { inventoryFromConstructTree } from './inventory-from-construct-tree';
import { acknowledgementsOf, RecordAcknowledgementsAbove } from './private/nag-acknowledgements';
import { assemblyLogicalIds } from './private/nag-assembly-logical-ids';
import { FindingNodes } from './private/nag-finding-nodes';
import { RecordBaselineOnStacks } from './private/record-baseline';
import { inventoryFromSynthesizedTemplates } from './private/nag-synthesized-inventory';
import { packageVersion } from '../../lib/private/package-version';

const PACK_SYMBOL = Symbol.for('agent-guardrails.AgentGuardrailsChecks');

/** Props of the agent-guardrails cdk-nag pack. */
export interface AgentGuardrailsChecksProps extends NagPackProps {
  /**
   * The guardrail baseline: severities, hard rules, quotas and acknowledgement terms.
   * @default - the app's baseline (`Baseline.setForApp`, or the context key `agent-guardrails:baseline`), else the package default
   */
  readonly baseline?: Baseline;
}

/**
 * The agent-guardrails rules as a cdk-nag 3 pack (a CDK policy-validation plugin):
 * `Validations.of(app).addPlugins(new AgentGuardrailsChecks(app, { baseline }))`.
 *
 * A thin adapter over the rule engine: per validation it builds the inventory of every stack
 * once (at synth from the templates just written, with construct paths from the tree; in
 * `validateScope` from the construct tree), runs the rules once, and reports each finding on the
 * resource whose logical id it names (findings that name none go on their stack, never lost).
 * Violation names are finding ids (`AWS-002[s3:GetObject]`); acknowledge one with
 * `Validations.of(resource).acknowledge({ id: 'AgentGuardrailsChecks::AWS-002[s3:GetObject]', reason })`,
 * which CDK records under `suppressedViolations` in `validation-report.json`. Error findings of
 * the baseline's hard rules (and AGENT-007's) are reported as `fatal`, which CDK never
 * suppresses; AGENT-007 also reports every acknowledgement of a hard rule.
 */
export class AgentGuardrailsChecks extends NagPack {
  /** Whether `x` is an AgentGuardrailsChecks pack (works across copies of this package). */
  public static isAgentGuardrailsChecks(x: unknown): x is AgentGuardrailsChecks {
    return typeof x === 'object' && x !== null && PACK_SYMBOL in x;
  }

  public readonly name = ACKNOWLEDGEMENT_NAMESPACE;
  /** This package's version: CDK writes it as `pluginVersion` in `validation-report.json`. */
  public readonly version = packageVersion();
  /** Ids of the rules the pack runs. */
  public readonly ruleIds: string[];
  private readonly rules: readonly Rule[];
  private readonly verboseDescriptions: boolean;
  private readonly ownBaseline?: Baseline;
  private readonly scope?: IConstruct;
  private templatePaths = new Map<string, string>();
  private synthesized: { readonly nodes: FindingNodes; readonly inventory: Inventory; readonly stackPaths: string[] } | undefined;

  constructor(scope?: IConstruct, props: AgentGuardrailsChecksProps = {}) {
    super(scope, props);
    this.packName = ACKNOWLEDGEMENT_NAMESPACE;
    this.ownBaseline = props.baseline;
    this.scope = scope;
    this.rules = ALL_RULES;
    this.ruleIds = this.rules.map((r) => r.id);
    this.verboseDescriptions = props.verbose ?? false;
    Object.defineProperty(this, PACK_SYMBOL, { value: true });
    // App- and stage-level acknowledgements reach cdk.out only through this, for the CLI.
    if (scope) Aspects.of(scope).add(new RecordAcknowledgementsAbove());
    // The baseline in force reaches cdk.out, so the CLI applies it without --baseline.
    if (scope) Aspects.of(scope).add(new RecordBaselineOnStacks(this));
  }

  /**
   * The baseline the pack checks against: its own, else its app's (`Baseline.setForApp`, or the
   * context key `agent-guardrails:baseline`), else the package default. Read when the pack runs, so
   * the app's baseline may be set after the pack is registered.
   */
  public get baseline(): Baseline {
    return this.baselineFor(this.scope);
  }

  private baselineFor(scope: IConstruct | undefined): Baseline {
    return scope ? Baseline.resolve(scope, this.ownBaseline, 'AgentGuardrailsChecks.baseline') : this.ownBaseline ?? Baseline.default();
  }

  /**
   * Called by CDK at synth, after the templates are written, for the stacks of the stage the
   * pack is registered on: checks those templates (what will be deployed; cheaper than
   * rendering them again; the tree renders them when nested stacks are present), names them in
   * violations, and validates.
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.templatePaths = new Map(context.stackTemplates?.map((s) => [s.stackConstructPath, s.templatePath]) ?? []);
    const app = (context as IPolicyValidationContext & { appConstruct?: IConstruct }).appConstruct;
    const listed = context.stackTemplates?.map((s) => s.stackConstructPath) ?? [];
    if (app && listed.length > 0) {
      const nodes = new FindingNodes(app, assemblyLogicalIds(context));
      const stacks = listed.map((p) => nodes.stackAt(p));
      if (stacks.every((s) => s !== undefined)) {
        const inventory = inventoryFromSynthesizedTemplates(nodes, context)
          ?? mergeInventories(stacks.map((s) => inventoryFromConstructTree(s!)));
        this.synthesized = { nodes, inventory, stackPaths: listed };
      }
    }
    try {
      return withRunRecord(super.validate(context), listed.length);
    } finally {
      this.synthesized = undefined;
    }
  }

  /**
   * Validate every stack under `scope` (the scope itself included): the engine runs once, over
   * the inventory rendered from the construct tree (or, at synth, of the written templates).
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    const synthesized = this.synthesized?.nodes.scope === scope ? this.synthesized : undefined;
    const acknowledgements = synthesized ? acknowledgementsOf(scope, synthesized.nodes.constructs).filter((a) => concerns(a, synthesized.stackPaths)) : acknowledgementsOf(scope);
    const inventory = synthesized?.inventory ?? inventoryFromConstructTree(scope);
    const baseline = this.baselineFor(scope);
    // Acknowledgements written in templates (cdk-nag's `Metadata.cdk_nag`), less copies of CDK's own: CDK
    // does not know them, so the pack leaves the findings they cover out (the CLI lists them as acknowledged).
    const inTemplates = withoutCopiesOf(inventory.acknowledgements ?? [], acknowledgements);
    const allAcknowledgements = [...inTemplates, ...acknowledgements];
    const ruleFindings = runRules({ ...inventory, acknowledgements: allAcknowledgements }, this.rules, baseline);
    const nodes = synthesized?.nodes ?? new FindingNodes(scope);
    const onNodes = ruleFindings.map((f) => ({ ...f, path: nodes.nodeOf(f).constructPath }));
    const findings = [...ruleFindings, ...acknowledgementDrift(onNodes, allAcknowledgements, baseline)];
    const rules = new Map(this.rules.map((r) => [r.id, r]));
    const violations = new Map<string, PolicyViolation & { violatingResources: PolicyViolatingResource[] }>();
    for (const f of findings) {
      const node = nodes.nodeOf(f);
      if (inTemplates.length > 0 && acknowledgementFor({ ...f, path: node.constructPath }, inTemplates)) continue;
      const templatePath = node.stackPath === undefined ? undefined : this.templatePaths.get(node.stackPath);
      const resource: PolicyViolatingResource = {
        constructPath: node.constructPath,
        locations: ['Properties'],
        ...(node.logicalId && templatePath ? { resourceLogicalId: node.logicalId, templatePath: path.resolve(templatePath) } : {}),
      };
      const ruleName = findingId(f);
      const description = this.describe(f, rules.get(f.ruleId));
      const severity = isAcknowledgeable(f) ? f.severity : 'fatal';
      const groupKey = `${ruleName}\u0000${description}\u0000${severity}`;
      const existing = violations.get(groupKey);
      if (existing) {
        existing.violatingResources.push(resource);
      } else {
        violations.set(groupKey, {
          ruleName, description, fix: f.fix, severity,
          ruleMetadata: { ruleId: f.ruleId, cloud: f.cloud, hard: String(f.hard), ...(f.identity ? { identity: f.identity } : {}) },
          violatingResources: [resource],
        });
      }
    }
    const all = [...violations.values()];
    return {
      success: all.every((v) => v.severity === 'warning'), violations: all,
      metadata: { baseline: baseline.describe(), rules: String(this.rules.length) },
    };
  }

  /** The engine runs once per validation in `validateScope`, not once per resource. */
  protected checkResource(_node: CfnResource): void {
    // Intentionally empty: see validateScope.
  }

  private describe(f: Finding, rule: Rule | undefined): string {
    const text = `${f.message}${rule ? ` (${rule.reason})` : ''}`;
    return this.verboseDescriptions && rule ? `${text} ${rule.explanation}` : text;
  }
}

/** `ruleName` of the record a clean synth leaves in `validation-report.json`. */
export const RUN_RECORD_RULE_NAME = 'checks-ran';

/**
 * A clean report with a record that the pack ran. CDK leaves a plugin's report out of
 * `validation-report.json` when it is successful with no violations (cdk-nag's packs leave no
 * trace either), so a clean synth would be indistinguishable from one without the pack. An
 * `info` entry that names no resource keeps the report (with its metadata: baseline and rule
 * count) in the file, prints nothing (CDK prints violations per resource) and fails nothing.
 */
function withRunRecord(report: PolicyValidationPluginReport, stacks: number): PolicyValidationPluginReport {
  if (report.violations.length > 0) return report;
  const metadata = report.metadata ?? {};
  return {
    ...report,
    violations: [{
      ruleName: RUN_RECORD_RULE_NAME,
      description: `agent-guardrails checked ${stacks} stack${stacks === 1 ? '' : 's'} with ${metadata.rules ?? '?'} rules against baseline ${metadata.baseline ?? '?'}: no findings.`,
      fix: 'Nothing to fix: this entry records that the checks ran.',
      severity: 'info',
      ruleMetadata: { ...metadata, stacks: String(stacks) },
      violatingResources: [],
    }],
  };
}

/** Whether an acknowledgement is on, above or below one of the stacks validated. */
function concerns(a: Acknowledgement, stackPaths: string[]): boolean {
  return stackPaths.some((s) => a.path === '' || a.path === s || s.startsWith(`${a.path}/`) || a.path.startsWith(`${s}/`));
}
