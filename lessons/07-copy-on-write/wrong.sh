#!/usr/bin/env bash
# A plausible wrong attempt: the student blames the build cache (images -a shows intermediate
# images) for the doubled size and rebuilds the same Dockerfile with --no-cache as bigfile:fixed.
# The chmod is still a RUN of its own, so the file is still stored twice: the check must fail.
set -euo pipefail
"$LAYERLAB" run --name cow busybox sh -c 'echo bob:x:1001:1001::/tmp:/bin/sh >> /etc/passwd; rm /etc/group; echo hello > /tmp/note.txt'
"$LAYERLAB" build -t bigfile:chmod .
"$LAYERLAB" build --no-cache -t bigfile:fixed .
"$LAYERLAB" images bigfile
