#!/usr/bin/env bash
# Regenerates traces/regressions/<system>/<bug>.jsonl: for every planted bug of every system,
# fuzz with the bug until the first violation, shrink it, and keep the shrunk trace. The
# campaign is traces/regressions/<system>/fuzz-spec.json when present, else the system's fuzz.
# Usage: scripts/make-regressions.sh [SYSTEM]   (needs a release build: make build)
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_DETERMINISTIC_HASHING=1
DSIM=.build/release/dsim
SEEDS=${SEEDS:-1000}
work=$(mktemp -d)
$DSIM list --planted | while IFS=$'\t' read -r system bug _; do
    if [ -n "${1:-}" ] && [ "$1" != "$system" ]; then continue; fi
    echo "== $system/$bug"
    rm -rf "$work"/*
    # A system may name the campaign that finds its bugs best (e.g. Raft's 3-node spec).
    spec="traces/regressions/$system/fuzz-spec.json"
    if [ -f "$spec" ]; then target=(--spec "$spec"); else target=(--system "$system"); fi
    if $DSIM fuzz "${target[@]}" --plant "$bug" --seeds "$SEEDS" --first --max-traces 1 \
        --shrink --trace-out "$work" > "$work/log" 2>&1; then
        echo "   NOT FOUND in $SEEDS seeds"; continue
    fi
    min=$(ls "$work"/*.min.jsonl 2>/dev/null | head -1 || true)
    if [ -z "$min" ]; then echo "   no shrunk trace"; cat "$work/log"; continue; fi
    mkdir -p "traces/regressions/$system"
    cp "$min" "traces/regressions/$system/$bug.jsonl"
    echo "   $(grep -E '^(SEED|  shrunk)' "$work/log" | tr '\n' ' ')"
done
rm -rf "$work"
