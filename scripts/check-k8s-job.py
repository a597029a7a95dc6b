#!/usr/bin/env python3
"""Checks deploy/k8s/fuzz-job.yaml: it parses, it is an Indexed Job whose completions match
SHARDS, and its container command, run here with JOB_COMPLETION_INDEX=i (dsim on PATH, small
SEEDS, results in a temporary folder), runs shard i+1/SHARDS: the results file it writes says so.
Usage: scripts/check-k8s-job.py PATH-TO-DSIM [SEEDS]"""
import json, os, subprocess, sys, tempfile

import yaml

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
job = yaml.safe_load(open(os.path.join(root, "deploy/k8s/fuzz-job.yaml")))
assert job["kind"] == "Job" and job["spec"]["completionMode"] == "Indexed", "not an Indexed Job"
container = job["spec"]["template"]["spec"]["containers"][0]
env = {e["name"]: e["value"] for e in container["env"]}
shards = int(env["SHARDS"])
assert job["spec"]["completions"] == shards, "completions != SHARDS"
dsim = os.path.abspath(sys.argv[1])
with tempfile.TemporaryDirectory() as results:
    bindir = os.path.join(results, "bin")
    os.mkdir(bindir)
    os.symlink(dsim, os.path.join(bindir, "dsim"))
    for index in range(shards):
        run_env = dict(os.environ)
        run_env.update(env)
        run_env.update(JOB_COMPLETION_INDEX=str(index), RESULTS=results,
                       SEEDS=sys.argv[2] if len(sys.argv) > 2 else "8",
                       PATH=bindir + os.pathsep + os.environ["PATH"])
        subprocess.run(container["command"], env=run_env, check=True, cwd=results,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        path = os.path.join(results, "shard-%d.jsonl" % index)
        header = json.loads(open(path).readline())["campaign"]
        assert header["shard"] == "%d/%d" % (index + 1, shards), header
        assert header["system"] == env["SYSTEM"], header
    merged = subprocess.run([dsim, "merge"] + [os.path.join(results, "shard-%d.jsonl" % i)
                            for i in range(shards)], capture_output=True, text=True)
    assert merged.returncode in (0, 1), merged.stderr
    print("k8s job ok: %d shards; %s" % (shards, merged.stdout.splitlines()[0]))
