#!/usr/bin/env bash
# A plausible wrong attempt: the student believes a container's change must be "saved" into the
# image, commits alpha under the image's own name, then starts beta from it. beta now sees alice,
# but the busybox tag names a new two-layer image: the image was changed, the check must fail.
set -euo pipefail
"$LAYERLAB" run --name alpha busybox sh -c 'echo alice:x:1000:1000::/tmp:/bin/sh >> /etc/passwd; tail -n 2 /etc/passwd'
"$LAYERLAB" commit alpha busybox
"$LAYERLAB" run --name beta busybox tail -n 2 /etc/passwd
