export * from './agent-identity';
export * from './credential-broker';
