#!/usr/bin/env bash
# Lesson 1: two containers from one image; change a file in one of them.
set -euo pipefail
"$LAYERLAB" images
"$LAYERLAB" run --rm busybox tail -n 2 /etc/passwd
"$LAYERLAB" run --name alpha busybox sh -c 'echo alice:x:1000:1000::/tmp:/bin/sh >> /etc/passwd; tail -n 2 /etc/passwd'
"$LAYERLAB" run --name beta busybox tail -n 2 /etc/passwd
"$LAYERLAB" ps -a
"$LAYERLAB" diff alpha
"$LAYERLAB" diff beta
"$LAYERLAB" ps -a -s
"$LAYERLAB" run --rm busybox tail -n 2 /etc/passwd
"$LAYERLAB" images
