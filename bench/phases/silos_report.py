#!/usr/bin/env python3
"""The "cost per move as the cluster grows" section of a bench report, from bench/phases/window.py's files in a raw
results directory: a table of the silos-* runs, the ratios to one silo, and the targets of issue 11 met or missed.
Prints markdown on stdout and the ratios on stderr.   silos_report.py bench/results/<stamp>   (reads <stamp>/silos/)"""
import json
import os
import sys

raw = os.path.join(sys.argv[1], "silos")
RUNS = [("silos-1", "1 silo"), ("silos-2", "2 silos"), ("silos-3", "3 silos"),
        ("silos-1-max", "1 silo, think 0 (maximum)"), ("silos-2-max", "2 silos, think 0 (maximum)"),
        ("silos-1-max-memory", "1 silo, think 0, in-memory storage (game-max's cluster)"),
        ("silos-2-max-memory", "2 silos, think 0, in-memory storage (game-2silos-max's cluster)")]


def load(name):
    path = os.path.join(raw, name + ".json")
    return json.load(open(path)) if os.path.exists(path) else None


def load_report(name):
    path = os.path.join(raw, name + "-load.json")
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return None


runs = {name: load(name) for name, _ in RUNS}
if not any(runs.values()):
    sys.exit(0)

out = ["", "## Cost per move as the cluster grows (issue 11)", "",
       "2 edges and 1–3 silos on Redis clustering and storage (one fresh `redis-server`, append-only, fsync on every write), as production runs "
       "them. Measured from outside over one steady window by `bench/phases/window.py`: a move is an acknowledged "
       "`PutCard`/`TakeCard` counted by the edges; server CPU from /proc (silos + edges; redis-server apart); Orleans "
       "messages as counted by each process's `Microsoft.Orleans` meter where they are sent (network: "
       "`orleans_messaging_sent_messages_size_bytes_count`; inside a silo: `orleans_messaging_sent_local_total`).", "",
       "| run | moves/s | server CPU µs/move (silos / edges) | Orleans network messages/move (of which silo to silo) | local messages/move | Redis commands /move | Redis bytes in / out /move | redis-server µs/move | ack p50 / p99 ms | violations | other cores | load avg |",
       "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
for name, label in RUNS:
    w = runs[name]
    if w is None:
        out.append(f"| {name}: {label} | not run | | | | | | | | | | |")
        continue
    c, m, r, mach = w["cpuMicrosecondsPerMove"], w["orleansMessagesPerMove"], w.get("redis", {}), w["machine"]
    l = load_report(name)
    ack = f"{l['ackMs']['p50']} / {l['ackMs']['p99']}" if l else "-"
    violations = l["violationCount"] if l else "-"
    if w.get("edges", 2) != 2:
        label += f", {w['edges']} edge{'s' if w['edges'] != 1 else ''} (BENCH_SILOS_EDGES)"
    out.append(f"| {name}: {label} | {w['movesPerSecond']:,} | {c['servers']:,.0f} ({c['silos']:,.0f} / {c['edges']:,.0f}) | "
               f"{m['network']} ({m['byConnection'].get('SiloToSilo', 0)}) | {m['local']} | {r.get('commandsPerMove', '-')} | "
               f"{r.get('bytesInPerMove', '-')} / {r.get('bytesOutPerMove', '-')} | {r.get('cpuMicrosecondsPerMove', '-')} | {ack} | "
               f"{violations} | {mach['otherCores']} | {mach['loadAverage'][0]}–{mach['loadAverage'][1]} |")

out += ["", "*other cores*: CPU the rest of the machine used during the window (beyond the servers, redis-server and "
        "the load tool); *load avg*: the 1-minute load average at the window's start and end. Both show how shared the "
        "machine was.", "", "| target | measured | verdict |", "| --- | --- | --- |"]


def ratio(a, b):
    return a / b if a and b else None


def verdict(value, limit, at_most, *measured):
    if value is None:
        return "not measured"
    text = "**met**" if (value <= limit if at_most else value >= limit) else "**missed**"
    # A window where the rest of the machine used more than a tenth of a core is not a clean measurement: say so.
    other = max((w["machine"]["otherCores"] for w in measured if w), default=0)
    return text + (f" (shared machine: up to {other} other cores)" if other > 0.1 else "")


one, two, three = runs["silos-1"], runs["silos-2"], runs["silos-3"]
max1, max2 = runs["silos-1-max"], runs["silos-2-max"]
cpu2 = ratio(two and two["cpuMicrosecondsPerMove"]["servers"], one and one["cpuMicrosecondsPerMove"]["servers"])
cpu3 = ratio(three and three["cpuMicrosecondsPerMove"]["servers"], one and one["cpuMicrosecondsPerMove"]["servers"])
msg2 = ratio(two and two["orleansMessagesPerMove"]["network"], one and one["orleansMessagesPerMove"]["network"])
msg3 = ratio(three and three["orleansMessagesPerMove"]["network"], one and one["orleansMessagesPerMove"]["network"])
all3 = ratio(three and three["orleansMessagesPerMove"]["total"], one and one["orleansMessagesPerMove"]["total"])
thr2 = ratio(max2 and max2["movesPerSecond"], max1 and max1["movesPerSecond"])


def fmt(x):
    return f"{x:.2f}×" if x is not None else "-"


out.append(f"| 2 silos ≤ 1.15× the server CPU per move of one, same load | {fmt(cpu2)} | {verdict(cpu2, 1.15, True, one, two)} |")
out.append(f"| 2 silos ≥ 0.85× the maximum throughput of one | {fmt(thr2)} | {verdict(thr2, 0.85, False, max1, max2)} |")
out.append(f"| 3 silos ≤ 1.2× the Orleans network messages per move of one | {fmt(msg3)} | {verdict(msg3, 1.2, True)} |")
out.append("")
out.append(f"Ratios to one silo: CPU per move 2 silos {fmt(cpu2)}, 3 silos {fmt(cpu3)}; Orleans network messages per move "
           f"2 silos {fmt(msg2)}, 3 silos {fmt(msg3)} (counting a silo's local hand-offs too: 3 silos {fmt(all3)}); "
           f"maximum throughput 2 silos {fmt(thr2)}.")
print("\n".join(out))
print(out[-1], file=sys.stderr)
