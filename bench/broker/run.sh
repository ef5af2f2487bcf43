#!/usr/bin/env bash
# Broker decision latency, p50/p99 (wall and CPU) over 10,000 requests per cloud, offline:
#   core — AWS, GCP and Azure in one run, interleaved on the same request mix: each cloud's real port
#          adapters (SSM/DynamoDB/SNS/STS; Firestore/IAM Credentials/Pub/Sub; Table Storage/Key Vault
#          sign/Entra token exchange) over clients answered in process; GCP's and Azure's p99 are
#          reported as ratios of AWS's p99 from the same run (AWS is the baseline)
#   sdk  — AWS on real AWS SDK clients whose HTTP layer answers in process (the SDK's own cost),
#          interleaved with AWS on core clients, the run's baseline
# Goal: p99 < 5 ms of broker overhead per cloud. Usage: bench/broker/run.sh [requests]
# Results: bench/results/broker-decision-latency-<mode>.json
set -euo pipefail
cd "$(dirname "$0")/../.."
for mode in core sdk; do
  npx ts-node --transpile-only bench/broker/decision-latency.ts "${1:-10000}" "${mode}"
done
