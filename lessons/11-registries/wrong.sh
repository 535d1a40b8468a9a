#!/usr/bin/env bash
# A plausible wrong attempt: the student thinks the name 127.0.0.1:5000/demo/hello:v1 is enough to
# put the image in the registry, and never pushes (no registry is even started). The image never
# left the store: it has no repo digest, and the check must fail.
set -euo pipefail
"$LAYERLAB" build -t hello:v1 .
"$LAYERLAB" tag hello:v1 127.0.0.1:5000/demo/hello:v1
"$LAYERLAB" rmi hello:v1
"$LAYERLAB" tag 127.0.0.1:5000/demo/hello:v1 hello:pulled
"$LAYERLAB" images --digests
