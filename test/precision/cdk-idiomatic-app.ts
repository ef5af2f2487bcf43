import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, RemovalPolicy, SecretValue, Stack, Stage } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as apigwv2int from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as cdkPipelines from 'aws-cdk-lib/pipelines';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as identitypool from 'aws-cdk-lib/aws-cognito-identitypool';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';

/**
 * Idiomatic CDK beyond grant methods: the L2/L3 constructs whose *own* roles a normal app gets
 * (ecs-patterns services, Step Functions tasks, EventBridge targets, RDS enhanced monitoring, VPC
 * flow logs, the default-security-group restriction, CodePipeline actions across accounts and
 * regions, CodeBuild, API Gateway's CloudWatch role, Glue jobs, Cognito, AppSync data sources,
 * CloudTrail, Firehose destinations, AwsCustomResource, BucketDeployment, a Lambda's initialPolicy),
 * each written the way the CDK documentation shows. Everything synthesizes offline.
 * `cdk-idiomatic.test.ts` runs the pack and the CLI on it: no error but the ones listed below.
 */

/**
 * The constructs that emit an over-broad grant by design, and the error each must still raise:
 * `resourcePrefix` is the start of the flagged resource's logical id. The exec-command task role's and the ECS-on-EC2
 * instance role's log appends on "*" are warnings, not errors (RULES.md AWS-003: log appends are judged by who holds them).
 */
export const IDIOMATIC_EXPECTED_ERRORS: readonly { readonly construct: string; readonly rule: string; readonly resourcePrefix: string; readonly why: string }[] = [
  { construct: 'pipelines CodePipeline (CDK Pipelines) self-mutation role', rule: 'AWS-003', resourcePrefix: 'DeliveryUpdatePipelineSelfMutationRoleDefaultPolicy',
    why: 'CDK Pipelines gives the self-mutation project s3:ListBucket on "*": it may list the object keys of every bucket of the account (the realworld review calls the same grant TP, borderline)' },
  { construct: 'aws-eks Cluster with albController (the AWS Load Balancer Controller\'s service-account role)', rule: 'AWS-003', resourcePrefix: 'IdiomPlatformEks3713ABA8AlbControlleralbsaRoleDefaultPolicy',
    why: 'CDK attaches the controller\'s published IAM policy: ec2:AuthorizeSecurityGroupIngress/RevokeSecurityGroupIngress on "*" with no condition (the controller\'s pods may open any security group of the account), and load balancer, target group and security group writes on "*" confined only by the presence of an elbv2.k8s.aws/cluster tag, which admits every value (like StringLike "*")' },
  { construct: 'aws-eks Cluster (its OpenID Connect provider custom resource)', rule: 'AWS-003', resourcePrefix: 'CustomAWSCDKOpenIdConnectProviderCustomResourceProviderRole',
    why: 'as in the grant-methods app: the provider\'s handler may create, delete and change every OIDC provider of the account, which changes who may assume the roles trusting them' },
  { construct: 'aws-codepipeline Pipeline with a cross-region action (support stack)', rule: 'AWS-003', resourcePrefix: 'PipelineRoleDefaultPolicy',
    why: 'CDK names the replication bucket\'s key of the other region as "*": the pipeline role may use (kms:Decrypt, kms:Encrypt, ...) every key of the account whose policy trusts the account (CDK\'s default key policy does); the realworld review calls the same grant of CDK Pipelines TP' },
  { construct: 'aws-codepipeline Pipeline with a cross-region action (support stack)', rule: 'AWS-007', resourcePrefix: 'PipelineRole', why: 'the same kms:Decrypt on "*", as a credential return: it decrypts whatever such a key protects' },
  { construct: 'aws-codepipeline-actions CloudFormationCreateUpdateStackAction in another region', rule: 'AWS-003', resourcePrefix: 'PipelineDeployOtherRegion', why: 'its action and deployment roles get kms:Decrypt on "*" for the same reason' },
  { construct: 'aws-codepipeline-actions CloudFormationCreateUpdateStackAction in another region', rule: 'AWS-007', resourcePrefix: 'PipelineDeployOtherRegion', why: 'the same kms:Decrypt on "*" on those roles, as a credential return' },
  { construct: 'aws-codepipeline-actions EcsDeployAction', rule: 'AWS-005', resourcePrefix: 'PipelineEcsCodePipelineActionRoleDefaultPolicy',
    why: 'iam:PassRole on "*" (to ecs-tasks) with ecs:RegisterTaskDefinition and ecs:UpdateService on "*": the action role may run any role of the account in any service of the account (the realworld review calls it TP)' },
  { construct: 'aws-codepipeline-actions EcsDeployAction', rule: 'AWS-003', resourcePrefix: 'PipelineEcsCodePipelineActionRoleDefaultPolicy', why: 'the same statements: ecs:UpdateService and ecs:RegisterTaskDefinition on "*"' },
  { construct: 'aws-codebuild PipelineProject in a VPC', rule: 'AWS-003', resourcePrefix: 'BuildPolicyDocument',
    why: 'CDK attaches AWS\'s documented CodeBuild VPC statement, ec2:CreateNetworkInterface and ec2:DeleteNetworkInterface on "*": the build\'s own code runs with it and may delete any detached network interface of the account (the ENI-permission statement beside it is confined by ec2:Subnet and passes)' },
  { construct: 'aws-stepfunctions-tasks AthenaStartQueryExecution', rule: 'AWS-003', resourcePrefix: 'AthenaMachineRoleDefaultPolicy',
    why: 'CDK grants s3:GetObject, s3:ListBucket and s3:CreateBucket on "*" whatever the result location: the state machine may read every object of every bucket of the account (its Glue grants on the named database pass)' },
  { construct: 'aws-cognito UserPool with SMS (its SMS role)', rule: 'AWS-003', resourcePrefix: 'UserssmsRole',
    why: 'Cognito\'s SMS role holds sns:Publish on "*" (a phone number has no ARN), which also reaches every topic of the account; only Cognito can assume the role (sts:ExternalId), so the reach is what Cognito does with it. Kept an error: not a CDK framework role, and a Deny on topic ARNs would confine it to SMS' },
];

