#!/usr/bin/env bash
# Terraform-side benchmark: 1,000 GCP + 1,000 Azure tool identities (see tf-bench.ts).
# BENCH_AGENTS (default 100 agents × 10 tools per cloud) and BENCH_REPEATS (default 3) size it.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CHECKPOINT_DISABLE=1 DISABLE_VERSION_CHECK=1 TS_NODE_TRANSPILE_ONLY=true
mkdir -p bench/results
node --max-old-space-size=8192 -r ts-node/register bench/tf/tf-bench.ts
