#!/usr/bin/env bash
# `layerlab run --rm busybox true` against the floor (unshare + chroot into the same rootfs, the
# least any container launch must do) and against runc/crun where installed, in one run.
# Prints the median wall time of N runs of each (default 30), run side by side (one of each per
# round, benchmarks/interleave.py), and the ratios to the floor.
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


# The OCI bundle for runc and crun: the same rootfs, running /bin/true with no terminal.
peers=()
for rt in runc crun; do
  if ! command -v "$rt" >/dev/null; then
    echo "$rt: not installed (apt-get install $rt)"
    continue
  fi
  if [ ! -f "$WORK/bundle/config.json" ]; then
    (cd "$WORK/bundle" && runc spec >/dev/null 2>&1 || crun spec >/dev/null 2>&1 || true)
    if [ ! -f "$WORK/bundle/config.json" ]; then echo "$rt: no OCI spec"; continue; fi
    python3 - "$WORK/bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["terminal"] = False; c["process"]["args"] = ["/bin/true"]
json.dump(c, open(p, "w"))
PY
  fi
  peers+=("$rt")
done

# All commands, timed side by side (benchmarks/interleave.py: one of each per round).
python3 - "$LAYERLAB" "$WORK" "$$" "${peers[@]}" > "$WORK/commands.json" <<'PY'
import json, sys
layerlab, work, pid, peers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
cmds = [
    {"label": "floor", "argv": ["unshare", "--user", "--map-root-user", "--mount", "--pid",
                                "--fork", "--uts", "--ipc", "--net", "chroot",
                                work + "/bundle/rootfs", "/bin/true"]},
    {"label": "overlay", "argv": [layerlab, "run", "--rm", "busybox", "true"]},
    {"label": "copy", "argv": [layerlab, "--storage-driver", "copy", "run", "--rm", "busybox",
                               "true"]},
]
for rt in peers:
    cmds.append({"label": rt, "argv": [rt, "--root", f"{work}/{rt}-state", "run", "--bundle",
                                       f"{work}/bundle", f"bench-{rt}-{pid}"]})
json.dump(cmds, sys.stdout)
PY
timer=("$(dirname "$0")/interleave.py" --gap 25 "$N")
# crun 1.8 refuses this machine's hybrid cgroup layout unless it cannot see the cgroup v2
# controllers file: every command runs in one private mount namespace where it is hidden (once,
# not per run, so that no command pays for a wrapper).
if [ -e /sys/fs/cgroup/unified/cgroup.controllers ] && unshare --mount true 2>/dev/null; then
  timer=(unshare --mount sh -c 'mount --bind /dev/null /sys/fs/cgroup/unified/cgroup.controllers \
    2>/dev/null; exec "$@"' sh "${timer[@]}")
fi
"${timer[@]}" < "$WORK/commands.json" > "$WORK/times.tsv"
# Back to back, without pauses: what the background deletion of each container's folder costs
# the next command (the median above is what a user waits for).
t0=$(date +%s%N)
for _ in $(seq "$N"); do "$LAYERLAB" run --rm busybox true; done
t1=$(date +%s%N)
back_to_back=$(awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN {printf "%.2f", (b - a) / n / 1e6}')

median_of() { awk -F'\t' -v k="$1" '$1 == k {print $2}' "$WORK/times.tsv"; }
floor=$(median_of floor)
ratio() { awk -v a="$1" -v b="$floor" 'BEGIN {printf "%.2f", a/b}'; }
printf '%-44s %10s %8s\n' "command" "median ms" "x floor"
printf '%-44s %10s %8s\n' "unshare ... chroot ROOTFS /bin/true (floor)" "$floor" "1.00"
for key in overlay copy; do
  t=$(median_of "$key")
  printf '%-44s %10s %8s\n' "layerlab run --rm busybox true ($key)" "$t" "$(ratio "$t")"
done
printf '%-44s %10s %8s\n' "layerlab run --rm busybox true, back to back" "$back_to_back" \
  "$(ratio "$back_to_back")"
for rt in "${peers[@]}"; do
  t=$(median_of "$rt")
  case "$t" in
    failed*) echo "$rt: failed to run here ($t)" ;;
    *) printf '%-44s %10s %8s\n' "$rt run /bin/true" "$t" "$(ratio "$t")" ;;
  esac
done
