#!/usr/bin/env bash
# A plausible wrong attempt: the student mixes up RUN (build time) and CMD (run time) and puts the
# build in CMD. The image has no RUN layer and no /app/bin/hello; the program is only made, then
# lost, in each container's writable layer. The check must fail.
set -euo pipefail
cat > app/Dockerfile <<'DOCKERFILE'
FROM busybox
COPY . /app
CMD sh /app/build.sh /app && /app/bin/hello
DOCKERFILE
"$LAYERLAB" build -t hello app
"$LAYERLAB" run --rm hello
