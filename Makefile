# DSim. Every target runs with deterministic hashing as a second guard: the code never lets
# Dictionary/Set order reach a decision, and this makes sure a slip still reproduces.
export SWIFT_DETERMINISTIC_HASHING := 1

SWIFT   ?= swift
DSIM    := .build/release/dsim
SYSTEM  ?= all
SEED    ?= 1
SEEDS   ?= $(if $(PLANT),2000,200)
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
SPEC    ?=
PLANT   ?=
TRACE   ?=
OUT     ?=
RUNS    ?= 50
FILTER  ?=

FUZZ_ARGS := --seed $(SEED) --seeds $(SEEDS) --jobs $(JOBS) \
	$(if $(SPEC),--spec $(SPEC),--system $(SYSTEM)) $(if $(PLANT),--plant $(PLANT))

.PHONY: all build test fuzz replay run check bench bench-campaign campaign-100k mutants lint format shrink stress clean help

all: build

help:
	@echo "make fuzz [SYSTEM=raft|weather|bank|... SEED=1 SEEDS=200 (2000 with PLANT) SPEC=specs/x.json PLANT=bug]"
	@echo "make test | make check | make replay TRACE=f.jsonl | make shrink TRACE=f.jsonl"
	@echo "make stress [SYSTEM=raft RUNS=50 FILTER=3A] | make bench | make lint"
	@echo "make mutants [MUTANTS=id,id SYSTEM=raft FORCE=1 TABLE_ONLY=1]"

build:
	$(SWIFT) build -c release --product dsim

# Simulation-heavy tests run in release: a debug build of this code is 10-30x slower.
test:
	$(SWIFT) build -c release --build-tests
	$(SWIFT) test -c release --skip-build

fuzz: build
	$(DSIM) fuzz $(FUZZ_ARGS)

replay: build
	@test -n "$(TRACE)" || (echo "usage: make replay TRACE=traces/out/x.jsonl" && exit 3)
	$(DSIM) replay $(TRACE)

shrink: build
	@test -n "$(TRACE)" || (echo "usage: make shrink TRACE=traces/out/x.jsonl [OUT=min.jsonl]" && exit 3)
	$(DSIM) shrink $(TRACE) $(if $(OUT),--out $(OUT))

# Every ported test over RUNS seeds, as a table (SYSTEM=... FILTER=regex to narrow it).
stress: build
	$(DSIM) stress --runs $(RUNS) --jobs $(JOBS) $(if $(filter-out all,$(SYSTEM)),--system $(SYSTEM)) \
		$(if $(FILTER),--filter '$(FILTER)')

# The bounded CI campaign: every spec under specs/ for its checkSeeds seeds.
check: build
	$(DSIM) check --jobs $(JOBS)

bench:
	$(SWIFT) build -c release --product dsim
	$(DSIM) bench

# Issue 17's figures: the cost of crash isolation on the raft fuzz, and the peak resident
# memory of a campaign and a shrink of each system.
bench-campaign: build
	scripts/isolation-cost.sh 400 1
	scripts/campaign-memory.sh

# Issue 21: 100,000 seeds of every spec, sharded and resumable (run it again to go on), into
# docs/campaigns/100k.md. Hours of CPU: CAMPAIGN_SEEDS=100 shows the table in a minute or two
# (written to docs/campaigns/seeds-100.md).
CAMPAIGN_SEEDS ?= 100000
campaign-100k: build
	SEEDS=$(CAMPAIGN_SEEDS) scripts/campaign-100k.sh

# Issue 16's mutation score: every one-line bug of mutants/mutants.json planted in a scratch copy,
# rebuilt and judged by fuzz, PCT, explore and the ports (long; not in CI). MUTANTS=id,id or
# SYSTEM=raft for a subset; results are cached in .build/mutants/results.jsonl (FORCE=1 re-runs).
mutants:
	SYSTEMS=$(filter-out all,$(SYSTEM)) scripts/mutants.sh

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build traces/out