const CODE = lambda.Code.fromInline('exports.handler = async () => ({})');
/** A Node.js function with inline code (no asset, no bundling). */
export function fn(scope: Construct, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: CODE, ...props });
}

function vpcIn(stack: Stack, props: Partial<ec2.VpcProps> = {}): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1, ...props });
}

/** ecs-patterns services and scheduled tasks, with their task and execution roles. */
function containerPatterns(stack: Stack): void {
  const vpc = vpcIn(stack);
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const repository = new ecr.Repository(stack, 'Repo', { removalPolicy: RemovalPolicy.DESTROY });
  const secret = new secrets.Secret(stack, 'DbPassword');
  const web = new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Web', {
    cluster, desiredCount: 2, publicLoadBalancer: true, enableExecuteCommand: true,
    taskImageOptions: { image: ecs.ContainerImage.fromEcrRepository(repository, 'v1'), containerPort: 8080, secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(secret) }, environment: { STAGE: 'prod' } },
  });
  web.targetGroup.configureHealthCheck({ path: '/health' });
  web.service.autoScaleTaskCount({ maxCapacity: 4 }).scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
  new ecsPatterns.NetworkLoadBalancedFargateService(stack, 'Tcp', { cluster, taskImageOptions: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest') } });
  const queue = new sqs.Queue(stack, 'Jobs');
  new ecsPatterns.QueueProcessingFargateService(stack, 'Worker', { cluster, queue, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/amazonlinux/amazonlinux:2023'), maxScalingCapacity: 3 });
  new ecsPatterns.ScheduledFargateTask(stack, 'Nightly', {
    cluster, schedule: appscaling.Schedule.cron({ hour: '3', minute: '0' }),
    scheduledFargateTaskImageOptions: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/amazonlinux/amazonlinux:2023'), memoryLimitMiB: 512 },
  });
  // Exec command with its logs sent to a named log group (the cluster's configuration): CDK scopes the log grants to it.
  const execLogs = new logs.LogGroup(stack, 'ExecLogs');
  const auditedCluster = new ecs.Cluster(stack, 'AuditedCluster', { vpc, executeCommandConfiguration: { logging: ecs.ExecuteCommandLogging.OVERRIDE, logConfiguration: { cloudWatchLogGroup: execLogs } } });
  new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Audited', { cluster: auditedCluster, enableExecuteCommand: true, taskImageOptions: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest') } });
  new ecsPatterns.ApplicationMultipleTargetGroupsFargateService(stack, 'Multi', {
    cluster, taskImageOptions: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest') },
    targetGroups: [{ containerPort: 80 }, { containerPort: 90, pathPattern: '/api/*', priority: 10 }],
  });
}

