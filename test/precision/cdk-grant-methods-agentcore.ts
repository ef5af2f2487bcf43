import * as fs from 'fs';
import * as path from 'path';
import { Duration, SecretValue, Stack } from 'aws-cdk-lib/core';
import * as agentcore from 'aws-cdk-lib/aws-bedrockagentcore';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * The AgentCore part of the precision app (aws-cdk-lib `aws-bedrockagentcore`, the resources an
 * agent app is built from): runtime and its endpoints, memory with every kind of strategy and a
 * stream delivery, gateway with every target type, schema source and outbound auth, code
 * interpreter, browser, workload identity, API-key and OAuth2 credential providers, policy engine
 * with Cedar policies, custom evaluators and online evaluation. Every grant method on its own
 * grantee (named after it); the internal grants (strategies, schemas, outbound auth) are reached
 * by building the resources as the module's README shows.
 */

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
  policy: ['grantRead'],
  mcpTarget: ['grantRead', 'grantManage', 'grantSync'],
};

/** The `grant(grantee, ...actions)` call of each resource, with a read action of its own service. */
const GRANT_ACTIONS: Record<string, string> = {
  memory: 'bedrock-agentcore:GetMemory', gateway: 'bedrock-agentcore:GetGateway', codeInterpreter: 'bedrock-agentcore:GetCodeInterpreter',
  browser: 'bedrock-agentcore:GetBrowser', workloadIdentity: 'bedrock-agentcore:GetWorkloadIdentity',
  apiKeyProvider: 'bedrock-agentcore:GetApiKeyCredentialProvider', oauth2Provider: 'bedrock-agentcore:GetOauth2CredentialProvider',
  policyEngine: 'bedrock-agentcore:GetPolicyEngine', policy: 'bedrock-agentcore:GetPolicy', mcpTarget: 'bedrock-agentcore:GetGatewayTarget',
  evaluator: 'bedrock-agentcore:GetEvaluator', onlineEvaluation: 'bedrock-agentcore:GetOnlineEvaluationConfig',
};

/** Errors that are true: the grant (or setting) CDK writes is wider than AWS's own guidance. */
export const AGENTCORE_EXPECTED_ERRORS: readonly { readonly method: string; readonly pattern?: true; readonly rule: string; readonly resourcePrefix: string; readonly why: string }[] = [
  { method: 'aws-bedrockagentcore.Runtime (default execution role)', pattern: true, rule: 'AWS-007', resourcePrefix: 'RuntimeExecutionRole', why: 'the runtime\'s default execution role (the agent\'s code runs as it) may get a workload access token for every workload identity of the account (`workload-identity-directory/default/workload-identity/*`), and through one any other agent\'s OAuth tokens and API keys; the AgentCore Developer Guide scopes it to the agent\'s own `<agentName>-*`' },
  { method: 'aws-bedrockagentcore.ApiKeyCredentialProviderBase.grantUse', rule: 'AWS-007', resourcePrefix: 'apiKeyProvidergrantUse', why: 'secretsmanager:GetSecretValue on `secret:bedrock-agentcore-identity!*`, the API keys and OAuth client secrets of every credential provider of the account, where the provider\'s own secret (its ApiKeySecretArn) is known' },
  { method: 'aws-bedrockagentcore.ApiKeyCredentialProviderBase.grantFullAccess', rule: 'AWS-007', resourcePrefix: 'apiKeyProvidergrantFullAccess', why: 'includes grantUse' },
  { method: 'aws-bedrockagentcore.OAuth2CredentialProviderBase.grantUse', rule: 'AWS-007', resourcePrefix: 'oauth2ProvidergrantUse', why: 'the same `bedrock-agentcore-identity!*` secret read, where the provider\'s own client secret is known' },
  { method: 'aws-bedrockagentcore.OAuth2CredentialProviderBase.grantFullAccess', rule: 'AWS-007', resourcePrefix: 'oauth2ProvidergrantFullAccess', why: 'includes grantUse' },
  { method: 'aws-bedrockagentcore.ApiKeyCredentialProviderConfiguration.grantNeededPermissionsToRole', rule: 'AWS-007', resourcePrefix: 'GatewayServiceRole', why: 'a gateway target\'s API-key (and OAuth) outbound auth gives the gateway\'s service role secretsmanager:GetSecretValue on `secret:bedrock-agentcore-identity!*`, every credential provider\'s secret, where the provider\'s own secret is known (its token and API-key actions are scoped to the provider and the gateway\'s own workload identities `gw-*`, and pass)' },
  { method: 'aws-bedrockagentcore.Runtime (default execution role)', pattern: true, rule: 'AWS-011', resourcePrefix: 'RuntimeExecutionRole', why: 'CDK sets MaxSessionDuration 8 h on the runtime role; the default baseline allows 1 h (a baseline choice, not a grant)' },
];

const CODE = lambda.Code.fromInline('exports.handler = async () => ({})');
function fn(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: CODE });
}

