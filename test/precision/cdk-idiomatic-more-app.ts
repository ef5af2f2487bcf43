import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, RemovalPolicy, SecretValue, Size, Stack } from 'aws-cdk-lib/core';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as apigwv2int from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sesActions from 'aws-cdk-lib/aws-ses-actions';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as hooktargets from 'aws-cdk-lib/aws-autoscaling-hooktargets';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as logsDestinations from 'aws-cdk-lib/aws-logs-destinations';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as config from 'aws-cdk-lib/aws-config';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { fn } from './cdk-idiomatic-app';

/**
 * More idiomatic CDK, the constructs that create roles and policies without a grant method call:
 * Step Functions service integrations (Batch, SageMaker, EMR, CallAwsService, Distributed Map with a
 * result writer), CodePipeline actions (change sets, stack sets, ECR/S3 sources, CodeDeploy),
 * EventBridge archives and Batch/ECS targets, ECS services with Service Connect and secrets from
 * Secrets Manager and SSM, LambdaRestApi and service integrations, AppSync RDS data sources, RDS
 * Proxy, Backup plans, Config rules, ALB access logs, GitHub OIDC deploy roles, Kafka event sources,
 * S3 replication, CodeDeploy and Batch compute; and the helpers and service roles an option brings in
 * (table replicas, batch builds, ECS-managed EBS volumes, log subscriptions, OpenSearch logging, SNS
 * delivery logging, AppConfig alarm monitors, EFS for Lambda, Chatbot, cfn-init, lifecycle hooks, EKS v2);
 * edge functions, WebSocket APIs, function URLs, secret rotation, SES receipt rules, Service Catalog
 * products with a launch role, Step Functions HTTP and scheduler tasks. Each written the way the CDK documentation shows;
 * everything synthesizes offline. Every `Careless*` construct is a disguised over-broad variant a
 * careless user writes, listed in MORE_RECALL with the rule that must catch it (other rules may fire on it too).
 * `cdk-idiomatic-more.test.ts` runs the pack and the CLI on it.
 */

/** One error the app must raise: the rule, and the start of the flagged resource's logical id (see ExpectedError). */
export interface MoreExpectedError { readonly construct: string; readonly rule: string; readonly resourcePrefix: string; readonly detail?: string; readonly pending?: boolean; readonly why: string }

/** The idiomatic constructs that emit an over-broad grant by design, and the error each must still raise. */
export const MORE_EXPECTED_ERRORS: readonly MoreExpectedError[] = [
  { construct: 'aws-stepfunctions-tasks SageMakerCreateTransformJob (its transform role)', rule: 'AWS-002', resourcePrefix: 'TransformSagemakerTransformRole',
    why: 'CDK attaches AWS\'s AmazonSageMakerFullAccess to the role it creates for the transform job: sagemaker:* on "*" for a job that reads one S3 prefix' },
  { construct: 'aws-stepfunctions-tasks SageMakerCreateTransformJob (its transform role)', rule: 'AWS-004', resourcePrefix: 'TransformSagemakerTransformRole',
    why: 'the same AmazonSageMakerFullAccess: notebooks, training and processing jobs with iam:PassRole of SageMaker roles, presigned notebook URLs: the model container may act as any SageMaker role of the account' },
  { construct: 'aws-stepfunctions-tasks BatchSubmitJob', rule: 'AWS-003', resourcePrefix: 'BatchMachineRole',
    why: 'CDK grants batch:SubmitJob on every job definition of the account (job-definition/*): the state machine may run any job definition, with its job role, and override its command' },
  { construct: 'aws-stepfunctions-tasks SageMakerCreateTrainingJob with the job name from the input (as its documentation shows)', rule: 'AWS-003', resourcePrefix: 'TrainingMachineRole',
    why: 'with a name chosen at run time CDK grants sagemaker:StopTrainingJob and sagemaker:AddTags on training-job/*: the state machine may stop or retag every training job of the account (a fixed trainingJobName scopes both)' },
  { construct: 'aws-stepfunctions-tasks EmrCreateCluster', rule: 'AWS-003', resourcePrefix: 'EmrMachineRole',
    why: 'the cluster id is known only after RunJobFlow, so CDK grants elasticmapreduce:TerminateJobFlows and AddTags on "*": the state machine may terminate every EMR cluster of the account' },
  { construct: 'aws-stepfunctions-tasks EmrAddStep with the cluster id from the input', rule: 'AWS-003', resourcePrefix: 'EmrStepMachineRole',
    why: 'elasticmapreduce:AddJobFlowSteps on cluster/*: the state machine may run any step (any code, as the cluster\'s instance role) on every EMR cluster of the account' },
  { construct: 'aws-stepfunctions-tasks AthenaGetQueryResults', rule: 'AWS-003', resourcePrefix: 'ResultsMachineRole',
    why: 'as AthenaStartQueryExecution in cdk-idiomatic-app: CDK grants s3:GetObject (and athena:GetQueryResults) on "*": the state machine may read every object of every bucket of the account' },
  { construct: 'aws-codepipeline-actions CloudFormationDeployStackSetAction, self-managed (its administration role)', rule: 'AWS-007', resourcePrefix: 'PipelineStackSetStackSetAdministrationRole',
    why: 'CDK writes AWS\'s documented stack-set administration policy, sts:AssumeRole on arn:aws:iam::*:role/AWSCloudFormationStackSetExecutionRole: the execution role (usually admin) of every account that trusts this one, not the two target accounts the action names' },
  { construct: 'aws-dynamodb Table with replicationRegions (CDK\'s ReplicaProvider, in a nested stack)', rule: 'AWS-002', resourcePrefix: 'ReplicatedSourceTableAttachedManagedPolicy',
    why: 'CDK attaches dynamodb:* on the table and its replicas to the provider\'s onEvent role: replica management needs UpdateTable and DescribeTable, but dynamodb:* also reaches PutResourcePolicy (opening the table to another account) and DeleteTable. TableV2 (native replicas, above) passes' },
  { construct: 'aws-certificatemanager DnsValidatedCertificate (deprecated; its requestor function\'s role)', rule: 'AWS-003', resourcePrefix: 'EdgeCertCertificateRequestorFunctionServiceRole',
    why: 'CDK grants acm:DeleteCertificate and acm:AddTagsToCertificate on "*": the helper may delete every certificate of the account, the ones behind other load balancers and distributions included. Certificate with CertificateValidation.fromDns passes' },
];

