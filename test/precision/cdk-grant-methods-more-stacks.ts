import * as path from 'path';
import * as fs from 'fs';
import { RemovalPolicy, Size, Stack } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as apigwv2auth from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as apigwv2int from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as appmesh from 'aws-cdk-lib/aws-appmesh';
import * as assets from 'aws-cdk-lib/aws-s3-assets';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as docdb from 'aws-cdk-lib/aws-docdb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as es from 'aws-cdk-lib/aws-elasticsearch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The second half of the precision app: databases, delivery/DNS/APIs, containers and deployment,
 * each module's `grant*` methods on their own grantee role, plus the L2 patterns these modules
 * emit on their own (RDS/DocumentDB secret rotation, OpenSearch fine-grained access control,
 * EKS's kubectl providers, CloudFront OAC, Route53 cross-account delegation, CodeDeploy's service
 * roles, Batch's instance and service roles). Everything synthesizes offline (no lookups, no Docker).
 */

/** A fresh grantee per grant call, trusted by Lambda (the commonest CDK grantee). */
function granteeFactory(scope: Construct): (name: string) => iam.Role {
  return (name: string) => new iam.Role(scope, name.replace(/[^A-Za-z0-9]/g, ''), { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

const CODE = lambda.Code.fromInline('exports.handler = async () => ({})');
function fn(scope: Construct, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: CODE, ...props });
}

function vpcIn(stack: Stack, id = 'Vpc'): ec2.Vpc {
  return new ec2.Vpc(stack, id, { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
}

export function databases(stack: Stack): void {
  const g = granteeFactory(stack);
  const vpc = vpcIn(stack);
  const vpcSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

  const cluster = new rds.DatabaseCluster(stack, 'Aurora', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
    writer: rds.ClusterInstance.serverlessV2('writer'), vpc, vpcSubnets, iamAuthentication: true, enableDataApi: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  cluster.grantConnect(g('rds.grantConnect'), 'app');
  cluster.grantDataApiAccess(g('rds.grantDataApiAccess'));
  cluster.addRotationSingleUser();
  const proxy = cluster.addProxy('Proxy', { secrets: [cluster.secret!], vpc, vpcSubnets, iamAuth: true });
  proxy.grantConnect(g('rdsproxy.grantConnect'), 'app');

  const instance = new rds.DatabaseInstance(stack, 'Postgres', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }), vpc, vpcSubnets,
    iamAuthentication: true, removalPolicy: RemovalPolicy.DESTROY,
  });
  instance.grantConnect(g('rdsinstance.grantConnect'), 'app');
  instance.addRotationMultiUser('AppUser', { secret: new rds.DatabaseSecret(stack, 'AppUserSecret', { username: 'app', masterSecret: instance.secret }).attach(instance) });
  const serverless = new rds.ServerlessCluster(stack, 'ServerlessV1', {
    engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_2_11_4 }), vpc, vpcSubnets, enableDataApi: true, removalPolicy: RemovalPolicy.DESTROY,
  });
  serverless.grantDataApiAccess(g('rdsserverless.grantDataApiAccess'));

  const documents = new docdb.DatabaseCluster(stack, 'DocDb', {
    masterUser: { username: 'app' }, vpc, vpcSubnets, instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MEDIUM), removalPolicy: RemovalPolicy.DESTROY,
  });
  documents.addRotationSingleUser();

  const domain = new opensearch.Domain(stack, 'Search', {
    version: opensearch.EngineVersion.OPENSEARCH_2_11, removalPolicy: RemovalPolicy.DESTROY,
    enforceHttps: true, nodeToNodeEncryption: true, encryptionAtRest: { enabled: true },
    fineGrainedAccessControl: { masterUserName: 'admin' }, logging: { appLogEnabled: true, slowSearchLogEnabled: true },
  });
  domain.grantRead(g('opensearch.grantRead'));
  domain.grantWrite(g('opensearch.grantWrite'));
  domain.grantReadWrite(g('opensearch.grantReadWrite'));
  domain.grantIndexRead('orders', g('opensearch.grantIndexRead'));
  domain.grantIndexWrite('orders', g('opensearch.grantIndexWrite'));
  domain.grantIndexReadWrite('orders', g('opensearch.grantIndexReadWrite'));
  domain.grantPathRead('orders/_search', g('opensearch.grantPathRead'));
  domain.grantPathWrite('orders/_doc', g('opensearch.grantPathWrite'));
  domain.grantPathReadWrite('orders/_bulk', g('opensearch.grantPathReadWrite'));

  const legacy = new es.Domain(stack, 'Elasticsearch', { version: es.ElasticsearchVersion.V7_10, removalPolicy: RemovalPolicy.DESTROY });
  legacy.grantRead(g('es.grantRead'));
  legacy.grantWrite(g('es.grantWrite'));
  legacy.grantReadWrite(g('es.grantReadWrite'));
  legacy.grantIndexRead('orders', g('es.grantIndexRead'));
  legacy.grantIndexWrite('orders', g('es.grantIndexWrite'));
  legacy.grantIndexReadWrite('orders', g('es.grantIndexReadWrite'));
  legacy.grantPathRead('orders/_search', g('es.grantPathRead'));
  legacy.grantPathWrite('orders/_doc', g('es.grantPathWrite'));
  legacy.grantPathReadWrite('orders/_bulk', g('es.grantPathReadWrite'));
}

