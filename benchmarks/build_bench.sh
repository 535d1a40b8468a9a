#!/usr/bin/env bash
# Cold build and fully cached rebuild of a 10-instruction Dockerfile on busybox (issue 5).
# Prints the median wall time of N runs (default 10) of each, and the per-step cost of a cold
# build against `layerlab run --rm busybox true` (a RUN step cannot be cheaper than one run).
# Usage: benchmarks/build_bench.sh [LAYERLAB_BINARY] [N]
set -euo pipefail
LAYERLAB="${1:-build/sim/layerlab}"
N="${2:-10}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export LAYERLAB_ROOT="$WORK/store"

mkdir -p "$WORK/ctx/app"
for i in $(seq 100); do head -c 10240 /dev/urandom > "$WORK/ctx/app/file$i.bin"; done
cat > "$WORK/ctx/Dockerfile" <<'DOCKERFILE'
FROM busybox
ARG VERSION=1.0
ENV APP=/app
WORKDIR /app
COPY app/ /app/
RUN sha256sum /app/*.bin > /app/SUMS
RUN echo 'user:x:1000:1000::/app:/bin/sh' >> /etc/passwd
USER user
EXPOSE 8080
CMD ["cat", "/app/SUMS"]
DOCKERFILE

median() {  # runs "$@" N times, prints the median in milliseconds
  local times=()
  for _ in $(seq "$N"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

"$LAYERLAB" build -q -t bench "$WORK/ctx" >/dev/null  # warm: unpacks busybox once
cold=$(median "$LAYERLAB" build --no-cache -q -t bench "$WORK/ctx")
cached=$(median "$LAYERLAB" build -q -t bench "$WORK/ctx")
run=$(median "$LAYERLAB" run --rm busybox true)
printf '%-52s %10s\n' "what" "median ms"
printf '%-52s %10s\n' "layerlab build --no-cache (cold, 10 instructions)" "$cold"
printf '%-52s %10s\n' "layerlab build (all 10 steps CACHED)" "$cached"
printf '%-52s %10s\n' "layerlab run --rm busybox true (one RUN's floor)" "$run"
awk -v c="$cold" -v k="$cached" 'BEGIN {printf "cached rebuild is %.1fx faster than a cold build\n", c/k}'
