import { inventoryFromTerraformJson } from '../../../lib/adapters/terraform';
import { CrossAccountAccess, Environment } from '../../../lib/model';
import { crossAccountOptIns } from '../../../lib/report/check-report';
import { CROSS_ACCOUNT_METADATA_KEY } from '../../../lib/model/tags';
import { PROJECT, baseProps, synthGcp } from './gcp-fixtures';

const SOC = 'acme-soc';
const REASON = 'central SOC project runs incident response';
const socMember = (name: string) => `serviceAccount:${name}@${SOC}.iam.gserviceaccount.com`;
const withSoc = Environment.of({ name: 'prod', gcp: { project: PROJECT }, crossAccount: CrossAccountAccess.allow({ projects: [SOC], reason: REASON }) });

describe('gcp.AgentIdentity: broker and revocation members of another project are refused', () => {
  test('a revocation service account of another project names the field, the rule, the value and the opt-in', () => {
    expect(() => synthGcp(baseProps({ revocationMembers: [socMember('incident-response')] }))).toThrow(
      `[AG_PRINCIPAL_OTHER_PROJECT] gcp.AgentIdentity(deploy-operator).revocationMembers must name service accounts of environment prod's project ${PROJECT}; `
      + `got "${socMember('incident-response')} (project ${SOC})". Use a service account of ${PROJECT}; for a deliberate cross-project set-up, opt in on the environment: `
      + `Environment.of({ ..., crossAccount: CrossAccountAccess.allow({ projects: ['${SOC}'], reason: '<who they are and why they are trusted>' }) }).`);
  });

  test('a broker of another project is refused too; users, groups and workload identities are not judged by project', () => {
    expect(() => synthGcp(baseProps({ brokerMember: socMember('broker') }))).toThrow(/AG_PRINCIPAL_OTHER_PROJECT.*brokerMember/);
    expect(() => synthGcp(baseProps({ revocationMembers: ['group:oncall@example.com', 'user:alice@example.com'] }))).not.toThrow();
  });

  test('the opt-in accepts exactly the listed project and records it on the bindings it admits', () => {
    const { raw } = synthGcp(baseProps({ environment: withSoc, brokerMember: socMember('broker'), revocationMembers: [socMember('incident-response'), 'group:oncall@example.com'] }));
    const bindings = Object.values(raw.resource.google_service_account_iam_member) as any[];
    const marked = bindings.filter((b) => b['//']?.['agent-guardrails']?.[CROSS_ACCOUNT_METADATA_KEY]);
    expect(new Set(marked.map((b) => b['//']['agent-guardrails']['agent-guardrails:component']))).toEqual(new Set(['broker', 'kill-switch']));
    expect(marked.every((b) => b.member.endsWith(`@${SOC}.iam.gserviceaccount.com`))).toBe(true);
    expect(marked[0]['//']['agent-guardrails'][CROSS_ACCOUNT_METADATA_KEY]).toEqual({ accounts: [SOC], reason: REASON });
    // and the checks' inventory carries it, so every report lists it
    const listed = crossAccountOptIns(inventoryFromTerraformJson(raw));
    expect(listed).toHaveLength(marked.length);
    expect(new Set(listed.map((c) => `${c.component} ${c.accounts.join()} ${c.reason}`))).toEqual(new Set([`broker ${SOC} ${REASON}`, `kill-switch ${SOC} ${REASON}`]));
    // A project the opt-in does not list is still refused
    expect(() => synthGcp(baseProps({ environment: withSoc, brokerMember: 'serviceAccount:broker@acme-other.iam.gserviceaccount.com' }))).toThrow(/AG_PRINCIPAL_OTHER_PROJECT/);
  });
});
