#!/usr/bin/env bash
# Runs a command and prints the peak resident memory of it and of every process it started
# (dsim's workers), sampled every 0.1 s from /proc (VmHWM: each process's own high-water mark).
# Usage: scripts/peak-rss.sh dsim fuzz --system raft --seeds 200
set -uo pipefail
"$@" > /tmp/peak-rss-$$.out 2>&1 &
root=$!
declare -A peak
tree() {  # the root and its descendants
    local p=$1
    echo "$p"
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree "$c"; done
}
while kill -0 "$root" 2>/dev/null; do
    for p in $(tree "$root"); do
        kb=$(awk '/VmHWM/ {print $2}' /proc/"$p"/status 2>/dev/null)
        [ -n "$kb" ] && [ "${peak[$p]:-0}" -lt "$kb" ] && peak[$p]=$kb
    done
    sleep 0.1
done
wait "$root"; code=$?
parent=${peak[$root]:-0}
worker=0
for p in "${!peak[@]}"; do [ "$p" != "$root" ] && [ "${peak[$p]}" -gt "$worker" ] && worker=${peak[$p]}; done
tail -3 /tmp/peak-rss-$$.out
rm -f /tmp/peak-rss-$$.out
echo "peak RSS: parent $((parent / 1024)) MB, largest worker $((worker / 1024)) MB (exit $code)"
