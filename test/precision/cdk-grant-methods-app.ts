import * as fs from 'fs';
import * as path from 'path';
import { App, CustomResource, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codeguru from 'aws-cdk-lib/aws-codeguruprofiler';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as events from 'aws-cdk-lib/aws-events';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AGENTCORE_EXPECTED_ERRORS, agentcoreStack } from './cdk-grant-methods-agentcore';
import { containers, databases, delivery, deployment } from './cdk-grant-methods-more-stacks';
import { stepFunctionsTasks } from './cdk-grant-methods-sfn-tasks';

/**
 * The precision app: every `grant*` method of the aws-cdk-lib L2 constructs of the modules below,
 * called the way the CDK documentation shows, each on its own grantee role (named after the
 * method, so a finding names the grant that caused it); plus CDK's helper roles and the common
 * AWS-managed execution policies. Least privilege as CDK writes it: the checks must pass it clean.
 * `cdk-grant-methods.test.ts` enumerates the grant methods by reflection and fails when one of
 * these modules gains a method this app does not call.
 */
export const COVERED_MODULES = [
  'aws-apigateway', 'aws-apigatewayv2', 'aws-appconfig', 'aws-appmesh', 'aws-appsync', 'aws-backup', 'aws-batch', 'aws-bedrockagentcore', 'aws-cloudfront',
  'aws-cloudwatch', 'aws-codebuild', 'aws-codecommit', 'aws-codedeploy', 'aws-codeguruprofiler', 'aws-codepipeline-actions',
  'aws-cognito', 'aws-dynamodb', 'aws-ec2', 'aws-ecr', 'aws-ecs', 'aws-efs', 'aws-eks', 'aws-eks-v2', 'aws-elasticsearch',
  'aws-events', 'aws-glue', 'aws-iam', 'aws-kinesis', 'aws-kinesisfirehose', 'aws-kms', 'aws-lambda', 'aws-lambda-event-sources',
  'aws-logs', 'aws-opensearchservice', 'aws-rds', 'aws-route53', 'aws-s3', 'aws-s3-assets', 'aws-scheduler', 'aws-secretsmanager',
  'aws-ses', 'aws-sns', 'aws-sqs', 'aws-ssm', 'aws-stepfunctions', 'custom-resources',
] as const;

/**
 * aws-cdk-lib modules that declare public `grant*` methods but are not in this app, each with the
 * reason. `cdk-grant-methods.test.ts` fails when a module with grant methods is in neither list.
 */
export const EXCLUDED_MODULES: Readonly<Record<string, string>> = {
  'aws-sagemaker': 'IEndpoint.grantInvoke and IPipeline.grantStartPipelineExecution are declared on interfaces only: no class of aws-cdk-lib implements them (the L2s live in @aws-cdk/aws-sagemaker-alpha)',
};

/**
 * The grants that are not least privilege by design, and the error each must still raise (the
 * recall side of this app): `resourcePrefix` is the start of the flagged resource's logical id.
 * `method` is a grant method (`module.Class.method`), or, with `pattern`, the L2 whose own roles hold the grant.
 */