/** Step Functions service integrations not in the grant-methods app, and EventBridge targets. */
function workflowsAndEvents(stack: Stack): void {
  const machine = (id: string, task: sfn.IChainable) => new sfn.StateMachine(stack, id, { definitionBody: sfn.DefinitionBody.fromChainable(task), tracingEnabled: true, logs: { destination: new logs.LogGroup(stack, `${id}Logs`), level: sfn.LogLevel.ERROR } });
  const project = new codebuild.Project(stack, 'TaskProject', { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['echo hi'] } } }) });
  machine('GlueMachine', new tasks.GlueStartJobRun(stack, 'GlueRun', { glueJobName: 'etl', integrationPattern: sfn.IntegrationPattern.RUN_JOB }));
  machine('CodeBuildMachine', new tasks.CodeBuildStartBuild(stack, 'Build', { project, integrationPattern: sfn.IntegrationPattern.RUN_JOB }));
  const results = new s3.Bucket(stack, 'AthenaResults');
  machine('AthenaMachine', new tasks.AthenaStartQueryExecution(stack, 'Query', {
    queryString: 'SELECT 1', workGroup: 'primary', integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    resultConfiguration: { outputLocation: { bucketName: results.bucketName, objectKey: 'results' } },
  }));
  const table = new dynamodb.Table(stack, 'Orders', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  machine('DynamoUpdateMachine', new tasks.DynamoUpdateItem(stack, 'Update', { table, key: { pk: tasks.DynamoAttributeValue.fromString('k') }, updateExpression: 'SET v = :v', expressionAttributeValues: { ':v': tasks.DynamoAttributeValue.fromString('x') } }));
  machine('DynamoDeleteMachine', new tasks.DynamoDeleteItem(stack, 'Delete', { table, key: { pk: tasks.DynamoAttributeValue.fromString('k') } }));
  const worker = fn(stack, 'Worker');
  machine('CallbackMachine', new tasks.LambdaInvoke(stack, 'Callback', { lambdaFunction: worker, integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN, payload: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken }) }));
  const distributed = new sfn.DistributedMap(stack, 'Each', { itemReader: new sfn.S3JsonItemReader({ bucket: results, key: 'items.json' }) });
  distributed.itemProcessor(new sfn.Pass(stack, 'Item'));
  machine('DistributedMapMachine', distributed);

  const bus = new events.EventBus(stack, 'AppBus');
  // One rule per target (a rule takes at most 5), so a finding names the target whose grant caused it.
  let rules = 0;
  const rule = { addTarget: (target: events.IRuleTarget) => new events.Rule(stack, `OnOrder${++rules}`, { eventBus: bus, eventPattern: { source: ['app.orders'] } }).addTarget(target) };
  const dlq = new sqs.Queue(stack, 'TargetDlq');
  rule.addTarget(new targets.LambdaFunction(worker, { deadLetterQueue: dlq, retryAttempts: 2 }));
  rule.addTarget(new targets.SqsQueue(new sqs.Queue(stack, 'OrderQueue', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: new kms.Key(stack, 'QueueKey') })));
  rule.addTarget(new targets.SnsTopic(new sns.Topic(stack, 'OrderTopic')));
  rule.addTarget(new targets.SfnStateMachine(new sfn.StateMachine(stack, 'OrderFlow', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'P')) })));
  rule.addTarget(new targets.CodeBuildProject(project));
  rule.addTarget(new targets.KinesisStream(new kinesis.Stream(stack, 'OrderStream')));
  rule.addTarget(new targets.CloudWatchLogGroup(new logs.LogGroup(stack, 'OrderEvents')));
  rule.addTarget(new targets.EventBus(events.EventBus.fromEventBusArn(stack, 'Central', 'arn:aws:events:eu-west-1:444455556666:event-bus/central')));
  rule.addTarget(new targets.FirehoseDeliveryStream(new firehose.DeliveryStream(stack, 'OrderArchive', { destination: new firehose.S3Bucket(new s3.Bucket(stack, 'ArchiveBucket')) })));
  const connection = new events.Connection(stack, 'Conn', { authorization: events.Authorization.apiKey('x-api-key', SecretValue.unsafePlainText('k')) });
  rule.addTarget(new targets.ApiDestination(new events.ApiDestination(stack, 'Webhook', { connection, endpoint: 'https://example.com/hook' })));
  const api = new apigw.RestApi(stack, 'EventsApi', { cloudWatchRole: false });
  api.root.addMethod('POST', new apigw.MockIntegration());
  rule.addTarget(new targets.ApiGateway(api));
  const vpc = vpcIn(stack, { natGateways: 0 });
  const cluster = new ecs.Cluster(stack, 'EventCluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'EventTask');
  taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/amazonlinux/amazonlinux:2023') });
  rule.addTarget(new targets.EcsTask({ cluster, taskDefinition, subnetSelection: { subnetType: ec2.SubnetType.PUBLIC }, assignPublicIp: true }));
  new events.Rule(stack, 'Hourly', { schedule: events.Schedule.rate(Duration.hours(1)) }).addTarget(new targets.AwsApi({ service: 'EC2', action: 'describeInstances' }));
}

