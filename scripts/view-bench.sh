#!/usr/bin/env bash
# How fast `dsim view` pages draw on a big trace: makes a kvraft trace of ~41,000 lines
# (TestUnreliable4A, seed 1: unreliable network, 5 servers, clients; 9,575 messages), writes
# its page, loads it in headless Chromium three times and prints, per load, the page's own
# figure (#status data-render-ms: milliseconds from navigation start to the first drawing,
# parsing the page and its JSON included) and the whole browser run's wall time.
# Usage: scripts/view-bench.sh [SEED] [SCENARIO]     (needs a release build and chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
seed=${1:-1}
scenario=${2:-TestUnreliable4A}
dsim=.build/release/dsim
command -v chromium >/dev/null || { echo "view-bench: chromium not found"; exit 3; }
[ -x "$dsim" ] || swift build -c release --product dsim
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$dsim" run --system kvraft --scenario "$scenario" --seed "$seed" --trace "$dir/big.jsonl" \
    >/dev/null || true
echo "trace: $(wc -l < "$dir/big.jsonl") lines (kvraft $scenario seed $seed)"
start=$(date +%s%N)
"$dsim" view "$dir/big.jsonl" -o "$dir/big.html"
echo "dsim view: $(( ($(date +%s%N) - start) / 1000000 )) ms, page $(( $(stat -c %s "$dir/big.html") / 1024 )) KiB"
echo '<!DOCTYPE html><html><body></body></html>' > "$dir/blank.html"
start=$(date +%s%N)
chromium --headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir="$dir/profile" \
    --dump-dom "file://$dir/blank.html" >/dev/null 2>&1
echo "an empty page: browser run $(( ($(date +%s%N) - start) / 1000000 )) ms (Chromium's own start and stop)"
for run in 1 2 3; do
    start=$(date +%s%N)
    dom=$(chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$dir/profile" --window-size=1400,900 --dump-dom "file://$dir/big.html" \
        2>/dev/null)
    wall=$(( ($(date +%s%N) - start) / 1000000 ))
    status=$(grep -o '<div id="status"[^>]*>' <<<"$dom" || echo "no status")
    render=$(grep -o 'data-render-ms="[0-9.]*"' <<<"$status" | grep -o '[0-9.]*' || echo "?")
    errors=$(grep -o 'id="js-errors" data-count="[0-9]*' <<<"$dom" | grep -o '[0-9]*$' || echo "?")
    echo "load $run: drawn in $render ms (page's own clock), browser run $wall ms, js errors $errors"
done
