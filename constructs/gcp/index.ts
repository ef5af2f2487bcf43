export * from './agent-identity';
export * from './credential-broker';
export * from './activity-monitor';
