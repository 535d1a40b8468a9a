#!/usr/bin/env bash
# What the tracer costs a cold build (issue 6): `layerlab build --no-cache -q` of the
# 10-instruction Dockerfile of build_bench.sh, N times each with tracing off, with
# `--explain=json:/dev/null`, with `--explain=json:FILE` (a real file, one flush per line) and with
# `--explain` (text, stderr to /dev/null). Runs are interleaved (one of each mode per round) so
# drift in the machine's load hits every mode alike. Prints medians and the overhead against "off".
# There is no build without the tracer: "off" is the null sink, so its own cost cannot be measured
# here (the unit of comparison is the null-sink check, one branch per event).
# Usage: benchmarks/trace_overhead.sh [LAYERLAB_BINARY] [N]
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
source "$(dirname "$0")/lib.sh"
LAYERLAB="${1:-build/sim/layerlab}"
N="${2:-10}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export LAYERLAB_ROOT="$WORK/store"

make_build_context "$WORK/ctx"

MODES=(off json-null json-file text)
LABELS=("tracing off (null sink)" "--explain=json:/dev/null" "--explain=json:FILE"
        "--explain (text, stderr to /dev/null)")
build() {  # build MODE: one cold build, its output discarded
  local build_args=(build --no-cache -q -t bench "$WORK/ctx")
  case "$1" in
    off) "$LAYERLAB" "${build_args[@]}" >/dev/null 2>&1 ;;
    json-null) "$LAYERLAB" --explain=json:/dev/null "${build_args[@]}" >/dev/null 2>&1 ;;
    json-file) "$LAYERLAB" --explain=json:"$WORK/trace.jsonl" "${build_args[@]}" >/dev/null 2>&1 ;;
    text) "$LAYERLAB" --explain "${build_args[@]}" >/dev/null 2>&1 ;;
  esac
}

build off || { echo "failed: $LAYERLAB build" >&2; exit 1; }  # warm: unpacks busybox once
for m in "${MODES[@]}"; do : > "$WORK/times.$m"; done
for _ in $(seq "$N"); do
  for m in "${MODES[@]}"; do
    t0=$(date +%s%N)
    build "$m" || { echo "failed: build ($m)" >&2; exit 1; }
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 )) >> "$WORK/times.$m"
  done
done

median_of_file() {  # median of the microsecond times in file $1, in milliseconds
  sort -n "$1" | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
off=$(median_of_file "$WORK/times.off")
lines=$(wc -l < "$WORK/trace.jsonl")
printf '%-40s %10s %10s\n' "cold build, 10 instructions, N=$N" "median ms" "vs off"
for i in "${!MODES[@]}"; do
  m=$(median_of_file "$WORK/times.${MODES[$i]}")
  awk -v l="${LABELS[$i]}" -v m="$m" -v o="$off" \
    'BEGIN {printf "%-40s %10s %+9.1f%%\n", l, m, (m - o) / o * 100}'
done
echo "events per build: $lines (the JSON lines of the last --explain=json:FILE run)"
