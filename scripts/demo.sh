#!/usr/bin/env bash
# The main demo: what an image is, in a store of its own (build/demo-store, made anew each run).
set -euo pipefail
LAYERLAB="${1:-build/sim/layerlab}"
export LAYERLAB_ROOT="$PWD/build/demo-store"
rm -rf "$LAYERLAB_ROOT" "$PWD/build/demo-rootfs" "$PWD/build/demo-rootfs.tar" \
  "$PWD/build/demo-app" "$PWD/build/demo-app.tar"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "layerlab $*"; "$LAYERLAB" "$@"; }

echo "A fresh store already holds busybox:latest, a real one-layer image made from this"
echo "machine's busybox-static. Its IMAGE ID is the sha256 of its config."
run images
run history busybox
run tag busybox mybox:v1
echo "Two names, one image: the same IMAGE ID twice, stored once."
run images
mkdir -p build/demo-rootfs/app
echo 'hello from an imported layer' > build/demo-rootfs/app/hello.txt
tar -C build/demo-rootfs -cf build/demo-rootfs.tar .
run import -m "a tiny rootfs" build/demo-rootfs.tar hello:v1
run images --filter reference='hello*'
echo "What does removing a name do? --explain narrates each step of the store."
run --explain rmi mybox:v1
run --explain rmi hello:v1
echo
echo "A container is the image's layers plus one thin writable layer: empty at first."
run create --name web busybox
run ps -a -s
echo "Changing a file that lives in the image copies it up into the writable layer first."
echo "changed by the demo" > build/demo-rootfs/motd
run --explain cp build/demo-rootfs/motd web:/etc/passwd
run diff web
run ps -a -s
echo "A container is a real process: PID 1 of its own namespaces, inside the union."
run --explain run --rm busybox sh -c 'echo "I am PID $$ on $(hostname)"; ls /'
run commit -m "the demo's change" web demo:v1
run history demo:v1
run system df -v
run rm web
echo
echo "A Dockerfile becomes layers: RUN, COPY and ADD make one each; the rest is metadata."
mkdir -p build/demo-app
echo 'print("hello")' > build/demo-app/app.py
printf 'all:\n\techo built\n' > build/demo-app/Makefile
cat > build/demo-app/Dockerfile <<'DOCKERFILE'
FROM busybox
COPY . /app
RUN echo "made by RUN" > /app/built.txt && chmod 600 /app/app.py
CMD ["cat", "/app/built.txt"]
DOCKERFILE
run build -t app:v1 build/demo-app
run history app:v1
echo "A second build reuses every step from the cache; changing one file misses from its COPY on."
run build -t app:v1 build/demo-app
echo 'print("hello again")' > build/demo-app/app.py
run build -t app:v1 build/demo-app
echo "Each layer's files, and what the chmod cost (the file is copied up whole):"
run layers app:v1 --path /app/app.py
run run --rm app:v1
echo "An image on disk is a tar of tars: docker save's format, readable by docker, podman, skopeo."
run save -o build/demo-app.tar app:v1
tar -tf build/demo-app.tar
run system check
