import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Tags } from 'aws-cdk-lib/core';
import { ArnPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { App as TfApp, TerraformStack } from 'cdktf';
import { AgentIdentity } from '../../../constructs/aws';
import { AgentGuardrailsChecks } from '../../../constructs/aws/checks';
import { AgentIdentity as GcpAgentIdentity } from '../../../constructs/gcp';
import { AgentIdentity as AzureAgentIdentity } from '../../../constructs/azure';
import { Baseline } from '../../../lib/baseline/baseline';
import { checkPaths } from '../../../lib/cli/check';
import { AgentTier, Environment, Tool } from '../../../lib/model';
import { Component, TAG_KEYS } from '../../../lib/model/tags';
import { findingId } from '../../../lib/rules/run-rules';
import { isAcknowledgeable } from '../../../lib/report/check-report';

let dir: string;
let baselineFile: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-baseline-once-'));
  baselineFile = path.join(dir, 'guardrails.json');
  fs.writeFileSync(baselineFile, JSON.stringify({
    id: 'acme/agents', version: '1.2.0', extends: 'agent-guardrails/default',
    forbidden: {
      aws: { actions: ['ecs:UpdateService', 'ecr:*'] },
      gcp: { permissions: ['storage.objects.delete'], roles: ['roles/compute.*'] },
      azure: { actions: ['Microsoft.Compute/virtualMachines/delete'] },
    },
  }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const PROD = Environment.of({ name: 'prod', aws: { account: '111111111111', regions: ['eu-west-1'] } });
const principal = (name: string) => new ArnPrincipal(`arn:aws:iam::111111111111:role/${name}`);

/** An agent tool role made by hand (no construct, no boundary) that holds `actions`. */
function handMadeToolRole(stack: Stack, id: string, actions: string[]): Role {
  const role = new Role(stack, id, { assumedBy: principal('broker') });
  role.addToPolicy(new PolicyStatement({ actions, resources: ['*'] }));
  Tags.of(role).add(TAG_KEYS.agent, 'deployer');
  Tags.of(role).add(TAG_KEYS.tool, id.toLowerCase());
  Tags.of(role).add(TAG_KEYS.tier, 'operator');
  Tags.of(role).add(TAG_KEYS.environment, 'prod');
  Tags.of(role).add(TAG_KEYS.component, Component.TOOL_IDENTITY);
  return role;
}

function awsApp(outdir: string, setBaseline: (app: App) => void): App {
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  setBaseline(app);
  const stack = new Stack(app, 'Agents', { env: { account: '111111111111', region: 'eu-west-1' } });
  handMadeToolRole(stack, 'Deploy', ['ecs:*']); // granted wildcard ⊇ forbidden ecs:UpdateService
  handMadeToolRole(stack, 'Pull', ['ecr:BatchGetImage']); // forbidden wildcard ecr:* ⊇ granted
  handMadeToolRole(stack, 'Logs', ['logs:GetLogEvents']); // neither
  return app;
}

const aws015 = (ids: string[]) => ids.filter((id) => id.startsWith('AWS-015')).sort();

describe('one baseline, set once per app, read by the constructs, the pack and the CLI', () => {
  test('Baseline.setForApp: the pack (no props) catches forbidden actions both ways, and names the baseline', () => {
    const app = awsApp(path.join(dir, 'set-for-app'), (a) => Baseline.setForApp(a, Baseline.fromFile(baselineFile)));
    app.synth(); // applies the tags (an aspect)
    const report = new AgentGuardrailsChecks().validateScope(app);
    expect(aws015(report.violations.map((v) => v.ruleName))).toEqual(['AWS-015[ecr:*]', 'AWS-015[ecs:UpdateService]']);
    expect(report.success).toBe(false);
    expect(report.metadata?.baseline).toBe(`acme/agents 1.2.0 (${baselineFile})`);
  });

  test('the context key agent-guardrails:baseline does the same, and a synth\'s CLI check with --baseline agrees', () => {
    const outdir = path.join(dir, 'context');
    const app = awsApp(outdir, (a) => a.node.setContext('agent-guardrails:baseline', baselineFile));
    const pack = new AgentGuardrailsChecks(app);
    expect(pack.baseline.id).toBe('acme/agents');
    app.synth();
    expect(aws015(pack.validateScope(app).violations.map((v) => v.ruleName))).toEqual(['AWS-015[ecr:*]', 'AWS-015[ecs:UpdateService]']);
    const cli = checkPaths([outdir], { baseline: Baseline.fromFile(baselineFile) });
    expect(aws015(cli.findings.map(findingId))).toEqual(['AWS-015[ecr:*]', 'AWS-015[ecs:UpdateService]']);
    // Without --baseline the CLI applies the one the pack recorded in cdk.out (the app's).
    const embedded = checkPaths([outdir]);
    expect(aws015(embedded.findings.map(findingId))).toEqual(['AWS-015[ecr:*]', 'AWS-015[ecs:UpdateService]']);
    expect(embedded.summary.baseline).toMatchObject({ id: 'acme/agents', origin: expect.stringMatching(/^embedded by the app/) });
  });

  test('constructs refuse a tool the app baseline forbids, wildcards included, on every cloud', () => {
    const app = new App();
    Baseline.setForApp(app, Baseline.fromFile(baselineFile));
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const make = (id: string, action: string) => () => new AgentIdentity(stack, id, {
      agentName: `agent-${id.toLowerCase()}`, tier: AgentTier.OPERATOR, environment: PROD, broker: Role.fromRoleArn(stack, `Broker${id}`, 'arn:aws:iam::111111111111:role/broker', { mutable: false }), revocationPrincipals: [principal('ir')],
      tools: [Tool.write('tool', { aws: { actions: [action], resources: ['arn:aws:ecr:eu-west-1:111111111111:repository/app'] } })],
    });
    expect(make('A', 'ecr:PutImage')).toThrow(/AG_TOOL_FORBIDDEN_ACTION.*baseline acme\/agents forbids \(forbidden.aws.actions: ecr:\*\)/);
    expect(make('B', 'ecs:UpdateService')).toThrow(/AG_TOOL_FORBIDDEN_ACTION/);

    const tf = new TfApp({ outdir: path.join(dir, 'tf') });
    Baseline.setForApp(tf, Baseline.fromFile(baselineFile));
    const gcp = new TerraformStack(tf, 'Gcp');
    const gcpProd = Environment.of({ name: 'prod', gcp: { project: 'prod-project' } });
    const gcpAgent = (id: string, tool: Tool) => () => new GcpAgentIdentity(gcp, id, {
      agentName: `agent-${id.toLowerCase()}`, tier: AgentTier.OPERATOR, environment: gcpProd,
      brokerMember: 'serviceAccount:broker@prod-project.iam.gserviceaccount.com', revocationMembers: ['group:ir@example.com'], tools: [tool],
    });
    // roles/storage.objectAdmin holds storage.objects.delete; roles/compute.viewer matches roles/compute.*.
    expect(gcpAgent('G1', Tool.write('write-objects', { gcp: { roles: ['roles/storage.objectAdmin'], resource: 'projects/_/buckets/prod-logs' } }))).toThrow(/AG_GCP_FORBIDDEN_PERMISSION/);
    expect(gcpAgent('G2', Tool.read('read-compute', { gcp: { roles: ['roles/compute.viewer'], resource: 'projects/_/buckets/prod-logs' } }))).toThrow(/AG_GCP_FORBIDDEN_ROLE.*roles\/compute\.\*/);
    const az = new TerraformStack(tf, 'Az');
    const azProd = Environment.of({ name: 'prod', azure: { subscriptionId: '00000000-0000-4000-8000-000000000001', resourceGroup: 'rg', location: 'westeurope' } });
    expect(() => new AzureAgentIdentity(az, 'Z', {
      agentName: 'agent-z', tier: AgentTier.OPERATOR, environment: azProd, runtimeIssuer: 'https://token.actions.githubusercontent.com',
      runtimeSubjectTemplate: 'repo:a/b:environment:{environment}', revocationPrincipalIds: ['00000000-0000-4000-8000-0000000000aa'],
      tools: [Tool.destructive('delete-vm', { azure: { roles: ['Virtual Machine Contributor'], scope: '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg' } })],
    })).toThrow(/AG_AZ_FORBIDDEN_ACTION.*Microsoft.Compute\/virtualMachines\/delete/);
  });

  test('set once: a second, different app baseline or a construct baseline that does not extend it is refused', () => {
    const app = new App();
    const acme = Baseline.fromFile(baselineFile);
    Baseline.setForApp(app, acme);
    Baseline.setForApp(app, acme); // the same one again is fine
    expect(() => Baseline.setForApp(app, Baseline.default())).toThrow(/AG_BASELINE_SET_TWICE/);
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(() => new AgentIdentity(stack, 'A', {
      agentName: 'agent-a', tier: AgentTier.OBSERVER, environment: PROD, broker: Role.fromRoleArn(stack, 'Broker', 'arn:aws:iam::111111111111:role/broker', { mutable: false }), revocationPrincipals: [principal('ir')], baseline: Baseline.default(),
      tools: [Tool.read('logs', { aws: { actions: ['logs:GetLogEvents'], resources: ['arn:aws:logs:eu-west-1:111111111111:log-group:/app:*'] } })],
    })).toThrow(/AG_BASELINE_CONFLICT/);
    // Read once: after a construct read the default, setForApp can no longer swap it silently.
    const other = new App();
    Baseline.of(other);
    expect(() => Baseline.setForApp(other, acme)).toThrow(/AG_BASELINE_SET_TWICE.*already read/);
  });
});

describe("the README's baseline example does what it says", () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('"acme/agents"'))!;
  const baseline = Baseline.fromObject(JSON.parse(block));

  test('"severity": "error" raises AWS-008\'s warnings to errors, and "hard" makes them impossible to acknowledge', () => {
    const readerApp = (set: boolean) => {
      const app = new App();
      if (set) Baseline.setForApp(app, baseline);
      const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
      // Not an agent identity: AWS-008 reports its read of every bucket as a warning by default.
      new Role(stack, 'Reader', { assumedBy: principal('app') }).addToPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
      return app;
    };
    const withDefault = new AgentGuardrailsChecks().validateScope(readerApp(false));
    expect(withDefault.violations.filter((v) => v.ruleName.startsWith('AWS-008')).map((v) => v.severity)).toEqual(['warning']);
    const app = readerApp(true);
    const report = new AgentGuardrailsChecks().validateScope(app);
    const aws008 = report.violations.filter((v) => v.ruleName.startsWith('AWS-008'));
    expect(aws008.map((v) => v.severity)).toEqual(['fatal']); // an error of a hard rule: never suppressed
    expect(report.success).toBe(false);
    expect(isAcknowledgeable({ ruleId: 'AWS-008', severity: 'error', hard: baseline.isHard('AWS-008') })).toBe(false);
  });

  test('"forbidden": ec2:RunInstances is refused at construction', () => {
    const app = new App();
    Baseline.setForApp(app, baseline);
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(() => new AgentIdentity(stack, 'A', {
      agentName: 'launcher', tier: AgentTier.OPERATOR, environment: PROD, broker: Role.fromRoleArn(stack, 'Broker', 'arn:aws:iam::111111111111:role/broker', { mutable: false }), revocationPrincipals: [principal('ir')],
      tools: [Tool.write('launch', { aws: { actions: ['ec2:RunInstances'], resources: ['arn:aws:ec2:eu-west-1:111111111111:instance/*'] } })],
    })).toThrow(/AG_TOOL_FORBIDDEN_ACTION/);
  });
});
