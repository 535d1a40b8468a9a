#!/usr/bin/env bash
# Lesson 7: copy-up, whiteout, SIZE vs virtual size; RUN chmod on a big file vs one RUN.
set -euo pipefail
"$LAYERLAB" run --name cow busybox sh -c 'echo bob:x:1001:1001::/tmp:/bin/sh >> /etc/passwd; rm /etc/group; echo hello > /tmp/note.txt'
"$LAYERLAB" diff cow
"$LAYERLAB" run --rm busybox cat /etc/group
"$LAYERLAB" ps -a -s
"$LAYERLAB" build -t bigfile:chmod .
"$LAYERLAB" history bigfile:chmod
"$LAYERLAB" layers --path /data.bin bigfile:chmod
"$LAYERLAB" build -t bigfile:fixed -f Dockerfile.fixed .
"$LAYERLAB" history bigfile:fixed
"$LAYERLAB" images bigfile
