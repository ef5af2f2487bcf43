import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, SecretValue, Stack, Validations } from 'aws-cdk-lib/core';
import * as agentcore from 'aws-cdk-lib/aws-bedrockagentcore';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentGuardrailsChecks } from '../../constructs/aws/agent-guardrails-checks';
import { cliErrors, packErrors } from './error-findings';

/**
 * Precision on Amazon Bedrock AgentCore's L2 constructs (aws-cdk-lib `aws-bedrockagentcore`), the
 * resources an agent app is built from: every grant method of the runtime, memory, gateway, code
 * interpreter, browser, workload identity, API-key and OAuth2 credential providers and policy
 * engine, each on its own grantee, passes the pack and the CLI with no error but the deliberate ones
 * below. (The module's Cedar policies, evaluators and online evaluation are not in this app yet:
 * `cdk-grant-methods-app.ts` EXCLUDED_MODULES.)
 */

/** Errors that are true: the grant (or setting) CDK writes is wider than AWS's own guidance. */
const EXPECTED_ERRORS: readonly { rule: string; resourcePrefix: string; why: string }[] = [
  { rule: 'AWS-007', resourcePrefix: 'RuntimeExecutionRole', why: 'the runtime\'s default execution role (the agent\'s code runs as it) may get a workload access token for every workload identity of the account (`workload-identity-directory/default/workload-identity/*`), and through one any other agent\'s OAuth tokens and API keys; the AgentCore Developer Guide scopes it to the agent\'s own `<agentName>-*`' },
  { rule: 'AWS-007', resourcePrefix: 'apiKeyProvidergrantUse', why: 'ApiKeyCredentialProvider.grantUse: secretsmanager:GetSecretValue on `secret:bedrock-agentcore-identity!*`, the API keys and OAuth client secrets of every credential provider of the account, where the provider\'s own secret (its ApiKeySecretArn) is known' },
  { rule: 'AWS-007', resourcePrefix: 'apiKeyProvidergrantFullAccess', why: 'includes grantUse' },
  { rule: 'AWS-007', resourcePrefix: 'oauth2ProvidergrantUse', why: 'OAuth2CredentialProvider.grantUse: the same `bedrock-agentcore-identity!*` secret read, where the provider\'s own client secret is known' },
  { rule: 'AWS-007', resourcePrefix: 'oauth2ProvidergrantFullAccess', why: 'includes grantUse' },
  { rule: 'AWS-011', resourcePrefix: 'RuntimeExecutionRole', why: 'CDK sets MaxSessionDuration 8 h on the runtime role; the default baseline allows 1 h (a baseline choice, not a grant)' },
];

const GRANTS: Record<string, string[]> = {
  runtime: ['grantInvokeRuntime', 'grantInvokeRuntimeForUser', 'grantInvoke'],
  memory: ['grantWrite', 'grantRead', 'grantReadShortTermMemory', 'grantReadLongTermMemory', 'grantDelete', 'grantDeleteShortTermMemory', 'grantDeleteLongTermMemory', 'grantAdmin', 'grantFullAccess'],
  gateway: ['grantRead', 'grantManage', 'grantInvoke'],
  codeInterpreter: ['grantRead', 'grantUse', 'grantInvoke'],
  browser: ['grantRead', 'grantUse'],
  workloadIdentity: ['grantRead', 'grantAdmin', 'grantUse', 'grantFullAccess'],
  apiKeyProvider: ['grantRead', 'grantAdmin', 'grantUse', 'grantFullAccess'],
  oauth2Provider: ['grantRead', 'grantAdmin', 'grantUse', 'grantFullAccess'],
  policyEngine: ['grantRead', 'grantEvaluate'],
};

