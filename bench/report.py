#!/usr/bin/env python3
"""Turns the JSON reports of one bench/run.sh run into bench/results/<stamp>.md: the targets with their verdicts (and
the range of each figure over the runs of the same day), every run with the noise of the machine beside it."""
import argparse
import glob
import json
import os

GAME_POINTS = [("cost", "game-cost", "bare-cost"), ("maximum", "game-max", "bare-max"),
               ("half the maximum", "game-half", "bare-half"), ("10,000 active players", "game-active", "bare-active")]
KNOWN = ["bare-cost", "game-cost", "game-max", "bare-max", "game-half", "bare-half", "game-active", "bare-active",
         "game-redis-max", "game-redis-everysec-max", "game-2silos-redis-max", "game-2silos-max", "bare-echo", "idle"]
IDLE_TARGET_PLAYERS = 50_000
IDLE_TARGET_BYTES = 2 * 1024 ** 3


def load_runs(raw):
    runs = {}
    for path in sorted(glob.glob(os.path.join(raw, "*.json"))):
        with open(path) as f:
            runs[os.path.basename(path)[:-5]] = json.load(f)
    steps = os.path.join(raw, "idle-steps.jsonl")
    if os.path.exists(steps):
        lines = [json.loads(line) for line in open(steps) if line.strip()]
        if len(lines) > 1:
            runs["idle"] = {"empty": lines[0], "steps": lines[1:], "violationCount": 0, "errors": {}, "connectFailures": 0,
                            "connectionsLost": 0}
    return runs


