#!/usr/bin/env bash
# Lesson 2: read images, two tags on one ID, a second image sharing the base layer.
set -euo pipefail
"$LAYERLAB" images
"$LAYERLAB" images --no-trunc
"$LAYERLAB" inspect busybox
"$LAYERLAB" tag busybox mybox:1.0
"$LAYERLAB" images
"$LAYERLAB" run --name writer busybox sh -c 'echo hello > /hello.txt'
"$LAYERLAB" commit writer greeting
"$LAYERLAB" images
"$LAYERLAB" history greeting
"$LAYERLAB" system df
"$LAYERLAB" system df -v
