import { TrustEntry } from '../../../../lib/inventory/inventory';
import { LINEAGE } from '../../../../lib/rules/agent/lineage';
import { check, ids, InventoryBuilder } from './inventory-builder';

const BROKER = 'arn:aws:iam::111111111111:role/broker';
const LINEAGE_TRUST: Partial<TrustEntry>[] = [
  { actions: ['sts:AssumeRole'], principals: [BROKER], condition: { StringEquals: { 'sts:SourceIdentity': 'triage' } } },
  { actions: ['sts:SetSourceIdentity'], principals: [BROKER], condition: { StringEquals: { 'sts:SourceIdentity': 'triage' } } },
  {
    actions: ['sts:TagSession'], principals: [BROKER],
    condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['agent-guardrails:agent', 'agent-guardrails:tool', 'agent-guardrails:lineage'] } },
  },
];

describe('AGENT-006: lineage (source identity and session tags on AWS; audit sinks on GCP and Azure)', () => {
  test('compliant: AWS trust requires sts:SourceIdentity and limits session tags to agent-guardrails keys', () => {
    const b = new InventoryBuilder();
    b.tool({ name: 'read-logs', trust: LINEAGE_TRUST });
    expect(check(LINEAGE, b.inventory)).toEqual([]);
  });

  test('non-compliant: AssumeRole without a source identity (Null: true and IfExists do not count)', () => {
    const b = new InventoryBuilder();
    b.tool({ name: 'a', trust: [{ actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'], principals: [BROKER] }] });
    b.tool({ name: 'b', trust: [{ actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'], principals: [BROKER], condition: { StringLikeIfExists: { 'sts:SourceIdentity': '*' } } }] });
    b.tool({ name: 'c', trust: [{ actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'], principals: [BROKER], condition: { Null: { 'sts:SourceIdentity': 'true' } } }] });
    b.tool({ name: 'd', trust: [{ actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'], principals: [BROKER], condition: { Null: { 'sts:SourceIdentity': 'false' } } }] });
    const findings = check(LINEAGE, b.inventory);
    expect(findings.map((f) => `${f.resource}:${f.detail}`)).toEqual(['a:no-source-identity', 'b:no-source-identity', 'c:no-source-identity']);
  });

  test('non-compliant: session tags with any key, with keys outside the namespace, or with a wildcard key', () => {
    const b = new InventoryBuilder();
    const base = LINEAGE_TRUST.slice(0, 2);
    b.tool({ name: 'any', trust: [...base, { actions: ['sts:TagSession'], principals: [BROKER] }] });
    b.tool({ name: 'foreign', trust: [...base, { actions: ['sts:TagSession'], principals: [BROKER], condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['agent-guardrails:agent', 'CostCenter'] } } }] });
    b.tool({ name: 'wild', trust: [...base, { actions: ['sts:TagSession'], principals: [BROKER], condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['agent-guardrails:*'] } } }] });
    b.tool({ name: 'anyvalue', trust: [...base, { actions: ['sts:TagSession'], principals: [BROKER], condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['agent-guardrails:agent'] } } }] });
    const findings = check(LINEAGE, b.inventory);
    expect(findings.map((f) => `${f.resource}:${f.detail}`)).toEqual(['any:session-tags', 'foreign:session-tags', 'wild:session-tags', 'anyvalue:session-tags']);
    expect(findings[1].message).toContain('CostCenter');
  });

  test('warning: the broker cannot set a source identity at all', () => {
    const b = new InventoryBuilder();
    b.tool({ name: 'read-logs', trust: [LINEAGE_TRUST[0]] });
    const findings = check(LINEAGE, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-006[no-set-source-identity]']);
    expect(findings[0].severity).toBe('warning');
  });

  test('GCP: an audit config per environment; a missing one is reported', () => {
    const b = new InventoryBuilder();
    b.tool({ cloud: 'gcp', name: 'read-bucket', environment: 'prod', stack: 'prod' });
    b.tool({ cloud: 'gcp', name: 'read-bucket-dev', tool: 'read-bucket', environment: 'dev', stack: 'dev' });
    b.other({ cloud: 'gcp', type: 'google_project_iam_audit_config', properties: { project: 'prod-project', service: 'allServices' }, source: { resource: 'google_project_iam_audit_config.audit', stack: 'prod' } });
    const findings = check(LINEAGE, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-006[no-audit-sink:dev]']);
    expect(findings[0].message).toContain('google_project_iam_audit_config');
  });

  test('Azure: a diagnostic setting labelled with the environment covers it', () => {
    const b = new InventoryBuilder();
    b.tool({ cloud: 'azure', name: 'restart-app', environment: 'prod' });
    expect(ids(check(LINEAGE, b.inventory))).toEqual(['AGENT-006[no-audit-sink:prod]']);
    b.other({ cloud: 'azure', type: 'azurerm_monitor_diagnostic_setting', labels: { environment: 'prod' } });
    expect(check(LINEAGE, b.inventory)).toEqual([]);
  });
});
