// The pack (it needs cdk-nag) is in its own entry point, agent-guardrails/aws/checks (./checks).
export * from './agent-identity';
export * from './permissions-boundary';
export * from './kill-switch';
export * from './tool-role';
export * from './credential-broker';
export * from './approval-gate';
export * from './activity-monitor';
