#!/usr/bin/env bash
# Lesson 10: the namespaces of a container, one by one, then the launch plan.
set -euo pipefail
"$LAYERLAB" run --name pid-ns busybox ps
"$LAYERLAB" run -d --name sleeper busybox sleep 300
"$LAYERLAB" top sleeper
"$LAYERLAB" exec sleeper ps
"$LAYERLAB" kill sleeper
"$LAYERLAB" run --name uts-ns busybox hostname
"$LAYERLAB" ps -a --no-trunc --filter name=uts-ns
"$LAYERLAB" run --rm --hostname lab busybox hostname
hostname || cat /proc/sys/kernel/hostname
echo "I live on the host" > host-marker.txt
cat host-marker.txt
"$LAYERLAB" run --rm busybox ls /
if "$LAYERLAB" run --name mnt-ns busybox cat "$PWD/host-marker.txt"; then echo "unexpected: the host file is visible" >&2; exit 1; fi
cat /proc/net/dev
"$LAYERLAB" run --name net-ns busybox cat /proc/net/dev
"$LAYERLAB" run --rm busybox ip link
id
"$LAYERLAB" run --name user-ns busybox sh -c 'id; cat /proc/self/uid_map'
"$LAYERLAB" --explain run --name explained busybox true