/** The disguised over-broad variants, one per construct family, and the rule that must catch each. */
export const MORE_RECALL: readonly MoreExpectedError[] = [
  { construct: 'aws-stepfunctions-tasks CallAwsService with iamResources ["*"]', rule: 'AWS-003', resourcePrefix: 'CarelessCallMachineRole',
    why: 's3:DeleteObject on every object of every bucket of the account, through a task the user meant for one bucket' },
  { construct: 'aws-codepipeline-actions CloudFormationCreateUpdateStackAction with adminPermissions', rule: 'AWS-001', resourcePrefix: 'PipelineCarelessDeployAdminRole',
    why: 'adminPermissions: true gives the CloudFormation deployment role "*" on "*"' },
  { construct: 'aws-codepipeline-actions CloudFormationCreateUpdateStackAction with adminPermissions', rule: 'AWS-004', resourcePrefix: 'PipelineCarelessDeployAdminCodePipelineActionRole',
    why: 'the action role may create or update any template with that admin role passed to CloudFormation' },
  { construct: 'aws-events-targets AwsApi with its derived statement', rule: 'AWS-003', resourcePrefix: 'AWSb4cf1abd4e4f4bc699441af7ccd9ec37ServiceRole', detail: 'ec2:TerminateInstances',
    why: 'the AwsApi target derives ec2:TerminateInstances on "*" from the call: its handler may terminate every instance of the account' },
  { construct: 'aws-ecs task role with addToTaskRolePolicy on "*"', rule: 'AWS-003', resourcePrefix: 'CarelessTaskTaskRoleDefaultPolicy',
    why: 'dynamodb:* on "*": the service may read, change and delete every table of the account' },
  { construct: 'aws-apigateway AwsIntegration with a broad credentialsRole', rule: 'AWS-003', resourcePrefix: 'CarelessApiRoleDefaultPolicy',
    why: 'the integration role may send to, purge and delete every queue of the account (sqs:* on "*")' },
  { construct: 'aws-lambda event-source consumer with a hand-written ssm:GetParameter* on "*"', rule: 'AWS-007', resourcePrefix: 'CarelessConsumerServiceRole',
    why: 'ssm:GetParameter* on "*" returns every parameter of the account, SecureString secrets included' },
  { construct: 'aws-iam GitHub deploy role trusting the OIDC provider without a sub condition', rule: 'AWS-009', resourcePrefix: 'CarelessGithubDeploy',
    why: 'with aud alone, any workflow of any GitHub repository may assume the role' },
];

