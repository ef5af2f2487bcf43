export * from './agent-identity';
export * from './permissions-boundary';
export * from './kill-switch';
export * from './tool-role';
export * from './agent-guardrails-checks';
export * from './credential-broker';
export * from './approval-gate';
