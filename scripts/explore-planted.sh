#!/usr/bin/env bash
# Each planted Raft bug under `dsim explore`, at the smallest bound that finds it (bounds 1..3,
# each bound given at most 400 s), next to fuzz's seeds to the first failure with the random
# and the PCT strategies. Prints one markdown row per bug. Release build: make build first.
set -uo pipefail
cd "$(dirname "$0")/.."
DSIM=${DSIM:-.build/release/dsim}
echo "| bug | spec | explore: bound, runs, seconds | fuzz random: seed, s | fuzz pct: seed, s |"
echo "|---|---|---|---|---|"
for entry in no-election-restriction:explore-3 votedfor-not-persisted:explore-3 \
    no-truncate-conflicts:explore-3 commit-without-majority:explore-5 \
    stale-snapshot-install:explore-3-snap commit-previous-term:explore-3; do
    bug=${entry%%:*}
    spec=specs/raft/${entry#*:}.json
    found="not found at bound ≤ 3"
    for k in 1 2 3; do
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
    row="| $bug | ${entry#*:} | $found |"
    for strategy in random pct; do
        start=$(date +%s.%N)
        seed=$("$DSIM" fuzz --system raft --plant "$bug" --first --jobs 1 --strategy "$strategy" \
            --in-process --trace-out /tmp/explore-planted 2>&1 | grep -oE "first seed [0-9]+" | head -1)
        secs=$(awk "BEGIN { print $(date +%s.%N) - $start }")
        row="$row ${seed#first seed }, $(printf %.2f "$secs") s |"
    done
    echo "$row"
done