function vpcIn(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 0,
    subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

/** Step Functions service integrations not in the other apps. One state machine per task. */
function workflowTasks(stack: Stack): void {
  const machine = (id: string, task: sfn.IChainable) => new sfn.StateMachine(stack, id, { definitionBody: sfn.DefinitionBody.fromChainable(task) });
  const vpc = vpcIn(stack);
  const environment = new batch.FargateComputeEnvironment(stack, 'BatchCompute', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  const jobQueue = new batch.JobQueue(stack, 'JobQueue', { computeEnvironments: [{ computeEnvironment: environment, order: 1 }] });
  const jobDefinition = new batch.EcsJobDefinition(stack, 'JobDef', {
    container: new batch.EcsFargateContainerDefinition(stack, 'JobContainer', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/amazonlinux/amazonlinux:2023'), cpu: 1, memory: Size.gibibytes(2) }),
  });
  machine('BatchMachine', new tasks.BatchSubmitJob(stack, 'Submit', { jobName: 'nightly', jobQueueArn: jobQueue.jobQueueArn, jobDefinitionArn: jobDefinition.jobDefinitionArn }));

  const data = new s3.Bucket(stack, 'TrainingData');
  machine('TrainingMachine', new tasks.SageMakerCreateTrainingJob(stack, 'Train', {
    trainingJobName: sfn.JsonPath.stringAt('$.name'),
    algorithmSpecification: { algorithmName: 'BlazingText', trainingInputMode: tasks.InputMode.FILE },
    inputDataConfig: [{ channelName: 'train', dataSource: { s3DataSource: { s3Location: tasks.S3Location.fromBucket(data, 'train/') } } }],
    outputDataConfig: { s3OutputLocation: tasks.S3Location.fromBucket(data, 'models/') },
    integrationPattern: sfn.IntegrationPattern.RUN_JOB,
  }));
  machine('TransformMachine', new tasks.SageMakerCreateTransformJob(stack, 'Transform', {
    transformJobName: sfn.JsonPath.stringAt('$.name'), modelName: 'model',
    transformInput: { transformDataSource: { s3DataSource: { s3Uri: data.s3UrlForObject('batch/'), s3DataType: tasks.S3DataType.S3_PREFIX } } },
    transformOutput: { s3OutputPath: data.s3UrlForObject('out/') },
  }));
  machine('EndpointMachine', new tasks.SageMakerCreateEndpoint(stack, 'Endpoint', { endpointName: sfn.JsonPath.stringAt('$.endpoint'), endpointConfigName: sfn.JsonPath.stringAt('$.config') }));
  machine('ModelMachine', new tasks.SageMakerCreateModel(stack, 'Model', {
    modelName: sfn.JsonPath.stringAt('$.model'), primaryContainer: new tasks.ContainerDefinition({ image: tasks.DockerImage.fromRegistry('public.ecr.aws/sagemaker/xgboost:latest'), modelS3Location: tasks.S3Location.fromBucket(data, 'models/model.tar.gz') }),
  }));

  machine('EmrMachine', new tasks.EmrCreateCluster(stack, 'Emr', {
    name: 'etl', releaseLabel: 'emr-7.2.0', applications: [{ name: 'Spark' }],
    instances: { instanceCount: 3, masterInstanceType: 'm5.xlarge', slaveInstanceType: 'm5.xlarge' },
    integrationPattern: sfn.IntegrationPattern.RUN_JOB,
  }));
  machine('EmrStepMachine', new tasks.EmrAddStep(stack, 'EmrStep', { clusterId: sfn.JsonPath.stringAt('$.clusterId'), name: 'spark', jar: 'command-runner.jar', args: ['spark-submit', 's3://code/etl.py'] }));

  const table = new dynamodb.Table(stack, 'Orders', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  machine('QueryMachine', new tasks.CallAwsService(stack, 'Query', {
    service: 'dynamodb', action: 'query', iamResources: [table.tableArn, `${table.tableArn}/index/*`],
    parameters: { TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'k' } } },
  }));
  machine('DescribeMachine', new tasks.CallAwsService(stack, 'Describe', { service: 'ec2', action: 'describeInstances', iamResources: ['*'] }));
  const key = new kms.Key(stack, 'QueueKey');
  machine('SendMachine', new tasks.SqsSendMessage(stack, 'Send', { queue: new sqs.Queue(stack, 'Encrypted', { encryptionMasterKey: key }), messageBody: sfn.TaskInput.fromJsonPathAt('$') }));
  machine('DefaultBusMachine', new tasks.EventBridgePutEvents(stack, 'Emit', { entries: [{ detail: sfn.TaskInput.fromJsonPathAt('$'), detailType: 'done', source: 'app' }] }));
  const child = new sfn.StateMachine(stack, 'Child', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'ChildPass')) });
  machine('StartSyncMachine', new tasks.StepFunctionsStartExecution(stack, 'StartSync', { stateMachine: child, integrationPattern: sfn.IntegrationPattern.RUN_JOB, associateWithParent: true }));
  machine('StartAsyncMachine', new tasks.StepFunctionsStartExecution(stack, 'StartAsync', { stateMachine: child }));
  machine('ResultsMachine', new tasks.AthenaGetQueryResults(stack, 'Results', { queryExecutionId: sfn.JsonPath.stringAt('$.id') }));
  machine('CrawlerMachine', new tasks.GlueStartCrawlerRun(stack, 'Crawl', { crawlerName: 'orders' }));
  machine('PutItemMachine', new tasks.DynamoPutItem(stack, 'Put', { table, item: { pk: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.id')) } }));

  const manifest = new s3.Bucket(stack, 'Manifests');
  const each = new sfn.DistributedMap(stack, 'EachRow', {
    itemReader: new sfn.S3CsvItemReader({ bucket: manifest, key: 'rows.csv' }),
    resultWriterV2: new sfn.ResultWriterV2({ bucket: manifest, prefix: 'results/' }),
    maxConcurrency: 10,
  });
  each.itemProcessor(new tasks.LambdaInvoke(stack, 'Row', { lambdaFunction: fn(stack, 'RowHandler') }));
  machine('RowsMachine', each);
  const listing = new sfn.DistributedMap(stack, 'EachObject', { itemReader: new sfn.S3ObjectsItemReader({ bucket: manifest, prefix: 'in/' }) });
  listing.itemProcessor(new sfn.Pass(stack, 'Object'));
  machine('ObjectsMachine', listing);

  // Careless: the user meant one bucket but wrote iamResources ["*"] for a write action.
  machine('CarelessCallMachine', new tasks.CallAwsService(stack, 'CarelessDelete', { service: 's3', action: 'deleteObject', parameters: { Bucket: manifest.bucketName, Key: 'k' }, iamResources: ['*'] }));
}

/** CodePipeline actions not in the other apps, and CodeDeploy deployment groups. */
function delivery(stack: Stack): void {
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', { pipelineType: codepipeline.PipelineType.V2 });
  const image = new codepipeline.Artifact('Image');
  const sources = new codepipeline.Artifact('Sources');
  const built = new codepipeline.Artifact('Built');
  const repository = new ecr.Repository(stack, 'Repo', { removalPolicy: RemovalPolicy.DESTROY });
  const bucket = new s3.Bucket(stack, 'SourceBucket', { versioned: true });
  pipeline.addStage({ stageName: 'Source', actions: [
    new cpactions.EcrSourceAction({ actionName: 'Image', repository, imageTag: 'latest', output: image }),
    new cpactions.S3SourceAction({ actionName: 'Bundle', bucket, bucketKey: 'bundle.zip', output: sources, trigger: cpactions.S3Trigger.EVENTS }),
  ] });
  const approvals = new sns.Topic(stack, 'Approvals');
  pipeline.addStage({ stageName: 'Approve', actions: [new cpactions.ManualApprovalAction({ actionName: 'Approve', notificationTopic: approvals, notifyEmails: ['ops@example.com'] })] });
  pipeline.addStage({ stageName: 'Build', actions: [new cpactions.CommandsAction({ actionName: 'Build', input: sources, output: built, commands: ['make'] })] });
  pipeline.addStage({ stageName: 'ChangeSet', actions: [
    new cpactions.CloudFormationCreateReplaceChangeSetAction({ actionName: 'Prepare', stackName: 'app', changeSetName: 'cs', templatePath: built.atPath('app.json'), adminPermissions: false, runOrder: 1 }),
    new cpactions.CloudFormationExecuteChangeSetAction({ actionName: 'Execute', stackName: 'app', changeSetName: 'cs', runOrder: 2 }),
    new cpactions.CloudFormationDeleteStackAction({ actionName: 'DeleteOld', stackName: 'old-app', adminPermissions: false, runOrder: 3 }),
  ] });
  pipeline.addStage({ stageName: 'StackSet', actions: [
    new cpactions.CloudFormationDeployStackSetAction({
      actionName: 'StackSet', stackSetName: 'baseline', template: cpactions.StackSetTemplate.fromArtifactPath(built.atPath('baseline.json')),
      deploymentModel: cpactions.StackSetDeploymentModel.selfManaged(), stackInstances: cpactions.StackInstances.inAccounts(['444455556666'], ['eu-west-1']), runOrder: 1,
    }),
    new cpactions.CloudFormationDeployStackInstancesAction({ actionName: 'Instances', stackSetName: 'baseline', stackInstances: cpactions.StackInstances.inAccounts(['777788889999'], ['eu-west-1']), runOrder: 2 }),
  ] });
  const application = new codedeploy.LambdaApplication(stack, 'App');
  const live = fn(stack, 'Live');
  new codedeploy.LambdaDeploymentGroup(stack, 'Canary', { application, alias: new lambda.Alias(stack, 'LiveAlias', { aliasName: 'live', version: live.currentVersion }), deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES, preHook: fn(stack, 'PreHook') });
  const servers = new codedeploy.ServerDeploymentGroup(stack, 'Servers', { installAgent: true, ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }) });
  pipeline.addStage({ stageName: 'Servers', actions: [new cpactions.CodeDeployServerDeployAction({ actionName: 'Servers', input: built, deploymentGroup: servers })] });

  // Careless: the AwsApi target left to derive its statement, on "*", for a destructive call (its handler role is one per stack).
  new events.Rule(stack, 'CarelessCleanup', { schedule: events.Schedule.rate(Duration.days(1)) }).addTarget(new targets.AwsApi({
    service: 'EC2', action: 'terminateInstances', parameters: { InstanceIds: ['i-0123456789abcdef0'] },
  }));
  // Careless: the documented one-liner for a deploy action, admin for CloudFormation.
  pipeline.addStage({ stageName: 'CarelessDeploy', actions: [
    new cpactions.CloudFormationCreateUpdateStackAction({ actionName: 'Admin', stackName: 'careless', templatePath: built.atPath('app.json'), adminPermissions: true }),
  ] });
}

/** EventBridge archives and Batch/ECS targets; ECS services with Service Connect, Cloud Map and secrets. */
function eventsAndContainers(stack: Stack): void {
  const bus = new events.EventBus(stack, 'Bus');
  bus.archive('Archive', { eventPattern: { source: ['app'] }, retention: Duration.days(30) });
  const vpc = vpcIn(stack);
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, defaultCloudMapNamespace: { name: 'internal', useForServiceConnect: true } });
  const secret = new secrets.Secret(stack, 'ApiKey');
  const parameter = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'DbUrl', { parameterName: '/app/db-url' });
  const plain = new ssm.StringParameter(stack, 'Flag', { stringValue: 'on' });
  const task = new ecs.FargateTaskDefinition(stack, 'Api', { memoryLimitMiB: 1024, cpu: 512 });
  task.addContainer('api', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest'), portMappings: [{ name: 'http', containerPort: 8080 }],
    secrets: { API_KEY: ecs.Secret.fromSecretsManager(secret, 'key'), DB_URL: ecs.Secret.fromSsmParameter(parameter), FLAG: ecs.Secret.fromSsmParameter(plain) },
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'api' }),
  });
  new ecs.FargateService(stack, 'ApiService', { cluster, taskDefinition: task, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, serviceConnectConfiguration: { services: [{ portMappingName: 'http' }] } });
  const mapped = new ecs.FargateTaskDefinition(stack, 'Mapped');
  mapped.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest'), portMappings: [{ containerPort: 80 }] });
  const namespace = new servicediscovery.PrivateDnsNamespace(stack, 'Ns', { name: 'svc.local', vpc });
  new ecs.FargateService(stack, 'MappedService', { cluster, taskDefinition: mapped, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, cloudMapOptions: { cloudMapNamespace: namespace, name: 'mapped' } });

  const rule = new events.Rule(stack, 'Nightly', { schedule: events.Schedule.cron({ hour: '2', minute: '0' }) });
  rule.addTarget(new targets.EcsTask({ cluster, taskDefinition: task, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, containerOverrides: [{ containerName: 'api', command: ['batch'] }] }));
  const environment = new batch.FargateComputeEnvironment(stack, 'Compute', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  const jobQueue = new batch.JobQueue(stack, 'Queue', { computeEnvironments: [{ computeEnvironment: environment, order: 1 }] });
  const jobDefinition = new batch.EcsJobDefinition(stack, 'Job', { container: new batch.EcsFargateContainerDefinition(stack, 'JobContainer', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/amazonlinux/amazonlinux:2023'), cpu: 1, memory: Size.gibibytes(2) }) });
  new events.Rule(stack, 'OnUpload', { eventPattern: { source: ['aws.s3'] } }).addTarget(new targets.BatchJob(jobQueue.jobQueueArn, jobQueue, jobDefinition.jobDefinitionArn, jobDefinition, { deadLetterQueue: new sqs.Queue(stack, 'JobDlq') }));
  new events.Rule(stack, 'Snapshot', { schedule: events.Schedule.rate(Duration.days(1)) }).addTarget(new targets.AwsApi({
    service: 'RDS', action: 'createDBSnapshot', parameters: { DBInstanceIdentifier: 'app', DBSnapshotIdentifier: 'nightly' },
    policyStatement: new iam.PolicyStatement({ actions: ['rds:CreateDBSnapshot'], resources: [`arn:aws:rds:${stack.region}:${stack.account}:db:app`, `arn:aws:rds:${stack.region}:${stack.account}:snapshot:*`] }),
  }));

  const managed = new batch.ManagedEc2EcsComputeEnvironment(stack, 'Ec2Compute', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, spot: true, instanceTypes: [ec2.InstanceType.of(ec2.InstanceClass.M6I, ec2.InstanceSize.LARGE)], useOptimalInstanceClasses: false });
  new batch.JobQueue(stack, 'Ec2Queue', { computeEnvironments: [{ computeEnvironment: managed, order: 1 }] });

  // Careless: a task role given dynamodb:* on "*" "to get it working".
  const careless = new ecs.FargateTaskDefinition(stack, 'CarelessTask');
  careless.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest') });
  careless.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }));
}

