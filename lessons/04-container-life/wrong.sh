#!/usr/bin/env bash
# A plausible wrong attempt: the student takes `create` for `run` and never starts life; `stop`
# then has nothing to stop, and life stays `Created` instead of going through running and exited.
# The check must fail.
set -euo pipefail
"$LAYERLAB" create --name life busybox sleep 3600
"$LAYERLAB" stop -t 1 life
"$LAYERLAB" run -d --name worker busybox sleep 3600
"$LAYERLAB" run --name once busybox echo done
"$LAYERLAB" run busybox true
"$LAYERLAB" stop -t 1 worker
"$LAYERLAB" rm worker
"$LAYERLAB" ps -a
