export * from './guardrail-checks';
export * from './inventory-from-tf-stack';