const TOOL: agentcore.ToolDefinition = { name: 'hello_world', description: 'Says hello', inputSchema: { type: agentcore.SchemaDefinitionType.OBJECT, properties: { name: { type: agentcore.SchemaDefinitionType.STRING, description: 'Who' } }, required: ['name'] } };
const OPENAPI = JSON.stringify({ openapi: '3.0.3', info: { title: 'Library API', version: '1.0.0' }, servers: [{ url: 'https://api.example.com' }], paths: { '/search': { get: { operationId: 'searchBooks', responses: { 200: { description: 'ok' } } } } } });

/** Schema files for the asset-based schemas, written into the work folder. */
function schemaFiles(workdir: string): { tools: string; api: string } {
  const dir = path.join(workdir, 'agentcore-schemas');
  fs.mkdirSync(dir, { recursive: true });
  const tools = path.join(dir, 'tools.json');
  const api = path.join(dir, 'openapi.json');
  fs.writeFileSync(tools, JSON.stringify([TOOL]));
  fs.writeFileSync(api, OPENAPI);
  return { tools, api };
}

export function agentcoreStack(stack: Stack, workdir: string): void {
  const grantee = (name: string) => new iam.Role(stack, name, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const files = schemaFiles(workdir);
  const schemaBucket = new s3.Bucket(stack, 'SchemaBucket');

  const runtime = new agentcore.Runtime(stack, 'Runtime', { runtimeName: 'agent', agentRuntimeArtifact: agentcore.AgentRuntimeArtifact.fromImageUri('111122223333.dkr.ecr.eu-west-1.amazonaws.com/agent:1') });
  const prod = runtime.addEndpoint('prod');
  new agentcore.RuntimeEndpoint(stack, 'StagingEndpoint', { agentRuntimeId: runtime.agentRuntimeId, endpointName: 'staging' });
  runtime.grant(['bedrock-agentcore:GetAgentRuntime'], [runtime.agentRuntimeArn]);

  const model = bedrock.FoundationModel.fromFoundationModelId(stack, 'Model', bedrock.FoundationModelIdentifier.ANTHROPIC_CLAUDE_3_5_SONNET_20240620_V1_0);
  const memory = new agentcore.Memory(stack, 'Memory', {
    memoryName: 'mem',
    memoryStrategies: [
      agentcore.MemoryStrategy.usingBuiltInSummarization(),
      agentcore.MemoryStrategy.usingBuiltInSemantic(),
      agentcore.MemoryStrategy.usingBuiltInUserPreference(),
      agentcore.MemoryStrategy.usingBuiltInEpisodic(),
      agentcore.MemoryStrategy.usingSemantic({ strategyName: 'CustomSemantic', namespaces: ['support/{actorId}/semantic'], customExtraction: { model, appendToPrompt: 'Extract the customer\'s facts.' }, customConsolidation: { model, appendToPrompt: 'Merge the facts.' } }),
      agentcore.MemoryStrategy.usingSelfManaged({ strategyName: 'SelfManaged', invocationConfiguration: { topic: new sns.Topic(stack, 'MemoryJobs'), s3Location: { bucketName: new s3.Bucket(stack, 'MemoryPayloads').bucketName, objectKey: 'memory/' } } }),
    ],
    streamDeliveryResources: [agentcore.StreamDeliveryResource.kinesis(new kinesis.Stream(stack, 'MemoryEvents'), { contentConfigurations: [{ type: agentcore.StreamDeliveryContentType.MEMORY_RECORDS, level: agentcore.StreamDeliveryContentLevel.METADATA_ONLY }] })],
  });

  const policyEngine = new agentcore.PolicyEngine(stack, 'PolicyEngine', { policyEngineName: 'engine' });
  const gateway = new agentcore.Gateway(stack, 'Gateway', {
    gatewayName: 'gw',
    kmsKey: new kms.Key(stack, 'GatewayKey'),
    policyEngineConfiguration: { policyEngine },
    interceptorConfigurations: [agentcore.LambdaInterceptor.forRequest(fn(stack, 'RequestInterceptor'))],
  });
  const policy = policyEngine.addPolicy('AllowGateway', { statement: agentcore.PolicyStatement.fromCedar(`permit(principal, action, resource == AgentCore::Gateway::"${gateway.gatewayArn}");`), validationMode: agentcore.PolicyValidationMode.IGNORE_ALL_FINDINGS });
  new agentcore.Policy(stack, 'ForbidConfidential', { policyEngine, statement: agentcore.PolicyStatement.fromCedar('forbid(principal, action, resource) when { context.confidential == true };') });

  const apiKeyProvider = new agentcore.ApiKeyCredentialProvider(stack, 'ApiKeyProvider', { apiKey: SecretValue.unsafePlainText('not-a-real-key') });
  const oauth2Provider = agentcore.OAuth2CredentialProvider.usingGithub(stack, 'OAuth2Provider', { clientId: 'client', clientSecret: SecretValue.unsafePlainText('not-a-real-secret') });
  const toolSchema = agentcore.ToolSchema.fromLocalAsset(files.tools);
  toolSchema.bind(stack);
  gateway.addLambdaTarget('InlineTools', { lambdaFunction: fn(stack, 'ToolsInline'), toolSchema: agentcore.ToolSchema.fromInline([TOOL]) });
  gateway.addLambdaTarget('AssetTools', { lambdaFunction: fn(stack, 'ToolsAsset'), toolSchema });
  gateway.addLambdaTarget('S3Tools', { lambdaFunction: fn(stack, 'ToolsS3'), toolSchema: agentcore.ToolSchema.fromS3File(schemaBucket, 'tools.json') });
  gateway.addOpenApiTarget('OpenApi', { apiSchema: agentcore.ApiSchema.fromS3File(schemaBucket, 'openapi.json'), credentialProviderConfigurations: [agentcore.GatewayCredentialProvider.fromApiKeyIdentity(apiKeyProvider, { credentialLocation: agentcore.ApiKeyCredentialLocation.header({ credentialParameterName: 'X-API-Key' }) })] });
  gateway.addOpenApiTarget('OpenApiInline', { apiSchema: agentcore.ApiSchema.fromInline(OPENAPI), credentialProviderConfigurations: [agentcore.GatewayCredentialProvider.fromOauthIdentity(oauth2Provider, { scopes: ['read:user'] })] });
  const smithy = agentcore.ApiSchema.fromLocalAsset(files.api);
  smithy.bind(stack);
  gateway.addSmithyTarget('Smithy', { smithyModel: smithy });
  const mcpTarget = gateway.addMcpServerTarget('Mcp', { endpoint: 'https://mcp.example.com', credentialProviderConfigurations: [agentcore.GatewayCredentialProvider.fromOauthIdentity(oauth2Provider, { scopes: ['mcp/invoke'] })] });
  const api = new apigw.RestApi(stack, 'ToolsApi');
  api.root.addResource('pets').addMethod('GET', new apigw.MockIntegration(), { authorizationType: apigw.AuthorizationType.IAM });
  gateway.addApiGatewayTarget('ApiGateway', { restApi: api, apiGatewayToolConfiguration: { toolFilters: [{ filterPath: '/pets', methods: [agentcore.ApiGatewayHttpMethod.GET] }] }, credentialProviderConfigurations: [agentcore.GatewayCredentialProvider.fromIamRole()] });

  const judge = new agentcore.Evaluator(stack, 'JudgeEvaluator', {
    evaluatorName: 'judge', level: agentcore.EvaluationLevel.TRACE,
    evaluatorConfig: agentcore.EvaluatorConfig.llmAsAJudge({ instructions: 'Rate the response {context}', modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0', ratingScale: agentcore.EvaluatorRatingScale.categorical([{ label: 'Good', definition: 'Accurate.' }, { label: 'Bad', definition: 'Inaccurate.' }]) }),
  });
  const codeEvaluator = new agentcore.Evaluator(stack, 'CodeEvaluator', { evaluatorName: 'code', level: agentcore.EvaluationLevel.TOOL_CALL, evaluatorConfig: agentcore.EvaluatorConfig.codeBased({ lambdaFunction: fn(stack, 'EvaluatorFunction'), timeout: Duration.seconds(30) }) });
  const onlineEvaluation = new agentcore.OnlineEvaluationConfig(stack, 'OnlineEvaluation', {
    onlineEvaluationConfigName: 'online',
    evaluators: [agentcore.EvaluatorSelector.builtin(agentcore.BuiltinEvaluator.HELPFULNESS), agentcore.EvaluatorSelector.custom(judge)],
    dataSource: agentcore.DataSourceConfig.fromAgentRuntimeEndpoint(runtime, prod),
  });
  new agentcore.OnlineEvaluationConfig(stack, 'LogsEvaluation', {
    onlineEvaluationConfigName: 'logs',
    evaluators: [agentcore.EvaluatorSelector.builtin(agentcore.BuiltinEvaluator.CORRECTNESS)],
    dataSource: agentcore.DataSourceConfig.fromCloudWatchLogs({ logGroupNames: ['/aws/bedrock-agentcore/agent'], serviceNames: ['agent.default'] }),
  });

  const resources: Record<string, object> = {
    runtime, memory, gateway, policyEngine, policy, mcpTarget, apiKeyProvider, oauth2Provider,
    codeInterpreter: new agentcore.CodeInterpreterCustom(stack, 'CodeInterpreter', { codeInterpreterCustomName: 'ci' }),
    browser: new agentcore.BrowserCustom(stack, 'Browser', { browserCustomName: 'br' }),
    workloadIdentity: new agentcore.WorkloadIdentity(stack, 'WorkloadIdentity', {}),
    evaluator: codeEvaluator, onlineEvaluation,
  };
  for (const [name, methods] of Object.entries(GRANTS)) {
    for (const method of methods) (resources[name] as Record<string, (g: iam.IGrantable) => unknown>)[method](grantee(`${name}${method}`));
  }
  for (const [name, action] of Object.entries(GRANT_ACTIONS)) (resources[name] as { grant(g: iam.IGrantable, ...a: string[]): unknown }).grant(grantee(`${name}grant`), action);
  policyEngine.grantEvaluateForGateway(grantee('policyEnginegrantEvaluateForGateway'), gateway);
}
