#!/usr/bin/env bash
# `layerlab run --rm busybox true` against the floor (unshare + chroot into the same rootfs, the
# least any container launch must do) and against runc/crun where installed, in one run.
# Prints the median wall time of N runs of each (default 30) and the ratios to the floor.
# Usage: benchmarks/run_vs_floor.sh [LAYERLAB_BINARY] [N]
set -euo pipefail
# shellcheck source=benchmarks/lib.sh
source "$(dirname "$0")/lib.sh"
LAYERLAB="${1:-build/sim/layerlab}"
N="${2:-30}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export LAYERLAB_ROOT="$WORK/store"

# One rootfs for everyone: busybox exported from a layerlab container.
"$LAYERLAB" create --name bench busybox >/dev/null
"$LAYERLAB" export bench -o "$WORK/rootfs.tar"
mkdir -p "$WORK/bundle/rootfs"
tar -C "$WORK/bundle/rootfs" -xf "$WORK/rootfs.tar"


floor=$(median unshare --user --map-root-user --mount --pid --fork --uts --ipc --net \
  chroot "$WORK/bundle/rootfs" /bin/true)
ours=$(median "$LAYERLAB" run --rm busybox true)
ours_copy=$(median "$LAYERLAB" --storage-driver copy run --rm busybox true)
printf '%-44s %10s %8s\n' "command" "median ms" "x floor"
printf '%-44s %10s %8s\n' "unshare ... chroot ROOTFS /bin/true (floor)" "$floor" "1.00"
ratio() { awk -v a="$1" -v b="$floor" 'BEGIN {printf "%.2f", a/b}'; }
printf '%-44s %10s %8s\n' "layerlab run --rm busybox true (overlay)" "$ours" "$(ratio "$ours")"
printf '%-44s %10s %8s\n' "layerlab run --rm busybox true (copy)" "$ours_copy" "$(ratio "$ours_copy")"

for rt in runc crun; do
  if ! command -v "$rt" >/dev/null; then
    echo "$rt: not installed (apt-get install $rt)"
    continue
  fi
  (cd "$WORK/bundle" && rm -f config.json && runc spec >/dev/null 2>&1 || true)
  if [ ! -f "$WORK/bundle/config.json" ]; then echo "$rt: no OCI spec"; continue; fi
  # Run /bin/true with no terminal.
  python3 - "$WORK/bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["terminal"] = False; c["process"]["args"] = ["/bin/true"]
json.dump(c, open(p, "w"))
PY
  cmd=("$rt" --root "$WORK/$rt-state" run --bundle "$WORK/bundle" "bench-$rt-$$")
  if [ "$rt" = crun ]; then
    # crun 1.8 refuses this machine's hybrid cgroup layout unless it cannot see the v2 file.
    cmd=(unshare --mount sh -c "mount --bind /dev/null /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; exec \"\$@\"" sh "${cmd[@]}")
  fi
  if t=$(median "${cmd[@]}"); then
    printf '%-44s %10s %8s\n' "$rt run /bin/true" "$t" "$(ratio "$t")"
  else
    echo "$rt: failed to run here"
  fi
done