/** Network and database constructs that create their own service roles. */
function networkAndData(stack: Stack): void {
  const vpc = vpcIn(stack, { restrictDefaultSecurityGroup: true, flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } } });
  vpc.addFlowLog('ToS3', { destination: ec2.FlowLogDestination.toS3(new s3.Bucket(stack, 'FlowLogs')) });
  new rds.DatabaseInstance(stack, 'Db', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    monitoringInterval: Duration.seconds(60), enablePerformanceInsights: true, cloudwatchLogsExports: ['postgresql'], cloudwatchLogsRetention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new rds.DatabaseCluster(stack, 'Aurora', {
    engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_08_0 }), vpc, writer: rds.ClusterInstance.provisioned('writer'),
    monitoringInterval: Duration.seconds(30), s3ImportBuckets: [new s3.Bucket(stack, 'Imports')], s3ExportBuckets: [new s3.Bucket(stack, 'Exports')], removalPolicy: RemovalPolicy.DESTROY,
  });
  const trailKey = new kms.Key(stack, 'TrailKey');
  new cloudtrail.Trail(stack, 'Trail', { sendToCloudWatchLogs: true, cloudWatchLogsRetention: logs.RetentionDays.ONE_YEAR, encryptionKey: trailKey, isMultiRegionTrail: true });
  const source = new kinesis.Stream(stack, 'Clicks', { encryption: kinesis.StreamEncryption.MANAGED });
  const processor = fn(stack, 'Transform');
  new firehose.DeliveryStream(stack, 'ClickArchive', {
    source: new firehose.KinesisStreamSource(source),
    destination: new firehose.S3Bucket(new s3.Bucket(stack, 'Lake'), {
      dataOutputPrefix: 'clicks/', errorOutputPrefix: 'errors/', compression: firehose.Compression.GZIP, encryptionKey: new kms.Key(stack, 'LakeKey'),
      processors: [new firehose.LambdaFunctionProcessor(processor)], loggingConfig: new firehose.EnableLogging(),
      s3Backup: { mode: firehose.BackupMode.ALL, bucket: new s3.Bucket(stack, 'Backup') },
    }),
  });
  new firehose.DeliveryStream(stack, 'DirectPut', { destination: new firehose.S3Bucket(new s3.Bucket(stack, 'DirectLake')), encryption: firehose.StreamEncryption.customerManagedKey(new kms.Key(stack, 'StreamKey')) });
}

