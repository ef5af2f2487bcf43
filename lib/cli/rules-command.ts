import { Command, Option } from 'commander';
import { Baseline } from '../baseline/baseline';
import { GuardrailError } from '../errors';
import { compareRuleIds, renderRulesMd, ruleHelpUri } from '../report/rules-markdown';
import { sentence } from '../report/sentence';
import { ALL_RULES } from '../rules';
import { RuleMetadata } from '../rules/rule';
import type { CliIo } from './main';

/**
 * `agent-guardrails rules [--format text|json|md]` lists the rules; `agent-guardrails explain RULE`
 * prints one rule's explanation, fix and prior-art ids. Both read the rules' own metadata, the
 * source RULES.md is generated from.
 */
export function registerRulesCommands(program: Command, io: CliIo): void {
  program.command('rules')
    .description('List the rules (id, cloud, severity, hardness in the baseline, reason).')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'md']).default('text'))
    .option('--baseline <file>', 'baseline whose severities and hard rules to show (default: the package\'s default baseline)')
    .exitOverride()
    .action((flags: { format: 'text' | 'json' | 'md'; baseline?: string }) => {
      const baseline = flags.baseline ? Baseline.fromFile(flags.baseline) : Baseline.default();
      const rules = [...ALL_RULES].sort((a, b) => compareRuleIds(a.id, b.id));
      if (flags.format === 'md') io.stdout.write(renderRulesMd(rules, (id) => baseline.isHard(id)));
      else if (flags.format === 'json') io.stdout.write(`${JSON.stringify(rules.map((r) => ruleJson(r, baseline)), null, 2)}\n`);
      else io.stdout.write(rules.map((r) => `${r.id.padEnd(10)} ${r.cloud.padEnd(5)} ${severity(r, baseline).padEnd(7)} ${baseline.isHard(r.id) ? 'hard ' : '     '} ${r.reason}\n`).join(''));
    });
  program.command('explain')
    .description('Explain one rule: why it matters, how to fix a finding, and the prior-art ids it covers. Exit 2 for an unknown rule.')
    .argument('<rule>', 'a rule id (AWS-002) or a finding id (AWS-002[s3:GetObject])')
    .exitOverride()
    .action((ruleArg: string) => {
      const id = ruleArg.replace(/^AgentGuardrailsChecks::/, '').split('[')[0].toUpperCase();
      const rule = ALL_RULES.find((r) => r.id === id);
      if (!rule) {
        throw new GuardrailError('AG_UNKNOWN_RULE', GuardrailError.format('rule', 'is not one of agent-guardrails\' rules', ruleArg, 'Run agent-guardrails rules to list them.'));
      }
      const baseline = Baseline.default();
      io.stdout.write([
        `${rule.id}: ${sentence(rule.reason)}`,
        `cloud: ${rule.cloud}; severity: ${severity(rule, baseline)}${baseline.isHard(rule.id) ? ' (hard: findings cannot be acknowledged)' : ''}`,
        '',
        sentence(rule.explanation),
        '',
        `Fix: ${sentence(rule.fix)}`,
        `Prior art: ${rule.controls.length > 0 ? rule.controls.join(', ') : '(none)'}`,
        `More: ${ruleHelpUri(rule.id)}`,
        '',
      ].join('\n'));
    });
}

function severity(rule: RuleMetadata, baseline: Baseline): string {
  return baseline.severityOf(rule.id, rule.severity);
}

function ruleJson(r: RuleMetadata, baseline: Baseline): Record<string, unknown> {
  return {
    id: r.id, cloud: r.cloud, severity: severity(r, baseline), hard: baseline.isHard(r.id), reason: r.reason,
    explanation: r.explanation, fix: r.fix, controls: r.controls, helpUri: ruleHelpUri(r.id),
  };
}
