export * from './activity-event';
export * from './activity-verdict';
export * from './activity-playbook';
export * from './activity-evaluator';
export * from './approval-ledger';
export * from './denied-burst';
export * from './activity-drift';
export * from './normalize';
export { readJsonRecords } from './read/json-records';
