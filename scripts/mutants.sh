#!/usr/bin/env bash
# `make mutants`: the mutation score of DSim's checks (issue 16). Every entry of
# mutants/mutants.json is planted in a scratch copy (.build/mutants/repo), built, and judged by
# fuzz, PCT, explore and the ported tests within fixed budgets; results are cached in
# .build/mutants/results.jsonl, so a run resumes where it stopped. See scripts/mutants.py for
# the environment (MUTANTS=id,id SYSTEMS=raft FUZZ_SEEDS=... FORCE=1 TABLE_ONLY=1).
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_DETERMINISTIC_HASHING=1
exec python3 scripts/mutants.py "$@"