function buildApp(outdir: string): App {
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  const stack = new Stack(app, 'GrantsAgentCore', { env: { account: '111122223333', region: 'eu-west-1' } });
  const resources: Record<string, object> = {
    runtime: new agentcore.Runtime(stack, 'Runtime', { runtimeName: 'agent', agentRuntimeArtifact: agentcore.AgentRuntimeArtifact.fromImageUri('111122223333.dkr.ecr.eu-west-1.amazonaws.com/agent:1') }),
    memory: new agentcore.Memory(stack, 'Memory', { memoryName: 'mem' }),
    gateway: new agentcore.Gateway(stack, 'Gateway', { gatewayName: 'gw' }),
    codeInterpreter: new agentcore.CodeInterpreterCustom(stack, 'CodeInterpreter', { codeInterpreterCustomName: 'ci' }),
    browser: new agentcore.BrowserCustom(stack, 'Browser', { browserCustomName: 'br' }),
    workloadIdentity: new agentcore.WorkloadIdentity(stack, 'WorkloadIdentity', {}),
    apiKeyProvider: new agentcore.ApiKeyCredentialProvider(stack, 'ApiKeyProvider', { apiKey: SecretValue.unsafePlainText('not-a-real-key') }),
    oauth2Provider: agentcore.OAuth2CredentialProvider.usingGithub(stack, 'OAuth2Provider', { clientId: 'client', clientSecret: SecretValue.unsafePlainText('not-a-real-secret') }),
    policyEngine: new agentcore.PolicyEngine(stack, 'PolicyEngine', { policyEngineName: 'engine' }),
  };
  for (const [name, methods] of Object.entries(GRANTS)) {
    for (const method of methods) {
      const grantee = new iam.Role(stack, `${name}${method}`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      (resources[name] as Record<string, (g: iam.IGrantable) => unknown>)[method](grantee);
    }
  }
  (resources.policyEngine as agentcore.PolicyEngine).grantEvaluateForGateway(
    new iam.Role(stack, 'policyEnginegrantEvaluateForGateway', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }), resources.gateway as agentcore.Gateway);
  Validations.of(app).addPlugins(new AgentGuardrailsChecks(app));
  app.synth();
  return app;
}

/** Errors no EXPECTED_ERRORS entry explains, and entries no error matched. */
function unexpected(errors: { rule: string; resource: string; text: string }[]): { extra: string[]; missed: string[] } {
  const explains = (e: { rule: string; resource: string }, x: { rule: string; resourcePrefix: string }) => e.rule === x.rule && e.resource.startsWith(x.resourcePrefix);
  return {
    extra: errors.filter((e) => !EXPECTED_ERRORS.some((x) => explains(e, x))).map((e) => e.text),
    missed: EXPECTED_ERRORS.filter((x) => !errors.some((e) => explains(e, x))).map((x) => `${x.resourcePrefix} (${x.rule})`),
  };
}

let dir: string;
let outdir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-agentcore-'));
  outdir = buildApp(path.join(dir, 'cdk.out')).outdir;
}, 120000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('precision: AgentCore L2 grant methods pass clean', () => {
  test('every listed grant method exists (a CDK upgrade that renames one fails here)', () => {
    const protos: Record<string, object> = {
      runtime: agentcore.Runtime.prototype, memory: agentcore.Memory.prototype, gateway: agentcore.Gateway.prototype,
      codeInterpreter: agentcore.CodeInterpreterCustom.prototype, browser: agentcore.BrowserCustom.prototype,
      workloadIdentity: agentcore.WorkloadIdentity.prototype, apiKeyProvider: agentcore.ApiKeyCredentialProvider.prototype,
      oauth2Provider: agentcore.OAuth2CredentialProvider.prototype, policyEngine: agentcore.PolicyEngine.prototype,
    };
    const missing = Object.entries(GRANTS).flatMap(([name, methods]) => methods.filter((m) => typeof (protos[name] as Record<string, unknown>)[m] !== 'function').map((m) => `${name}.${m}`));
    expect(missing).toEqual([]);
  });

  test('the pack reports no error inside cdk synth but the deliberate ones', () => {
    expect(unexpected(packErrors(outdir))).toEqual({ extra: [], missed: [] });
  });

  test('the CLI reports no error on the cloud assembly but the deliberate ones', async () => {
    expect(unexpected(await cliErrors(outdir))).toEqual({ extra: [], missed: [] });
  });
});
