#!/bin/sh
# Records the classes the `baton` client loads, then dumps them into a class-data sharing archive, so that a CLI
# command maps them instead of reading and verifying them from the jars (docs/tuning.md).
#
#   client-archive.sh DIST      writes DIST/lib/baton-client.classlist and DIST/lib/baton-client.jsa
#
# The training runs the usual client commands against a real daemon supervising one `sleep` worker, in a temporary
# folder with its own control socket; nothing listens on the network.
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

cat > "$work/baton.toml" <<TOML
[baton]
socket = "baton.sock"
log_dir = "logs"

[program.train]
command = "sleep 600"
numprocs = 2
startsecs = 0
stopwaitsecs = 5
TOML

export BATON_CDS_ARCHIVE=none
"$baton" run -c "$work/baton.toml" > "$work/daemon.log" 2>&1 &
daemon=$!

deadline=$(($(date +%s) + 60))
until "$baton" status -c "$work/baton.toml" > /dev/null 2>&1; do
    if ! kill -0 "$daemon" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; then
        echo "client-archive: the training daemon did not come up:" >&2
        cat "$work/daemon.log" >&2
        exit 1
    fi
    sleep 0.1
done

n=0
train() {
    n=$((n + 1))
    JAVA_OPTS="-XX:DumpLoadedClassList=$work/classes.$n" "$baton" "$@" -c "$work/baton.toml" > /dev/null 2>&1 || true
}
train status
train status --json
train status train
train logs -n 5
train restart train:1
train check
train reload --help
train --help
train version
train shutdown
wait "$daemon" 2>/dev/null || true
daemon=

# The union of the runs, in first-seen order.
cat "$work"/classes.* | awk '!seen[$0]++' > "$dist/lib/baton-client.classlist"
"$baton" --dump-client-archive "$dist/lib/baton-client.jsa"
echo "client-archive: $(grep -vc '^@' "$dist/lib/baton-client.classlist") classes in $dist/lib/baton-client.jsa"
