#!/usr/bin/env bash
# A campaign in SHARDS disjoint shards run by GNU parallel, then merged into the summary the
# unsharded campaign prints. Any dsim fuzz options go after the shard count.
# Usage: scripts/sharded-fuzz.sh SHARDS RESULTS-DIR dsim-fuzz-options...
#   e.g. scripts/sharded-fuzz.sh 4 /tmp/r --system raft --seeds 2000
set -euo pipefail
shards=$1 dir=$2
shift 2
DSIM=${DSIM:-$(cd "$(dirname "$0")/.." && pwd)/.build/release/dsim}
command -v parallel >/dev/null || { echo "sharded-fuzz: GNU parallel is not installed" >&2; exit 3; }
mkdir -p "$dir"
# Exit 1 (violations found) is a result, not a failure of the shard.
parallel --halt never "$DSIM" fuzz "$@" --shard {}/"$shards" --results "$dir"/shard-{}.jsonl \
    '>' "$dir"/shard-{}.log '2>&1' '||' '[ $? -le 1 ]' ::: $(seq 1 "$shards")
"$DSIM" merge "$dir"/shard-*.jsonl
