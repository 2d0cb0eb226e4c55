#!/usr/bin/env python3
"""Turns the JSON reports of one bench/run.sh run into bench/results/<stamp>.md, with the targets and verdicts."""
import argparse
import json
import os


def load(raw, name):
    path = os.path.join(raw, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def fmt(value, digits=1):
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def cpu(r):
    server = (r or {}).get("server") or {}
    return server.get("cpuMicrosecondsPerAction")


def verdict(ok):
    return "n/a (not measured)" if ok is None else ("**met**" if ok else "**missed**")


def row(cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def other_cores(r):
    """Cores busy with neither the servers nor the load tool during the measured window (other work on the machine)."""
    machine = r.get("machineCpuSeconds") or 0
    if not machine:
        return None
    server = (r.get("server") or {}).get("cpuSeconds", 0)
    return max(0.0, (machine - server - r["loadToolCpuSeconds"]) / max(r["measuredSeconds"], 0.001))


def run_row(name, r):
    if r is None:
        return row([name, "not run", "", "", "", "", "", "", "", "", ""])
    s = r.get("server") or {}
    return row([
        name,
        f"{r['players']:,} / {r['seated']:,}",
        fmt(r["actionsPerSecond"]),
        fmt(s.get("cpuMicrosecondsPerAction"), 0),
        fmt(s.get("cpuUtilization"), 2),
        f"{r['ackMs']['p50']:.2f} / {r['ackMs']['p99']:.2f}",
        f"{r['fanoutAllMs']['p50']:.2f} / {r['fanoutAllMs']['p99']:.2f}" if r["fanoutAllMs"]["count"] else "-",
        fmt(r["loadToolCpuSeconds"] / max(r["measuredSeconds"], 0.001), 2),
        fmt(other_cores(r), 2),
        sum(r["errors"].values()),
        r["violationCount"],
    ])


def main():
    p = argparse.ArgumentParser()
    for name in ["raw", "out", "stamp", "machine", "commit", "players", "think", "duration", "active", "elapsed", "skipped", "failed", "warmup"]:
        p.add_argument("--" + name, default="")
    a = p.parse_args()
    runs = {n: load(a.raw, n) for n in ["bare-echo", "bare-grain", "game-cost", "game-max", "game-half",
                                         "game-redis-max", "game-2silos-max", "game-active", "idle"]}
    echo, grain, cost, mx, half = runs["bare-echo"], runs["bare-grain"], runs["game-cost"], runs["game-max"], runs["game-half"]
    redis, two, active, idle = runs["game-redis-max"], runs["game-2silos-max"], runs["game-active"], runs["idle"]

    cost_ratio = cpu(cost) / cpu(grain) if cpu(cost) and cpu(grain) else None
    p50_ratio = cost["ackMs"]["p50"] / grain["ackMs"]["p50"] if cost and grain and grain["ackMs"]["p50"] else None
    p99_ratio = cost["ackMs"]["p99"] / grain["ackMs"]["p99"] if cost and grain and grain["ackMs"]["p99"] else None
    half_p99 = half["fanoutAllMs"]["p99"] if half and half["fanoutAllMs"]["count"] else None
    active_rate = active["rate"] if active else None
    active_ok = None
    if active:
        active_ok = (active["seated"] >= int(a.active) and active["actionsPerSecond"] >= 0.95 * active_rate
                     and (active.get("openLoop") or {}).get("dropped", 0) == 0 and active["violationCount"] == 0)
    steps = (idle or {}).get("idleSteps") or []
    top = steps[-1] if steps else None
    redis_ratio = redis["actionsPerSecond"] / mx["actionsPerSecond"] if redis and mx and mx["actionsPerSecond"] else None
    silo_ratio = two["actionsPerSecond"] / mx["actionsPerSecond"] if two and mx and mx["actionsPerSecond"] else None
    violations = sum(r["violationCount"] for r in runs.values() if r)

    L = []
    L.append(f"# CardGame benchmark {a.stamp}")
    L.append("")
    L.append(f"Machine: {a.machine}. Commit {a.commit}. `bench/run.sh` took {a.elapsed} s. Everything ran on this one machine "
             "over loopback: the load tool shares the 2 cores with the servers it measures (its own CPU use is in the tables).")
    L.append(f"Players sit 4 to a table, seats spread over the edges. Each run: ramp-up, {a.warmup or 8} s warm-up, {a.duration} s measured. "
             "Server CPU is utime+stime of the server processes from /proc over the measured window, divided by the moves acknowledged in it.")
    if a.failed.strip():
        L.append("")
        L.append(f"**Failed phases:** {a.failed} (their server logs are in `bench/results/{a.stamp}/logs/`).")
    if a.skipped.strip():
        L.append("")
        L.append(f"**Skipped** (time budget, or not asked for with `BENCH_ONLY`): {a.skipped}.")
    L.append("")
    L.append("## Targets")
    L.append("")
    L.append(row(["target", "measured", "verdict"]))
    L.append(row(["---", "---", "---"]))
    L.append(row(["cost of a game action ≤ 1.5× the bare stack (server CPU per action)",
                  f"{fmt(cost_ratio, 2)}× ({fmt(cpu(cost), 0)} µs vs {fmt(cpu(grain), 0)} µs per action)",
                  verdict(None if cost_ratio is None else cost_ratio <= 1.5)]))
    L.append(row(["p99 from an action to every seat having the event ≤ 25 ms at half the maximum load",
                  f"{fmt(half_p99, 2)} ms at {fmt(half['rate'] if half else None, 0)} moves/s (max {fmt(mx['actionsPerSecond'] if mx else None)})",
                  verdict(None if half_p99 is None else half_p99 <= 25)]))
    if active:
        ol = active.get("openLoop") or {}
        measured = (f"{active['seated']:,} seated of {int(a.active):,}; {fmt(active['actionsPerSecond'])} of {fmt(active_rate, 0)} moves/s due, "
                    f"{ol.get('dropped', 0):,} dropped; fan-out p99 {active['fanoutAllMs']['p99']:.1f} ms")
    else:
        measured = "not run"
    L.append(row([f"≥ {int(a.active):,} concurrently active players (one move every 5 s each)", measured, verdict(active_ok)]))
    L.append(row(["≤ 40 KB of edge + silo memory per idle seated player",
                  f"{fmt(top['bytesPerPlayer'] / 1024 if top else None)} KiB per player at {fmt(top['players'] if top else None)} "
                  f"(RSS {fmt(top['rssBytes'] / 1048576 if top else None)} MiB; {fmt(top['addedBytesPerPlayer'] / 1024 if top else None)} KiB above the empty servers)",
                  verdict(None if top is None else top["bytesPerPlayer"] <= 40 * 1024)]))
    L.append(row(["Redis persistence ≥ 0.7× the in-memory throughput",
                  f"{fmt(redis_ratio, 2)}× ({fmt(redis['actionsPerSecond'] if redis else None)} vs {fmt(mx['actionsPerSecond'] if mx else None)} moves/s)",
                  verdict(None if redis_ratio is None else redis_ratio >= 0.7)]))
    L.append(row(["no correctness violation in any run", f"{violations}", verdict(violations == 0)]))
    L.append("")
    L.append("## Runs")
    L.append("")
    L.append("Latencies in ms. *ack*: invocation to its result (open loop: from when the move was due). *fan-out*: invocation "
             "sent until every other seat of the table had the event (bare grain: the `Evt` the edge sends to the other seats).")
    L.append("")
    L.append(row(["run", "players / seated", "moves/s", "server CPU µs/move", "server cores", "ack p50 / p99",
                  "fan-out p50 / p99", "load-tool cores", "other cores", "errors", "violations"]))
    L.append(row(["---"] * 11))
    descriptions = [
        ("bare-echo", f"bare SignalR echo, 1 edge, think {a.think}"),
        ("bare-grain", f"bare SignalR + no-op grain + send to 3 seats, 1 edge + 1 silo, think {a.think}"),
        ("game-cost", f"game, 1 edge + 1 silo, think {a.think}"),
        ("game-max", "game, 2 edges + 1 silo, think 0 (maximum)"),
        ("game-half", "game, 2 edges + 1 silo, open loop at half the maximum"),
        ("game-redis-max", "game on Redis storage + clustering, 2 edges + 1 silo, think 0"),
        ("game-2silos-max", "game, 2 edges + 2 silos, think 0"),
        ("game-active", f"game, {int(a.active):,} players, open loop {int(a.active) // 5:,} moves/s, 2 edges + 1 silo"),
    ]
    for key, text in descriptions:
        L.append(run_row(f"{key}: {text}", runs[key]))
    L.append("")
    L.append("*other cores*: CPU the rest of the machine used during the window (from /proc/stat, less the servers and the "
             "load tool). Above ~0.1 the machine was shared with other work and the figures of that run are pessimistic.")
    L.append("")
    L.append("### Ratios")
    L.append("")
    L.append(f"- Game move vs bare stack (SignalR + no-op grain + send to the other seats), same players and pace: CPU {fmt(cost_ratio, 2)}×, "
             f"ack p50 {fmt(p50_ratio, 2)}×, ack p99 {fmt(p99_ratio, 2)}×.")
    if cpu(echo):
        L.append(f"- Game move vs bare SignalR echo: CPU {fmt(cpu(cost) / cpu(echo) if cpu(cost) else None, 2)}×.")
    L.append(f"- Redis vs in-memory storage, maximum throughput: {fmt(redis_ratio, 2)}×.")
    L.append(f"- Two silos vs one, maximum throughput: {fmt(silo_ratio, 2)}× (one machine of 2 cores: a second silo adds no cores).")
    L.append("")
    L.append("## Memory per idle seated player")
    L.append("")
    if steps:
        L.append(row(["idle seated players", "edge + silo RSS", "per player", "per player above the empty servers",
                      "silo / edge 1 / edge 2 RSS"]))
        L.append(row(["---"] * 5))
        for s in steps:
            split = " / ".join(f"{b / 1048576:,.0f}" for b in s.get("rssByProcess") or []) or "n/a"
            L.append(row([f"{s['players']:,}", f"{s['rssBytes'] / 1048576:,.1f} MiB", f"{s['bytesPerPlayer'] / 1024:,.1f} KiB",
                          f"{s['addedBytesPerPlayer'] / 1024:,.1f} KiB", split + (" MiB" if split != "n/a" else "")]))
        L.append("")
        L.append(f"Empty servers (1 silo + 2 edges, before any player): {idle['server']['rssBeforeBytes'] / 1048576:,.1f} MiB. "
                 "Storage and clustering on Redis, as in production.")
        redis_mem = os.path.join(a.raw, "idle-redis.txt")
        if os.path.exists(redis_mem):
            fields = dict(line.strip().split(":", 1) for line in open(redis_mem) if ":" in line)
            if "used_memory_rss" in fields and top:
                rss = int(fields["used_memory_rss"])
                L.append(f"Redis, holding every table and player, not counted above: {rss / 1048576:,.1f} MiB RSS "
                         f"({rss / top['players'] / 1024:,.1f} KiB per player; data {int(fields.get('used_memory', 0)) / 1048576:,.1f} MiB).")
    else:
        L.append("Not measured.")
    L.append("")
    problems = [(k, r) for k, r in runs.items() if r and (r["violationCount"] or r["errors"] or r["connectFailures"] or r["connectionsLost"])]
    if problems:
        L.append("## Errors and violations")
        L.append("")
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
