import { Stack } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';

/**
 * Size of a policy document as IAM counts it against its quotas: characters without whitespace.
 * Unresolved intrinsics are measured in their CloudFormation form, which is longer than the ARN
 * they become, so the estimate errs on the safe side.
 */
export function policySizeChars(scope: IConstruct, document: unknown): number {
  const resolved = Stack.of(scope).resolve(document);
  return JSON.stringify(resolved).replace(/\s/g, '').length;
}
