#!/usr/bin/env bash
# Lesson 6: build the Dockerfile, read its history and layers, run it.
set -euo pipefail
"$LAYERLAB" dockerfile parse app/Dockerfile
"$LAYERLAB" build -t hello app
"$LAYERLAB" history hello
"$LAYERLAB" inspect hello
"$LAYERLAB" layers hello --path /app/hello.sh
"$LAYERLAB" layers hello --path /app/bin/hello
"$LAYERLAB" run --rm hello
