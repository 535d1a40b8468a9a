#!/usr/bin/env bash
# Lesson 3: references, the latest default, a <none> image.
set -euo pipefail
"$LAYERLAB" tag busybox localhost:5000/class/tools:1.36
"$LAYERLAB" images
"$LAYERLAB" images docker.io/library/busybox
"$LAYERLAB" tag busybox tools
"$LAYERLAB" images tools
"$LAYERLAB" run --rm tools echo found
# No tag means :latest, and this repository has only 1.36: the lesson expects this to fail.
if "$LAYERLAB" run --rm localhost:5000/class/tools echo found; then exit 1; fi
"$LAYERLAB" run --name first busybox sh -c 'echo first > /note'
"$LAYERLAB" commit first note
"$LAYERLAB" run --name second busybox sh -c 'echo second > /note'
"$LAYERLAB" commit second note:2
"$LAYERLAB" images note
"$LAYERLAB" run --rm note cat /note
"$LAYERLAB" tag note:2 note
"$LAYERLAB" images
"$LAYERLAB" images --filter dangling=true
"$LAYERLAB" run --rm note cat /note
