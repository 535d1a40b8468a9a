#!/usr/bin/env bash
# Lesson 5: make clutter, see rmi refuse, prune containers then images.
set -euo pipefail
"$LAYERLAB" run --name build1 busybox sh -c 'echo v1 > /version'
"$LAYERLAB" commit build1 myapp:1.0
"$LAYERLAB" run --name test1 myapp:1.0 cat /version
"$LAYERLAB" run --name build2 busybox sh -c 'echo v2 > /version'
"$LAYERLAB" commit build2 myapp:1.0
"$LAYERLAB" run --name test2 myapp:1.0 cat /version
"$LAYERLAB" ps -a
"$LAYERLAB" images
"$LAYERLAB" images --filter dangling=true
"$LAYERLAB" system df
# rmi refuses an image that a container uses: the lesson expects this to fail.
if "$LAYERLAB" rmi busybox; then exit 1; fi
"$LAYERLAB" image prune -f
"$LAYERLAB" images --filter dangling=true
"$LAYERLAB" container prune -f
"$LAYERLAB" image prune -f
"$LAYERLAB" ps -a
"$LAYERLAB" images
"$LAYERLAB" system df
