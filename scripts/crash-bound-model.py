#!/usr/bin/env python3
"""The arithmetic behind the crash test's original-bound rate (README, issue 21).

test-mr.sh's crash test: 8 map tasks, nReduce 10, the crash app kills its worker with
probability 1/3 at each Map call and each Reduce call (one Map call per map task, one Reduce
call per key in the partition: the keys a-d), else stalls it 0-10 s with probability 1/3. A
task whose worker died is handed out again 10 s after it was handed out (the coordinator's
timeout); restart loops keep workers coming, so nothing else waits. A map task that dies D
times finishes about 10*D s after the first handout; reduces start when the last map is
done. So, with D_M the most deaths of any map and D_R of any reduce,

    T ~= 1 s (workers start) + 10 s * (D_M + D_R) + the stalls of the surviving attempts
         + ~2 s (the coordinator exits a second after Done, the workers then)

and the 120 s bound is missed when D_M + D_R >= 12, or = 11 with ~10 s of stalls left over.
Prints the distribution's tail exactly (deaths only) and by Monte Carlo (deaths and stalls).
"""
import random


def ihash(key):
    h = 2166136261
    for b in key.encode():
        h ^= b
        h = (h * 16777619) & 0xFFFFFFFF
    return h & 0x7FFFFFFF


KEYS_PER_REDUCE = {}
for k in "abcd":
    KEYS_PER_REDUCE[ihash(k) % 10] = KEYS_PER_REDUCE.get(ihash(k) % 10, 0) + 1


def max_deaths_cdf(survive, tasks, kmax=60):
    """P(max deaths over tasks <= k), each task's deaths geometric with P(survive an attempt)."""
    out = []
    for k in range(kmax):
        p = 1.0
        for s in tasks:
            p *= 1 - (1 - s) ** (k + 1)  # P(deaths <= k) = 1 - P(first k+1 attempts die)
        out.append(p)
    return out


def pmf(cdf):
    return [cdf[0]] + [cdf[i] - cdf[i - 1] for i in range(1, len(cdf))]


maps = pmf(max_deaths_cdf(None, [2 / 3] * 8))
reduces = pmf(max_deaths_cdf(None, [(2 / 3) ** j for j in KEYS_PER_REDUCE.values()]))
tail = {n: sum(maps[m] * reduces[r] for m in range(60) for r in range(60) if m + r >= n)
        for n in (10, 11, 12, 13)}


def one_run(rng):
    def task(calls):
        t = 0.0
        while True:
            died, stall = False, 0.0
            for _ in range(calls):
                x = rng.random()
                if x < 1 / 3:
                    died = True
                    break
                if x < 2 / 3:
                    stall += rng.random() * 10
            if not died:
                return t + stall
            t += 10.0

    m = max(task(1) for _ in range(8))
    r = max(task(j) for j in KEYS_PER_REDUCE.values())
    return 1 + m + r + 2


if __name__ == "__main__":
    print("keys per non-empty reduce partition:", sorted(KEYS_PER_REDUCE.items()))
    for n, p in tail.items():
        print(f"P(D_M + D_R >= {n}) = {p:.2e}  (1 in {1 / p:,.0f})")
    rng = random.Random(21)
    runs = 2_000_000
    late = sum(one_run(rng) > 120 for _ in range(runs))
    print(f"Monte Carlo, deaths and stalls: {late} of {runs:,} over 120 s = {late / runs:.2e}")
