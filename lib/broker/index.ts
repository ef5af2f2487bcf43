// The cloud-neutral credential broker: the decision class, its ports, and the JSON it reads.
// Free helper functions stay in their files (adapters import them directly).
export * from './reason-code';
export * from './ports';
export { BrokerRequest, BROKER_REQUEST_SCHEMA, MAX_REQUEST_BYTES, TOOL_NAME_PATTERN, LINEAGE_ID_PATTERN, APPROVAL_ID_PATTERN } from './broker-request';
export { BrokerConfig, BrokerToolConfig, BrokerWindow, BrokerWindowSlot, BROKER_CONFIG_SCHEMA } from './broker-config';
export * from './credential-broker-core';
export { DEFAULT_PORT_TIMEOUT_MS } from './port-call';
export { MINTER_CLOCK_SKEW_MS } from './minted-credential-check';
