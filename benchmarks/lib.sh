# shellcheck shell=bash
# Shared by the benchmark scripts (source it): a median timer and the build context they use.

# median CMD...: runs CMD $N times (output discarded), prints the median wall time in ms.
median() {
  local times=()
  for _ in $(seq "$N"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}

# make_build_context DIR: a 10-instruction Dockerfile on busybox with 100 x 10 kB files to COPY.
make_build_context() {
  mkdir -p "$1/app"
  for i in $(seq 100); do head -c 10240 /dev/urandom > "$1/app/file$i.bin"; done
  cat > "$1/Dockerfile" <<'DOCKERFILE'
FROM busybox
ARG VERSION=1.0
ENV APP=/app
WORKDIR /app
COPY app/ /app/
RUN sha256sum /app/*.bin > /app/SUMS
RUN echo 'user:x:1000:1000::/app:/bin/sh' >> /etc/passwd
USER user
EXPOSE 8080
CMD ["cat", "/app/SUMS"]
DOCKERFILE
}
