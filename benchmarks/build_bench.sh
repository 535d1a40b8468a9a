#!/usr/bin/env bash
# Cold build and fully cached rebuild of a 10-instruction Dockerfile on busybox (issue 5).
# Prints the median wall time of N runs (default 10) of each, and the per-step cost of a cold
# build against `layerlab run --rm busybox true` (a RUN step cannot be cheaper than one run).
# Usage: benchmarks/build_bench.sh [LAYERLAB_BINARY] [N]
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
source "$(dirname "$0")/lib.sh"
LAYERLAB="${1:-build/sim/layerlab}"
N="${2:-10}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export LAYERLAB_ROOT="$WORK/store"

make_build_context "$WORK/ctx"


"$LAYERLAB" build -q -t bench "$WORK/ctx" >/dev/null  # warm: unpacks busybox once
cold=$(median "$LAYERLAB" build --no-cache -q -t bench "$WORK/ctx")
cached=$(median "$LAYERLAB" build -q -t bench "$WORK/ctx")
run=$(median "$LAYERLAB" run --rm busybox true)
printf '%-52s %10s\n' "what" "median ms"
printf '%-52s %10s\n' "layerlab build --no-cache (cold, 10 instructions)" "$cold"
printf '%-52s %10s\n' "layerlab build (all 10 steps CACHED)" "$cached"
printf '%-52s %10s\n' "layerlab run --rm busybox true (one RUN's floor)" "$run"
awk -v c="$cold" -v k="$cached" 'BEGIN {printf "cached rebuild is %.1fx faster than a cold build\n", c/k}'
