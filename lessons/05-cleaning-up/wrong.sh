#!/usr/bin/env bash
# A plausible wrong attempt: the student prunes images before containers. The dangling image is
# still used by the stopped container test1, so `image prune` keeps it; `container prune` then
# frees it, but nobody prunes images again: a <none> image is left and the check must fail.
set -euo pipefail
"$LAYERLAB" run --name build1 busybox sh -c 'echo v1 > /version'
"$LAYERLAB" commit build1 myapp:1.0
"$LAYERLAB" run --name test1 myapp:1.0 cat /version
"$LAYERLAB" run --name build2 busybox sh -c 'echo v2 > /version'
"$LAYERLAB" commit build2 myapp:1.0
"$LAYERLAB" run --name test2 myapp:1.0 cat /version
"$LAYERLAB" image prune -f
"$LAYERLAB" container prune -f
"$LAYERLAB" images
