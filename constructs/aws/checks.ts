/**
 * `agent-guardrails/aws/checks`: the cdk-nag 3 pack, an entry point of its own so that
 * `agent-guardrails/aws` (the constructs) loads without cdk-nag, an optional peer.
 */
export * from './agent-guardrails-checks';