def fmt(value, digits=1):
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def row(cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def cpu(r):
    return ((r or {}).get("server") or {}).get("cpuMicrosecondsPerAction") or None


def p99(r, key="fanoutAllMs"):
    return r[key]["p99"] if r and r[key]["count"] else None


def busy(r):
    return bool(((r or {}).get("noise") or {}).get("busy"))


def ratio(a, b):
    return a / b if a is not None and b else None


# Each target: a name, a function of one run's reports giving (value, text, ok), and how to print the value in a range.
def t_collapse(runs):
    half, mx = runs.get("game-half"), runs.get("game-max")
    v = ratio(cpu(half), cpu(mx))
    return v, f"{fmt(v, 2)}× ({fmt(cpu(half), 0)} µs at {fmt(half['rate'] if half else None, 0)} moves/s vs {fmt(cpu(mx), 0)} µs at the maximum)", \
        None if v is None else v <= 1.2


def t_half_tail(runs):
    half, bare = runs.get("game-half"), runs.get("bare-half")
    g, b = p99(half), p99(bare)
    v = ratio(g, b)
    ok = None if g is None or b is None else (g <= 2 * b and g <= 25)
    return g, f"{fmt(g, 1)} ms (bare stack {fmt(b, 1)} ms at the same rate: {fmt(v, 2)}×; fan-out misses {fmt(half['fanoutMisses'] if half else None)})", ok


def t_active(runs):
    r = runs.get("game-active")
    if not r:
        return None, "not run", None
    v = p99(r)
    ok = r["seated"] >= r["players"] and r["violationCount"] == 0 and v is not None and v <= 100
    return v, (f"{r['seated']:,} of {r['players']:,} seated; {fmt(r['actionsPerSecond'])} of {fmt(r['rate'], 0)} moves/s; "
               f"fan-out p99 {fmt(v, 1)} ms; misses {r['ackMisses']:,} / {r['fanoutMisses']:,}"), ok


def t_idle(runs):
    steps = (runs.get("idle") or {}).get("steps") or []
    if not steps:
        return None, "not run", None
    top = steps[-1]  # the last step after it settled, when the run waited (BENCH_IDLE_SETTLE)
    gib = top["rssBytes"] / 1024 ** 3
    ok = top["seated"] >= IDLE_TARGET_PLAYERS and top["rssBytes"] <= IDLE_TARGET_BYTES
    return gib, (f"{fmt(gib, 2)} GiB with {top['seated']:,} seated of {top['players']:,} "
                 f"({fmt(top['rssBytes'] / max(top['seated'], 1) / 1024)} KiB per player)"), ok


def t_cost(point):
    _, game, bare = point

    def f(runs):
        v = ratio(cpu(runs.get(game)), cpu(runs.get(bare)))
        return v, f"{fmt(v, 2)}× ({fmt(cpu(runs.get(game)), 0)} µs vs {fmt(cpu(runs.get(bare)), 0)} µs per move)", None if v is None else v <= 1.3
    return f


def t_redis(runs):
    redis, mx = runs.get("game-redis-max"), runs.get("game-max")
    v = ratio(redis and redis["actionsPerSecond"], mx and mx["actionsPerSecond"])
    every = runs.get("game-redis-everysec-max")
    return v, (f"{fmt(v, 2)}× ({fmt(redis['actionsPerSecond'] if redis else None)} vs {fmt(mx['actionsPerSecond'] if mx else None)} moves/s, "
               f"{fmt(cpu(redis), 0)} µs per move with Redis's CPU; everysec: {fmt(every['actionsPerSecond'] if every else None)} moves/s, "
               f"{fmt(cpu(every), 0)} µs)"), None if v is None else v >= 0.7


def t_silos(runs):
    two, one = runs.get("game-2silos-redis-max"), runs.get("game-redis-max")
    v = ratio(two and two["actionsPerSecond"], one and one["actionsPerSecond"])
    memory, mx = runs.get("game-2silos-max"), runs.get("game-max")
    beside = ""
    if memory:
        m = ratio(memory["actionsPerSecond"], mx and mx["actionsPerSecond"])
        beside = f"; in-memory storage, not as shipped: {fmt(m, 2)}×, {fmt(memory['actionsPerSecond'])} moves/s, {fmt(cpu(memory), 0)} µs"
    if v is None:
        return None, "not run" + beside, None
    return v, (f"{fmt(v, 2)}× ({fmt(two['actionsPerSecond'] if two else None)} vs {fmt(one['actionsPerSecond'] if one else None)} moves/s, "
               f"{fmt(cpu(two), 0)} vs {fmt(cpu(one), 0)} µs per move with Redis's CPU{beside})"), None if v is None else v >= 0.85


def t_violations(runs):
    v = sum(r["violationCount"] for r in runs.values())
    return v, f"{v}", v == 0


TARGETS = [
    ("CPU per move at half the maximum ≤ 1.2× at the maximum", t_collapse, 2, ["game-half", "game-max"]),
    ("fan-out p99 at half the maximum ≤ 2× the bare stack's and ≤ 25 ms", t_half_tail, 1, ["game-half", "bare-half"]),
    ("10,000 active players (a move each 5 s), fan-out p99 ≤ 100 ms", t_active, 1, ["game-active"]),
    ("50,000 idle seated players in ≤ 2 GiB of edge + silo RSS", t_idle, 2, ["idle"]),
] + [(f"game move CPU ≤ 1.3× the bare stack's: {p[0]}", t_cost(p), 2, [p[1], p[2]]) for p in GAME_POINTS] + [
    ("Redis as shipped (fsync always) ≥ 0.7× the in-memory maximum", t_redis, 2, ["game-redis-max", "game-max"]),
    ("2 silos ≥ 0.85× the maximum of one, on Redis as shipped (issue 11)", t_silos, 2, ["game-2silos-redis-max", "game-redis-max"]),
    ("no correctness violation in any run", t_violations, 0, []),
]


def verdict(ok, busy_run):
    text = "n/a (not measured)" if ok is None else ("**met**" if ok else "**missed**")
    return text + (" (busy machine)" if busy_run and ok is not None else "")


def day_runs(results, stamp):
    """The runs of the same day (full runs and partial ones), by stamp; not the diagnostic ones (servers not as shipped
    or sampled while measured: bench/run.sh leaves a diagnostic.txt in those)."""
    day = stamp[:10]
    out = {}
    for d in sorted(glob.glob(os.path.join(results, day + "-*"))):
        if os.path.isdir(d) and not os.path.exists(os.path.join(d, "diagnostic.txt")):
            runs = load_runs(d)
            if runs:
                out[os.path.basename(d)] = runs
    return out


def noise_cells(r):
    n = r.get("noise") or {}
    if not n:
        return ["n/a", "n/a", ""]
    tops = ", ".join(n.get("topOthers") or [])
    return [f"{n['otherCores']:.2f} / {n['otherProcessCores']:.2f} / {n['stealCores']:.2f}",
            f"{n['loadAverageStart']:.1f} → {n['loadAverageEnd']:.1f}",
            ("**busy** " if n.get("busy") else "") + tops]


def run_row(name, r):
    s = r.get("server") or {}
    fan = r["fanoutAllMs"]
    return row([
        name,
        f"{r['players']:,} / {r['seated']:,}",
        f"{fmt(r['actionsPerSecond'])}" + (f" of {fmt(r['rate'], 0)} due" if r.get("rate") else ""),
        fmt(s.get("cpuMicrosecondsPerAction"), 0),
        fmt(s.get("cpuUtilization"), 2),
        f"{r['ackMs']['p50']:.1f} / {r['ackMs']['p99']:.1f}",
        f"{fan['p50']:.1f} / {fan['p99']:.1f}" if fan["count"] else "-",
        f"{r.get('ackMisses', 0):,} / {r.get('fanoutMisses', 0):,}",
        fmt(r["loadToolCpuSeconds"] / max(r["measuredSeconds"], 0.001), 2),
        *noise_cells(r),
        sum(r["errors"].values()),
        r["violationCount"],
    ])


def main():
    p = argparse.ArgumentParser()
    for name in ["raw", "out", "stamp", "machine", "commit", "players", "think", "duration", "active", "elapsed", "skipped",
                 "failed", "warmup", "load"]:
        p.add_argument("--" + name, default="")
    a = p.parse_args()
    runs = load_runs(a.raw)
    today = day_runs(os.path.dirname(os.path.abspath(a.raw)), a.stamp)

    L = [f"# CardGame benchmark {a.stamp}", ""]
    L.append(f"Machine: {a.machine}, shared with other work. Commit {a.commit}. `bench/run.sh` took {a.elapsed} s; load "
             f"average (1, 5, 15 min) {a.load}. Everything ran on this one machine over loopback: the load tool shares the 2 "
             "cores with the servers it measures (its own CPU is in the table).")
    L.append(f"Players sit 4 to a table. Each run: ramp-up, {a.warmup} s warm-up, {a.duration} s measured, then up to 5 s "
             "for the moves due in the window to be answered and delivered. Server CPU is utime+stime of the server processes "
             "(and of redis-server in the Redis runs) over the measured window, divided by the moves due in it and acknowledged.")
    if a.failed.strip():
        L += ["", f"**Failed phases** (no result, or the load tool failed): {a.failed} (server logs in `bench/results/{a.stamp}/logs/`)."]
    if a.skipped.strip():
        L += ["", f"**Skipped** (time budget, or not asked for with `BENCH_ONLY`): {a.skipped}."]
    busy_runs = [k for k, r in runs.items() if busy(r)]
    if busy_runs:
        L += ["", f"**Busy machine** during: {', '.join(busy_runs)} (other work took ≥ 0.1 core: those figures are pessimistic)."]
    L += ["", "## Targets", "",
          f"*range today*: the same figure over the {len(today)} runs of {a.stamp[:10]} in `bench/results/` that measured it.", ""]
    L.append(row(["target", "measured", "verdict", "range today"]))
    L.append(row(["---"] * 4))
    for name, fn, digits, needs in TARGETS:
        value, text, ok = fn(runs)
        values = []
        for day_stamp, other in today.items():
            if all(n in other for n in needs):
                v = fn(other)[0]
                if v is not None:
                    values.append(v)
        rng = f"{fmt(min(values), digits)}–{fmt(max(values), digits)} (n={len(values)})" if values else "n/a"
        L.append(row([name, text, verdict(ok, any(busy(runs.get(n)) for n in needs)), rng]))

    L += ["", "## Runs", "",
          "Latencies in ms from when a move was due (closed loop: when the player moved; open loop: its place in the "
          "schedule), to its acknowledgment (*ack*) and until every other seat had its event (*fan-out*). A move due in the "
          "window and never sent, answered or delivered is a *miss*, counted in the percentiles with the time until the end. "
          "*other*: cores used by other work during the window — the machine's busy CPU less ours (raw; a negative value is "
          "the counters disagreeing) / other processes' CPU summed from /proc / CPU stolen by the hypervisor; the run is "
          "**busy** when one reaches 0.1.", ""]
    L.append(row(["run", "players / seated", "moves/s", "server CPU µs/move", "server cores", "ack p50 / p99",
                  "fan-out p50 / p99", "misses ack / fan-out", "load-tool cores", "other: machine / processes / steal",
                  "load average", "busiest others", "errors", "violations"]))
    L.append(row(["---"] * 14))
    descriptions = {
        "bare-cost": f"bare stack, think {a.think}",
        "game-cost": f"game, think {a.think}",
        "game-max": "game, think 0 (maximum)",
        "bare-max": "bare stack, think 0 (maximum)",
        "game-half": "game, open loop at half the game's maximum",
        "bare-half": "bare stack, the same open loop",
        "game-active": f"game, {int(a.active or 0):,} players, a move each 5 s (open loop)",
        "bare-active": "bare stack, the same",
        "game-redis-max": "game on Redis (fsync always, as shipped), think 0",
        "game-redis-everysec-max": "game on Redis (fsync every second), think 0",
        "game-2silos-redis-max": "game, 2 silos on Redis (fsync always, as shipped), think 0",
        "game-2silos-max": "game, 2 silos, in-memory storage (not as shipped), think 0",
        "bare-echo": f"bare SignalR echo, 1 edge, no silo, think {a.think}",
    }
    for key in KNOWN + sorted(k for k in runs if k not in KNOWN):
        if key in runs and key != "idle":
            L.append(run_row(f"{key}: {descriptions.get(key, '')}", runs[key]))
    L += ["", "All runs: 2 edges + 1 silo unless the run says 2 silos (bare stack: 2 bare edges + 1 bare silo; a group's seats share an edge, since the "
          "bare edge sends events to its own connections only). In-memory storage unless the run says Redis."]

    L += ["", "## Memory per idle seated player", ""]
    idle = runs.get("idle")
    if idle:
        empty = idle["empty"]["rssBytes"]
        edges = len(idle["empty"]["rssByProcess"]) - 1
        L.append(row(["idle players asked / seated", "edge + silo RSS", "per seated player", "per player above the empty servers",
                      "silo / edges RSS"]))
        L.append(row(["---"] * 5))
        for s in idle["steps"]:
            n = max(s["seated"], 1)
            asked = f"{s['players']:,} / {s['seated']:,}" + (f", {s['settledSeconds']} s later" if s.get("settledSeconds") else "")
            L.append(row([asked, f"{s['rssBytes'] / 1048576:,.1f} MiB", f"{s['rssBytes'] / n / 1024:,.1f} KiB",
                          f"{(s['rssBytes'] - empty) / n / 1024:,.1f} KiB", " / ".join(f"{b / 1048576:,.0f}" for b in s["rssByProcess"]) + " MiB"]))
        L += ["", f"1 silo + {edges} edges (each edge under 18,000 connections: a process here may open at most 20,000 files); "
              f"the players are held by load-tool processes of at most 15,000 connections each. Empty servers: {empty / 1048576:,.1f} MiB. "
              "Storage and clustering on Redis (fsync always), as in production."]
        redis_mem = os.path.join(a.raw, "idle-redis.txt")
        top = idle["steps"][-1]
        if os.path.exists(redis_mem):
            fields = dict(line.strip().split(":", 1) for line in open(redis_mem) if ":" in line)
            if "used_memory_rss" in fields:
                rss = int(fields["used_memory_rss"])
                L.append(f"Redis, holding every table and player, not counted above: {rss / 1048576:,.1f} MiB RSS "
                         f"({rss / max(top['seated'], 1) / 1024:,.1f} KiB per player; data {int(fields.get('used_memory', 0)) / 1048576:,.1f} MiB).")
    else:
        L.append("Not measured.")
    L.append("")
    problems = [(k, r) for k, r in runs.items() if k != "idle" and r["violationCount"] or r["errors"] or r["connectFailures"] or r["connectionsLost"]]
    if problems:
        L += ["## Errors and violations", ""]
        for k, r in problems:
            L.append(f"- **{k}**: errors {r['errors'] or 'none'}, connect failures {r['connectFailures']}, connections lost "
                     f"{r['connectionsLost']}, violations {r['violations'] or 'none'}")
            for sample in r["violationSamples"][:5]:
                L.append(f"  - `{sample}`")
        L.append("")
    L.append("Raw reports: `bench/results/" + a.stamp + "/*.json` (`CardGame.LoadTest --json` format).")
    with open(a.out, "w") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
