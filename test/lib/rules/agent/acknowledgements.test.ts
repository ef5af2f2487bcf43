import { Baseline } from '../../../../lib/baseline/baseline';
import { Acknowledgement, emptyInventory, Inventory } from '../../../../lib/inventory/inventory';
import {
  AGENT_007_ACKNOWLEDGEMENTS, parseAcknowledgementId, parseAcknowledgementTerms,
} from '../../../../lib/rules/agent/acknowledgements';
import { findingId, runRules } from '../../../../lib/rules/run-rules';

function withAcks(...acknowledgements: Acknowledgement[]): Inventory {
  return { ...emptyInventory(), acknowledgements };
}
function ack(id: string, reason: string, scope: Acknowledgement['scope'] = 'construct', path = 'S/Role'): Acknowledgement {
  return { id, reason, scope, path, stack: 'S', resource: scope === 'construct' ? 'Role1234' : undefined };
}
function ids(inventory: Inventory, baseline = Baseline.default()): string[] {
  return runRules(inventory, [AGENT_007_ACKNOWLEDGEMENTS], baseline).map(findingId);
}
function strict(): Baseline {
  return Baseline.fromObject({ id: 'strict', version: '1.0.0', extends: 'agent-guardrails', acknowledgements: { requireOwner: true, requireExpiry: true, maxDays: 90 } });
}
function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

describe('AGENT-007: acknowledgements carry a reason (and owner/expiry per baseline); no stack-wide IAM acknowledgement', () => {
  test('compliant: a resource-level acknowledgement with a reason', () => {
    expect(ids(withAcks(ack('AgentGuardrailsChecks::AWS-002[s3:GetObject]', 'read-only data lake prefix, reviewed in SEC-12')))).toEqual([]);
  });

  test('compliant: owner and expiry when the baseline requires them', () => {
    expect(ids(withAcks(ack('AgentGuardrailsChecks::AWS-008[s3:GetObject]', `reviewed [owner: data-team] [expires: ${inDays(30)}]`)), strict())).toEqual([]);
  });

  test('compliant: stack-wide acknowledgement of an agent rule (not an IAM rule)', () => {
    expect(ids(withAcks(ack('AgentGuardrailsChecks::AGENT-001', 'declarations land next sprint', 'stack', 'S')))).toEqual([]);
  });

  test('compliant: other plugins\' acknowledgements are not ours to judge', () => {
    expect(ids(withAcks(ack('AwsSolutions::AwsSolutions-IAM5', '', 'stack', 'S'), ack('Annotation::SomeWarning', '')))).toEqual([]);
  });

  test('non-compliant: empty or blank reason', () => {
    expect(ids(withAcks(ack('AgentGuardrailsChecks::AWS-002[s3:GetObject]', '  ')))).toEqual(['AGENT-007[no-reason:AWS-002[s3:GetObject]]']);
  });

  test('non-compliant: stack-wide and app-wide acknowledgements of IAM rules, whatever the cloud', () => {
    const found = ids(withAcks(
      ack('AgentGuardrailsChecks::AWS-002[s3:GetObject]', 'ok', 'stack', 'S'),
      ack('AgentGuardrailsChecks::GCP-002', 'ok', 'app', ''),
      ack('AgentGuardrailsChecks::AZ-005', 'ok', 'stage', 'Prod'),
    ));
    expect(found).toEqual(['AGENT-007[wide-scope:AWS-002[s3:GetObject]]', 'AGENT-007[wide-scope:GCP-002]', 'AGENT-007[wide-scope:AZ-005]']);
  });

  test('non-compliant: a hard rule of the baseline, and AGENT-007 itself, cannot be acknowledged', () => {
    const findings = runRules(withAcks(ack('AgentGuardrailsChecks::AWS-001', 'we need admin'), ack('AgentGuardrailsChecks::AGENT-007[no-reason:AWS-003]', 'meh')),
      [AGENT_007_ACKNOWLEDGEMENTS], Baseline.default());
    expect(findings.map(findingId)).toEqual(['AGENT-007[hard-rule:AWS-001]', 'AGENT-007[hard-rule:AGENT-007[no-reason:AWS-003]]']);
    expect(findings[0]).toMatchObject({ severity: 'error', resource: 'Role1234', path: 'S/Role', stack: 'S' });
  });

  test('non-compliant: owner and expiry missing, malformed, expired or too far under a strict baseline', () => {
    const found = ids(withAcks(
      ack('AgentGuardrailsChecks::AWS-003[a]', 'no terms'),
      ack('AgentGuardrailsChecks::AWS-003[b]', '[owner: x] [expires: 2027-02-31]'),
      ack('AgentGuardrailsChecks::AWS-003[c]', '[owner: x] [expires: 2020-01-01]'),
      ack('AgentGuardrailsChecks::AWS-003[d]', `[owner: x] [expires: ${inDays(400)}]`),
    ), strict());
    expect(found).toEqual([
      'AGENT-007[no-owner:AWS-003[a]]', 'AGENT-007[no-expiry:AWS-003[a]]',
      'AGENT-007[bad-expiry:AWS-003[b]]', 'AGENT-007[expired:AWS-003[c]]', 'AGENT-007[expiry-too-far:AWS-003[d]]',
    ]);
  });

  test('non-compliant (warning): a plain id that names one of our rules acknowledges nothing', () => {
    const findings = runRules(withAcks(ack('Annotation::AWS-002[s3:GetObject]', 'why')), [AGENT_007_ACKNOWLEDGEMENTS], Baseline.default());
    expect(findings.map((f) => [findingId(f), f.severity])).toEqual([['AGENT-007[not-namespaced:AWS-002[s3:GetObject]]', 'warning']]);
  });
});

describe('acknowledgement id and reason format', () => {
  test('ids split like CDK splits them', () => {
    expect(parseAcknowledgementId('AgentGuardrailsChecks::AWS-002[s3:Get*]')).toEqual({ namespace: 'AgentGuardrailsChecks', findingId: 'AWS-002[s3:Get*]', ruleId: 'AWS-002' });
    expect(parseAcknowledgementId('AWS-011')).toEqual({ namespace: 'Annotation', findingId: 'AWS-011', ruleId: 'AWS-011' });
  });
  test('owner and expiry are read from the reason', () => {
    const terms = parseAcknowledgementTerms('legacy bucket [owner: data team] [expires: 2027-01-31]');
    expect(terms.owner).toBe('data team');
    expect(terms.expires?.toISOString()).toBe('2027-01-31T23:59:59.000Z');
  });
});
