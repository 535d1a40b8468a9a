#!/usr/bin/env bash
# A plausible wrong attempt: the student makes the page in a --rm container (removed when it exits,
# writable layer and all), then commits a fresh container that never had the page. site:commit is
# busybox plus an empty layer: the check must fail.
set -euo pipefail
"$LAYERLAB" run --rm busybox sh -c 'mkdir /www && echo "<h1>Hello from a commit</h1>" > /www/index.html'
"$LAYERLAB" create --name web busybox
"$LAYERLAB" commit -m "add the home page" -c 'CMD ["cat", "/www/index.html"]' web site:commit
"$LAYERLAB" run --name fromcommit site:commit || true
"$LAYERLAB" build -t site:dockerfile .
