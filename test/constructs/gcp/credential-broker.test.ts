import { App, TerraformStack, Testing } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { AgentIdentity, CredentialBroker } from '../../../constructs/gcp';
import { AgentTier, ChangeWindow, CrossAccountAccess, Environment, Tool } from '../../../lib/model';
import { CROSS_ACCOUNT_METADATA_KEY } from '../../../lib/model/tags';

const PROJECT = 'prod-project';
const RUNTIME = `serviceAccount:agent-runtime@${PROJECT}.iam.gserviceaccount.com`;

function synth(opts: { runtimeMember?: string; revocationMembers?: string[]; environment?: Environment; approvers?: string[] } = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'gcp');
  new GoogleProvider(stack, 'google', { project: PROJECT });
  const broker = new CredentialBroker(stack, 'Broker', { project: PROJECT, region: 'europe-west1', runtimeMember: opts.runtimeMember ?? RUNTIME, revocationMembers: opts.revocationMembers ?? ['group:oncall@example.com'], approvers: opts.approvers });
  const agent = new AgentIdentity(stack, 'Agent', {
    agentName: 'deploy-operator', tier: AgentTier.OPERATOR, environment: opts.environment ?? Environment.of({ name: 'prod', gcp: { project: PROJECT } }),
    brokerMember: broker.member, revocationMembers: ['group:oncall@example.com'],
    tools: [
      Tool.read('read-logs', { gcp: { roles: ['roles/storage.objectViewer'], resource: 'projects/_/buckets/app-logs' } }),
      Tool.write('deploy-service', { window: ChangeWindow.workdays('Europe/Berlin', '09:00', '17:00'), gcp: { roles: ['roles/pubsub.publisher'], resource: `projects/${PROJECT}/topics/events` } }),
    ],
  });
  broker.addAgent(agent);
  return { broker, json: JSON.parse(Testing.synth(stack, true)) as { resource: Record<string, Record<string, Record<string, unknown>>> }, raw: stack.toTerraform() as { resource: Record<string, Record<string, Record<string, unknown>>> } };
}