export const EXPECTED_ERRORS: readonly { readonly method: string; readonly pattern?: true; readonly rule: string; readonly resourcePrefix: string; readonly why: string }[] = [
  { method: 'aws-s3.BucketBase.grantPublicAccess', rule: 'AWS-016', resourcePrefix: 'PublicBucketPolicy', why: 'opens the objects to everyone (s3:GetObject to `*`)' },
  { method: 'aws-dynamodb.TableBase.grantFullAccess', rule: 'AWS-002', resourcePrefix: 'ddbgrantFullAccess', why: '`dynamodb:*` reaches dynamodb:PutResourcePolicy: the table\'s resource policy can open it to any account' },
  { method: 'aws-dynamodb.TableBaseV2.grantFullAccess', rule: 'AWS-002', resourcePrefix: 'ddbv2grantFullAccess', why: 'as TableBase.grantFullAccess' },
  { method: 'aws-kms.Key.grantAdmin', rule: 'AWS-002', resourcePrefix: 'kmsgrantAdmin', why: 'key administration: kms:PutKeyPolicy and kms:CreateGrant change who may use the key' },
  { method: 'aws-kms.KeyGrants.admin', rule: 'AWS-002', resourcePrefix: 'kmsKeyGrantsadmin', why: 'as Key.grantAdmin (the newer grants API, same statement)' },
  { method: 'aws-events.EventBusGrants.allPutEvents', rule: 'AWS-003', resourcePrefix: 'eventsEventBusGrantsallPutEvents', why: 'events:PutEvents on "*": the grantee may inject events into every event bus of the account, the default bus and every other app\'s, and so trigger their rules\' targets (EventBusGrants.actions and EventBus.grantPutEventsTo name the bus)' },
  { method: 'aws-events.EventBus.grantAllPutEvents', rule: 'AWS-003', resourcePrefix: 'eventsgrantAllPutEvents', why: 'deprecated static form of EventBusGrants.allPutEvents, the same events:PutEvents on "*"' },
  { method: 'aws-rds.ServerlessClusterBase.grantDataApiAccess', rule: 'AWS-003', resourcePrefix: 'rdsserverlessgrantDataApiAccess', why: 'Aurora Serverless v1 (deprecated): CDK grants rds-data:ExecuteStatement and the transaction actions on "*", every cluster of the account (DatabaseCluster.grantDataApiAccess names the cluster)' },
  { method: 'aws-eks.Cluster (creation role)', pattern: true, rule: 'AWS-003', resourcePrefix: 'EksCreationRoleDefaultPolicy', why: 'an EKS cluster without clusterName: CDK\'s creation role may delete, update and tag every EKS cluster of the account (with a name it is scoped to that cluster)' },
  { method: 'aws-iam.OpenIdConnectProvider (EKS\'s, custom resource)', pattern: true, rule: 'AWS-003', resourcePrefix: 'CustomAWSCDKOpenIdConnectProviderCustomResourceProviderRole', why: 'the provider\'s handler may create, delete and add client ids to every OIDC provider of the account, which changes who may assume the roles trusting them (iam.OidcProviderNative needs no handler)' },
  { method: 'aws-stepfunctions-tasks.EcsRunTask (RUN_JOB)', pattern: true, rule: 'AWS-003', resourcePrefix: 'EcsRunTaskMachineRoleDefaultPolicy', why: 'the run-a-job integration gives the state machine ecs:StopTask on "*": it may stop every task of every cluster of the account (ecs:StopTask takes the task ARN, and an ecs:cluster condition could hold it to the task\'s cluster)' },
  ...AGENTCORE_EXPECTED_ERRORS,
];

/**
 * Errors the app still raises that are precision gaps of the checks, not over-broad grants: each
 * is a cause to fix in the rules (listed so that the suite stays green and the gap stays visible).
 */
export const KNOWN_GAPS: readonly { readonly rule: string; readonly resourcePrefix: string; readonly why: string }[] = [
];