/** APIs, data and account-level service roles. */
function apisDataAndAccount(stack: Stack, workdir: string): void {
  const handler = fn(stack, 'Handler');
  new apigw.LambdaRestApi(stack, 'Proxy', { handler, deployOptions: { stageName: 'prod', tracingEnabled: true } });
  const api = new apigw.RestApi(stack, 'Api', { cloudWatchRole: true, cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY });
  const table = new dynamodb.Table(stack, 'Items', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const integrationRole = new iam.Role(stack, 'ApiDynamoRole', { assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com') });
  table.grantReadData(integrationRole);
  api.root.addResource('items').addMethod('GET', new apigw.AwsIntegration({
    service: 'dynamodb', action: 'Scan', options: { credentialsRole: integrationRole, requestTemplates: { 'application/json': JSON.stringify({ TableName: 'items' }) }, integrationResponses: [{ statusCode: '200' }] },
  }), { methodResponses: [{ statusCode: '200' }], authorizer: new apigw.TokenAuthorizer(stack, 'Authorizer', { handler: fn(stack, 'AuthFn') }) });
  const queue = new sqs.Queue(stack, 'Inbox');
  const carelessRole = new iam.Role(stack, 'CarelessApiRole', { assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com') });
  carelessRole.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:*'], resources: ['*'] }));
  api.root.addResource('inbox').addMethod('POST', new apigw.AwsIntegration({ service: 'sqs', path: `${stack.account}/${queue.queueName}`, integrationHttpMethod: 'POST', options: { credentialsRole: carelessRole } }));

  const vpc = vpcIn(stack);
  const cluster = new rds.DatabaseCluster(stack, 'Aurora', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    writer: rds.ClusterInstance.serverlessV2('writer'), enableDataApi: true, removalPolicy: RemovalPolicy.DESTROY,
  });
  cluster.addProxy('Proxy', { secrets: [cluster.secret!], vpc, iamAuth: true });
  new rds.DatabaseInstance(stack, 'Postgres', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    s3ImportBuckets: [new s3.Bucket(stack, 'PgImports')], s3ExportBuckets: [new s3.Bucket(stack, 'PgExports')], monitoringInterval: Duration.seconds(60), removalPolicy: RemovalPolicy.DESTROY,
  });
  const graphql = new appsync.GraphqlApi(stack, 'Graphql', { name: 'items', definition: appsync.Definition.fromSchema(appsync.SchemaFile.fromAsset(path.join(workdir, 'items.graphql'))) });
  graphql.addRdsDataSourceV2('Aurora', cluster, cluster.secret!, 'app');

  const vault = new backup.BackupVault(stack, 'Vault', { removalPolicy: RemovalPolicy.DESTROY });
  const plan = backup.BackupPlan.daily35DayRetention(stack, 'Plan', vault);
  plan.addSelection('Tables', { resources: [backup.BackupResource.fromDynamoDbTable(table), backup.BackupResource.fromTag('backup', 'daily')], allowRestores: true });

  new config.ManagedRule(stack, 'Versioning', { identifier: config.ManagedRuleIdentifiers.S3_BUCKET_VERSIONING_ENABLED });
  new config.AccessKeysRotated(stack, 'Keys', { maxAge: Duration.days(90) });
  new config.CustomRule(stack, 'Custom', { lambdaFunction: fn(stack, 'RuleFn'), configurationChanges: true, ruleScope: config.RuleScope.fromResources([config.ResourceType.S3_BUCKET]) });
  new config.CloudFormationStackDriftDetectionCheck(stack, 'Drift', { ownStackOnly: true });

  const logsBucket = new s3.Bucket(stack, 'AlbLogs', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true });
  new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true }).logAccessLogs(logsBucket, 'alb');

  const github = new iam.OidcProviderNative(stack, 'GitHub', { url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'], thumbprints: ['6938fd4d98bab03faadb97b34396831e3780aea1'] });
  const deploy = new iam.Role(stack, 'GithubDeploy', {
    assumedBy: new iam.WebIdentityPrincipal(github.oidcProviderArn, {
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
      StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:org/app:ref:refs/heads/main' },
    }),
    maxSessionDuration: Duration.hours(1),
  });
  // As cdk-pipelines-github's GitHubActionRole writes it: the CDK bootstrap roles, by their tag.
  deploy.addToPolicy(new iam.PolicyStatement({
    actions: ['sts:AssumeRole'], resources: ['arn:aws:iam::*:role/cdk-*'],
    conditions: { 'ForAnyValue:StringEquals': { 'iam:ResourceTag/aws-cdk:bootstrap-role': ['deploy', 'lookup', 'file-publishing', 'image-publishing'] } },
  }));
  new iam.Role(stack, 'CarelessGithubDeploy', { assumedBy: new iam.WebIdentityPrincipal(github.oidcProviderArn, { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } }) });

  const consumer = fn(stack, 'Consumer');
  const kafkaSecret = new secrets.Secret(stack, 'KafkaCredentials');
  consumer.addEventSource(new eventSources.ManagedKafkaEventSource({ clusterArn: `arn:aws:kafka:${stack.region}:${stack.account}:cluster/events/abcd1234-ab12-cd34-ef56-abcdef123456-1`, topic: 'orders', startingPosition: lambda.StartingPosition.TRIM_HORIZON, secret: kafkaSecret }));
  consumer.addEventSource(new eventSources.SelfManagedKafkaEventSource({ bootstrapServers: ['b-1.example.com:9092'], topic: 'clicks', secret: kafkaSecret, startingPosition: lambda.StartingPosition.LATEST, authenticationMethod: eventSources.AuthenticationMethod.SASL_SCRAM_512_AUTH }));
  const carelessConsumer = fn(stack, 'CarelessConsumer');
  carelessConsumer.addEventSource(new eventSources.SqsEventSource(queue));
  carelessConsumer.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter*'], resources: ['*'] }));

  const replica = new s3.Bucket(stack, 'Replica', { versioned: true });
  new s3.Bucket(stack, 'Primary', { versioned: true, replicationRules: [{ destination: replica, priority: 1, deleteMarkerReplication: true }] });
  new dynamodb.TableV2(stack, 'Global', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, replicas: [{ region: 'us-east-1' }] });
}