/** Delivery: CodeBuild projects and a pipeline with cross-account and cross-region actions (support stacks). */
function pipelines(stack: Stack): void {
  const artifacts = new s3.Bucket(stack, 'Artifacts', { encryption: s3.BucketEncryption.KMS, encryptionKey: new kms.Key(stack, 'ArtifactsKey'), removalPolicy: RemovalPolicy.DESTROY });
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', { pipelineType: codepipeline.PipelineType.V2, crossAccountKeys: true, crossRegionReplicationBuckets: undefined, artifactBucket: artifacts });
  const source = new codepipeline.Artifact('Source');
  const built = new codepipeline.Artifact('Built');
  const repo = new codecommit.Repository(stack, 'Repo', { repositoryName: 'app' });
  pipeline.addStage({ stageName: 'Source', actions: [
    new cpactions.CodeCommitSourceAction({ actionName: 'CodeCommit', repository: repo, output: source, branch: 'main' }),
    new cpactions.CodeStarConnectionsSourceAction({ actionName: 'GitHub', owner: 'org', repo: 'app', output: new codepipeline.Artifact('Gh'), connectionArn: 'arn:aws:codestar-connections:eu-west-1:111122223333:connection/12345678-1234-1234-1234-123456789012' }),
    new cpactions.GitHubSourceAction({ actionName: 'GitHubToken', owner: 'org', repo: 'lib', output: new codepipeline.Artifact('GhToken'), oauthToken: SecretValue.secretsManager('github-token') }),
  ] });
  const vpc = vpcIn(stack, { natGateways: 0 });
  const project = new codebuild.PipelineProject(stack, 'Build', {
    vpc, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, cache: codebuild.Cache.bucket(new s3.Bucket(stack, 'BuildCache')),
    environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, privileged: true },
    logging: { cloudWatch: { logGroup: new logs.LogGroup(stack, 'BuildLogs') } },
    buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['npm ci', 'npm test'] } }, reports: { unit: { files: ['junit.xml'] } } }),
  });
  pipeline.addStage({ stageName: 'Build', actions: [new cpactions.CodeBuildAction({ actionName: 'Build', project, input: source, outputs: [built] })] });
  const otherAccountRole = iam.Role.fromRoleArn(stack, 'ProdDeployRole', 'arn:aws:iam::444455556666:role/pipeline-deploy', { mutable: false });
  const cfnRole = iam.Role.fromRoleArn(stack, 'ProdCfnRole', 'arn:aws:iam::444455556666:role/cfn-exec', { mutable: false });
  pipeline.addStage({ stageName: 'Deploy', actions: [
    new cpactions.CloudFormationCreateUpdateStackAction({ actionName: 'SameAccount', stackName: 'app', templatePath: built.atPath('app.template.json'), adminPermissions: false, runOrder: 1 }),
    new cpactions.CloudFormationCreateUpdateStackAction({ actionName: 'OtherAccount', stackName: 'app', templatePath: built.atPath('app.template.json'), adminPermissions: false, role: otherAccountRole, deploymentRole: cfnRole, runOrder: 2 }),
    new cpactions.CloudFormationCreateUpdateStackAction({ actionName: 'OtherRegion', stackName: 'app', templatePath: built.atPath('app.template.json'), adminPermissions: false, region: 'us-east-1', runOrder: 2 }),
    new cpactions.S3DeployAction({ actionName: 'Site', bucket: new s3.Bucket(stack, 'Site'), input: built, runOrder: 3 }),
    new cpactions.LambdaInvokeAction({ actionName: 'Smoke', lambda: fn(stack, 'Smoke'), runOrder: 4 }),
    new cpactions.StepFunctionInvokeAction({ actionName: 'Flow', stateMachine: new sfn.StateMachine(stack, 'DeployFlow', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Noop')) }), runOrder: 4 }),
  ] });
  const vpcEcs = new ecs.Cluster(stack, 'Cluster', { vpc });
  const task = new ecs.FargateTaskDefinition(stack, 'Task');
  task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest') });
  const service = new ecs.FargateService(stack, 'Service', { cluster: vpcEcs, taskDefinition: task, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  pipeline.addStage({ stageName: 'Ecs', actions: [new cpactions.EcsDeployAction({ actionName: 'Ecs', service, input: built })] });
  new codebuild.Project(stack, 'Nightly', {
    source: codebuild.Source.gitHub({ owner: 'org', repo: 'app', webhook: false }), environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
    buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['make'] } } }),
  });
}