/** A fresh grantee per grant call, trusted by Lambda (the commonest CDK grantee). */
function granteeFactory(scope: Construct): (name: string) => iam.Role {
  return (name: string) => new iam.Role(scope, name.replace(/[^A-Za-z0-9]/g, ''), { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

const CODE = lambda.Code.fromInline('exports.handler = async () => ({})');
function fn(scope: Construct, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: CODE, ...props });
}

function storage(stack: Stack): void {
  const g = granteeFactory(stack);
  const key = new kms.Key(stack, 'BucketKey');
  const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
  bucket.grantRead(g('s3.grantRead'));
  bucket.grantRead(g('s3.grantReadPrefix'), 'reports/*');
  bucket.grantWrite(g('s3.grantWrite'));
  bucket.grantReadWrite(g('s3.grantReadWrite'));
  bucket.grantPut(g('s3.grantPut'), 'uploads/*');
  bucket.grantPutAcl(g('s3.grantPutAcl'), 'public/*');
  bucket.grantDelete(g('s3.grantDelete'), 'tmp/*');
  bucket.grantOnKey(g('s3.grantOnKey'), 'kms:Decrypt');
  const destination = new s3.Bucket(stack, 'ReplicaBucket', { versioned: true });
  new s3.Bucket(stack, 'PublicBucket', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY }).grantPublicAccess('site/*');
  bucket.grantReplicationPermission(g('s3.grantReplicationPermission'), { sourceDecryptionKey: key, destinations: [{ bucket: destination }] });

  const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, stream: dynamodb.StreamViewType.NEW_IMAGE, encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: new kms.Key(stack, 'TableKey') });
  table.grant(g('ddb.grant'), 'dynamodb:DescribeTable');
  table.grantReadData(g('ddb.grantReadData'));
  table.grantWriteData(g('ddb.grantWriteData'));
  table.grantReadWriteData(g('ddb.grantReadWriteData'));
  table.grantFullAccess(g('ddb.grantFullAccess'));
  table.grantOnKey(g('ddb.grantOnKey'), 'kms:Decrypt');
  table.grantStream(g('ddb.grantStream'), 'dynamodb:DescribeStream');
  table.grantStreamRead(g('ddb.grantStreamRead'));
  table.grantTableListStreams(g('ddb.grantTableListStreams'));
  const tableV2 = new dynamodb.TableV2(stack, 'TableV2', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, dynamoStream: dynamodb.StreamViewType.NEW_IMAGE, encryption: dynamodb.TableEncryptionV2.customerManagedKey(new kms.Key(stack, 'TableV2Key')) });
  tableV2.grant(g('ddbv2.grant'), 'dynamodb:DescribeTable');
  tableV2.grantReadData(g('ddbv2.grantReadData'));
  tableV2.grantWriteData(g('ddbv2.grantWriteData'));
  tableV2.grantReadWriteData(g('ddbv2.grantReadWriteData'));
  tableV2.grantFullAccess(g('ddbv2.grantFullAccess'));
  tableV2.grantOnKey(g('ddbv2.grantOnKey'), 'kms:Decrypt');
  tableV2.grantStream(g('ddbv2.grantStream'), 'dynamodb:DescribeStream');
  tableV2.grantStreamRead(g('ddbv2.grantStreamRead'));
  tableV2.grantTableListStreams(g('ddbv2.grantTableListStreams'));
  // Multi-account global tables: the source table's resource policy lets the other account's replica replicate (CDK's own example).
  const replicated = new dynamodb.TableV2(stack, 'ReplicatedTableV2', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  replicated.grants.multiAccountReplicationTo('arn:aws:dynamodb:eu-west-1:444455556666:table/replica');
  replicated.grants.multiAccountReplicationFrom('arn:aws:dynamodb:eu-west-1:444455556666:table/source');

  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 0 });
  const fileSystem = new efs.FileSystem(stack, 'FileSystem', { vpc, removalPolicy: RemovalPolicy.DESTROY });
  fileSystem.grant(g('efs.grant'), 'elasticfilesystem:ClientMount');
  fileSystem.grantRead(g('efs.grantRead'));
  fileSystem.grantReadWrite(g('efs.grantReadWrite'));
  fileSystem.grantRootAccess(g('efs.grantRootAccess'));
  const volume = new ec2.Volume(stack, 'Volume', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(8) });
  const instance = new ec2.Instance(stack, 'Instance', { vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023() });
  volume.grantAttachVolume(g('ec2.grantAttachVolume'), [instance]);
  volume.grantDetachVolume(g('ec2.grantDetachVolume'), [instance]);
  volume.grantAttachVolumeByResourceTag(g('ec2.grantAttachVolumeByResourceTag'), [instance]);
  volume.grantDetachVolumeByResourceTag(g('ec2.grantDetachVolumeByResourceTag'), [instance]);

  const vault = new backup.BackupVault(stack, 'Vault', { removalPolicy: RemovalPolicy.DESTROY });
  vault.grant(g('backup.grant'), 'backup:StartBackupJob');

  const database = new glue.Database(stack, 'GlueDb');
  const glueTable = new glue.S3Table(stack, 'GlueTable', { database, columns: [{ name: 'c', type: glue.Schema.STRING }], dataFormat: glue.DataFormat.JSON, storage: glue.S3TableStorage.fromBucket(bucket), s3Prefix: 'events/' });
  glueTable.grant(g('glue.grant'), ['glue:GetTable']);
  glueTable.grantToUnderlyingResources(g('glue.grantToUnderlyingResources'), ['s3:GetObject']);
  glueTable.grantRead(g('glue.grantRead'));
  glueTable.grantWrite(g('glue.grantWrite'));
  glueTable.grantReadWrite(g('glue.grantReadWrite'));
  const external = new glue.ExternalTable(stack, 'GlueExternalTable', { database, columns: [{ name: 'c', type: glue.Schema.STRING }], dataFormat: glue.DataFormat.JSON, connection: new glue.Connection(stack, 'GlueConnection', { type: glue.ConnectionType.JDBC, properties: { JDBC_CONNECTION_URL: 'jdbc:mysql://db:3306/app' } }), externalDataLocation: 'app.table' });
  external.grantRead(g('glueext.grantRead'));
  external.grantWrite(g('glueext.grantWrite'));
  external.grantReadWrite(g('glueext.grantReadWrite'));
}

