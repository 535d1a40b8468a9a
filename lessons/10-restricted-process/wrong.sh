#!/usr/bin/env bash
# A plausible wrong attempt: the student does every step, but for the last one wants to "see the
# real network" and adds --network host. That container shares the host's net namespace: the
# launch plan has no CLONE_NEWNET, and the check (which reads the last command's trace) must fail.
set -euo pipefail
"$LAYERLAB" run --name pid-ns busybox ps
"$LAYERLAB" run --name uts-ns busybox hostname
echo "I live on the host" > host-marker.txt
"$LAYERLAB" run --name mnt-ns busybox cat "$PWD/host-marker.txt" || true
"$LAYERLAB" run --name net-ns busybox cat /proc/net/dev
"$LAYERLAB" run --name user-ns busybox sh -c 'id; cat /proc/self/uid_map'
"$LAYERLAB" --explain run --name explained --network host busybox true
