#!/usr/bin/env bash
# A plausible wrong attempt: the student exports a container of leaky instead of saving the image.
# `export` writes the container's flattened filesystem: no manifest, no layers, no whiteout (and
# no secret.txt either, so the student concludes the secret is gone). The check must fail.
set -euo pipefail
"$LAYERLAB" save -o busybox.tar busybox
mkdir busybox && tar -xvf busybox.tar -C busybox
"$LAYERLAB" build -t leaky .
"$LAYERLAB" create --name leaky-box leaky
"$LAYERLAB" export leaky-box -o leaky.tar
mkdir leaky && tar -xf leaky.tar -C leaky
mkdir top && tar -xf leaky.tar -C top
ls -a top