function messaging(stack: Stack): void {
  const g = granteeFactory(stack);
  const key = new kms.Key(stack, 'MessagingKey');
  const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key });
  queue.grant(g('sqs.grant'), 'sqs:ChangeMessageVisibility');
  queue.grantSendMessages(g('sqs.grantSendMessages'));
  queue.grantConsumeMessages(g('sqs.grantConsumeMessages'));
  queue.grantPurge(g('sqs.grantPurge'));
  queue.grantOnKey(g('sqs.grantOnKey'), 'kms:Decrypt');
  const topic = new sns.Topic(stack, 'Topic', { masterKey: key });
  topic.grantPublish(g('sns.grantPublish'));
  topic.grantSubscribe(g('sns.grantSubscribe'));
  topic.grantOnKey(g('sns.grantOnKey'), 'kms:Decrypt');

  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
  stream.grant(g('kinesis.grant'), 'kinesis:DescribeStreamSummary');
  stream.grantRead(g('kinesis.grantRead'));
  stream.grantWrite(g('kinesis.grantWrite'));
  stream.grantReadWrite(g('kinesis.grantReadWrite'));
  const consumer = new kinesis.StreamConsumer(stack, 'Consumer', { stream, streamConsumerName: 'consumer' });
  consumer.grant(g('kinesisconsumer.grant'), 'kinesis:DescribeStreamConsumer');
  consumer.grantRead(g('kinesisconsumer.grantRead'));
  const delivery = new firehose.DeliveryStream(stack, 'Delivery', { destination: new firehose.S3Bucket(new s3.Bucket(stack, 'DeliveryBucket')) });
  delivery.grant(g('firehose.grant'), 'firehose:DescribeDeliveryStream');
  delivery.grantPutRecords(g('firehose.grantPutRecords'));
  const streamSource = new firehose.KinesisStreamSource(stream);
  new firehose.DeliveryStream(stack, 'DeliveryFromStream', { source: streamSource, destination: new firehose.S3Bucket(new s3.Bucket(stack, 'StreamDeliveryBucket')) });
  streamSource.grantRead(g('firehosesource.grantRead'));

  const bus = new events.EventBus(stack, 'Bus');
  bus.grantPutEventsTo(g('events.grantPutEventsTo'));
  bus.grants.actions(g('events.EventBusGrants.actions'), ['events:DescribeEventBus']);
  bus.grants.allPutEvents(g('events.EventBusGrants.allPutEvents'));
  events.EventBus.grantAllPutEvents(g('events.grantAllPutEvents'));

  const schedules = new scheduler.ScheduleGroup(stack, 'Schedules');
  schedules.grant(g('scheduler.grant'), 'scheduler:GetScheduleGroup');
  schedules.grantReadSchedules(g('scheduler.grantReadSchedules'));
  schedules.grantWriteSchedules(g('scheduler.grantWriteSchedules'));
  schedules.grantDeleteSchedules(g('scheduler.grantDeleteSchedules'));

  const identity = new ses.EmailIdentity(stack, 'Email', { identity: ses.Identity.domain('example.com') });
  identity.grant(g('ses.grant'), 'ses:GetEmailIdentity');
  identity.grantSendEmail(g('ses.grantSendEmail'));
}