/** CDK helper resources and service roles a construct option brings in. */
function helpersAndStorage(stack: Stack): void {
  new dynamodb.Table(stack, 'Replicated', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, replicationRegions: ['us-east-1'], removalPolicy: RemovalPolicy.DESTROY });
  const project = new codebuild.Project(stack, 'Batched', { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['make'] } } }) });
  project.enableBatchBuilds();

  const vpc = vpcIn(stack);
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const task = new ecs.FargateTaskDefinition(stack, 'Stateful');
  const container = task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest'), portMappings: [{ containerPort: 80 }] });
  const volume = new ecs.ServiceManagedVolume(stack, 'Data', { name: 'data', managedEBSVolume: { size: Size.gibibytes(20) } });
  volume.mountIn(container, { containerPath: '/data', readOnly: false });
  task.addVolume(volume);
  const service = new ecs.FargateService(stack, 'StatefulService', { cluster, taskDefinition: task, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  service.addVolume(volume);

  const appLogs = new logs.LogGroup(stack, 'AppLogs');
  new logs.SubscriptionFilter(stack, 'ToStream', { logGroup: appLogs, destination: new logsDestinations.KinesisDestination(new kinesis.Stream(stack, 'LogStream')), filterPattern: logs.FilterPattern.allEvents() });
  new logs.SubscriptionFilter(stack, 'ToLambda', { logGroup: appLogs, destination: new logsDestinations.LambdaDestination(fn(stack, 'LogShipper')), filterPattern: logs.FilterPattern.literal('ERROR') });

  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  new acm.DnsValidatedCertificate(stack, 'EdgeCert', { domainName: 'www.example.com', hostedZone: zone, region: 'us-east-1' });
  new opensearch.Domain(stack, 'Search', {
    version: opensearch.EngineVersion.OPENSEARCH_2_17, capacity: { dataNodes: 1, dataNodeInstanceType: 't3.small.search', multiAzWithStandbyEnabled: false },
    logging: { slowSearchLogEnabled: true, appLogEnabled: true }, enforceHttps: true, nodeToNodeEncryption: true, encryptionAtRest: { enabled: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new sns.Topic(stack, 'Audited', { loggingConfigs: [{ protocol: sns.LoggingProtocol.SQS, successFeedbackSampleRate: 50 }] });

  const alarm = new cloudwatch.Alarm(stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
  new appconfig.Environment(stack, 'Prod', { application: new appconfig.Application(stack, 'Config'), monitors: [appconfig.Monitor.fromCloudWatchAlarm(alarm)] });

  const fileSystem = new efs.FileSystem(stack, 'Shared', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, removalPolicy: RemovalPolicy.DESTROY });
  const accessPoint = fileSystem.addAccessPoint('Lambda', { path: '/lambda', createAcl: { ownerUid: '1001', ownerGid: '1001', permissions: '750' }, posixUser: { uid: '1001', gid: '1001' } });
  fn(stack, 'WithFiles', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, filesystem: lambda.FileSystem.fromEfsAccessPoint(accessPoint, '/mnt/data') });

  new chatbot.SlackChannelConfiguration(stack, 'Ops', { slackChannelConfigurationName: 'ops', slackWorkspaceId: 'T0123456', slackChannelId: 'C0123456', notificationTopics: [new sns.Topic(stack, 'Alerts')], loggingLevel: chatbot.LoggingLevel.ERROR });

  const key = new kms.Key(stack, 'FlowKey');
  new sfn.StateMachine(stack, 'Encrypted', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'E')), encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(key) });

  const asg = new autoscaling.AutoScalingGroup(stack, 'Workers', {
    vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(), ssmSessionPermissions: true,
    init: ec2.CloudFormationInit.fromElements(ec2.InitPackage.yum('nginx'), ec2.InitService.enable('nginx')), signals: autoscaling.Signals.waitForMinCapacity(),
  });
  asg.addLifecycleHook('Drain', { lifecycleTransition: autoscaling.LifecycleTransition.INSTANCE_TERMINATING, notificationTarget: new hooktargets.QueueHook(new sqs.Queue(stack, 'Draining')) });

  const eks = new eksv2.Cluster(stack, 'Eks', { version: eksv2.KubernetesVersion.V1_33, vpc, vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }], defaultCapacityType: eksv2.DefaultCapacityType.NODEGROUP, defaultCapacity: 2 });
  eks.addNodegroupCapacity('Spot', { capacityType: eksv2.CapacityType.SPOT, instanceTypes: [new ec2.InstanceType('m6i.large')] });
}

