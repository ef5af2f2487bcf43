export * from './access-level';
export * from './change-window';
export * from './cross-account-access';
export * from './environment';
export * from './tags';
export * from './tier';
export * from './tool';
export * from './tier-contract';
