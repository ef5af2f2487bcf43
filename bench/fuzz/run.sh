#!/usr/bin/env bash
# The CLI fuzzer for longer than CI runs it: the same properties as test/lib/cli/fuzz-contract.test.ts
# (exit 0/1/2, one stderr line, no stack trace, dangerous grants never pass) with many more cases and
# a fresh seed each run (printed, so a failure can be replayed with AG_FUZZ_SEED=<seed>). Then the
# hostile inputs of issue 13, timed.
set -uo pipefail
cd "$(dirname "$0")/../.."
runs="${AG_FUZZ_RUNS:-1000}"
seed="${AG_FUZZ_SEED:-$RANDOM$RANDOM}"
echo "fuzz: ${runs} cases per input kind, seed ${seed}"
AG_FUZZ_RUNS="${runs}" AG_FUZZ_SEED="${seed}" npx jest test/lib/cli/fuzz-contract.test.ts --testTimeout=36000000
status=$?
node -r ts-node/register bench/fuzz/hostile-inputs.ts || status=1
exit ${status}
