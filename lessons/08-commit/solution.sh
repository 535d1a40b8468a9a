#!/usr/bin/env bash
# Lesson 8: commit a changed container, run the result, then build the same image from a Dockerfile.
set -euo pipefail
"$LAYERLAB" run --name web busybox sh -c 'mkdir /www && echo "<h1>Hello from a commit</h1>" > /www/index.html'
"$LAYERLAB" diff web
"$LAYERLAB" commit -m "add the home page" -c 'CMD ["cat", "/www/index.html"]' web site:commit
"$LAYERLAB" images
"$LAYERLAB" history site:commit
"$LAYERLAB" run --name fromcommit site:commit
"$LAYERLAB" diff fromcommit
"$LAYERLAB" build -t site:dockerfile .
"$LAYERLAB" history site:dockerfile
"$LAYERLAB" run --rm site:dockerfile
