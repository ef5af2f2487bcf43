import * as fs from 'fs';
import * as path from 'path';
import { Annotations, App, Aspects, IAspect, TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { Baseline } from '../../lib/baseline/baseline';
import { EMBEDDED_BASELINE_KEY } from '../../lib/baseline/embedded-baseline';
import { useRoleData } from '../../lib/role-data/role-data';
import { fail } from '../../lib/errors';
import { Acknowledgement, Inventory } from '../../lib/inventory/inventory';
import { AGENT_RULES, AZURE_RULES, GCP_RULES } from '../../lib/rules';
import { ACKNOWLEDGEMENT_NAMESPACE } from '../../lib/rules/agent/acknowledgements';
import { Finding, Rule } from '../../lib/rules/rule';
import { findingId, runRules } from '../../lib/rules/run-rules';
import { inventoryFromTfStack } from './inventory-from-tf-stack';
import { inventoryFromTerraformFile } from '../../lib/adapters/terraform';

/** Options of the CDKTF guardrail validation. */
export interface GuardrailChecksProps {
  /**
   * The baseline: severities, hard rules, forbidden roles.
   * @default - the app's baseline (`Baseline.setForApp`, or the context key `agent-guardrails:baseline`), else the package default
   */
  readonly baseline?: Baseline;
  /**
   * The rules to run.
   * @default - the GCP, Azure and agent rules (GCP_RULES, AZURE_RULES, AGENT_RULES)
   */
  readonly rules?: Rule[];
}

/** An acknowledgement of a finding: the finding id and why it is acceptable. */
export interface TfAcknowledgementProps {
  /**
   * `RuleId` (every finding of the rule below the construct) or `RuleId[detail]` (one finding id),
   * optionally prefixed `AgentGuardrailsChecks::` as on the CDK side.
   */
  readonly id: string;
  /** Why the finding is acceptable here; recorded in the report. */
  readonly reason: string;
}

/** What one run of the checks found for one stack. */
export interface TfCheckReport {
  readonly stack: string;
  /** The baseline in force, as `id version (file)`. */
  readonly baseline: string;
  /** Every finding, acknowledged or not. */
  readonly findings: Finding[];
  /** Errors that fail synth: unacknowledged errors, and errors of hard rules even when acknowledged. */
  readonly errors: Finding[];
  readonly warnings: Finding[];
  /** Findings an acknowledgement suppressed, with its reason. */
  readonly acknowledged: Array<{ readonly finding: Finding; readonly reason: string }>;
}

/** `RuleId`, `RuleId[detail]`, optionally namespaced as the CDK pack's ids are (`AgentGuardrailsChecks::RuleId[detail]`). */
const ACK_ID = new RegExp(`^(${ACKNOWLEDGEMENT_NAMESPACE}::)?[A-Z][A-Z0-9]*-\\d{3}(\\[[^\\]]+\\])?$`);
const CHECKS_SYMBOL = Symbol.for('agent-guardrails.GuardrailChecks');
const acknowledgements = new WeakMap<IConstruct, TfAcknowledgementProps[]>();
const applied = new WeakMap<TerraformStack, GuardrailChecksProps>();

/**
 * The Terraform-side front door: one line makes `cdktf synth`, `app.synth()` and
 * `Testing.synth(stack, true)` fail on error findings of the GCP, Azure and agent rules.
 *
 * ```ts
 * GuardrailChecks.of(stack).apply({ baseline });
 * GuardrailChecks.of(someResource).acknowledge({ id: 'GCP-011[roles/pubsub.publisher]', reason: 'publishes heartbeats only' });
 * ```
 */
export class GuardrailChecks {
  /** The checks of a scope: a stack to check (`apply`), or any construct to acknowledge findings on. */
  public static of(scope: IConstruct): GuardrailChecks {
    return new GuardrailChecks(scope);
  }

  public static isGuardrailChecks(x: unknown): x is GuardrailChecks {
    return typeof x === 'object' && x !== null && CHECKS_SYMBOL in x;
  }

  private constructor(private readonly scope: IConstruct) {
    Object.defineProperty(this, CHECKS_SYMBOL, { value: true });
  }

  /**
   * Check the stack at synth time (a cdktf validation). On an App, every stack of the app is
   * checked (the app's validation, which `app.synth()` and `cdktf synth` run) from the files the
   * synth wrote: the cheaper choice for large apps; `Testing.synth(stack, true)` needs it on the stack.
   */
  public apply(props: GuardrailChecksProps = {}): void {
    if (TerraformStack.isStack(this.scope)) {
      const stack = this.scope;
      if (applied.has(stack)) {
        fail('AG_TF_CHECKS_TWICE', `GuardrailChecks.of(${stack.node.path})`, 'is applied twice', props, 'Call apply() once per stack.');
      }
      applied.set(stack, props);
      Aspects.of(stack).add(new RecordBaseline(stack, props, false));
      const warned = new Set<string>();
      stack.node.addValidation({ validate: () => validateStack(stack, props, warned) });
      return;
    }
    if (App.isApp(this.scope)) {
      // The app's own validation runs after app.synth() wrote every stack: read those files rather
      // than rendering each stack a second time (toTerraform), which costs as much as the synth.
      const app = this.scope;
      // CDKTF runs each stack's aspects, not the app's: the stacks there are now record the baseline.
      for (const s of app.node.findAll().filter(TerraformStack.isStack)) Aspects.of(s).add(new RecordBaseline(s, props, true));
      app.node.addValidation({
        validate: () => app.node.findAll().filter(TerraformStack.isStack).filter((s) => !applied.has(s))
          .flatMap((s) => validateStack(s, props, new Set(), synthesizedFile(app, s))),
      });
      return;
    }
    fail('AG_TF_CHECKS_SCOPE', `GuardrailChecks.of(${this.scope.node.path || '(root)'}).apply()`, 'needs a TerraformStack or the App', this.scope.node.path, 'Call it on the stack (or the app).');
  }

  /**
   * Acknowledge a finding on this construct and everything below it. The reason is required and
   * reported; findings of rules the baseline marks hard still fail synth.
   */
  public acknowledge(props: TfAcknowledgementProps): void {
    if (!ACK_ID.test(props.id)) {
      fail('AG_ACK_ID', 'acknowledge().id', 'must be a finding id `RuleId` or `RuleId[detail]`', props.id, 'Copy the id from the finding, e.g. "GCP-011[roles/pubsub.publisher]".');
    }
    if (typeof props.reason !== 'string' || props.reason.trim().length < 10) {
      fail('AG_ACK_REASON', `acknowledge(${props.id}).reason`, 'must say why the finding is acceptable (10 characters or more)', props.reason, 'Write the reason a reviewer will read.');
    }
    const list = acknowledgements.get(this.scope) ?? [];
    list.push({ id: props.id.replace(`${ACKNOWLEDGEMENT_NAMESPACE}::`, ''), reason: props.reason.trim() });
    acknowledgements.set(this.scope, list);
  }

  /** Run the checks now (without synth) and return the report; the stack need not be applied. */
  public check(props?: GuardrailChecksProps): TfCheckReport {
    if (!TerraformStack.isStack(this.scope)) {
      fail('AG_TF_CHECKS_SCOPE', `GuardrailChecks.of(${this.scope.node.path}).check()`, 'needs a TerraformStack', this.scope.node.path, 'Call it on the stack.');
    }
    return checkStack(this.scope, props ?? applied.get(this.scope) ?? {});
  }
}

/**
 * Records the baseline the checks run with in the stack's `cdk.tf.json` (under `"//"`, which
 * Terraform ignores), so `agent-guardrails check cdktf.out` applies it without `--baseline`. The
 * package default is not recorded: the CLI has it. Once per stack, at synth.
 */
class RecordBaseline implements IAspect {
  private done = false;
  /** @param fromApp recorded by the app's checks, which leave a stack with its own checks to them */
  constructor(private readonly stack: TerraformStack, private readonly props: GuardrailChecksProps, private readonly fromApp: boolean) {}

  public visit(node: IConstruct): void {
    if (node !== this.stack || this.done || (this.fromApp && applied.has(this.stack))) return;
    this.done = true;
    const baseline = Baseline.resolve(this.stack, this.props.baseline, 'GuardrailChecks.apply({ baseline })');
    if (!baseline.isDefault) this.stack.addOverride(`//.${EMBEDDED_BASELINE_KEY}`, baseline.toEmbedded());
  }
}

/** The stack's `cdk.tf.json` that app.synth() just wrote, when it exists. */
function synthesizedFile(app: App, stack: TerraformStack): string | undefined {
  const file = path.join(app.outdir, app.manifest.forStack(stack).synthesizedStackPath);
  return fs.existsSync(file) ? file : undefined;
}

interface ScopedAck extends TfAcknowledgementProps {
  /** Construct path relative to the stack's parent, as cdktf metadata writes it (`stack/resource`); '' for the app. */
  readonly path: string;
  readonly kind: Acknowledgement['scope'];
  /** Terraform address of the resource it was made on, when it is one. */
  readonly resource?: string;
}

/** Acknowledgements on the stack, the constructs below it, and its ancestors (app). */
function acknowledgementsFor(stack: TerraformStack): ScopedAck[] {
  const out: ScopedAck[] = [];
  for (let c: IConstruct | undefined = stack.node.scope; c; c = c.node.scope) {
    for (const a of acknowledgements.get(c) ?? []) out.push({ ...a, path: c.node.path, kind: c.node.scope ? 'construct' : 'app' });
  }
  for (const c of stack.node.findAll()) {
    const resource = TerraformResource.isTerraformResource(c) ? `${c.terraformResourceType}.${c.friendlyUniqueId}` : undefined;
    for (const a of acknowledgements.get(c) ?? []) out.push({ ...a, path: c.node.path, kind: c === stack ? 'stack' : 'construct', resource });
  }
  return out;
}

function covers(ack: ScopedAck, f: Finding): boolean {
  const idMatches = ack.id === findingId(f) || ack.id === f.ruleId;
  if (!idMatches) return false;
  if (ack.kind === 'app' || ack.kind === 'stack') return true;
  const path = f.path ?? '';
  return path === ack.path || path.startsWith(`${ack.path}/`);
}

function checkStack(stack: TerraformStack, props: GuardrailChecksProps, file?: string): TfCheckReport {
  const baseline = Baseline.resolve(stack, props.baseline, 'GuardrailChecks.apply({ baseline })');
  // The baseline's role data (agent-guardrails data pull) must be in force before roles are expanded.
  if (baseline.roleData !== undefined) useRoleData(baseline.roleData);
  const acks = acknowledgementsFor(stack);
  const base = file !== undefined ? inventoryFromTerraformFile(file, stack.node.id) : inventoryFromTfStack(stack);
  // Recorded as the CDK pack records them (namespaced), so AGENT-007 audits both front doors alike.
  const inventory: Inventory = acks.length === 0 ? base : {
    ...base,
    acknowledgements: acks.map((a) => ({
      id: `${ACKNOWLEDGEMENT_NAMESPACE}::${a.id}`, reason: a.reason, path: a.path, scope: a.kind, stack: stack.node.id,
      ...(a.resource !== undefined ? { resource: a.resource } : {}),
    })),
  };
  const rules = props.rules ?? [...GCP_RULES, ...AZURE_RULES, ...AGENT_RULES];
  const findings = runRules(inventory, rules, baseline);
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const acknowledged: Array<{ finding: Finding; reason: string }> = [];
  for (const f of findings) {
    const ack = acks.find((a) => covers(a, f));
    if (ack && !f.hard) {
      acknowledged.push({ finding: f, reason: ack.reason });
    } else if (f.severity === 'error') {
      errors.push(f);
    } else {
      warnings.push(f);
    }
  }
  return { stack: stack.node.id, baseline: baseline.describe(), findings, errors, warnings, acknowledged };
}

function validateStack(stack: TerraformStack, props: GuardrailChecksProps, warned: Set<string>, file?: string): string[] {
  const report = checkStack(stack, props, file);
  const byPath = report.warnings.length > 0 ? new Map(stack.node.findAll().map((c) => [c.node.path, c])) : new Map<string, IConstruct>();
  for (const w of report.warnings) {
    const text = `${findingId(w)} ${w.resource}: ${w.message} Fix: ${w.fix}`;
    if (warned.has(text)) continue;
    warned.add(text);
    Annotations.of((w.path !== undefined ? byPath.get(w.path) : undefined) ?? stack).addWarning(text);
  }
  const acked = new Set(report.acknowledged.map((a) => a.finding));
  return report.errors.map((f) => {
    const hardAck = !acked.has(f) && f.hard && acknowledgementsFor(stack).some((a) => covers(a, f));
    return `${findingId(f)} ${f.resource}: ${f.message} Fix: ${f.fix}${hardAck ? ` (acknowledged, but ${f.ruleId} is a hard rule of baseline ${Baseline.resolve(stack, props.baseline, 'GuardrailChecks.apply({ baseline })').id} and cannot be acknowledged)` : ''}`;
  });
}