/** APIs, identity and the CDK helpers users add by hand. */
function apisAndHelpers(stack: Stack, workdir: string): void {
  const api = new apigw.RestApi(stack, 'Api', { cloudWatchRole: true, deployOptions: { loggingLevel: apigw.MethodLoggingLevel.INFO } });
  const table = new dynamodb.Table(stack, 'Items', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const handler = fn(stack, 'Handler', { environment: { TABLE: table.tableName }, initialPolicy: [new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [table.tableArn] })] });
  api.root.addResource('items').addMethod('GET', new apigw.LambdaIntegration(handler));
  const queue = new sqs.Queue(stack, 'Inbox');
  const credentials = new iam.Role(stack, 'ApiToSqs', { assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com') });
  queue.grantSendMessages(credentials);
  api.root.addResource('inbox').addMethod('POST', new apigw.AwsIntegration({ service: 'sqs', path: `${stack.account}/${queue.queueName}`, integrationHttpMethod: 'POST', options: { credentialsRole: credentials } }));

  const pool = new cognito.UserPool(stack, 'Users', {
    selfSignUpEnabled: true, mfa: cognito.Mfa.OPTIONAL, mfaSecondFactor: { sms: true, otp: true },
    lambdaTriggers: { preSignUp: fn(stack, 'PreSignUp'), postConfirmation: fn(stack, 'PostConfirm') },
  });
  const client = pool.addClient('Web');
  new identitypool.IdentityPool(stack, 'Identities', { allowUnauthenticatedIdentities: false, authenticationProviders: { userPools: [new identitypool.UserPoolAuthenticationProvider({ userPool: pool, userPoolClient: client })] } });

  const graphql = new appsync.GraphqlApi(stack, 'Graphql', {
    name: 'items', definition: appsync.Definition.fromSchema(appsync.SchemaFile.fromAsset(path.join(workdir, 'schema.graphql'))),
    logConfig: { fieldLogLevel: appsync.FieldLogLevel.ERROR, retention: logs.RetentionDays.ONE_WEEK }, xrayEnabled: true,
  });
  graphql.addDynamoDbDataSource('ItemsSource', table);
  graphql.addLambdaDataSource('HandlerSource', handler);
  graphql.addEventBridgeDataSource('BusSource', new events.EventBus(stack, 'GraphqlBus'));
  graphql.addHttpDataSource('Sfn', 'https://states.eu-west-1.amazonaws.com', { authorizationConfig: { signingRegion: 'eu-west-1', signingServiceName: 'states' } })
    .grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [new sfn.StateMachine(stack, 'GraphqlFlow', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'G')) }).stateMachineArn] }));

  const scriptBucket = new s3.Bucket(stack, 'Scripts');
  const jobRole = new iam.Role(stack, 'GlueJobRole', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  new glue.PySparkEtlJob(stack, 'Etl', { role: jobRole, script: glue.Code.fromBucket(scriptBucket, 'etl.py'), continuousLogging: { enabled: true } });
  new glue.PythonShellJob(stack, 'Shell', { role: jobRole, script: glue.Code.fromBucket(scriptBucket, 'shell.py') });

  const site = new s3.Bucket(stack, 'Web', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY, enforceSSL: true });
  new s3deploy.BucketDeployment(stack, 'Publish', { sources: [s3deploy.Source.data('index.html', '<html></html>')], destinationBucket: site, destinationKeyPrefix: 'app/', prune: true, retainOnDelete: false });
  const parameter = new ssm.StringParameter(stack, 'Config', { stringValue: 'v' });
  new cr.AwsCustomResource(stack, 'PutParameter', {
    onCreate: { service: 'SSM', action: 'putParameter', parameters: { Name: parameter.parameterName, Value: 'w', Overwrite: true }, physicalResourceId: cr.PhysicalResourceId.of('put') },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [parameter.parameterArn] }),
  });
  new cr.AwsCustomResource(stack, 'LatestAmi', {
    onUpdate: { service: 'EC2', action: 'describeImages', parameters: { Owners: ['amazon'] }, physicalResourceId: cr.PhysicalResourceId.of('ami') },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
  });
  new cr.AwsCustomResource(stack, 'Statements', {
    onCreate: { service: 'S3', action: 'putBucketTagging', parameters: { Bucket: site.bucketName, Tagging: { TagSet: [{ Key: 'app', Value: 'web' }] } }, physicalResourceId: cr.PhysicalResourceId.of('tags') },
    policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['s3:PutBucketTagging'], resources: [site.bucketArn] })]),
  });
}

