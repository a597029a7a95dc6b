#!/usr/bin/env bash
# The long campaign (issue 21): SEEDS seeds (default 100,000) of every spec under specs/, each
# in SHARDS shards (`dsim fuzz --shard I/N --results FILE`), merged per spec (`dsim merge`) into
# one markdown table: seeds run, violations, unknowns and original-bound runs (with their rate
# against the spec's expected rate), then every failure signature with the command that
# reproduces it.
#
# Resumable: results live in RESULTS (default campaigns/results-SEEDS, git-ignored); a shard
# whose file exists goes on with `dsim fuzz --resume` (the seeds it has not finished), so an
# interrupted campaign, or one spread over several sessions, is run again with the same
# command. Nothing is lost on Ctrl-C: every results line is flushed as found.
#
# Usage: scripts/campaign-100k.sh [SPEC...]       (needs a release build: make build)
#   SEEDS=200 scripts/campaign-100k.sh            a short run, to see the table work
#   SHARDS=4 JOBS=2 SEEDS=100000 scripts/campaign-100k.sh specs/mapreduce/crash.json
# Writes OUT (default docs/campaigns/100k.md for 100,000 seeds, else
# docs/campaigns/seeds-SEEDS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_DETERMINISTIC_HASHING=1
DSIM=${DSIM:-.build/release/dsim}
SEEDS=${SEEDS:-100000}
SHARDS=${SHARDS:-4}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
RESULTS=${RESULTS:-campaigns/results-$SEEDS}
if [ "$SEEDS" = 100000 ]; then default_out=docs/campaigns/100k.md; else default_out=docs/campaigns/seeds-$SEEDS.md; fi
OUT=${OUT:-$default_out}
[ -x "$DSIM" ] || { echo "campaign-100k: no $DSIM (run make build)" >&2; exit 3; }
command -v parallel >/dev/null || { echo "campaign-100k: GNU parallel is not installed" >&2; exit 3; }
if [ $# -gt 0 ]; then specs=("$@"); else mapfile -t specs < <(find specs -name '*.json' | sort); fi
mkdir -p "$RESULTS" "$(dirname "$OUT")"

# One shard of one spec: a fresh start, or the rest of an interrupted one. Exit 1 (failures
# found) is a result, not an error of the shard.
run_shard() {
    local spec=$1 shard=$2 dir=$3
    local file=$dir/shard-$shard.jsonl
    if [ -s "$file" ]; then
        "$DSIM" fuzz --resume "$file" --jobs 1 --max-traces 1 --trace-out "$dir/traces" \
            > "$dir/shard-$shard.log" 2>&1 || [ $? -le 2 ]
    else
        "$DSIM" fuzz --spec "$spec" --seeds "$SEEDS" --shard "$shard/$SHARDS" --jobs 1 \
            --max-traces 1 --trace-out "$dir/traces" --results "$file" \
            > "$dir/shard-$shard.log" 2>&1 || [ $? -le 2 ]
    fi
}
export -f run_shard
export DSIM SEEDS SHARDS

jobs_list=()
for spec in "${specs[@]}"; do
    dir=$RESULTS/$(echo "${spec#specs/}" | sed 's|/|-|g; s|\.json$||')
    mkdir -p "$dir/traces"
    for i in $(seq 1 "$SHARDS"); do jobs_list+=("$spec $i $dir"); done
done
printf '%s\n' "${jobs_list[@]}" | SHELL=$(command -v bash) parallel --halt never -j "$JOBS" --colsep ' ' run_shard {1} {2} {3}

{
    echo "# Campaign: $SEEDS seeds of every spec"
    echo
    echo "Written by \`scripts/campaign-100k.sh\` (SEEDS=$SEEDS, $SHARDS shards per spec) at commit"
    echo "\`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`. Each row is \`dsim merge\` of the"
    echo "spec's shards; a spec reproduces with \`dsim fuzz --spec SPEC --seeds $SEEDS\` (one seed:"
    echo "\`dsim fuzz --spec SPEC --seed N --seeds 1\`; the \`replay:\` paths below are on the machine"
    echo "that ran it, under \`$RESULTS\`). original-bound: runs that missed only a timing bound"
    echo "of the original test, judged as a rate against the spec's \`expect\` (README)."
    echo
    echo "| spec | seeds run | violations | unknown | original-bound |"
    echo "|---|---|---|---|---|"
} > "$OUT.tmp"
details=""
status=0
for spec in "${specs[@]}"; do
    dir=$RESULTS/$(echo "${spec#specs/}" | sed 's|/|-|g; s|\.json$||')
    merged=$("$DSIM" merge "$dir"/shard-*.jsonl 2> "$dir/merge.err") || status=1
    head=$(echo "$merged" | head -1)
    seeds=$(echo "$head" | sed -n 's/.*: \([0-9]*\) seeds.*/\1/p')
    violations=$(echo "$head" | sed -n 's/.* \([0-9]*\) violations.*/\1/p')
    unknown=$(echo "$head" | sed -n 's/.* \([0-9]*\) unknown.*/\1/p')
    bound=$(echo "$head" | sed -n 's/.*unknown, \(.*\)$/\1/p')
    echo "| \`$spec\` | $seeds | $violations | $unknown | ${bound:--} |" >> "$OUT.tmp"
    groups=$(echo "$merged" | tail -n +2)
    if [ -n "$groups" ]; then
        details+=$'\n'"### \`$spec\`"$'\n\n```\n'"$groups"$'\n```\n'
    fi
done
{
    cat "$OUT.tmp"
    echo
    if [ -n "$details" ]; then
        echo "## Failures by signature"
        echo "$details"
    else
        echo "No failure of any kind in any spec."
    fi
} > "$OUT"
rm -f "$OUT.tmp"
echo "campaign: $OUT"
cat "$OUT"
exit $status
