import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib/core';
import { AgentGuardrailsChecks } from '../../../../constructs/aws/agent-guardrails-checks';
import { checkPaths } from '../../../../lib/cli/check';
import { TAG_KEYS } from '../../../../lib/model/tags';

/**
 * Recall: over-broad grants in disguise, one per cause of RULES-SPEC's AWS table, each written
 * the way real templates hide it (wildcards that expand into permission changes, NotAction /
 * NotResource, mixed case, conditions that narrow nothing, JSON-string documents, ARNs built
 * with Fn::Sub / Fn::Join, another account's keys, AWS-managed policies by ARN, policies on
 * groups and users, trust of everyone). Each must be caught by the right rule, as an error,
 * through the CLI's engine (`checkPaths`); a sample goes through the cdk-nag pack too.
 */

const lambdaTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const doc = (statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });
const allow = (action: unknown, resource: unknown = '*', extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action: action, Resource: resource, ...extra });
const inline = (...statements: unknown[]) => ({ Policies: [{ PolicyName: 'p', PolicyDocument: doc(statements) }] });
const role = (props: Record<string, unknown> = {}, trust: unknown = lambdaTrust) => ({ Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust, ...props } });
const agentTags = [
  { Key: TAG_KEYS.agent, Value: 'ops' }, { Key: TAG_KEYS.tool, Value: 'tool' }, { Key: TAG_KEYS.tier, Value: 'operator' },
  { Key: TAG_KEYS.environment, Value: 'prod' }, { Key: TAG_KEYS.component, Value: 'tool-identity' },
];
/** An agent tool role (tagged the way the AgentIdentity construct tags it). */
const agentRole = (...statements: unknown[]) => role({ Tags: agentTags, ...inline(...statements) });
const managed = (...arns: unknown[]) => role({ ManagedPolicyArns: arns });
const partitionJoin = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const OTHER = '999988887777';

interface RecallCase {
  /** What is hidden, and how. */
  readonly name: string;
  readonly resources: Record<string, unknown>;
  /** The rule that must report it, as an error, on `on` (default `R`). */
  readonly rule: string;
  readonly on?: string;
}

