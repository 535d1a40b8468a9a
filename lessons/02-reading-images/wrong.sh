#!/usr/bin/env bash
# A plausible wrong attempt: to get "a second name" the student makes a copy of busybox (commits
# an unchanged container as mybox:1.0) instead of tagging it. The copy has its own IMAGE ID (and
# an extra empty layer), so mybox:1.0 is not the same image as busybox: the check must fail.
set -euo pipefail
"$LAYERLAB" run --name copy busybox true
"$LAYERLAB" commit copy mybox:1.0
"$LAYERLAB" run --name writer busybox sh -c 'echo hello > /hello.txt'
"$LAYERLAB" commit writer greeting
"$LAYERLAB" images
