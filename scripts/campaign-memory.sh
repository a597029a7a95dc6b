#!/usr/bin/env bash
# Peak resident memory of a fuzz campaign and of a shrink of each system (issue 17: none may
# exceed 200 MB), parent and largest worker, as a table. Needs a release build (make build).
# Usage: scripts/campaign-memory.sh        (about 4 minutes on 2 cores)
set -uo pipefail
cd "$(dirname "$0")/.."
export SWIFT_DETERMINISTIC_HASHING=1
D=${DSIM:-.build/release/dsim}
declare -A seeds=([raft]=200 [kvraft]=40 [shardctrler]=100 [shardkv]=20 [mapreduce]=100 [weather]=200 [bank]=200)
printf "%-12s %-34s %s\n" system job "peak RSS"
for s in raft kvraft shardctrler shardkv mapreduce weather bank; do
    out=$(scripts/peak-rss.sh $D fuzz --system "$s" --seeds "${seeds[$s]}" --jobs 2 --trace-out /tmp/cm-$$ | tail -1)
    printf "%-12s %-34s %s\n" "$s" "fuzz ${seeds[$s]} seeds, 2 jobs" "${out#peak RSS: }"
    trace=$(ls traces/regressions/"$s"/*.jsonl | head -1)
    out=$(scripts/peak-rss.sh $D shrink "$trace" --budget 20 --out /tmp/cm-$$.min.jsonl | tail -1)
    printf "%-12s %-34s %s\n" "$s" "shrink $(basename "$trace")" "${out#peak RSS: }"
done
rm -rf /tmp/cm-$$ /tmp/cm-$$.min.jsonl
