#!/usr/bin/env bash
# Lesson 4: a container's life: created, running, exited, removed.
set -euo pipefail
"$LAYERLAB" ps -a
"$LAYERLAB" create --name life busybox sleep 3600
"$LAYERLAB" ps
"$LAYERLAB" ps -a
"$LAYERLAB" start life
"$LAYERLAB" run -d --name worker busybox sleep 3600
"$LAYERLAB" ps
"$LAYERLAB" stop -t 1 life
"$LAYERLAB" run --name once busybox echo done
"$LAYERLAB" ps
"$LAYERLAB" ps -a
"$LAYERLAB" run busybox true
"$LAYERLAB" ps -a
"$LAYERLAB" ps -a --filter status=exited
# rm refuses a running container: the lesson expects this to fail.
if "$LAYERLAB" rm worker; then exit 1; fi
"$LAYERLAB" stop -t 1 worker
"$LAYERLAB" rm worker
"$LAYERLAB" ps -a
