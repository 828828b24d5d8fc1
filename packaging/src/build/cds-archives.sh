#!/bin/sh
# Records the classes the `baton` client and the daemon load, then dumps each list into a class-data sharing
# archive: a CLI command then maps its classes instead of reading and verifying them from the jars, and the
# daemon keeps them in shared, read-only pages instead of its own metaspace (docs/tuning.md).
#
#   cds-archives.sh DIST      writes DIST/lib/baton-{client,daemon}.classlist and DIST/lib/baton-{client,daemon}.jsa
#
# The training runs a real daemon in a temporary folder with its own control socket: one proxied program (Python's
# http.server on 127.0.0.1, a few requests through Baton's proxy on 127.0.0.1) and one `sleep` program; then the
# usual client commands against it.
set -eu

dist=$(cd "$1" && pwd -P)
baton=$dist/bin/baton
work=$(mktemp -d)
daemon=
cleanup() {
    if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
        kill -TERM "$daemon" 2>/dev/null || true
        wait "$daemon" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/baton.toml" <<TOML
[baton]
socket = "baton.sock"
log_dir = "logs"

[program.web]
command = "python3 -m http.server {port} --bind 127.0.0.1"
numprocs = 2
listen = "127.0.0.1:$port"
health_check = "/"
startsecs = 0

[program.train]
command = "sleep 600"
numprocs = 2
startsecs = 0
stopwaitsecs = 5
TOML

export BATON_CDS=none
JAVA_OPTS="-XX:DumpLoadedClassList=$work/daemon.classlist" "$baton" run -c "$work/baton.toml" > "$work/daemon.log" 2>&1 &
daemon=$!

deadline=$(($(date +%s) + 60))
until "$baton" status -c "$work/baton.toml" > /dev/null 2>&1; do
    if ! kill -0 "$daemon" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; then
        echo "cds-archives: the training daemon did not come up:" >&2
        cat "$work/daemon.log" >&2
        exit 1
    fi
    sleep 0.1
done
python3 - "$port" <<'PY'
import http.client, sys
for _ in range(200):
    c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
    c.request("GET", "/")
    c.getresponse().read()
    c.close()
PY

n=0
train() {
    n=$((n + 1))
    JAVA_OPTS="-XX:DumpLoadedClassList=$work/client.$n" "$baton" "$@" -c "$work/baton.toml" > /dev/null 2>&1 || true
}
train status
train status --json
train status train
train logs -n 5
train restart train:1
train reload web
train check
train reload --help
train --help
train version
train shutdown
wait "$daemon" 2>/dev/null || true
daemon=

# The union of the client runs, in first-seen order.
cat "$work"/client.* | awk '!seen[$0]++' > "$dist/lib/baton-client.classlist"
cp "$work/daemon.classlist" "$dist/lib/baton-daemon.classlist"
"$baton" --dump-archives
for role in client daemon; do
    echo "cds-archives: $(grep -vc '^@' "$dist/lib/baton-$role.classlist") classes in $dist/lib/baton-$role.jsa"
done
