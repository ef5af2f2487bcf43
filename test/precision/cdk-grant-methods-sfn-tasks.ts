import { Stack } from 'aws-cdk-lib/core';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';

/**
 * Step Functions service integrations (aws-cdk-lib `aws-stepfunctions-tasks`): each task grants the
 * state machine's role what it calls, with no grant method of its own. One state machine per task,
 * so a finding names the task whose grant caused it.
 */
export function stepFunctionsTasks(stack: Stack): void {
  const machine = (id: string, task: sfn.IChainable) => new sfn.StateMachine(stack, id, { definitionBody: sfn.DefinitionBody.fromChainable(task) });
  const fn = new lambda.Function(stack, 'TaskFunction', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
  const table = new dynamodb.Table(stack, 'TaskTable', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const vpc = new ec2.Vpc(stack, 'TaskVpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 0 });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'TaskDefinition');
  taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/amazonlinux/amazonlinux:2023') });
  const child = machine('ChildMachine', new sfn.Pass(stack, 'ChildPass'));
  const bucket = new s3.Bucket(stack, 'TaskBucket');

  machine('LambdaInvokeMachine', new tasks.LambdaInvoke(stack, 'LambdaInvoke', { lambdaFunction: fn }));
  machine('SqsSendMachine', new tasks.SqsSendMessage(stack, 'SqsSend', { queue: new sqs.Queue(stack, 'TaskQueue'), messageBody: sfn.TaskInput.fromText('hi') }));
  machine('SnsPublishMachine', new tasks.SnsPublish(stack, 'SnsPublish', { topic: new sns.Topic(stack, 'TaskTopic'), message: sfn.TaskInput.fromText('hi') }));
  machine('DynamoPutMachine', new tasks.DynamoPutItem(stack, 'DynamoPut', { table, item: { pk: tasks.DynamoAttributeValue.fromString('k') } }));
  machine('DynamoGetMachine', new tasks.DynamoGetItem(stack, 'DynamoGet', { table, key: { pk: tasks.DynamoAttributeValue.fromString('k') } }));
  machine('EcsRunTaskMachine', new tasks.EcsRunTask(stack, 'EcsRunTask', {
    integrationPattern: sfn.IntegrationPattern.RUN_JOB, cluster: new ecs.Cluster(stack, 'TaskCluster', { vpc }), taskDefinition, launchTarget: new tasks.EcsFargateLaunchTarget(), subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  }));
  machine('StartExecutionMachine', new tasks.StepFunctionsStartExecution(stack, 'StartExecution', { stateMachine: child, integrationPattern: sfn.IntegrationPattern.RUN_JOB }));
  machine('PutEventsMachine', new tasks.EventBridgePutEvents(stack, 'PutEvents', { entries: [{ detail: sfn.TaskInput.fromText('x'), detailType: 'order', source: 'app', eventBus: new events.EventBus(stack, 'TaskBus') }] }));
  machine('CallAwsServiceMachine', new tasks.CallAwsService(stack, 'CallAwsService', { service: 's3', action: 'getObject', parameters: { Bucket: bucket.bucketName, Key: 'k' }, iamResources: [bucket.arnForObjects('*')] }));
  machine('BedrockInvokeMachine', new tasks.BedrockInvokeModel(stack, 'BedrockInvoke', {
    model: bedrock.FoundationModel.fromFoundationModelId(stack, 'TaskModel', bedrock.FoundationModelIdentifier.ANTHROPIC_CLAUDE_3_5_SONNET_20240620_V1_0), body: sfn.TaskInput.fromObject({ prompt: 'hi' }),
  }));
}
