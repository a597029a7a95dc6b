#!/usr/bin/env python3
"""Mutation score of DSim's checks (issue 16, item 5).

Each entry of mutants/mutants.json is a one-line bug planted by text replacement in a scratch
copy of the repository (one persistent copy, so release builds stay incremental). For each
mutant: apply, build `dsim` (release), run the checks of its system within fixed budgets
(counts, never seconds), stop at the first kill, revert. Stages, in order:

  fuzz     dsim fuzz --spec F --seeds FUZZ_SEEDS --jobs 1 --first, every non-explore spec of
           the system (seeds in order, so the seed reported is the number of seeds it took)
  pct      the same with --strategy pct (every system: PCT schedules the sans-IO kernel's
           events by node and the async runtime's jobs by task)
  explore  dsim explore --spec F --bound EXPLORE_BOUND --max-runs EXPLORE_MAX_RUNS, every
           specs/<system>/explore-*.json
  ports    dsim stress --system S --runs PORT_RUNS: every ported lab test of the system

A mutant that does not compile is stillborn (not counted); one marked `equivalent` is skipped
and not counted; everything else is killable. Results are cached in a JSON-lines file keyed by
the mutant, the budgets and a hash of the sources and specs, so an interrupted or partial run
resumes, and a change anywhere in Sources/ (new rule checks) re-runs everything.

Environment: MUTANTS=id,id  SYSTEMS=raft,kvraft  FUZZ_SEEDS PCT_SEEDS EXPLORE_BOUND
EXPLORE_MAX_RUNS PORT_RUNS  BASELINE=1 (the stages on the unmutated tree, per system; MUTANTS_REPO=. for the
worktree's own build)  MUTANTS_DIR (scratch, default .build/mutants)  RESULTS (default
MUTANTS_DIR/results.jsonl)  FORCE=1 (ignore cached results)  RUN_EQUIVALENT=1  TABLE_ONLY=1
STAGES=fuzz,pct,explore,ports.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The module a system's sources live in is what its ports and specs exercise: `raft` core
# mutants are judged by the raft lab's specs and ports, the host's by kvraft's.


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v else default


BUDGET = {
    "fuzzSeeds": env_int("FUZZ_SEEDS", 100),
    "pctSeeds": env_int("PCT_SEEDS", 100),
    "exploreBound": env_int("EXPLORE_BOUND", 2),
    "exploreMaxRuns": env_int("EXPLORE_MAX_RUNS", 20000),
    "portRuns": env_int("PORT_RUNS", 1),
}
STAGES = os.environ.get("STAGES", "fuzz,pct,explore,ports").split(",")
SCRATCH = os.path.abspath(os.environ.get("MUTANTS_DIR", os.path.join(ROOT, ".build/mutants")))
REPO = os.path.abspath(os.environ.get("MUTANTS_REPO", os.path.join(SCRATCH, "repo")))
RESULTS = os.path.abspath(os.environ.get("RESULTS", os.path.join(SCRATCH, "results.jsonl")))
DSIM = os.path.join(REPO, ".build/release/dsim")
STAGE_TIMEOUT = 1200  # a safety net against a hung tool, never a budget


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def tracked_files():
    out = subprocess.run(
        ["git", "-C", ROOT, "ls-files", "-z"], capture_output=True, check=True).stdout
    return [p for p in out.decode().split("\0") if p]


def sync_scratch():
    """Copies every tracked file whose content differs (unchanged files keep their inode and
    mtime, so the build stays incremental) and deletes sources the worktree no longer has."""
    files = tracked_files()
    changed = 0
    for rel in files:
        src, dst = os.path.join(ROOT, rel), os.path.join(REPO, rel)
        if not os.path.isfile(src):
            continue
        with open(src, "rb") as f:
            data = f.read()
        if os.path.isfile(dst):
            with open(dst, "rb") as f:
                if f.read() == data:
                    continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
        changed += 1
    keep = set(files)
    for top in ("Sources", "specs", "Tests"):
        for d, _, names in os.walk(os.path.join(REPO, top)):
            for n in names:
                rel = os.path.relpath(os.path.join(d, n), REPO)
                if rel not in keep:
                    os.remove(os.path.join(d, n))
                    changed += 1
    return changed


def tree_hash():
    h = hashlib.sha256()
    for rel in sorted(tracked_files()):
        if rel.startswith(("Sources/", "specs/", "Package.swift")):
            h.update(rel.encode())
            with open(os.path.join(ROOT, rel), "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()[:16]


def cache_key(m, tree):
    blob = json.dumps([m, BUDGET, STAGES, tree], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def load_results():
    out = {}
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            for line in f:
                line = line.strip()
                if line:
                    r = json.loads(line)
                    out[r["key"]] = r
    return out


def build():
    t0 = time.time()
    p = subprocess.run(
        ["nice", "-n", "10", "swift", "build", "-c", "release", "--product", "dsim"],
        cwd=REPO, capture_output=True, text=True)
    secs = time.time() - t0
    if p.returncode != 0:
        errs = [l for l in (p.stdout + p.stderr).splitlines() if "error:" in l]
        return False, secs, (errs[0] if errs else "build failed")[:300]
    return True, secs, ""


def specs_of(system):
    d = os.path.join(REPO, "specs", system)
    fuzz, explore = [], []
    for n in sorted(os.listdir(d)):
        if not n.endswith(".json"):
            continue
        with open(os.path.join(d, n)) as f:
            spec = json.load(f)
        if spec.get("planted"):
            continue  # a spec that plants a bug is no judge of another one
        (explore if spec.get("scenario") == "explore" else fuzz).append(f"specs/{system}/{n}")
    return fuzz, explore


def run(cmd, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    t0 = time.time()
    try:
        p = subprocess.run(
            ["nice", "-n", "10"] + cmd, cwd=REPO, capture_output=True, text=True,
            timeout=STAGE_TIMEOUT, env=dict(os.environ, SWIFT_DETERMINISTIC_HASHING="1"))
        return p.returncode, p.stdout, p.stderr, time.time() - t0
    except subprocess.TimeoutExpired:
        return None, "", "", time.time() - t0


def first_failure(results_path):
    """The lowest failing seed of a fuzz results file, with its invariant."""
    best = None
    with open(results_path) as f:
        for line in f:
            j = json.loads(line)
            if j.get("verdict") == "violation" and (best is None or j["seed"] < best["seed"]):
                best = j
    return best


def stage_fuzz(system, strategy, seeds, work):
    fuzz, _ = specs_of(system)
    for spec in fuzz:
        res = os.path.join(work, f"{strategy}-{os.path.basename(spec)}.results")
        if os.path.exists(res):
            os.remove(res)
        cmd = [DSIM, "fuzz", "--spec", spec, "--seeds", str(seeds), "--jobs", "1", "--first",
               "--max-traces", "1", "--trace-out", os.path.join(work, "traces"),
               "--results", res]
        if strategy == "pct":
            cmd += ["--strategy", "pct"]
        code, out, err, secs = run(cmd, work)
        if code is None:
            return {"by": strategy, "spec": spec, "note": "timeout"}
        if code == 1:
            f = first_failure(res) or {}
            return {"by": strategy, "spec": spec, "count": f.get("seed"), "unit": "seeds",
                    "invariant": f.get("invariant"), "message": (f.get("message") or "")[:200],
                    "secs": round(secs, 1)}
        if code not in (0, 2):
            return {"error": f"fuzz exit {code}: {(err or out).strip()[-300:]}"}
    return None


def stage_explore(system, work):
    _, explore = specs_of(system)
    for spec in explore:
        cmd = [DSIM, "explore", "--spec", spec, "--bound", str(BUDGET["exploreBound"]),
               "--max-runs", str(BUDGET["exploreMaxRuns"]),
               "--trace-out", os.path.join(work, "traces")]
        code, out, err, secs = run(cmd, work)
        if code is None:
            return {"by": "explore", "spec": spec, "note": "timeout"}
        if code == 1:
            lines = out.strip().splitlines()
            runs = None
            bound = None
            for l in lines:
                if l.startswith("explored:"):
                    runs = int(l.split()[1])
                if "found at bound" in l:
                    bound = int(l.split("found at bound")[1].split()[0])
            return {"by": "explore", "spec": spec, "count": runs, "unit": "runs",
                    "bound": bound, "invariant": lines[0] if lines else "?",
                    "secs": round(secs, 1)}
        if code not in (0, 2):
            return {"error": f"explore exit {code}: {(err or out).strip()[-300:]}"}
    return None


def verdict_of_trace(path):
    try:
        with open(os.path.join(REPO, path)) as f:
            last = f.read().strip().splitlines()[-1]
        j = json.loads(last)
        return j.get("invariant") or j.get("violation") or j.get("verdict") or last[:120]
    except (OSError, ValueError, IndexError):
        return "?"


def stage_ports(system, work):
    out_dir = os.path.join(work, "stress")
    cmd = [DSIM, "stress", "--system", system, "--runs", str(BUDGET["portRuns"]), "--jobs", "1",
           "--json", "--trace-out", out_dir]
    code, out, err, secs = run(cmd, work)
    if code is None:
        return {"by": "ports", "note": "timeout"}
    if code == 1:
        rows = json.loads(out.strip().splitlines()[-1])
        bad = [r for r in rows if r["failed"] > 0]
        r = bad[0]
        trace = (r.get("replay") or "").replace("dsim replay ", "")
        return {"by": "ports", "spec": r["scenario"], "count": r["failedSeeds"][0],
                "unit": "seed", "invariant": verdict_of_trace(trace) if trace else "?",
                "failedTests": [x["scenario"] for x in bad], "secs": round(secs, 1)}
    if code != 0:
        return {"error": f"stress exit {code}: {(err or out).strip()[-300:]}"}
    return None


def judge(system, work):
    """Runs the stages in order; the first kill ends the mutant."""
    for stage in STAGES:
        if stage == "fuzz":
            r = stage_fuzz(system, "fuzz", BUDGET["fuzzSeeds"], work)
        elif stage == "pct":
            r = stage_fuzz(system, "pct", BUDGET["pctSeeds"], work)
        elif stage == "explore":
            r = stage_explore(system, work)
        elif stage == "ports":
            r = stage_ports(system, work)
        else:
            raise SystemExit(f"unknown stage {stage}")
        if r is not None and "note" not in r:
            return r
    return {"by": None}


def mutate(m):
    path = os.path.join(REPO, m["file"])
    with open(path) as f:
        text = f.read()
    n = text.count(m["original"])
    if n != 1:
        raise SystemExit(f"{m['id']}: original text found {n} times in {m['file']} (want 1)")
    with open(path, "w") as f:
        f.write(text.replace(m["original"], m["replacement"]))
    return path, text


def run_mutant(m, tree):
    work = os.path.join(SCRATCH, "work", m["id"])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    path, original = mutate(m)
    t0 = time.time()
    try:
        ok, build_secs, error = build()
        if not ok:
            r = {"by": "stillborn", "error": error}
        else:
            r = judge(m["system"], work)
    finally:
        with open(path, "w") as f:
            f.write(original)
    r.update({"id": m["id"], "system": m["system"], "kind": m["kind"],
              "buildSecs": round(build_secs, 1), "secs": round(time.time() - t0, 1),
              "key": cache_key(m, tree), "tree": tree, "budget": BUDGET,
              "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    return r


def baseline(systems):
    """The stages on the unmutated tree: a check that fires here would make every kill of that
    system meaningless, so `BASELINE=1` runs them once per system and reports what fires."""
    ok, secs, error = build()
    if not ok:
        raise SystemExit(f"the unmutated scratch copy does not build: {error}")
    clean = True
    for system in systems:
        work = os.path.join(SCRATCH, "work", "baseline-" + system)
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        t0 = time.time()
        r = judge(system, work)
        by, spec, count, inv = describe(r)
        clean = clean and by == "survived"
        print(f"baseline {system}: {'clean' if by == 'survived' else by} {spec} {count} {inv} "
              f"({time.time() - t0:.0f} s)", flush=True)
    return clean


def select(mutants):
    ids = [x for x in os.environ.get("MUTANTS", "").split(",") if x]
    systems = [x for x in os.environ.get("SYSTEMS", os.environ.get("SYSTEM", "")).split(",")
               if x and x != "all"]
    known = {m["id"] for m in mutants}
    for i in ids:
        if i not in known:
            raise SystemExit(f"unknown mutant '{i}'")
    return [m for m in mutants
            if (not ids or m["id"] in ids) and (not systems or m["system"] in systems)]


def describe(r):
    if r is None:
        return "not run", "", "", ""
    by = r.get("by")
    if by == "stillborn":
        return "stillborn", "", "", r.get("error", "")
    if "error" in r:
        return "error", "", "", r["error"]
    if by is None:
        return "survived", "", "", ""
    count = f"{r.get('count')} {r.get('unit', '')}".strip()
    if by == "explore" and r.get("bound") is not None:
        count += f" (bound {r['bound']})"
    spec = os.path.basename(r.get("spec", "") or "")
    return by, spec, count, (r.get("invariant") or "?").replace("|", "/")


def table(selected, results, tree):
    print("| mutant | system | kind | killed by | spec / test | seeds or runs to the kill "
          "| invariant |")
    print("|---|---|---|---|---|---|---|")
    killed = killable = stillborn = equivalent = missing = 0
    survivors = []
    for m in selected:
        if "equivalent" in m and not os.environ.get("RUN_EQUIVALENT"):
            equivalent += 1
            print(f"| {m['id']} | {m['system']} | {m['kind']} | equivalent | | | "
                  f"{m['equivalent'].replace('|', '/')} |")
            continue
        r = results.get(cache_key(m, tree))
        by, spec, count, inv = describe(r)
        print(f"| {m['id']} | {m['system']} | {m['kind']} | {by} | {spec} | {count} | {inv} |")
        if by == "stillborn":
            stillborn += 1
        elif by in ("not run", "error"):
            missing += 1
        else:
            killable += 1
            if by == "survived":
                survivors.append(m["id"])
            else:
                killed += 1
    print()
    score = f"{100.0 * killed / killable:.1f}%" if killable else "n/a"
    print(f"mutants: {len(selected)}; equivalent (not counted): {equivalent}; stillborn: "
          f"{stillborn}; not run or errored: {missing}")
    print(f"killed/killable: {killed}/{killable}  score: {score}")
    if survivors:
        print("survivors: MUTANTS=" + ",".join(survivors))
    print(f"budgets: {json.dumps(BUDGET, sort_keys=True)}  stages: {','.join(STAGES)}  "
          f"tree: {tree}")


def main():
    with open(os.path.join(ROOT, "mutants", "mutants.json")) as f:
        mutants = json.load(f)
    selected = select(mutants)
    tree = tree_hash()
    results = load_results()
    if os.environ.get("BASELINE"):
        if REPO != ROOT:  # MUTANTS_REPO=. judges the worktree's own build instead
            os.makedirs(REPO, exist_ok=True)
            log(f"mutants: syncing {REPO} ({sync_scratch()} files changed)")
        systems = sorted({m["system"] for m in selected}, key=[m["system"] for m in mutants].index)
        sys.exit(0 if baseline(systems) else 1)
    if not os.environ.get("TABLE_ONLY"):
        os.makedirs(REPO, exist_ok=True)
        log(f"mutants: syncing {REPO} ({sync_scratch()} files changed)")
        for m in selected:  # every original must match exactly once before anything runs
            with open(os.path.join(REPO, m["file"])) as f:
                if f.read().count(m["original"]) != 1:
                    raise SystemExit(f"{m['id']}: original text must occur exactly once in "
                                     f"{m['file']}")
        todo = [m for m in selected
                if ("equivalent" not in m or os.environ.get("RUN_EQUIVALENT"))
                and (os.environ.get("FORCE") or cache_key(m, tree) not in results)]
        log(f"mutants: {len(selected)} selected, {len(todo)} to run, results in {RESULTS}")
        for i, m in enumerate(todo):
            log(f"mutants: [{i + 1}/{len(todo)}] {m['id']} ({m['system']}, {m['kind']})")
            r = run_mutant(m, tree)
            by, spec, count, inv = describe(r)
            log(f"mutants:   -> {by} {spec} {count} {inv}  (build {r['buildSecs']} s, "
                f"total {r['secs']} s)")
            with open(RESULTS, "a") as f:
                f.write(json.dumps(r, sort_keys=True) + "\n")
            results[r["key"]] = r
    table(selected, results, tree)


if __name__ == "__main__":
    main()
