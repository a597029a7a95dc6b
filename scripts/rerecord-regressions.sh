#!/usr/bin/env bash
# Re-records traces/regressions/<system>/*.jsonl after a change that only adds or changes
# observation lines (no decision drawn differently): each trace is replayed with its own
# recorded decisions (`dsim replay --format jsonl`) and the re-run's lines replace the file,
# so the shrunk run stays the same run and only its lines (and the cited line numbers) move.
# Refuses a trace whose re-run no longer fails the same invariant or asks other decisions;
# use scripts/make-regressions.sh (fuzz + shrink again) for those.
# Usage: scripts/rerecord-regressions.sh SYSTEM...   (needs a release build: make build; or
# DSIM=path/to/dsim for a build elsewhere)
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_DETERMINISTIC_HASHING=1
DSIM=${DSIM:-.build/release/dsim}
[ $# -ge 1 ] || { echo "usage: scripts/rerecord-regressions.sh SYSTEM..."; exit 3; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for system in "$@"; do
    for trace in traces/regressions/"$system"/*.jsonl; do
        "$DSIM" replay "$trace" --format jsonl | grep '^{' > "$tmp" || true
        old=$(tail -1 "$trace" | grep -o '"invariant":"[^"]*"')
        new=$(tail -1 "$tmp" | grep -o '"invariant":"[^"]*"' || true)
        decisions_old=$(grep -c '^{"dec"' "$trace" || true)
        decisions_new=$(grep -c '^{"dec"' "$tmp" || true)
        if [ "$old" != "$new" ] || [ "$decisions_old" != "$decisions_new" ]; then
            echo "$trace: NOT re-recorded ($old -> ${new:-none}, decisions $decisions_old -> $decisions_new)"
            continue
        fi
        # Only the header's commit differs: keep the file as it is.
        if cmp -s <(tail -n +2 "$tmp") <(tail -n +2 "$trace"); then
            echo "$trace: unchanged"
            continue
        fi
        echo "$trace: $(wc -l < "$trace") -> $(wc -l < "$tmp") lines"
        cp "$tmp" "$trace"
    done
done
