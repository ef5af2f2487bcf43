#!/usr/bin/env bash
# Broker decision latency (p50/p99 over 10,000 requests, AWS calls answered in-process).
set -euo pipefail
cd "$(dirname "$0")/../.."
npx ts-node --transpile-only bench/broker/decision-latency.ts "${1:-10000}"
