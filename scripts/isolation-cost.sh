#!/usr/bin/env bash
# The cost of crash isolation on the raft fuzz campaign: the same seeds in worker processes
# (the default) and in one process (--in-process), with seeds/s and CPU seconds (user + system,
# workers included) of each. CPU time is the fair measure on a shared machine; wall-clock
# seeds/s is printed too. Usage: scripts/isolation-cost.sh [SEEDS] [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_DETERMINISTIC_HASHING=1
seeds=${1:-400} jobs=${2:-1}
for mode in --in-process ""; do
    for round in 1 2; do
        /usr/bin/time -f "%U %S" -o /tmp/iso-$$ .build/release/dsim fuzz --system raft \
            --seeds "$seeds" --jobs "$jobs" $mode > /tmp/iso-out-$$ 2>/dev/null || true
        read -r user sys < /tmp/iso-$$
        rate=$(grep -oE '\(([0-9.]+ ?[kM]?) seeds/s\)' /tmp/iso-out-$$ | head -1)
        printf "%-13s round %d: %s, cpu %.2f s (%.2f ms/seed)\n" "${mode:-isolated}" "$round" \
            "$rate" "$(echo "$user + $sys" | bc)" "$(echo "($user + $sys) * 1000 / $seeds" | bc -l)"
    done
done
rm -f /tmp/iso-$$ /tmp/iso-out-$$