export function delivery(stack: Stack): void {
  const g = granteeFactory(stack);
  const bucket = new s3.Bucket(stack, 'Origin', { removalPolicy: RemovalPolicy.DESTROY });
  const distribution = new cloudfront.Distribution(stack, 'Distribution', {
    defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(bucket) },
    additionalBehaviors: { '/legacy/*': { origin: origins.S3BucketOrigin.withOriginAccessIdentity(new s3.Bucket(stack, 'LegacyOrigin')) } },
  });
  distribution.grant(g('cloudfront.grant'), 'cloudfront:GetDistribution');
  distribution.grantCreateInvalidation(g('cloudfront.grantCreateInvalidation'));
  const web = new cloudfront.CloudFrontWebDistribution(stack, 'WebDistribution', {
    originConfigs: [{ s3OriginSource: { s3BucketSource: new s3.Bucket(stack, 'WebOrigin'), originAccessIdentity: new cloudfront.OriginAccessIdentity(stack, 'Oai') }, behaviors: [{ isDefaultBehavior: true }] }],
  });
  web.grant(g('cloudfrontweb.grant'), 'cloudfront:GetDistribution');
  web.grantCreateInvalidation(g('cloudfrontweb.grantCreateInvalidation'));

  // Lambda@Edge from a stack outside us-east-1: CDK adds the us-east-1 stack and reads the version back across regions.
  const edge = new cloudfront.experimental.EdgeFunction(stack, 'Edge', { functionName: 'precision-edge', runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async (e) => e') });
  edge.grantInvoke(g('cloudfrontedge.grantInvoke'));
  edge.grantInvokeLatestVersion(g('cloudfrontedge.grantInvokeLatestVersion'));
  edge.grantInvokeVersion(g('cloudfrontedge.grantInvokeVersion'), edge.currentVersion);
  edge.grantInvokeUrl(g('cloudfrontedge.grantInvokeUrl'));
  edge.grantInvokeCompositePrincipal(new iam.CompositePrincipal(g('cloudfrontedge.grantInvokeCompositePrincipal')));

  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  zone.grantDelegation(g('route53.grantDelegation'));
  zone.grantDelegation(g('route53.grantDelegationNames'), { delegatedZoneNames: ['dev.example.com'] });
  // The parent account's role the child account's delegation record assumes (CDK's documented pattern, trust narrowed to the delegating role).
  const delegationRole = new iam.Role(stack, 'DelegationRole', { assumedBy: new iam.AccountPrincipal('444455556666').withConditions({ StringEquals: { 'aws:PrincipalArn': 'arn:aws:iam::444455556666:role/zone-delegator' } }) });
  zone.grantDelegation(delegationRole, { delegatedZoneNames: ['team.example.com'] });
  const subZone = new route53.PublicHostedZone(stack, 'SubZone', { zoneName: 'team.example.com' });
  new route53.CrossAccountZoneDelegationRecord(stack, 'Delegate', {
    delegatedZone: subZone, parentHostedZoneName: 'example.com', delegationRole: iam.Role.fromRoleArn(stack, 'ParentDelegationRole', 'arn:aws:iam::444455556666:role/zone-delegation'),
  });

  const httpApi = new apigwv2.HttpApi(stack, 'HttpApi', { defaultAuthorizer: new apigwv2auth.HttpIamAuthorizer() });
  const [route] = httpApi.addRoutes({ path: '/items', methods: [apigwv2.HttpMethod.GET], integration: new apigwv2int.HttpLambdaIntegration('Items', fn(stack, 'ItemsHandler')) });
  route.grantInvoke(g('apigwv2.grantInvoke'));
  const socket = new apigwv2.WebSocketApi(stack, 'Socket', { connectRouteOptions: { integration: new apigwv2int.WebSocketLambdaIntegration('Connect', fn(stack, 'ConnectHandler')) } });
  socket.grantManageConnections(g('apigwv2ws.grantManageConnections'));
  const stage = new apigwv2.WebSocketStage(stack, 'SocketStage', { webSocketApi: socket, stageName: 'prod', autoDeploy: true });
  stage.grantManagementApiAccess(g('apigwv2stage.grantManagementApiAccess'));
  const apiKey = new apigwv2.ApiKey(stack, 'SocketKey');
  apiKey.grantRead(g('apigwv2key.grantRead'));
  apiKey.grantWrite(g('apigwv2key.grantWrite'));
  apiKey.grantReadWrite(g('apigwv2key.grantReadWrite'));
}

export function containers(stack: Stack): void {
  const g = granteeFactory(stack);
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
  const kubectlLayer = lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', 'arn:aws:lambda:eu-west-1:111122223333:layer:kubectl:1');
  const cluster = new eks.Cluster(stack, 'Eks', { version: eks.KubernetesVersion.V1_33, vpc, kubectlLayer, defaultCapacity: 1, authenticationMode: eks.AuthenticationMode.API_AND_CONFIG_MAP });
  cluster.grantAccess('AppAccess', g('eks.grantAccess').roleArn, [eks.AccessPolicy.fromAccessPolicyName('AmazonEKSViewPolicy', { accessScopeType: eks.AccessScopeType.NAMESPACE, namespaces: ['app'] })]);
  cluster.addManifest('Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });
  cluster.addServiceAccount('AppServiceAccount', { name: 'app', namespace: 'app' });
  cluster.addFargateProfile('Fargate', { selectors: [{ namespace: 'serverless' }] });

  const clusterV2 = new eksv2.Cluster(stack, 'EksV2', { version: eksv2.KubernetesVersion.V1_33, vpc, defaultCapacityType: eksv2.DefaultCapacityType.NODEGROUP, defaultCapacity: 1 });
  clusterV2.grantAccess('AppAccess', g('eksv2.grantAccess').roleArn, [eksv2.AccessPolicy.fromAccessPolicyName('AmazonEKSViewPolicy', { accessScopeType: eksv2.AccessScopeType.CLUSTER })]);
  clusterV2.grantClusterAdmin('Admin', g('eksv2.grantClusterAdmin').roleArn);

  const fargate = new batch.FargateComputeEnvironment(stack, 'BatchFargate', { vpc });
  const ec2Env = new batch.ManagedEc2EcsComputeEnvironment(stack, 'BatchEc2', { vpc, instanceTypes: [ec2.InstanceType.of(ec2.InstanceClass.M6I, ec2.InstanceSize.LARGE)], useOptimalInstanceClasses: false, spot: true });
  const queue = new batch.JobQueue(stack, 'JobQueue', { computeEnvironments: [{ computeEnvironment: fargate, order: 1 }, { computeEnvironment: ec2Env, order: 2 }] });
  const job = new batch.EcsJobDefinition(stack, 'Job', {
    container: new batch.EcsFargateContainerDefinition(stack, 'JobContainer', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/amazonlinux/amazonlinux:2023'), memory: Size.gibibytes(1), cpu: 1 }),
  });
  job.grantSubmitJob(g('batch.grantSubmitJob'), queue);
  // The newer grants API: ConsumableResource has no grant* method, only `grants`.
  const licences = new batch.ConsumableResource(stack, 'Licences', { totalQuantity: 10 });
  licences.grants.actions(g('batch.ConsumableResourceGrants.actions'), ['batch:DescribeConsumableResource']);
  licences.grants.read(g('batch.ConsumableResourceGrants.read'));
  licences.grants.update(g('batch.ConsumableResourceGrants.update'));

  const mesh = new appmesh.Mesh(stack, 'Mesh');
  const node = mesh.addVirtualNode('Node', { serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local') });
  node.grantStreamAggregatedResources(g('appmesh.node.grantStreamAggregatedResources'));
  const gateway = mesh.addVirtualGateway('Gateway', { listeners: [appmesh.VirtualGatewayListener.http({ port: 8080 })] });
  gateway.grantStreamAggregatedResources(g('appmesh.gateway.grantStreamAggregatedResources'));
}

export function deployment(stack: Stack, workdir: string): void {
  const g = granteeFactory(stack);
  const handler = fn(stack, 'Deployed');
  const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: handler.currentVersion });
  const group = new codedeploy.LambdaDeploymentGroup(stack, 'LambdaDeployments', {
    alias, deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES, preHook: fn(stack, 'PreHook'), postHook: fn(stack, 'PostHook'),
  });
  group.grantPutLifecycleEventHookExecutionStatus(g('codedeploy.grantPutLifecycleEventHookExecutionStatus'));
  new codedeploy.ServerDeploymentGroup(stack, 'ServerDeployments', { installAgent: true });
  const vpc = vpcIn(stack);
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const task = new ecs.FargateTaskDefinition(stack, 'Task');
  task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest'), portMappings: [{ containerPort: 80 }] });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition: task, deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY } });
  new codedeploy.EcsDeploymentGroup(stack, 'EcsDeployments', {
    service,
    blueGreenDeploymentConfig: {
      blueTargetGroup: new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP }),
      greenTargetGroup: new elbv2.ApplicationTargetGroup(stack, 'Green', { vpc, port: 80, targetType: elbv2.TargetType.IP }),
      listener: listener(stack, vpc),
    },
  });

  cloudwatch.Metric.grantPutMetricData(g('cloudwatch.grantPutMetricData'));
  const file = path.join(workdir, 'asset.txt');
  fs.writeFileSync(file, 'data\n');
  new assets.Asset(stack, 'Asset', { path: file }).grantRead(g('s3assets.grantRead'));
  const stream = new kinesis.Stream(stack, 'Stream');
  // Event sources grant the function its reads on the source (no grant method of their own).
  const consumerFn = fn(stack, 'StreamConsumer');
  consumerFn.addEventSource(new eventSources.KinesisEventSource(stream, { startingPosition: lambda.StartingPosition.LATEST }));
  consumerFn.addEventSource(new eventSources.KinesisConsumerEventSource(new kinesis.StreamConsumer(stack, 'EfoConsumer', { stream, streamConsumerName: 'efo' }), { startingPosition: lambda.StartingPosition.LATEST }));

  const sourceOutput = new codepipeline.Artifact();
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', { pipelineType: codepipeline.PipelineType.V2 });
  pipeline.addStage({ stageName: 'Source', actions: [new cpactions.S3SourceAction({ actionName: 'Source', bucket: new s3.Bucket(stack, 'SourceBucket', { versioned: true }), bucketKey: 'src.zip', output: sourceOutput })] });
  const approval = new cpactions.ManualApprovalAction({ actionName: 'Approve' });
  pipeline.addStage({ stageName: 'Approve', actions: [approval] });
  approval.grantManualApproval(g('codepipeline.grantManualApproval'));
  pipeline.addStage({
    stageName: 'Deploy', actions: [new cpactions.CloudFormationCreateUpdateStackAction({ actionName: 'Deploy', stackName: 'app', templatePath: sourceOutput.atPath('template.yaml'), adminPermissions: false })],
  });
}

function listener(stack: Stack, vpc: ec2.IVpc): elbv2.ApplicationListener {
  const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: false, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  return lb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(200) });
}
