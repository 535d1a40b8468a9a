#!/usr/bin/env bash
# Lesson 12: a code change re-runs the slow step after COPY . ; copying the dependency list first
# keeps it cached. The last command is the rebuild of shop:fast after a change (the check reads it).
set -euo pipefail
"$LAYERLAB" build -t shop:slow -f slow.Dockerfile app
"$LAYERLAB" build -t shop:slow -f slow.Dockerfile app
echo 'print("version 2")' >> app/app.py
"$LAYERLAB" build -t shop:slow -f slow.Dockerfile app
"$LAYERLAB" build -t shop:fast -f fast.Dockerfile app
echo 'print("version 3")' >> app/app.py
"$LAYERLAB" build -t shop:fast -f fast.Dockerfile app