const CASES: RecallCase[] = [
  // AWS-001: admin in any form
  { name: 'Action "*" on "*"', rule: 'AWS-001', resources: { R: role(inline(allow('*'))) } },
  { name: 'Action "*:*" in a list with a harmless action', rule: 'AWS-001', resources: { R: role(inline(allow(['s3:GetObject', '*:*']))) } },
  { name: '"*" on a resource list that holds "*"', rule: 'AWS-001', resources: { R: role(inline(allow('*', ['arn:aws:s3:::b', '*']))) } },
  { name: 'admin with a condition that admits everyone (StringLike "*")', rule: 'AWS-001', resources: { R: role(inline(allow('*', '*', { Condition: { StringLike: { 'aws:PrincipalTag/team': '*' } } }))) } },
  { name: 'NotAction of one service on "*"', rule: 'AWS-001', resources: { R: role(inline({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })) } },
  { name: 'Allow "*" with NotResource of one bucket', rule: 'AWS-001', resources: { R: role(inline({ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::audit/*' })) } },
  { name: 'managed AdministratorAccess', rule: 'AWS-001', resources: { R: managed('arn:aws:iam::aws:policy/AdministratorAccess') } },
  { name: 'AdministratorAccess by Fn::Join of the partition', rule: 'AWS-001', resources: { R: managed(partitionJoin('arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess')) } },
  { name: 'AdministratorAccess by Fn::Sub', rule: 'AWS-001', resources: { R: managed({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess' }) } },
  { name: 'managed PowerUserAccess (NotAction iam/organizations/account)', rule: 'AWS-001', resources: { R: managed('arn:aws:iam::aws:policy/PowerUserAccess') } },
  { name: 'policy document as a JSON string', rule: 'AWS-001', resources: { R: role({ Policies: [{ PolicyName: 'p', PolicyDocument: JSON.stringify(doc([allow('*')])) }] }) } },
  { name: 'customer-managed policy with "*" attached by Ref', rule: 'AWS-001', on: 'Admin', resources: {
    R: managed({ Ref: 'Admin' }),
    Admin: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: doc([allow('*')]) } },
  } },
  { name: 'AWS::IAM::Policy with "*" on a group', rule: 'AWS-001', resources: {
    G: { Type: 'AWS::IAM::Group', Properties: {} },
    R: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Groups: [{ Ref: 'G' }], PolicyDocument: doc([allow('*')]) } },
  } },
  { name: 'inline "*" on a user', rule: 'AWS-001', resources: { R: { Type: 'AWS::IAM::User', Properties: inline(allow('*')) } } },
  { name: 'a permissions boundary that allows everything', rule: 'AWS-001', on: 'B', resources: {
    R: role({ PermissionsBoundary: { Ref: 'B' }, ...inline(allow('s3:GetObject', 'arn:aws:s3:::b/*')) }),
    B: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: doc([allow('*')]) } },
  } },

  // AWS-002: wildcards judged by what they reach; NotAction / NotResource
  { name: 'iam:*Policy* on "*"', rule: 'AWS-002', resources: { R: role(inline(allow('iam:*Policy*'))) } },
  { name: 'mixed case IAM:put* on "*"', rule: 'AWS-002', resources: { R: role(inline(allow('IAM:put*'))) } },
  { name: '"?" wildcards: iam:?ut?ole?olicy', rule: 'AWS-002', resources: { R: role(inline(allow('iam:?ut?ole?olicy'))) } },
  { name: 's3:* on one bucket reaches PutBucketPolicy', rule: 'AWS-002', resources: { R: role(inline(allow('s3:*', ['arn:aws:s3:::b', 'arn:aws:s3:::b/*']))) } },
  { name: 'NotAction on a named bucket', rule: 'AWS-002', resources: { R: role(inline({ Effect: 'Allow', NotAction: 's3:DeleteObject', Resource: 'arn:aws:s3:::b/*' })) } },
  { name: 'NotResource with a named action', rule: 'AWS-002', resources: { R: role(inline({ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret/*' })) } },
  { name: 'managed IAMFullAccess (iam:*)', rule: 'AWS-002', resources: { R: managed('arn:aws:iam::aws:policy/IAMFullAccess') } },
  { name: 'sns:* on a JSON-string policy with Fn::Sub (no variables)', rule: 'AWS-002', resources: { R: role({ Policies: [{ PolicyName: 'p', PolicyDocument: { 'Fn::Sub': JSON.stringify(doc([allow('sns:*')])) } }] }) } },

  // AWS-003: writes / data reads on "*" or every resource of a type
  { name: 'dynamodb:PutItem on "*"', rule: 'AWS-003', resources: { R: role(inline(allow('dynamodb:PutItem'))) } },
  { name: 'kms:Encrypt on every key of another account', rule: 'AWS-003', resources: { R: role(inline(allow('kms:Encrypt', `arn:aws:kms:us-east-1:${OTHER}:key/*`))) } },
  { name: 'kms:Encrypt on every key of this account, built with Fn::Sub', rule: 'AWS-003', resources: { R: role(inline(allow('kms:Encrypt', { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*' }))) } },
  { name: 'sqs:SendMessage on every queue, built with Fn::Join', rule: 'AWS-003', resources: { R: role(inline(allow('sqs:SendMessage', partitionJoin('arn:', { Ref: 'AWS::Partition' }, ':sqs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*')))) } },
  { name: 'a resource-tag condition that admits every value (StringLike "*")', rule: 'AWS-003', resources: { R: role(inline(allow('ec2:TerminateInstances', '*', { Condition: { StringLike: { 'aws:ResourceTag/team': '*' } } }))) } },
  { name: 'a resource-tag condition with IfExists (untagged resources pass)', rule: 'AWS-003', resources: { R: role(inline(allow('ec2:TerminateInstances', '*', { Condition: { StringEqualsIfExists: { 'aws:ResourceTag/team': 'a' } } }))) } },
  { name: 'ForAllValues on a single-valued tag key (absent key passes)', rule: 'AWS-003', resources: { R: role(inline(allow('ec2:TerminateInstances', '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:ResourceTag/team': 'a' } } }))) } },
  { name: 'an org condition that admits every org (o-*)', rule: 'AWS-003', resources: { R: role(inline(allow('sqs:DeleteQueue', '*', { Condition: { StringLike: { 'aws:ResourceOrgID': 'o-*' } } }))) } },
  { name: 'a source-ARN condition that admits every ARN (ArnLike arn:aws:*)', rule: 'AWS-003', resources: { R: role(inline(allow('sqs:SendMessage', '*', { Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:*' } } }))) } },
  { name: 'a source-account condition that admits every account (StringLike "*")', rule: 'AWS-003', resources: { R: role(inline(allow('sns:Publish', '*', { Condition: { StringLike: { 'aws:SourceAccount': '*' } } }))) } },
  // AWS-003: a create on the type it creates is no finding; these are not that
  { name: 'ec2:TerminateInstances on every instance (instance/*)', rule: 'AWS-003', resources: { R: role(inline(allow('ec2:TerminateInstances', 'arn:aws:ec2:us-east-1:111122223333:instance/*'))) } },
  { name: 'dynamodb:DeleteTable on table/* next to its dynamodb:CreateTable (the delete loses data)', rule: 'AWS-003', resources: { R: role(inline(allow(['dynamodb:CreateTable', 'dynamodb:DeleteTable'], 'arn:aws:dynamodb:us-east-1:111122223333:table/*'))) } },
  { name: 'rds:DeleteDBInstance on db:* next to its rds:CreateDBInstance (the delete loses data)', rule: 'AWS-003', resources: { R: role(inline(allow(['rds:CreateDBInstance', 'rds:DeleteDBInstance'], 'arn:aws:rds:us-east-1:111122223333:db:*'))) } },
  { name: 'rds:*DBInstance on db:* (creates, and deletes every DB instance)', rule: 'AWS-002', resources: { R: role(inline(allow('rds:*DBInstance', 'arn:aws:rds:us-east-1:111122223333:db:*'))) } },
  { name: 'ec2:CreateTags alone on "*"', rule: 'AWS-003', resources: { R: role(inline(allow('ec2:CreateTags'))) } },
  { name: 'a create-and-delete statement on "*" (never exempt)', rule: 'AWS-003', resources: { R: role(inline(allow(['ec2:CreateInstanceConnectEndpoint', 'ec2:DeleteInstanceConnectEndpoint']))) } },
  { name: 'ec2:DeleteSubnet hidden in a create statement on subnet/* (a referenced type is not created)', rule: 'AWS-003', resources: { R: role(inline(allow(['ec2:CreateNetworkInterface', 'ec2:DeleteSubnet'],
    ['arn:aws:ec2:us-east-1:111122223333:network-interface/*', 'arn:aws:ec2:us-east-1:111122223333:subnet/*']))) } },
  { name: 'ec2:AuthorizeSecurityGroupIngress on security-group/* (creates a rule, writes the group)', rule: 'AWS-003', resources: { R: role(inline(allow('ec2:AuthorizeSecurityGroupIngress', 'arn:aws:ec2:us-east-1:111122223333:security-group/*'))) } },
  { name: 'iam:CreateRole on role/* (an IAM write is never a plain create)', rule: 'AWS-003', resources: { R: role(inline(allow('iam:CreateRole', 'arn:aws:iam::111122223333:role/*'))) } },
  { name: 'ec2:CreateSnapshot of every volume (a copy of the data)', rule: 'AWS-003', resources: { R: role(inline(allow('ec2:CreateSnapshot', ['arn:aws:ec2:us-east-1:111122223333:volume/*', 'arn:aws:ec2:us-east-1::snapshot/*']))) } },
  { name: 'data reads of every parameter (ssm:GetParameter* on parameter/*)', rule: 'AWS-003', resources: { R: role(inline(allow('ssm:GetParameter*', 'arn:aws:ssm:us-east-1:111122223333:parameter/*'))) } },

  // AWS-004: escalation paths, also split across policies
  { name: 'iam:CreatePolicyVersion on "*"', rule: 'AWS-004', resources: { R: role(inline(allow('iam:CreatePolicyVersion'))) } },
  { name: 'iam:Attach*Policy on itself (Fn::GetAtt), mixed case', rule: 'AWS-004', resources: { R: role(inline(allow('IAM:attach*policy', { 'Fn::GetAtt': ['R', 'Arn'] }))) } },
  { name: 'iam:PutRolePolicy on itself (Fn::GetAtt)', rule: 'AWS-004', resources: { R: role(inline(allow('iam:PutRolePolicy', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*' }))) } },
  { name: 'iam:UpdateAssumeRolePolicy alone on role/* (trust oneself by ARN, then assume: no sts:AssumeRole needed in one account)', rule: 'AWS-004', resources: { R: role(inline(allow('iam:UpdateAssumeRolePolicy', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*' }))) } },
  { name: 'iam:UpdateAssumeRolePolicy and sts:AssumeRole in two statements on role/*', rule: 'AWS-004', resources: { R: role(inline(
    allow('iam:UpdateAssumeRolePolicy', 'arn:aws:iam::111122223333:role/*'), allow('sts:AssumeRole', 'arn:aws:iam::111122223333:role/*'))) } },
  { name: 'PassRole + lambda:CreateFunction + InvokeFunction split over an inline and a separate policy', rule: 'AWS-004', resources: {
    R: role(inline(allow('iam:PassRole', 'arn:aws:iam::111122223333:role/*'))),
    P: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p2', Roles: [{ Ref: 'R' }], PolicyDocument: doc([allow(['lambda:CreateFunction', 'lambda:InvokeFunction'])]) } },
  } },
  { name: 'PassRole + lambda:CreateFunction + InvokeFunction on function:* (the type CreateFunction creates)', rule: 'AWS-004', resources: { R: role(inline(
    allow('iam:PassRole', 'arn:aws:iam::111122223333:role/*'), allow(['lambda:CreateFunction', 'lambda:InvokeFunction'], 'arn:aws:lambda:us-east-1:111122223333:function:*'))) } },
  { name: 'PassRole of a stronger role of the template (admin) to lambda', rule: 'AWS-004', resources: {
    R: role(inline(
      allow('iam:PassRole', { 'Fn::GetAtt': ['Strong', 'Arn'] }, { Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }),
      allow(['lambda:CreateFunction', 'lambda:InvokeFunction'], '*'))),
    Strong: managed('arn:aws:iam::aws:policy/AdministratorAccess'),
  } },
  { name: 'PassRole of an unknown role of another account to ec2 + RunInstances', rule: 'AWS-004', resources: { R: role(inline(
    allow('iam:PassRole', `arn:aws:iam::${OTHER}:role/ops`, { Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }),
    allow('ec2:RunInstances'))) } },
  { name: 'PassRole of a template role that can change IAM to cloudformation + CreateStack (the stack runs as it)', rule: 'AWS-004', resources: {
    R: role(inline(
      allow('iam:PassRole', { 'Fn::GetAtt': ['Deployer', 'Arn'] }, { Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } } }),
      allow('cloudformation:CreateStack', 'arn:aws:cloudformation:eu-west-1:111122223333:stack/app/*'))),
    Deployer: role(inline(allow(['iam:CreateRole', 'iam:AttachRolePolicy'], 'arn:aws:iam::111122223333:role/app-*'))),
  } },
  { name: 'PassRole of another account\'s role named like a weak template role, to cloudformation + CreateStack', rule: 'AWS-004', resources: {
    R: role(inline(allow('iam:PassRole', `arn:aws:iam::${OTHER}:role/deployer`), allow('cloudformation:CreateStack', 'arn:aws:cloudformation:eu-west-1:111122223333:stack/app/*'))),
    Weak: role({ RoleName: 'deployer', ...inline(allow('s3:GetObject', 'arn:aws:s3:::artifacts/*')) }),
  } },
  { name: 'PassRole of a template role that can change IAM to codepipeline + codepipeline:Create* (the new pipeline runs as it)', rule: 'AWS-004', resources: {
    R: role(inline(
      allow('IAM:PassRole', { 'Fn::GetAtt': ['PipelineRole', 'Arn'] }, { Condition: { StringEquals: { 'iam:PassedToService': 'codepipeline.amazonaws.com' } } }),
      allow('codepipeline:Create*', { 'Fn::Sub': 'arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:*' }))),
    PipelineRole: role(inline(allow(['iam:CreateRole', 'iam:AttachRolePolicy'], 'arn:aws:iam::111122223333:role/app-*')), { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
  } },
  { name: 'AgentCore code interpreter with a passed role', rule: 'AWS-004', resources: { R: role(inline(
    allow('iam:PassRole', 'arn:aws:iam::111122223333:role/*'), allow('bedrock-agentcore:*CodeInterpreter*'))) } },

  // AWS-005: PassRole names roles and carries iam:PassedToService
  { name: 'iam:PassRole on role/* without iam:PassedToService', rule: 'AWS-005', resources: { R: role(inline(allow('iam:PassRole', 'arn:aws:iam::111122223333:role/*'))) } },
  { name: 'iam:PassRole through IAM:Pass* on "*"', rule: 'AWS-005', resources: { R: role(inline(allow('IAM:Pass*'))) } },
  { name: 'iam:PassRole with iam:PassedToService StringLike "*"', rule: 'AWS-005', resources: { R: role(inline(allow('iam:PassRole', 'arn:aws:iam::111122223333:role/app-*', { Condition: { StringLike: { 'iam:PassedToService': '*' } } }))) } },

  // AWS-006: permissions management for agents
  { name: 'agent tagging itself (iam:Tag* on its own role: ABAC conditions keyed on its tags change)', rule: 'AWS-006', resources: { R: agentRole(allow('iam:Tag*', { 'Fn::GetAtt': ['R', 'Arn'] })) } },
  { name: 'agent with s3:Put*Policy on its bucket', rule: 'AWS-006', resources: { R: agentRole(allow('s3:Put*Policy', 'arn:aws:s3:::b')) } },
  { name: 'agent with ram:* on "*"', rule: 'AWS-006', resources: { R: agentRole(allow('ram:*')) } },
  { name: 'agent with organizations:Attach* in mixed case', rule: 'AWS-006', resources: { R: agentRole(allow('Organizations:attach*')) } },

  // AWS-007: credential-returning actions on wildcards
  { name: 'secretsmanager:GetSecretValue on "*"', rule: 'AWS-007', resources: { R: role(inline(allow('secretsmanager:GetSecretValue'))) } },
  { name: 'disguised Secretsmanager:Get*Value on every secret', rule: 'AWS-007', resources: { R: role(inline(allow('Secretsmanager:Get*Value', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:*'))) } },
  { name: 'sts:AssumeRole on every role of every account', rule: 'AWS-007', resources: { R: role(inline(allow('sts:AssumeRole', 'arn:aws:iam::*:role/*'))) } },
  { name: 'kms:Decrypt on "*" with kms:ViaService StringLike "*"', rule: 'AWS-007', resources: { R: role(inline(allow('kms:Decrypt', '*', { Condition: { StringLike: { 'kms:ViaService': '*' } } }))) } },
  { name: 'iam:CreateAccessKey on user/*', rule: 'AWS-007', resources: { R: role(inline(allow('iam:CreateAccessKey', 'arn:aws:iam::111122223333:user/*'))) } },

  // AWS-008: data reads beyond declared sources (agents)
  { name: 'agent with s3:GetObject on every bucket', rule: 'AWS-008', resources: { R: agentRole(allow('s3:GetObject', 'arn:aws:s3:::*')) } },
  { name: 'agent with dynamodb:* on table/*', rule: 'AWS-008', resources: { R: agentRole(allow('dynamodb:*', 'arn:aws:dynamodb:us-east-1:111122223333:table/*')) } },
  { name: 'agent sharing snapshots (rds:ModifyDBSnapshotAttribute) on "*"', rule: 'AWS-008', resources: { R: agentRole(allow('rds:ModifyDBSnapshotAttribute')) } },

  // AWS-009: trust policies
  { name: 'web identity of a template OIDC provider with only aud, the condition hidden in CDK\'s CfnJson (any pod of the cluster)', rule: 'AWS-009', resources: {
    Provider: { Type: 'Custom::AWSCDKOpenIdConnectProvider', Properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:oidc', Url: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC' } },
    AWSCDKCfnUtilsProviderCustomResourceProviderHandlerCF82AA57: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler', Runtime: 'nodejs22.x', Code: { ZipFile: 'x' }, Role: 'arn:aws:iam::111122223333:role/h' } },
    Claims: { Type: 'Custom::AWSCDKCfnJson', Properties: {
      ServiceToken: { 'Fn::GetAtt': ['AWSCDKCfnUtilsProviderCustomResourceProviderHandlerCF82AA57', 'Arn'] },
      Value: { 'Fn::Join': ['', ['{"', { 'Fn::Select': [1, { 'Fn::Split': [':oidc-provider/', { Ref: 'Provider' }] }] }, ':aud":"sts.amazonaws.com"}']] },
    } },
    R: role({}, doc([{ Effect: 'Allow', Principal: { Federated: { Ref: 'Provider' } }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'Fn::GetAtt': ['Claims', 'Value'] } } }])),
  } },
  { name: 'trust Principal "*"', rule: 'AWS-009', resources: { R: role({}, doc([{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }])) } },
  { name: 'trust Principal {AWS: "*"} among named roles', rule: 'AWS-009', resources: { R: role({}, doc([{ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111122223333:role/ci', '*'] }, Action: 'sts:AssumeRole' }])) } },
  { name: 'trust Principal "*" with an org condition that admits every org (o-*)', rule: 'AWS-009', resources: { R: role({}, doc([{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringLike: { 'aws:PrincipalOrgID': 'o-*' } } }])) } },
  { name: 'trust of another account root without conditions', rule: 'AWS-009', resources: { R: role({}, doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'sts:AssumeRole' }])) } },
  { name: 'trust of a bare account id', rule: 'AWS-009', resources: { R: role({}, doc([{ Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'sts:AssumeRole' }])) } },
  { name: 'OIDC trust without sub', rule: 'AWS-009', resources: { R: role({}, doc([{
    Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
  }])) } },
  { name: 'OIDC trust with sub StringLike "*"', rule: 'AWS-009', resources: { R: role({}, doc([{
    Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': '*' } },
  }])) } },
  { name: 'trust "*" as a JSON string', rule: 'AWS-009', resources: { R: role({}, JSON.stringify(doc([{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }]))) } },
  { name: 'trust "*" as Fn::Sub of a JSON string without variables', rule: 'AWS-009', resources: { R: role({}, { 'Fn::Sub': JSON.stringify(doc([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }])) }) } },

  // AWS-010 / 011: boundary and session length of agent roles
  { name: 'agent role without a permissions boundary', rule: 'AWS-010', resources: { R: agentRole(allow('s3:GetObject', 'arn:aws:s3:::b/*')) } },
  { name: 'MaxSessionDuration of 12 h', rule: 'AWS-011', resources: { R: role({ MaxSessionDuration: 43200 }) } },

  // AWS-012: guardrail tamper by agents
  { name: 'agent with cloudtrail:* on "*"', rule: 'AWS-012', resources: { R: agentRole(allow('cloudtrail:*')) } },
  { name: 'agent with iam:Delete*PermissionsBoundary', rule: 'AWS-012', resources: { R: agentRole(allow('iam:Delete*PermissionsBoundary')) } },
  { name: 'agent with bedrock-agentcore:Update* (gateway to log-only)', rule: 'AWS-012', resources: { R: agentRole(allow('bedrock-agentcore:Update*')) } },

  // AWS-013: quotas
  { name: 'an inline policy over 10,240 characters', rule: 'AWS-013', resources: { R: role(inline(allow('s3:GetObject', Array.from({ length: 400 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`)))) } },

  // AWS-014: unknown references that can widen
  { name: 'an AWS-managed ARN the data does not hold (typo)', rule: 'AWS-014', resources: { R: managed('arn:aws:iam::aws:policy/AdministratorAcess') } },
];

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-recall-')); });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('recall through the CLI engine: every disguise is caught by its rule, as an error', () => {
  test.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
    const file = path.join(dir, `case-${i}.json`);
    fs.writeFileSync(file, JSON.stringify({ Resources: c.resources }));
    const findings = checkPaths([file]).findings;
    const hit = findings.find((f) => f.ruleId === c.rule && f.severity === 'error' && f.resource === (c.on ?? 'R'));
    if (!hit) throw new Error(`${c.rule} missed "${c.name}"; found: ${findings.map((f) => `${f.id}@${f.resource} (${f.severity})`).join(', ') || 'nothing'}`);
  });
});

describe('recall through the cdk-nag pack (the same templates as raw CloudFormation resources)', () => {
  const sample = CASES.filter((_, i) => i % 4 === 0);
  test.each(sample.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const app = new App();
    const stack = new Stack(app, 'Recall');
    for (const [id, r] of Object.entries(c.resources)) {
      const { Type, Properties } = r as { Type: string; Properties: Record<string, unknown> };
      new CfnResource(stack, id, { type: Type, properties: Properties }).overrideLogicalId(id);
    }
    const report = new AgentGuardrailsChecks().validateScope(stack);
    const hit = report.violations.find((v) => v.ruleName.startsWith(`${c.rule}[`) || v.ruleName === c.rule);
    expect(hit && ['error', 'fatal'].includes(hit.severity ?? '')).toBe(true);
  });
});