describe('gcp.CredentialBroker', () => {
  test('a 2nd-gen function under its own service account, invocable by the agent runtime only (nothing public)', () => {
    const { broker, json } = synth();
    const fns = Object.values(json.resource.google_cloudfunctions2_function);
    expect(fns).toHaveLength(1);
    const fn = fns[0] as { service_config: { service_account_email: string; environment_variables: Record<string, string> }; build_config: { entry_point: string } };
    expect(fn.service_config.service_account_email).toBe(broker.email);
    expect(fn.build_config.entry_point).toBe('broker');
    const invokers = Object.values(json.resource.google_cloud_run_v2_service_iam_member ?? {}).filter((m) => m.role === 'roles/run.invoker');
    expect(invokers.map((m) => m.member)).toEqual([RUNTIME]);
    expect(JSON.stringify(json)).not.toMatch(/allUsers|allAuthenticatedUsers/);
  });

  test('the broker mints for exactly the agent\'s tool service accounts, ≤ 900 s, declared scopes', () => {
    const { json } = synth();
    const fn = Object.values(json.resource.google_cloudfunctions2_function)[0] as { service_config: { environment_variables: Record<string, string> } };
    const config = JSON.parse(fn.service_config.environment_variables.BROKER_CONFIG);
    expect(config.sessionSeconds).toBeLessThanOrEqual(900);
    expect(config.tools.map((t: { identity: string }) => t.identity)).toEqual([
      `deploy-operator-read-logs@${PROJECT}.iam.gserviceaccount.com`, `deploy-operator-deploy-service@${PROJECT}.iam.gserviceaccount.com`,
    ]);
    expect(config.tools[0].scopes).toEqual(['https://www.googleapis.com/auth/cloud-platform']);
    expect(config.tools[1].window.timeZone).toBe('Europe/Berlin');
  });

  test('Token Creator for the broker only on the tool service accounts, each with its request.time window condition', () => {
    const { broker, json } = synth();
    const tokenCreators = Object.values(json.resource.google_service_account_iam_member).filter((m) => m.role === 'roles/iam.serviceAccountTokenCreator');
    expect(tokenCreators.map((m) => m.member)).toEqual([broker.member, broker.member]);
    const projectWide = Object.values(json.resource.google_project_iam_member).filter((m) => m.member === broker.member);
    expect(projectWide.map((m) => m.role).sort()).toEqual(['roles/datastore.user', 'roles/datastore.viewer']);
    for (const m of projectWide) expect((m.condition as { expression: string }).expression).toMatch(/^resource\.name == "projects\/prod-project\/databases\/ag-deploy-operator-/);
    const windowed = tokenCreators.find((m) => String(m.service_account_id).includes('deploy-service'))!;
    expect((windowed.condition as { expression: string }).expression).toMatch(/request\.time/);
  });

  test('the kill switch: one document per agent, disengaged; the revocation members may write its database only', () => {
    const { json } = synth();
    const doc = Object.values(json.resource.google_firestore_document)[0] as { collection: string; document_id: string; fields: string };
    expect(doc).toMatchObject({ collection: 'killSwitches', document_id: 'deploy-operator' });
    expect(JSON.parse(doc.fields)).toEqual({ state: { stringValue: 'disengaged' } });
    const revocation = Object.values(json.resource.google_project_iam_member).filter((m) => m.member === 'group:oncall@example.com');
    expect(revocation).toHaveLength(1);
    expect((revocation[0].condition as { expression: string }).expression).toContain('ag-deploy-operator-kill');
  });

  test('a public runtime member is refused', () => {
    const app = new App();
    const stack = new TerraformStack(app, 's');
    expect(() => new CredentialBroker(stack, 'B', { project: PROJECT, region: 'europe-west1', runtimeMember: 'allUsers', revocationMembers: [] })).toThrow(/AG_GCP_PUBLIC_MEMBER/);
  });

  test('a runtime or revocation service account of another project is refused; the environment\'s opt-in admits exactly its projects and marks the bindings', () => {
    const soc = (name: string) => `serviceAccount:${name}@acme-soc.iam.gserviceaccount.com`;
    expect(() => synth({ runtimeMember: soc('runtime') })).toThrow(/\[AG_PRINCIPAL_OTHER_PROJECT\] gcp\.CredentialBroker\.runtimeMember .*project acme-soc.*CrossAccountAccess\.allow/);
    expect(() => synth({ revocationMembers: [soc('incident-response')] })).toThrow(/\[AG_PRINCIPAL_OTHER_PROJECT\] gcp\.CredentialBroker\.revocationMembers/);
    const environment = Environment.of({ name: 'prod', gcp: { project: PROJECT }, crossAccount: CrossAccountAccess.allow({ projects: ['acme-soc'], reason: 'central SOC project runs incident response' }) });
    // Testing.synth drops the "//" metadata; the raw Terraform JSON keeps it, as cdktf.out does.
    const { raw } = synth({ environment, runtimeMember: soc('runtime'), revocationMembers: [soc('incident-response')] });
    const marked = [...Object.values(raw.resource.google_cloud_run_v2_service_iam_member), ...Object.values(raw.resource.google_project_iam_member)]
      .filter((b) => (b['//'] as Record<string, Record<string, unknown>> | undefined)?.['agent-guardrails']?.[CROSS_ACCOUNT_METADATA_KEY]);
    expect(marked.map((b) => b.member).sort()).toEqual([soc('incident-response'), soc('runtime')]);
    expect(() => synth({ environment, runtimeMember: 'serviceAccount:runtime@acme-other.iam.gserviceaccount.com' })).toThrow(/AG_PRINCIPAL_OTHER_PROJECT/);
  });

  describe('approvers: the approve endpoint', () => {
    const ALICE = 'user:alice@example.com';
    const BOB = 'user:bob@example.com';

    test('its own function (entry point `approve`) under its own service account; run.invoker for the approvers only; it may write the approvals database only', () => {
      const { broker, json } = synth({ approvers: [ALICE, BOB] });
      const fns = Object.values(json.resource.google_cloudfunctions2_function) as any[];
      const approveFn = fns.find((f) => f.build_config.entry_point === 'approve');
      const brokerFn = fns.find((f) => f.build_config.entry_point === 'broker');
      expect(approveFn.service_config.service_account_email).not.toBe(broker.email);
      expect(approveFn.build_config.source).toEqual(brokerFn.build_config.source);
      const invokers = Object.values(json.resource.google_cloud_run_v2_service_iam_member) as any[];
      expect(invokers.filter((m) => m.name === approveFn.name).map((m) => [m.role, m.member])).toEqual([['roles/run.invoker', ALICE], ['roles/run.invoker', BOB]]);
      expect(invokers.filter((m) => m.name === brokerFn.name).map((m) => m.member)).toEqual([RUNTIME]);
      const approveMember = `serviceAccount:${approveFn.service_config.service_account_email}`;
      const grants = Object.values(json.resource.google_project_iam_member).filter((m) => m.member === approveMember) as any[];
      expect(grants.map((g) => g.role)).toEqual(['roles/datastore.user']);
      expect(grants[0].condition.expression).toContain('ag-deploy-operator-approvals');
      expect(Object.values(json.resource.google_service_account_iam_member).filter((m) => m.member === approveMember)).toEqual([]);
      const config = JSON.parse(approveFn.service_config.environment_variables.APPROVE_CONFIG);
      expect(config).toMatchObject({ agent: 'deploy-operator', environment: 'prod', approvers: [ALICE, BOB] });
      expect(config.deniedApprovers).toEqual(expect.arrayContaining([RUNTIME, broker.member, approveMember, `serviceAccount:deploy-operator-read-logs@${PROJECT}.iam.gserviceaccount.com`]));
    });

    test('without approvers there is no approve endpoint', () => {
      const { json } = synth();
      expect(Object.values(json.resource.google_cloudfunctions2_function)).toHaveLength(1);
    });

    test.each([
      ['the agent runtime', [RUNTIME], /\[AG_APPROVER_IS_AGENT\] gcp\.CredentialBroker\.approvers\[0\] must be a person.*got "serviceAccount:agent-runtime@/],
      ['a tool service account', [`serviceAccount:deploy-operator-read-logs@${PROJECT}.iam.gserviceaccount.com`], /\[AG_APPROVER_IS_AGENT\] gcp\.CredentialBroker\.approvers\[0\]/],
      ['everyone', ['allUsers'], /\[AG_GCP_PUBLIC_MEMBER\] gcp\.CredentialBroker\.approvers\[0\].*got "allUsers"/],
      ['a wildcard', ['user:*@example.com'], /AG_GCP_PUBLIC_MEMBER/],
      ['a domain', ['domain:example.com'], /AG_GCP_PUBLIC_MEMBER/],
      ['a group', ['group:oncall@example.com'], /\[AG_GCP_APPROVER_MEMBER\].*not a group.*user:<email>/],
      ['an email without its type', ['alice@example.com'], /\[AG_GCP_APPROVER_MEMBER\].*"user:<email>"/],
      ['a duplicate', [ALICE, 'user:Alice@example.com'], /AG_GCP_APPROVER_MEMBER.*once/],
      ['a service account of another project', ['serviceAccount:approvals@acme-other.iam.gserviceaccount.com'], /\[AG_PRINCIPAL_OTHER_PROJECT\] gcp\.CredentialBroker\.approvers/],
    ])('an approver that is %s is refused with field, rule, value and fix', (_name, approvers, error) => {
      expect(() => synth({ approvers })).toThrow(error);
    });

    test('a tool that needs an approval, on a broker without approvers, is a construct-time error naming the field, the rule, the value and the fix', () => {
      const agentWith = (approvers: string[] | undefined, requiresApproval?: boolean) => () => {
        const stack = new TerraformStack(Testing.app(), 'gcp');
        const broker = new CredentialBroker(stack, 'Broker', { project: PROJECT, region: 'europe-west1', runtimeMember: RUNTIME, revocationMembers: ['group:oncall@example.com'], approvers });
        broker.addAgent(new AgentIdentity(stack, 'Agent', {
          agentName: 'deploy-operator', tier: AgentTier.OPERATOR, environment: Environment.of({ name: 'prod', gcp: { project: PROJECT } }),
          brokerMember: broker.member, revocationMembers: ['group:oncall@example.com'],
          tools: [Tool.write('rollback', { gcp: { roles: ['roles/pubsub.publisher'], resource: `projects/${PROJECT}/topics/events` }, requiresApproval })],
        }));
      };
      expect(agentWith(undefined, true)).toThrow(
        /^\[AG_BROKER_NO_APPROVERS\] gcp\.CredentialBroker\.approvers must name at least one approver: agent deploy-operator's tools \["rollback"\] need an approval.*; got undefined\. Pass approvers: \["user:<email>"\]/);
      expect(agentWith([], true)).toThrow(/AG_BROKER_NO_APPROVERS.*got \[\]/);
      expect(agentWith(undefined)).not.toThrow();
      expect(agentWith([ALICE], true)).not.toThrow();
    });
  });
});
