#!/usr/bin/env bash
# Regenerates traces/regressions/<system>/<bug>.jsonl: for every planted bug of every system,
# fuzz with the bug until the first violation (`dsim fuzz --system S --plant BUG --first`, one
# job, so the first failing seed is the smallest), shrink it, and keep the shrunk trace.
# Usage: scripts/make-regressions.sh [SYSTEM]   (needs a release build: make build)
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_DETERMINISTIC_HASHING=1
DSIM=.build/release/dsim
SEEDS=${SEEDS:-2000}
work=$(mktemp -d)
$DSIM list --planted | while IFS=$'\t' read -r system bug _; do
    if [ -n "${1:-}" ] && [ "$1" != "$system" ]; then continue; fi
    echo "== $system/$bug"
    rm -rf "$work"/*
    if $DSIM fuzz --system "$system" --plant "$bug" --seeds "$SEEDS" --jobs 1 --first --max-traces 1 \
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
