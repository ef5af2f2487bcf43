export * from './agent-bom';
