export * from './reason-code';
export * from './broker-request';
export * from './broker-config';
export * from './ports';
export * from './resource-match';
export * from './credential-broker-core';
export * from './tool-broker-config';
