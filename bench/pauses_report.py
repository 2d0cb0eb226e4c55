#!/usr/bin/env python3
"""Matches a run's slow fan-outs to what the servers did at the time: the load tool's fanoutTimeline (moves by the
100 ms slice they were due in, with how many took over 25 / 100 ms to reach every other seat) beside each server's
garbage collections, GC pause time, thread-pool queue and CPU from bench/sample_servers.py, second by second over the
measured window, and (when sampled) the machine's idle cores, its most runnable threads, the load tool's and the kernel
threads' cores. Prints a table, then how much of the slow fan-outs fell in seconds with a GC pause of 10 ms or more, and
in seconds with the cores all taken (under 0.1 core idle).

    pauses_report.py run.json run-servers.jsonl
"""
import collections
import datetime
import json
import sys


def utc(text):
    text = text.rstrip("Z")
    if "." in text:
        head, frac = text.split(".")
        text = head + "." + frac[:6]
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc).timestamp()


def main(report_path, samples_path):
    report = json.load(open(report_path))
    slices = report.get("fanoutTimeline") or []
    if not slices:
        print("no fanoutTimeline in the report")
        return 1
    by_second = collections.defaultdict(lambda: [0, 0, 0, 0.0])
    for s in slices:
        sec = int(utc(s["dueFromUtc"]))
        row = by_second[sec]
        row[0] += s["moves"]; row[1] += s["over25"]; row[2] += s["over100"]; row[3] = max(row[3], s["maxMs"])
    first, last = min(by_second), max(by_second)

    samples = collections.defaultdict(list)
    for line in open(samples_path):
        x = json.loads(line)
        if "error" not in x:
            samples[x["server"]].append(x)
    machine = samples.pop("machine", [])
    servers = sorted(samples)

    def machine_deltas(sec):
        """Idle, load-tool and kernel-thread cores over [sec, sec + 1), and the most runnable threads seen."""
        before = [x for x in machine if x["t"] <= sec]
        inside = [x for x in machine if sec < x["t"] <= sec + 1]
        if not before or not inside:
            return None
        a, b = before[-1], inside[-1]
        span = b["t"] - a["t"]
        rate = lambda k: (b[k] - a[k]) / span if b.get(k) is not None and a.get(k) is not None else float("nan")
        return {"idle": rate("idle"), "tool": rate("tool"), "kernel": rate("kernel"),
                "running": max(x.get("running", 0) for x in inside)}

    def deltas(server, sec):
        """GC counts, pause ms, CPU and the thread pool's longest queue over [sec, sec + 1)."""
        xs = samples[server]
        before = [x for x in xs if x["t"] <= sec]
        inside = [x for x in xs if sec < x["t"] <= sec + 1]
        if not before or not inside:
            return None
        a, b = before[-1], inside[-1]
        d = lambda k: b.get(k, 0) - a.get(k, 0)
        return {
            "g0": d("gc_gen0"), "g1": d("gc_gen1"), "g2": d("gc_gen2"),
            "pause": d("gc_pause_time_seconds_total") * 1000,
            "cpu": (b["cpu"] - a["cpu"]) / (b["t"] - a["t"]) if b.get("cpu") is not None and a.get("cpu") is not None else 0,
            "queue": max(x.get("thread_pool_queue_length", 0) for x in inside),
            "threads": max(x.get("thread_pool_thread_count", 0) for x in inside),
            "locks": d("monitor_lock_contentions_total"),
        }

    head = f"{'second':>8} {'moves':>6} {'>25ms':>6} {'>100ms':>6} {'max ms':>8}"
    for s in servers:
        head += f" | {s + ' gc0/1/2':>15} {'pause':>6} {'cpu':>5} {'queue':>5} {'thr':>4} {'lock':>5}"
    if machine:
        head += f" | {'idle':>5} {'run':>4} {'tool':>5} {'kthr':>5}"
    print(head)
    slow_saturated = seconds_saturated = 0
    slow_total = slow_in_gc = 0
    totals = collections.defaultdict(lambda: collections.Counter())
    for sec in range(first, last + 1):
        moves, over25, over100, worst = by_second.get(sec, [0, 0, 0, 0.0])
        line = f"{datetime.datetime.fromtimestamp(sec, datetime.timezone.utc):%H:%M:%S} {moves:6d} {over25:6d} {over100:6d} {worst:8.1f}"
        gc_pause = False
        for s in servers:
            d = deltas(s, sec)
            if d is None:
                line += " | " + " " * 47
                continue
            for k in ("g0", "g1", "g2", "pause", "locks"):
                totals[s][k] += d[k]
            totals[s]["queue"] = max(totals[s]["queue"], d["queue"])
            gc_pause |= d["pause"] >= 10
            line += f" | {int(d['g0']):5d}/{int(d['g1']):3d}/{int(d['g2']):2d}  {d['pause']:6.1f} {d['cpu']:5.2f} {int(d['queue']):5d} {int(d['threads']):4d} {int(d['locks']):5d}"
        m = machine_deltas(sec) if machine else None
        if m is not None:
            line += f" | {m['idle']:5.2f} {m['running']:4d} {m['tool']:5.2f} {m['kernel']:5.2f}"
            if m["idle"] < 0.1:
                slow_saturated += over25
                seconds_saturated += 1
        slow_total += over25
        if gc_pause:
            slow_in_gc += over25
        print(line)
    print()
    for s in servers:
        t = totals[s]
        print(f"{s}: gc gen0 {int(t['g0'])}, gen1 {int(t['g1'])}, gen2 {int(t['g2'])}, pause {t['pause']:.0f} ms, "
              f"lock contentions {int(t['locks'])}, longest thread-pool queue {int(t['queue'])}")
    seconds_with_gc = sum(1 for sec in range(first, last + 1)
                          if any((d := deltas(s, sec)) is not None and d["pause"] >= 10 for s in servers))
    print(f"fan-outs over 25 ms: {slow_total}; in seconds where a server paused >= 10 ms for GC: {slow_in_gc} "
          f"({seconds_with_gc} of {last - first + 1} seconds had such a pause)")
    if machine:
        print(f"fan-outs over 25 ms in seconds with under 0.1 core idle: {slow_saturated} "
              f"({seconds_saturated} of {last - first + 1} seconds)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
