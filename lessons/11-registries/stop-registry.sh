#!/usr/bin/env bash
# Stop the registry that ./start-registry.sh started from this folder, and remove its data.
set -euo pipefail
if [ ! -f registry.pid ]; then
  echo "stop-registry.sh: no registry.pid here: nothing to stop" >&2
  exit 0
fi
pid=$(cat registry.pid)
dir=$(cat registry.dir 2>/dev/null || true)
# Only stop the process if it is still the registry we started (a pid can be reused).
if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'docker-registry serve'; then
  kill "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  echo "registry stopped (pid $pid)"
fi
case "$dir" in
  */layerlab-registry.*) rm -rf "$dir" ;;
esac
rm -f registry.pid registry.dir
