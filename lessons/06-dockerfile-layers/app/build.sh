# A stand-in for `make /app`: "compiles" hello.sh into the program /app/bin/hello.
set -e
mkdir -p "$1/bin"
{ echo '#!/bin/sh'; cat "$1/hello.sh"; } > "$1/bin/hello"
chmod 755 "$1/bin/hello"
echo "built $1/bin/hello"
