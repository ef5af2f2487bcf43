#!/usr/bin/env bash
# `npm run bench`: every benchmark under bench/ — each folder provides either a run.sh or
# *.bench.ts files (run with ts-node, transpile only). Results land in bench/results/ (gitignored).
# Benchmarks are measurements, not tests: they run offline and do not fail on a missed goal.
set -uo pipefail
cd "$(dirname "$0")/.."
export CDK_VALIDATION=false CDK_DISABLE_CLI_TELEMETRY=true CDK_DISABLE_VERSION_CHECK=1 AWS_EC2_METADATA_DISABLED=true CHECKPOINT_DISABLE=1 DISABLE_VERSION_CHECK=1
export TS_NODE_TRANSPILE_ONLY=true TS_NODE_SWC=true
mkdir -p bench/results
status=0
shopt -s nullglob
for script in bench/*/run.sh; do
  echo "== ${script}"
  bash "${script}" || status=1
done
for bench in bench/*/*.bench.ts; do
  echo "== ${bench}"
  node --expose-gc --max-old-space-size=8192 -r ts-node/register "${bench}" || status=1
done
exit ${status}
