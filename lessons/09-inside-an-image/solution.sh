#!/usr/bin/env bash
# Lesson 9: save images, open the tar, find each layer's files and the whiteout.
set -euo pipefail
# (sed -n 1,Np rather than head: with pipefail, head closing the pipe early can fail the script)
"$LAYERLAB" save -o busybox.tar busybox
tar -tvf busybox.tar
mkdir busybox && tar -xvf busybox.tar -C busybox
cat busybox/index.json
cat busybox/manifest.json
"$LAYERLAB" images --no-trunc busybox
grep -o 'blobs/sha256/[0-9a-f]*' busybox/manifest.json
tar -tvf busybox/$(grep -o 'blobs/sha256/[0-9a-f]*' busybox/manifest.json | tail -n 1) | sed -n 1,10p
"$LAYERLAB" build -t leaky .
"$LAYERLAB" history leaky
if "$LAYERLAB" run --rm leaky ls /secret.txt; then echo "unexpected: /secret.txt is visible" >&2; exit 1; fi
"$LAYERLAB" save -o leaky.tar leaky
mkdir leaky && tar -xvf leaky.tar -C leaky
cat leaky/manifest.json
for layer in $(grep -o 'blobs/sha256/[0-9a-f]*' leaky/manifest.json | tail -n +2); do echo "== $layer"; tar -tvf leaky/$layer | sed -n 1,3p; done
mkdir top && tar -xvf leaky/$(grep -o 'blobs/sha256/[0-9a-f]*' leaky/manifest.json | tail -n 1) -C top
ls -a top
tar -xOf leaky/$(grep -o 'blobs/sha256/[0-9a-f]*' leaky/manifest.json | sed -n 3p) secret.txt
