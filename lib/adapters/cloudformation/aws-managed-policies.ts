import * as fs from 'fs';
import * as path from 'path';
import { policiesDir } from '../../baseline/baseline';

/** An AWS-managed policy ARN, split: `arn:<partition>:iam::aws:policy/<key>`. */
const AWS_MANAGED_ARN = /^arn:[a-z-]+:iam::aws:policy\/(.+)$/;

interface ManagedPolicyFile {
  readonly policies: Record<string, unknown>;
}

let documents: Record<string, unknown> | undefined;

/**
 * The key of an AWS-managed policy ARN (`AdministratorAccess`, `service-role/AWSLambdaBasicExecutionRole`),
 * or undefined when the ARN is not one of the `aws` account's policies.
 */
export function awsManagedPolicyKey(arn: string): string | undefined {
  return AWS_MANAGED_ARN.exec(arn)?.[1];
}

/**
 * The policy document of a known AWS-managed policy (from `policies/aws-managed-policies.json`),
 * or undefined when the adapter does not know it (the caller reports it: fail closed).
 */
export function awsManagedPolicyDocument(key: string): unknown {
  documents ??= (JSON.parse(fs.readFileSync(path.join(policiesDir(), 'aws-managed-policies.json'), 'utf8')) as ManagedPolicyFile).policies;
  return documents[key];
}
