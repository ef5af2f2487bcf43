export * from './inventory-from-terraform';
export * from './gcp-roles';
export * from './azure-roles';