function secretsAndKeys(stack: Stack): void {
  const g = granteeFactory(stack);
  const key = new kms.Key(stack, 'Key');
  key.grant(g('kms.grant'), 'kms:DescribeKey');
  key.grantDecrypt(g('kms.grantDecrypt'));
  key.grantEncrypt(g('kms.grantEncrypt'));
  key.grantEncryptDecrypt(g('kms.grantEncryptDecrypt'));
  key.grantAdmin(g('kms.grantAdmin'));
  key.grants.admin(g('kms.KeyGrants.admin'));
  const signing = new kms.Key(stack, 'SigningKey', { keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.SIGN_VERIFY });
  signing.grantSign(g('kms.grantSign'));
  signing.grantVerify(g('kms.grantVerify'));
  signing.grantSignVerify(g('kms.grantSignVerify'));
  const mac = new kms.Key(stack, 'MacKey', { keySpec: kms.KeySpec.HMAC_256, keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC });
  mac.grantGenerateMac(g('kms.grantGenerateMac'));
  mac.grantVerifyMac(g('kms.grantVerifyMac'));
  const alias = new kms.Alias(stack, 'Alias', { aliasName: 'alias/app', targetKey: key });
  alias.grant(g('kmsalias.grant'), 'kms:DescribeKey');
  alias.grantDecrypt(g('kmsalias.grantDecrypt'));
  alias.grantEncrypt(g('kmsalias.grantEncrypt'));
  alias.grantEncryptDecrypt(g('kmsalias.grantEncryptDecrypt'));
  const signingAlias = new kms.Alias(stack, 'SigningAlias', { aliasName: 'alias/signing', targetKey: signing });
  signingAlias.grantSign(g('kmsalias.grantSign'));
  signingAlias.grantVerify(g('kmsalias.grantVerify'));
  signingAlias.grantSignVerify(g('kmsalias.grantSignVerify'));
  const macAlias = new kms.Alias(stack, 'MacAlias', { aliasName: 'alias/mac', targetKey: mac });
  macAlias.grantGenerateMac(g('kmsalias.grantGenerateMac'));
  macAlias.grantVerifyMac(g('kmsalias.grantVerifyMac'));

  const secret = new secrets.Secret(stack, 'Secret', { encryptionKey: key });
  secret.grantRead(g('secrets.grantRead'));
  secret.grantRead(g('secrets.grantReadStage'), ['AWSCURRENT']);
  secret.grantWrite(g('secrets.grantWrite'));
  const parameter = new ssm.StringParameter(stack, 'Parameter', { stringValue: 'v' });
  parameter.grantRead(g('ssm.grantRead'));
  parameter.grantWrite(g('ssm.grantWrite'));
  parameter.grantOnKey(g('ssm.grantOnKey'), 'kms:Decrypt');
  const list = new ssm.StringListParameter(stack, 'ListParameter', { stringListValue: ['a', 'b'] });
  list.grantRead(g('ssmlist.grantRead'));

  const role = new iam.Role(stack, 'TargetRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  role.grant(g('iam.grant'), 'iam:GetRole');
  role.grantAssumeRole(new iam.ArnPrincipal(g('iam.grantAssumeRole').roleArn));
  role.grantPassRole(g('iam.grantPassRole'));
  const lazy = new iam.LazyRole(stack, 'LazyRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  lazy.grant(g('iamlazy.grant'), 'iam:GetRole');
  lazy.grantAssumeRole(new iam.ArnPrincipal(g('iamlazy.grantAssumeRole').roleArn));
  lazy.grantPassRole(g('iamlazy.grantPassRole'));

  const pool = new cognito.UserPool(stack, 'UserPool');
  pool.grant(g('cognito.grant'), 'cognito-idp:AdminGetUser');
}

/** A one-file web app, written into the work folder (a WebFunction stages a folder). */
function webAppDir(workdir: string): string {
  const dir = path.join(workdir, 'web-app');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.mjs'), 'export const handler = async () => ({ statusCode: 200 });\n');
  return dir;
}

function compute(stack: Stack, workdir: string): void {
  const g = granteeFactory(stack);
  const f = fn(stack, 'Function');
  f.grantInvoke(g('lambda.grantInvoke'));
  f.grantInvokeUrl(g('lambda.grantInvokeUrl'));
  f.grantInvokeLatestVersion(g('lambda.grantInvokeLatestVersion'));
  f.grantInvokeVersion(g('lambda.grantInvokeVersion'), f.currentVersion);
  f.grantInvokeCompositePrincipal(new iam.CompositePrincipal(g('lambda.grantInvokeCompositePrincipal')));
  const url = f.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
  url.grantInvokeUrl(g('lambdaurl.grantInvokeUrl'));
  // A WebFunction with its code staged into the bucket CDK creates (CDK's copy function is a helper role).
  const web = new lambda.WebFunction(stack, 'WebFunction', { code: lambda.WebFunctionCode.fromAssetToManagedBucket(webAppDir(workdir)), runtime: lambda.WebFunctionRuntime.NODEJS_24_X, defaultEndpointAuth: lambda.WebFunctionAuthType.IAM_AUTH });
  web.endpoint.grants.invoke(g('lambdaweb.WebFunctionEndpointGrants.invoke'));
  web.addEndpoint('Internal', { authType: lambda.WebFunctionAuthType.IAM_AUTH }).grants.invoke(g('lambdaweb.WebFunctionEndpointGrants.invokeInternal'));

  const machine = new sfn.StateMachine(stack, 'StateMachine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
  machine.grant(g('sfn.grant'), 'states:DescribeStateMachine');
  machine.grantExecution(g('sfn.grantExecution'), 'states:DescribeExecution');
  machine.grantRead(g('sfn.grantRead'));
  machine.grantStartExecution(g('sfn.grantStartExecution'));
  machine.grantStartSyncExecution(g('sfn.grantStartSyncExecution'));
  machine.grantRedriveExecution(g('sfn.grantRedriveExecution'));
  machine.grantTaskResponse(g('sfn.grantTaskResponse'));
  machine.grants.redriveExecution(g('sfn.StateMachineGrants.redriveExecution'));
  const activity = new sfn.Activity(stack, 'Activity');
  activity.grant(g('sfnactivity.grant'), 'states:SendTaskSuccess');

  const logGroup = new logs.LogGroup(stack, 'LogGroup');
  logGroup.grant(g('logs.grant'), 'logs:DescribeLogStreams');
  logGroup.grantRead(g('logs.grantRead'));
  logGroup.grantWrite(g('logs.grantWrite'));

  const repository = new ecr.Repository(stack, 'Repository');
  repository.grant(g('ecr.grant'), 'ecr:DescribeImages');
  repository.grantPull(g('ecr.grantPull'));
  repository.grantPush(g('ecr.grantPush'));
  repository.grantPullPush(g('ecr.grantPullPush'));
  repository.grantRead(g('ecr.grantRead'));
  ecr.AuthorizationToken.grantRead(g('ecr.AuthorizationToken.grantRead'));
  ecr.PublicGalleryAuthorizationToken.grantRead(g('ecr.PublicGalleryAuthorizationToken.grantRead'));

  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: new ec2.Vpc(stack, 'ClusterVpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 0 }) });
  cluster.grantTaskProtection(g('ecs.grantTaskProtection'));
  const task = new ecs.FargateTaskDefinition(stack, 'Task');
  task.addContainer('app', { image: ecs.ContainerImage.fromEcrRepository(repository) });
  task.grantRun(g('ecs.grantRun'));

  const codeRepo = new codecommit.Repository(stack, 'CodeRepo', { repositoryName: 'app' });
  codeRepo.grant(g('codecommit.grant'), 'codecommit:GetBranch');
  codeRepo.grantPull(g('codecommit.grantPull'));
  codeRepo.grantPullPush(g('codecommit.grantPullPush'));
  codeRepo.grantRead(g('codecommit.grantRead'));
  new codebuild.ReportGroup(stack, 'Reports').grantWrite(g('codebuild.grantWrite'));
  const profiling = new codeguru.ProfilingGroup(stack, 'Profiling');
  profiling.grantPublish(g('codeguru.grantPublish'));
  profiling.grantRead(g('codeguru.grantRead'));

  const appConfig = new appconfig.Application(stack, 'AppConfig');
  const environment = new appconfig.Environment(stack, 'AppConfigEnv', { application: appConfig });
  environment.grant(g('appconfig.grant'), 'appconfig:GetLatestConfiguration');
  environment.grantReadConfig(g('appconfig.grantReadConfig'));
}

function apis(stack: Stack, workdir: string): void {
  const g = granteeFactory(stack);
  const api = new apigw.RestApi(stack, 'RestApi', { endpointTypes: [apigw.EndpointType.PRIVATE] });
  const method = api.root.addMethod('GET', new apigw.MockIntegration(), { authorizationType: apigw.AuthorizationType.IAM });
  method.grantExecute(g('apigw.grantExecute'));
  api.grantInvokeFromVpcEndpointsOnly([ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(stack, 'Endpoint', { vpcEndpointId: 'vpce-0123456789abcdef0', port: 443 })]);
  const apiKey = new apigw.ApiKey(stack, 'Key');
  apiKey.grantRead(g('apigwkey.grantRead'));
  apiKey.grantWrite(g('apigwkey.grantWrite'));
  apiKey.grantReadWrite(g('apigwkey.grantReadWrite'));

  const graphql = new appsync.GraphqlApi(stack, 'Graphql', {
    name: 'api',
    definition: appsync.Definition.fromSchema(appsync.SchemaFile.fromAsset(schemaFile(workdir))),
    authorizationConfig: { defaultAuthorization: { authorizationType: appsync.AuthorizationType.IAM } },
  });
  graphql.grant(g('appsync.grant'), appsync.IamResource.ofType('Query', 'items'), 'appsync:GraphQL');
  graphql.grantQuery(g('appsync.grantQuery'), 'items');
  graphql.grantMutation(g('appsync.grantMutation'), 'addItem');
  graphql.grantSubscription(g('appsync.grantSubscription'), 'onItem');
  const eventApi = new appsync.EventApi(stack, 'EventApi', { apiName: 'events', authorizationConfig: { authProviders: [{ authorizationType: appsync.AppSyncAuthorizationType.IAM }] } });
  eventApi.grant(g('appsyncevents.grant'), appsync.AppSyncEventResource.ofChannelNamespace('orders'), 'appsync:EventPublish');
  eventApi.grantPublish(g('appsyncevents.grantPublish'));
  eventApi.grantSubscribe(g('appsyncevents.grantSubscribe'));
  eventApi.grantPublishAndSubscribe(g('appsyncevents.grantPublishAndSubscribe'));
  eventApi.grantConnect(g('appsyncevents.grantConnect'));
  const namespace = eventApi.addChannelNamespace('orders');
  namespace.grantPublish(g('appsyncns.grantPublish'));
  namespace.grantSubscribe(g('appsyncns.grantSubscribe'));
  namespace.grantPublishAndSubscribe(g('appsyncns.grantPublishAndSubscribe'));
}

/** A small GraphQL schema, written into the work folder (AppSync's L2 reads a file). */
function schemaFile(workdir: string): string {
  const file = path.join(workdir, 'schema.graphql');
  fs.writeFileSync(file, 'type Query { items: [String] }\ntype Mutation { addItem(v: String): String }\ntype Subscription { onItem: String @aws_subscribe(mutations: ["addItem"]) }\n');
  return file;
}

/** CDK's own helper roles, as CDK writes them, and the common AWS-managed execution policies. */
function helpers(stack: Stack): void {
  const bucket = new s3.Bucket(stack, 'SiteBucket', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
  const distribution = new cloudfront.Distribution(stack, 'Cdn', { defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(bucket) } });
  new s3deploy.BucketDeployment(stack, 'Deploy', { sources: [s3deploy.Source.data('index.html', '<html></html>')], destinationBucket: bucket, distribution });
  new s3deploy.BucketDeployment(stack, 'DeployLarge', { sources: [s3deploy.Source.data('big.html', '<html></html>')], destinationBucket: bucket, memoryLimit: 1024 });
  const notified = new sqs.Queue(stack, 'Notified');
  bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(notified));
  s3.Bucket.fromBucketName(stack, 'Imported', 'shared-uploads').addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(notified));
  fn(stack, 'WithRetention', { logRetention: logs.RetentionDays.ONE_WEEK });

  const onEvent = fn(stack, 'OnEvent');
  const isComplete = fn(stack, 'IsComplete');
  const provider = new cr.Provider(stack, 'Provider', { onEventHandler: onEvent, isCompleteHandler: isComplete, totalTimeout: Duration.minutes(5) });
  new cr.Provider(stack, 'SimpleProvider', { onEventHandler: fn(stack, 'SimpleOnEvent') });
  new CustomResource(stack, 'Custom', { serviceToken: provider.serviceToken });

  const parameter = new ssm.StringParameter(stack, 'ReadByCustomResource', { stringValue: 'v' });
  new cr.AwsCustomResource(stack, 'ReadParameter', {
    onUpdate: { service: 'SSM', action: 'getParameter', parameters: { Name: parameter.parameterName }, physicalResourceId: cr.PhysicalResourceId.of('param') },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [parameter.parameterArn] }),
  });

  const managed: [string, string][] = [
    ['lambda.amazonaws.com', 'service-role/AWSLambdaBasicExecutionRole'],
    ['lambda.amazonaws.com', 'service-role/AWSLambdaVPCAccessExecutionRole'],
    ['lambda.amazonaws.com', 'AWSXRayDaemonWriteAccess'],
    ['lambda.amazonaws.com', 'CloudWatchLambdaInsightsExecutionRolePolicy'],
    ['ecs-tasks.amazonaws.com', 'service-role/AmazonECSTaskExecutionRolePolicy'],
    ['ec2.amazonaws.com', 'AmazonSSMManagedInstanceCore'],
    ['ec2.amazonaws.com', 'CloudWatchAgentServerPolicy'],
    ['apigateway.amazonaws.com', 'service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
    ['appsync.amazonaws.com', 'service-role/AWSAppSyncPushToCloudWatchLogs'],
    ['states.amazonaws.com', 'AWSXrayWriteOnlyAccess'],
    // Event-source, VPC and container execution policies, and the service roles CDK's L2s and guides attach.
    ['lambda.amazonaws.com', 'service-role/AWSLambdaKinesisExecutionRole'],
    ['lambda.amazonaws.com', 'service-role/AWSLambdaDynamoDBExecutionRole'],
    ['lambda.amazonaws.com', 'service-role/AWSLambdaSQSQueueExecutionRole'],
    ['lambda.amazonaws.com', 'service-role/AWSLambdaMSKExecutionRole'],
    ['lambda.amazonaws.com', 'service-role/AWSLambdaENIManagementAccess'],
    ['eks.amazonaws.com', 'AmazonEKSClusterPolicy'],
    ['ec2.amazonaws.com', 'AmazonEKSWorkerNodePolicy'],
    ['ec2.amazonaws.com', 'AmazonEKS_CNI_Policy'],
    ['ec2.amazonaws.com', 'AmazonEC2ContainerRegistryReadOnly'],
    ['ec2.amazonaws.com', 'AmazonSSMManagedEC2InstanceDefaultPolicy'],
    ['eks-fargate-pods.amazonaws.com', 'AmazonEKSFargatePodExecutionRolePolicy'],
    ['batch.amazonaws.com', 'service-role/AWSBatchServiceRole'],
    ['glue.amazonaws.com', 'service-role/AWSGlueServiceRole'],
    ['codedeploy.amazonaws.com', 'service-role/AWSCodeDeployRoleForLambda'],
    ['codedeploy.amazonaws.com', 'AWSCodeDeployRoleForECS'],
    ['build.apprunner.amazonaws.com', 'service-role/AWSAppRunnerServicePolicyForECRAccess'],
  ];
  for (const [service, policy] of managed) {
    new iam.Role(stack, `Managed${policy.replace(/[^A-Za-z0-9]/g, '')}`, { assumedBy: new iam.ServicePrincipal(service), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(policy)] });
  }
}

