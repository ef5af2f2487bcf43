export * from './agent-identity';
