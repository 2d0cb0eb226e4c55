#!/usr/bin/env python3
"""The "CPU of idle seated players" section of a bench report, from <stamp>/idle-cpu/idle-cpu.json. Prints markdown on
stdout; nothing when the phase did not run.
   idlecpu_report.py bench/results/<stamp>"""
import json
import os
import sys

try:
    r = json.load(open(os.path.join(sys.argv[1], "idle-cpu", "idle-cpu.json")))
except (OSError, ValueError):
    sys.exit(0)

s, n = r.get("server") or {}, r.get("noise") or {}
secs = r["measuredSeconds"] or 1
cores = (s.get("cpuSeconds") or 0) / secs
seated = r.get("seated") or 0
per_thousand = cores / seated * 1000 if seated else float("nan")
# The phase starts redis-server, then the silo, then the edges (bench/phases/idlecpu.sh); each one's cores apart, when
# the load tool reports them (since 2026-12-01).
by_pid = s.get("cpuSecondsByPid") or {}
names = ["redis-server", "silo"] + [f"edge{i}" for i in range(1, len(s.get("pids") or []) - 1)]
by_process = " / ".join(f"{name} {by_pid[str(pid)] / secs:.3f}" for name, pid in zip(names, s.get("pids") or []) if str(pid) in by_pid) or "n/a"
print("\n".join([
    "", "## CPU of idle seated players (issue 12)", "",
    "Players seated 4 to a table (no game) on 1 silo + 2 edges, Redis as shipped (its CPU counted with the servers'); "
    "server CPU (silo + edges + redis-server, from /proc) over the measured window. Each edge refreshes its "
    "subscription to each table of its players every 10 s (since 2026-11-30 afternoon with the list of the players "
    "connected there, which replaced a report of every player's connections every 20 s).", "",
    "| seated | measured s | server cores | by process (cores) | cores per 1,000 players | server RSS | load avg (start → end) | other cores: machine / processes |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    f"| {seated:,} | {secs:.0f} | {cores:.3f} | {by_process} | {per_thousand:.4f} | {(s.get('rssAfterBytes') or 0) / 2**20:,.0f} MiB | "
    f"{n.get('loadAverageStart')} → {n.get('loadAverageEnd')} | {n.get('otherCores')} / {n.get('otherProcessCores')}"
    f"{' **busy**' if n.get('busy') else ''} |",
]))
