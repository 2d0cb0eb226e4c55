#!/usr/bin/env python3
"""The "live lobby" section of a bench report, from the lobby phase's reports in a raw results directory
(<stamp>/lobby/lobby-<i>.json). Prints markdown on stdout; nothing when the phase did not run.
   lobby_report.py bench/results/<stamp>"""
import glob
import json
import os
import sys

files = sorted(glob.glob(os.path.join(sys.argv[1], "lobby", "lobby-*.json")))
runs = []
for path in files:
    try:
        runs.append((os.path.basename(path)[:-5], json.load(open(path))))
    except (OSError, ValueError):
        pass
if not runs:
    sys.exit(0)


def ms(v):
    return "miss" if v is None else f"{v:,.0f}"


first = runs[0][1]
out = ["", "## The live lobby (issue 15)", "",
       f"{first['rooms']:,} rooms in the room directory, {first['watchers']:,} SignalR connections watching the lobby over "
       f"{len(first['edges'])} edges (1 silo), rounds of {first['changesPerRound']} room changes sent at once to the directory "
       "shards (as tables send them) by the load tool, each timed from its sending to its receipt by every watcher on the "
       "load tool's clock; a change not received within 30 s is a miss (and counts above every latency). "
       f"{first['warmupRounds']} warm-up rounds are not counted. CPU from /proc over the measured rounds. Target: every "
       "watcher within 2 s.", "",
       "| run | rounds | deliveries | misses | median ms | p90 ms | p99 ms | max ms | server µs/delivery | load tool µs/delivery | load avg (start → end) | other cores | target |",
       "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
for name, r in runs:
    lat = r["latencyMs"]
    n = r["noise"]
    out.append(f"| {name} | {len(r['rounds'])} | {r['delivered']:,} of {r['expected']:,} | {r['misses']:,} | {ms(lat.get('p50'))} | "
               f"{ms(lat.get('p90'))} | {ms(lat.get('p99'))} | {ms(lat.get('max'))} | {r['serverCpuMicrosecondsPerDelivery']} | "
               f"{r['toolCpuMicrosecondsPerDelivery']} | {n['loadAverageStart']} → {n['loadAverageEnd']} | {n['otherCores']}"
               f"{' (busy)' if n['busy'] else ''} | {'met' if r['targetMet'] else '**missed**'} |")
out += ["", "Per round (median / p99 / max ms, misses, server µs per delivery, load average):", ""]
for name, r in runs:
    rounds = "; ".join(f"{ms(x['latencyMs'].get('p50'))} / {ms(x['latencyMs'].get('p99'))} / {ms(x['latencyMs'].get('max'))}, "
                       f"{x['misses']}, {x['serverCpuMicrosecondsPerDelivery']} µs, {x['loadAverage']}" for x in r["rounds"])
    out.append(f"- {name}: {rounds}")
print("\n".join(out))
