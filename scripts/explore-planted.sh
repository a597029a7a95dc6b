#!/usr/bin/env bash
# Each planted bug of the sans-IO systems under `dsim explore`, at the smallest bound that finds
# it (bounds 0..3, each bound given at most 400 s), next to fuzz's seeds to the first failure
# with the random and the PCT strategies; then the async systems' planted bugs (no explore: —)
# with fuzz only. Prints one markdown row per bug. Release build: make build first.
# `ONLY=shardkv scripts/explore-planted.sh` limits the rows to some systems (comma-separated).
set -uo pipefail
cd "$(dirname "$0")/.."
DSIM=${DSIM:-.build/release/dsim}
ONLY=${ONLY:-}
echo "| system | bug | spec | explore: bound, runs, seconds | fuzz random: seed, s | fuzz pct: seed, s |"
echo "|---|---|---|---|---|---|"
for entry in raft:no-election-restriction:explore-3 raft:votedfor-not-persisted:explore-3 \
    raft:no-truncate-conflicts:explore-3 raft:commit-without-majority:explore-5 \
    raft:stale-snapshot-install:explore-3-snap raft:commit-previous-term:explore-3-fig8 \
    kvraft:no-duplicate-detection:explore-3 kvraft:stale-read:explore-3 \
    kvraft:snapshot-without-dup-table:explore-3-snap \
    shardctrler:rebalance-map-order:explore-3 shardctrler:stale-query:explore-3 \
    shardkv:serve-before-arrival:explore-3 shardkv:dup-table-not-moved:explore-2 \
    shardkv:rebalance-map-order:explore-3 \
    mapreduce:write-in-place:— mapreduce:early-reissue:— mapreduce:reduce-before-maps-done:— \
    mapreduce:no-reissue:— weather:count-late-answers:— weather:no-quit:— \
    weather:wrong-batch-number:— weather:unbuffered-answers:— bank:transfer-caller-order:— \
    bank:balance-outside-lock:— \
    bank:withdraw-no-unlock:— bank:deposit-compare-not-atomic:— \
    bank:deposit-compare-self-lock:—; do
    IFS=: read -r system bug name <<<"$entry"
    [ -n "$ONLY" ] && [[ ",$ONLY," != *",$system,"* ]] && continue
    spec=specs/$system/$name.json
    found="not found at bound ≤ 3"
    [ "$name" = "—" ] && found="—"
    for k in 0 1 2 3; do
        [ "$name" = "—" ] && break
        start=$(date +%s.%N)
        out=$(timeout 400 "$DSIM" explore --spec "$spec" --plant "$bug" --bound "$k" \
            --trace-out /tmp/explore-planted 2>/dev/null)
        code=$?
        secs=$(awk "BEGIN { print $(date +%s.%N) - $start }")
        runs=$(echo "$out" | tail -1 | grep -oE "^explored: [0-9]+" | grep -oE "[0-9]+")
        if [ $code = 1 ]; then
            found="$k, $runs runs, $(printf %.2f "$secs") s"
            break
        fi
        [ $code = 124 ] && { found="bound $k over 400 s"; break; }
    done
    row="| $system | $bug | $name | $found |"
    for strategy in random pct; do
        start=$(date +%s.%N)
        seed=$("$DSIM" fuzz --system "$system" --plant "$bug" --first --jobs 1 \
            --strategy "$strategy" --in-process --trace-out /tmp/explore-planted 2>&1 |
            grep -oE "first seed [0-9]+" | head -1)
        secs=$(awk "BEGIN { print $(date +%s.%N) - $start }")
        row="$row ${seed#first seed }, $(printf %.2f "$secs") s |"
    done
    echo "$row"
done