/** Edge, web sockets, rotation, mail, the service catalog and the newer Step Functions tasks. */
function edgeAndMore(stack: Stack): void {
  const machine = (id: string, task: sfn.IChainable) => new sfn.StateMachine(stack, id, { definitionBody: sfn.DefinitionBody.fromChainable(task) });
  const connection = new events.Connection(stack, 'PartnerApi', { authorization: events.Authorization.oauth({ authorizationEndpoint: 'https://auth.example.com/token', clientId: 'id', clientSecret: SecretValue.unsafePlainText('s'), httpMethod: events.HttpMethod.POST }) });
  machine('HttpMachine', new tasks.HttpInvoke(stack, 'CallPartner', { apiRoot: 'https://api.example.com', apiEndpoint: sfn.TaskInput.fromText('orders'), method: sfn.TaskInput.fromText('POST'), connection }));
  const schedulerRole = new iam.Role(stack, 'SchedulerRole', { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
  const reminders = new sqs.Queue(stack, 'Reminders');
  reminders.grantSendMessages(schedulerRole);
  machine('ScheduleMachine', new tasks.EventBridgeSchedulerCreateScheduleTask(stack, 'Remind', {
    scheduleName: 'remind', schedule: tasks.Schedule.oneTime(new Date('2030-01-01T00:00:00Z')),
    target: new tasks.EventBridgeSchedulerTarget({ arn: reminders.queueArn, role: schedulerRole }),
  }));

  const site = new s3.Bucket(stack, 'Site', { enforceSSL: true });
  const edge = new cloudfront.experimental.EdgeFunction(stack, 'Headers', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async (e) => e.Records[0].cf.response') });
  new cloudfront.Distribution(stack, 'Cdn', {
    defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(site), edgeLambdas: [{ functionVersion: edge.currentVersion, eventType: cloudfront.LambdaEdgeEventType.VIEWER_RESPONSE }] },
  });

  const ws = new apigwv2.WebSocketApi(stack, 'Chat', { connectRouteOptions: { integration: new apigwv2int.WebSocketLambdaIntegration('Connect', fn(stack, 'OnConnect')) } });
  const sender = fn(stack, 'Sender');
  ws.grantManageConnections(sender);
  new apigwv2.WebSocketStage(stack, 'ChatProd', { webSocketApi: ws, stageName: 'prod', autoDeploy: true });
  fn(stack, 'Public').addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });

  const secret = new secrets.Secret(stack, 'ServicePassword');
  secret.addRotationSchedule('Rotate', { rotationLambda: fn(stack, 'Rotator'), automaticallyAfter: Duration.days(30) });

  const mail = new s3.Bucket(stack, 'Mail');
  new ses.ReceiptRuleSet(stack, 'Inbound', { rules: [{ recipients: ['support@example.com'], actions: [new sesActions.S3({ bucket: mail, objectKeyPrefix: 'in/' }), new sesActions.Lambda({ function: fn(stack, 'OnMail') })] }] });

  const portfolio = new servicecatalog.Portfolio(stack, 'Portfolio', { displayName: 'Platform', providerName: 'platform' });
  class BucketProduct extends servicecatalog.ProductStack {
    constructor(scope: Stack, id: string) { super(scope, id); new s3.Bucket(this, 'Bucket', { enforceSSL: true }); }
  }
  const product = new servicecatalog.CloudFormationProduct(stack, 'Product', { productName: 'bucket', owner: 'platform', productVersions: [{ productVersionName: 'v1', cloudFormationTemplate: servicecatalog.CloudFormationTemplate.fromProductStack(new BucketProduct(stack, 'BucketProduct')) }] });
  portfolio.addProduct(product);
  const launchRole = new iam.Role(stack, 'LaunchRole', { roleName: 'platform-bucket-launch', assumedBy: new iam.ServicePrincipal('servicecatalog.amazonaws.com') });
  launchRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:CreateBucket', 's3:PutBucketPolicy', 's3:PutEncryptionConfiguration'], resources: ['arn:aws:s3:::platform-*'] })); // the product's buckets, by their name prefix
  portfolio.setLocalLaunchRole(product, launchRole);
}

/** Builds the app into `workdir/cdk.out` (writes the GraphQL schema it reads). */
export function buildIdiomaticMoreApp(workdir: string, context: Record<string, unknown> = {}): App {
  fs.writeFileSync(path.join(workdir, 'items.graphql'), 'type Item { id: ID! }\ntype Query { items: [Item] }\n');
  const app = new App({ outdir: path.join(workdir, 'cdk.out'), context });
  const env = { account: '111122223333', region: 'eu-west-1' };
  workflowTasks(new Stack(app, 'MoreTasks', { env }));
  delivery(new Stack(app, 'MoreDelivery', { env }));
  eventsAndContainers(new Stack(app, 'MoreEvents', { env }));
  apisDataAndAccount(new Stack(app, 'MoreApis', { env }), workdir);
  helpersAndStorage(new Stack(app, 'MoreHelpers', { env }));
  edgeAndMore(new Stack(app, 'MoreEdge', { env }));
  return app;
}
