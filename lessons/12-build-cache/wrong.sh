#!/usr/bin/env bash
# A plausible wrong attempt: the student copies requirements.txt first, as advised, but keeps
# `COPY . /app` before the slow RUN. The code is still an input of the RUN's parent image, so a
# change to app.py re-runs it: the last build does not reuse the RUN, and the check must fail.
set -euo pipefail
cat > fast.Dockerfile <<'DOCKERFILE'
FROM busybox
WORKDIR /app
COPY requirements.txt /app/
COPY . /app
RUN sleep 2 && mkdir /deps && cp requirements.txt /deps/installed.txt
CMD ["cat", "/app/app.py"]
DOCKERFILE
"$LAYERLAB" build -t shop:slow -f slow.Dockerfile app
echo 'print("version 2")' >> app/app.py
"$LAYERLAB" build -t shop:slow -f slow.Dockerfile app
"$LAYERLAB" build -t shop:fast -f fast.Dockerfile app
echo 'print("version 3")' >> app/app.py
"$LAYERLAB" build -t shop:fast -f fast.Dockerfile app
