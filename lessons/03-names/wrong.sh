#!/usr/bin/env bash
# A plausible wrong attempt: the student believes `latest` follows the newest image, so after
# committing note:2 does not move the tag. note still prints "first", and no <none> image
# appears: the check must fail.
set -euo pipefail
"$LAYERLAB" tag busybox localhost:5000/class/tools:1.36
"$LAYERLAB" tag busybox tools
"$LAYERLAB" run --name first busybox sh -c 'echo first > /note'
"$LAYERLAB" commit first note
"$LAYERLAB" run --name second busybox sh -c 'echo second > /note'
"$LAYERLAB" commit second note:2
"$LAYERLAB" run --rm note cat /note
