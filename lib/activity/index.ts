export * from './activity-event';
export * from './activity-verdict';
export * from './activity-playbook';
export * from './activity-evaluator';
export * from './approval-ledger';
export * from './denied-burst';
