#!/usr/bin/env bash
# Lesson 11: push an image to a private registry, remove it, pull it back.
# The lesson uses 127.0.0.1:5000; this script takes the first free port from ${REGISTRY_PORT:-5000}
# so that it can run while another registry holds 5000.
set -euo pipefail
port=${REGISTRY_PORT:-5000}
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
export REGISTRY_PORT=$port
R=127.0.0.1:$port
bash ./start-registry.sh
trap 'bash ./stop-registry.sh' EXIT
"$LAYERLAB" build -t hello:v1 .
"$LAYERLAB" tag hello:v1 "$R/demo/hello:v1"
"$LAYERLAB" images
"$LAYERLAB" push "$R/demo/hello:v1"
"$LAYERLAB" images --digests
if command -v curl > /dev/null; then
  curl -s "http://$R/v2/_catalog"
  curl -s "http://$R/v2/demo/hello/tags/list"
fi
"$LAYERLAB" rmi hello:v1 "$R/demo/hello:v1"
"$LAYERLAB" images
"$LAYERLAB" pull "$R/demo/hello:v1"
"$LAYERLAB" images --digests
"$LAYERLAB" run --rm "$R/demo/hello:v1"
"$LAYERLAB" tag "$R/demo/hello:v1" hello:pulled
"$LAYERLAB" images --digests hello
