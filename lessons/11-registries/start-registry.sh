#!/usr/bin/env bash
# Start a private registry (Debian's docker-registry, the reference "distribution" server that
# Docker Hub also runs) on 127.0.0.1:${REGISTRY_PORT:-5000}, keeping its data in a temporary
# folder. It writes registry.pid and registry.dir in the current folder; ./stop-registry.sh
# stops it and removes the data.
#   REGISTRY_PORT=5001 ./start-registry.sh      # if port 5000 is taken
# With Docker you would run the same server as a container:
#   docker run -d -p 127.0.0.1:5000:5000 --name registry registry:2
set -euo pipefail
port=${REGISTRY_PORT:-5000}
bin=${REGISTRY_BIN:-/usr/bin/docker-registry}

if [ ! -x "$bin" ]; then
  echo "start-registry.sh: $bin not found: install it with 'sudo apt-get install docker-registry'" >&2
  exit 1
fi
if [ -f registry.pid ]; then
  old=$(cat registry.pid)
  if tr '\0' ' ' < "/proc/$old/cmdline" 2>/dev/null | grep -q 'docker-registry serve'; then
    echo "start-registry.sh: a registry is already running (pid $old); ./stop-registry.sh stops it" >&2
    exit 1
  fi
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "start-registry.sh: port $port is already in use; pick another one, e.g." >&2
  echo "  REGISTRY_PORT=$((port + 1)) ./start-registry.sh" >&2
  echo "and write 127.0.0.1:$((port + 1)) instead of 127.0.0.1:5000 in the lesson's commands." >&2
  exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/layerlab-registry.XXXXXX")
mkdir -p "$dir/data"
cat > "$dir/config.yml" <<CONFIG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: layerlab-lesson-11
CONFIG

# env -i: no REGISTRY_* variable of ours leaks into its configuration; nohup: it outlives this shell.
nohup env -i "$bin" serve "$dir/config.yml" > "$dir/registry.log" 2>&1 < /dev/null &
pid=$!
echo "$pid" > registry.pid
echo "$dir" > registry.dir

for _ in $(seq 1 100); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start-registry.sh: docker-registry exited at start-up:" >&2
    cat "$dir/registry.log" >&2
    rm -rf "$dir" registry.pid registry.dir
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "registry listening on 127.0.0.1:$port (pid $pid, data in $dir)"
    echo "stop it with ./stop-registry.sh"
    exit 0
  fi
  sleep 0.1
done
echo "start-registry.sh: the registry did not answer on 127.0.0.1:$port within 10 s" >&2
kill "$pid" 2>/dev/null || true
rm -rf "$dir" registry.pid registry.dir
exit 1