/** Serverless wiring: event sources, destinations, subscriptions, schedules, HTTP API service integrations, canaries, ECS on EC2. */
function serverless(stack: Stack): void {
  const consumer = fn(stack, 'Consumer', { deadLetterQueueEnabled: true, tracing: lambda.Tracing.ACTIVE, insightsVersion: lambda.LambdaInsightsVersion.VERSION_1_0_333_0 });
  const queue = new sqs.Queue(stack, 'Work', { deadLetterQueue: { queue: new sqs.Queue(stack, 'WorkDlq'), maxReceiveCount: 3 } });
  consumer.addEventSource(new eventSources.SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
  const table = new dynamodb.Table(stack, 'Stream', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES });
  const failures = new sns.Topic(stack, 'Failures');
  consumer.addEventSource(new eventSources.DynamoEventSource(table, { startingPosition: lambda.StartingPosition.LATEST, onFailure: new eventSources.SnsDlq(failures), retryAttempts: 2 }));
  const uploads = new s3.Bucket(stack, 'Uploads');
  consumer.addEventSource(new eventSources.S3EventSource(uploads, { events: [s3.EventType.OBJECT_CREATED], filters: [{ prefix: 'in/' }] }));
  consumer.addEventSource(new eventSources.SnsEventSource(failures));
  fn(stack, 'Async', {
    onSuccess: new destinations.EventBridgeDestination(new events.EventBus(stack, 'Results')), onFailure: new destinations.SqsDestination(new sqs.Queue(stack, 'AsyncFailures')),
  });
  const topic = new sns.Topic(stack, 'Fanout');
  topic.addSubscription(new subscriptions.SqsSubscription(new sqs.Queue(stack, 'FanoutQueue'), { rawMessageDelivery: true }));
  topic.addSubscription(new subscriptions.LambdaSubscription(consumer, { deadLetterQueue: new sqs.Queue(stack, 'SubscriptionDlq') }));
  topic.addSubscription(new subscriptions.EmailSubscription('ops@example.com'));

  const group = new scheduler.ScheduleGroup(stack, 'Group');
  new scheduler.Schedule(stack, 'Every5', { schedule: scheduler.ScheduleExpression.rate(Duration.minutes(5)), target: new schedulerTargets.LambdaInvoke(consumer, {}), scheduleGroup: group });
  new scheduler.Schedule(stack, 'Enqueue', { schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)), target: new schedulerTargets.SqsSendMessage(queue, { input: scheduler.ScheduleTargetInput.fromText('tick') }) });
  new scheduler.Schedule(stack, 'Flow', { schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)), target: new schedulerTargets.StepFunctionsStartExecution(new sfn.StateMachine(stack, 'Scheduled', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'S')) }), {}) });

  const http = new apigwv2.HttpApi(stack, 'Http');
  http.addRoutes({ path: '/enqueue', methods: [apigwv2.HttpMethod.POST], integration: new apigwv2int.HttpSqsIntegration('Enqueue', { queue }) });
  http.addRoutes({ path: '/events', methods: [apigwv2.HttpMethod.POST], integration: new apigwv2int.HttpEventBridgeIntegration('Events', { eventBusRef: new events.EventBus(stack, 'HttpBus').eventBusRef }) });
  new apigw.StepFunctionsRestApi(stack, 'SyncFlow', { stateMachine: new sfn.StateMachine(stack, 'Express', { stateMachineType: sfn.StateMachineType.EXPRESS, definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'E')) }), cloudWatchRole: false });

  new synthetics.Canary(stack, 'Health', {
    schedule: synthetics.Schedule.rate(Duration.minutes(5)), runtime: synthetics.Runtime.SYNTHETICS_NODEJS_PUPPETEER_9_1,
    test: synthetics.Test.custom({ handler: 'index.handler', code: synthetics.Code.fromInline('exports.handler = async () => {};') }),
  });

  const vpc = vpcIn(stack, { natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const cluster = new ecs.Cluster(stack, 'Ec2Cluster', { vpc });
  const asg = new autoscaling.AutoScalingGroup(stack, 'Hosts', { vpc, instanceType: new ec2.InstanceType('t3.small'), machineImage: ecs.EcsOptimizedImage.amazonLinux2023(), minCapacity: 1, maxCapacity: 2 });
  cluster.addAsgCapacityProvider(new ecs.AsgCapacityProvider(stack, 'Capacity', { autoScalingGroup: asg }));
  new ecsPatterns.ApplicationLoadBalancedEc2Service(stack, 'Ec2Web', { cluster, memoryLimitMiB: 256, taskImageOptions: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest') } });
}

/** Delivery and clusters as their guides write them: CDK Pipelines deploying a stage to another account, EKS with the AWS Load Balancer Controller. */
function platform(app: App, stack: Stack): void {
  const pipeline = new cdkPipelines.CodePipeline(stack, 'Delivery', {
    crossAccountKeys: true,
    synth: new cdkPipelines.ShellStep('Synth', {
      input: cdkPipelines.CodePipelineSource.connection('org/app', 'main', { connectionArn: 'arn:aws:codestar-connections:eu-west-1:111122223333:connection/12345678-1234-1234-1234-123456789012' }),
      commands: ['npm ci', 'npx cdk synth'],
    }),
  });
  const prod = new Stage(stack, 'Prod', { env: { account: '444455556666', region: 'eu-west-1' } });
  const service = new Stack(prod, 'Service');
  fn(service, 'Api');
  new s3.Bucket(service, 'Data');
  pipeline.addStage(prod, { pre: [new cdkPipelines.ManualApprovalStep('Approve')], post: [new cdkPipelines.ShellStep('Smoke', { commands: ['curl -f https://example.com/health'] })] });

  const vpc = vpcIn(stack);
  const kubectlLayer = lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', 'arn:aws:lambda:eu-west-1:111122223333:layer:kubectl:1');
  new eks.Cluster(stack, 'Eks', { clusterName: 'platform', version: eks.KubernetesVersion.V1_33, vpc, kubectlLayer, defaultCapacity: 2, albController: { version: eks.AlbControllerVersion.V2_8_2 } });
  void app;
}

/** Builds the idiomatic app into `workdir/cdk.out` (writes the GraphQL schema it reads). */
export function buildIdiomaticApp(workdir: string, context: Record<string, unknown> = {}): App {
  fs.writeFileSync(path.join(workdir, 'schema.graphql'), 'type Item { id: ID! }\ntype Query { items: [Item] }\n');
  const app = new App({ outdir: path.join(workdir, 'cdk.out'), context: { '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup': true, ...context } });
  const env = { account: '111122223333', region: 'eu-west-1' };
  containerPatterns(new Stack(app, 'IdiomContainers', { env }));
  workflowsAndEvents(new Stack(app, 'IdiomWorkflows', { env }));
  networkAndData(new Stack(app, 'IdiomNetwork', { env }));
  pipelines(new Stack(app, 'IdiomPipelines', { env }));
  apisAndHelpers(new Stack(app, 'IdiomApis', { env }), workdir);
  serverless(new Stack(app, 'IdiomServerless', { env }));
  platform(app, new Stack(app, 'IdiomPlatform', { env }));
  return app;
}