/** Builds the precision app into `workdir/cdk.out` (one stack per area, each well under CloudFormation's 500 resources). */
export function buildGrantMethodsApp(workdir: string, context: Record<string, unknown> = {}): App {
  const app = new App({ outdir: path.join(workdir, 'cdk.out'), context });
  const env = { account: '111122223333', region: 'eu-west-1' };
  storage(new Stack(app, 'GrantsStorage', { env }));
  messaging(new Stack(app, 'GrantsMessaging', { env }));
  secretsAndKeys(new Stack(app, 'GrantsSecretsKeys', { env }));
  compute(new Stack(app, 'GrantsCompute', { env }), workdir);
  apis(new Stack(app, 'GrantsApis', { env }), workdir);
  helpers(new Stack(app, 'CdkHelpers', { env }));
  databases(new Stack(app, 'GrantsDatabases', { env }));
  delivery(new Stack(app, 'GrantsDelivery', { env }));
  containers(new Stack(app, 'GrantsContainers', { env }));
  deployment(new Stack(app, 'GrantsDeployment', { env }), workdir);
  agentcoreStack(new Stack(app, 'GrantsAgentCore', { env }), workdir);
  stepFunctionsTasks(new Stack(app, 'GrantsWorkflowTasks', { env }));
  return app;
}
