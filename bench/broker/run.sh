#!/usr/bin/env bash
# Broker decision latency, p50/p99 over 10,000 requests, offline:
#   sdk  — real AWS SDK clients whose HTTP layer answers in process (the broker's full overhead)
#   core — the clients' send() answers directly (the broker's own logic)
# Results: bench/results/broker-decision-latency-<mode>.json
set -euo pipefail
cd "$(dirname "$0")/../.."
for mode in sdk core; do
  npx ts-node --transpile-only bench/broker/decision-latency.ts "${1:-10000}" "${mode}"
done
