export * from './check-report';
export * from './json-report';
export * from './text-report';
export * from './sarif-report';
export * from './template-lines';
export * from './rules-markdown';
export * from './source-line';
