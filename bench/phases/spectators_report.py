#!/usr/bin/env python3
"""The "cost of a spectator" section of a bench report, from the spectators-0 and spectators-n load reports in a raw
results directory (<stamp>/spectators/). Prints markdown on stdout; nothing when the phases did not run.
   spectators_report.py bench/results/<stamp>"""
import json
import os
import sys

raw = os.path.join(sys.argv[1], "spectators")


def load(name):
    try:
        return json.load(open(os.path.join(raw, name + ".json")))
    except (OSError, ValueError):
        return None


base, watched = load("spectators-0"), load("spectators-n")
if base is None and watched is None:
    sys.exit(0)

out = ["", "## The cost of a spectator (issue 15)", "",
       "The same open-loop game load on 1 silo and 2 edges, without spectators and with spectators on their own connections "
       "(checked by the load tool like players). Server CPU (silos + edges, from /proc) over the measured window.", "",
       "| run | spectators per table | moves/s | events delivered/s | server CPU s | µs per move | fan-out p99 ms | violations | load avg (start → end) | other cores |",
       "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
for name, r in (("spectators-0", base), ("spectators-n", watched)):
    if r is None:
        out.append(f"| {name} | — | no result | | | | | | | |")
        continue
    s, n = r.get("server") or {}, r.get("noise") or {}
    secs = r["measuredSeconds"] or 1
    out.append(f"| {name} | {r['spectators']} | {r['actionsPerSecond']} | {r['eventsReceived'] / secs:,.0f} | {s.get('cpuSeconds')} | "
               f"{s.get('cpuMicrosecondsPerAction')} | {r['fanoutAllMs']['p99']} | {r['violationCount']} | "
               f"{n.get('loadAverageStart')} → {n.get('loadAverageEnd')} | {n.get('otherCores')}{' **busy**' if n.get('busy') else ''} |")
if base and watched and base.get("server") and watched.get("server"):
    b_secs, w_secs = base["measuredSeconds"] or 1, watched["measuredSeconds"] or 1
    extra_cpu = watched["server"]["cpuSeconds"] / w_secs - base["server"]["cpuSeconds"] / b_secs   # CPU seconds per second
    extra_events = watched["eventsReceived"] / w_secs - base["eventsReceived"] / b_secs
    spectators = watched["spectators"] * (watched["players"] // watched["seats"])
    out.append("")
    if extra_events > 0 and spectators > 0 and extra_cpu <= 0:
        out.append(f"**Cost of a spectator: not measured (missed).** The run with spectators delivered {extra_events:,.0f} more "
                   f"events/s but used {-extra_cpu:.3f} cores *less* server CPU than the one without: the noise of this shared "
                   "machine (other cores above) is larger than what the spectators cost. Run more spectators per table "
                   "(BENCH_SPECTATORS) or on a quiet machine.")
    elif extra_events > 0 and spectators > 0:
        out.append(f"**Cost of a spectator:** {extra_cpu * 1e6 / extra_events:.1f} µs of server CPU per spectator-event "
                   f"({extra_events:,.0f} more events/s delivered for {extra_cpu:.3f} more cores); "
                   f"{extra_cpu * 1e3 / spectators:.3f} ms of server CPU per second per spectator at "
                   f"{watched['actionsPerSecond'] / max(1, watched['players'] // watched['seats']):.2f} moves/s per table "
                   f"({spectators} spectators). On this shared machine the difference of two runs carries both runs' noise "
                   "(see the load averages and other cores above).")
    else:
        out.append("**Cost of a spectator: not measurable from these runs** (no more events delivered with spectators).")
print("\n".join(out))
