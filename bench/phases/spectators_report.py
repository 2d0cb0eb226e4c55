#!/usr/bin/env python3
"""The "cost of a spectator" section of a bench report, from the load reports of the spectator phases in a raw results
directory (<stamp>/spectators/): the interleaved pairs spectators-0-<i>/spectators-n-<i>, or the single pair
spectators-0/spectators-n. Prints markdown on stdout; nothing when the phases did not run.
   spectators_report.py bench/results/<stamp>"""
import json
import os
import statistics
import sys

raw = os.path.join(sys.argv[1], "spectators")


def load(name):
    try:
        return json.load(open(os.path.join(raw, name + ".json")))
    except (OSError, ValueError):
        return None


pairs = []
i = 1
while os.path.exists(os.path.join(raw, f"spectators-0-{i}.json")) or os.path.exists(os.path.join(raw, f"spectators-n-{i}.json")):
    pairs.append((f"spectators-0-{i}", f"spectators-n-{i}"))
    i += 1
if not pairs:
    pairs = [("spectators-0", "spectators-n")]
runs = {name: load(name) for pair in pairs for name in pair}
if all(r is None for r in runs.values()):
    sys.exit(0)

out = ["", "## The cost of a spectator (issue 15)", "",
       "The same open-loop game load on 1 silo and 2 edges, without spectators and with spectators on their own connections "
       "(checked by the load tool like players), in interleaved pairs (without, then with, minutes apart). Server CPU "
       "(silo + edges, from /proc) over the measured window.", "",
       "| run | spectators per table | moves/s | events delivered/s | server cores | µs per move | fan-out p99 ms | violations | load avg (start → end) | other cores |",
       "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
for pair in pairs:
    for name in pair:
        r = runs[name]
        if r is None:
            out.append(f"| {name} | — | no result | | | | | | | |")
            continue
        s, n = r.get("server") or {}, r.get("noise") or {}
        secs = r["measuredSeconds"] or 1
        cores = (s.get("cpuSeconds") or 0) / secs
        out.append(f"| {name} | {r['spectators']} | {r['actionsPerSecond']} | {r['eventsReceived'] / secs:,.0f} | {cores:.3f} | "
                   f"{s.get('cpuMicrosecondsPerAction')} | {r['fanoutAllMs']['p99']} | {r['violationCount']} | "
                   f"{n.get('loadAverageStart')} → {n.get('loadAverageEnd')} | {n.get('otherCores')}{' **busy**' if n.get('busy') else ''} |")

costs, rows = [], []
for base_name, watched_name in pairs:
    base, watched = runs[base_name], runs[watched_name]
    if not (base and watched and base.get("server") and watched.get("server")):
        rows.append(f"| {watched_name} − {base_name} | no result | | | |")
        continue
    b_secs, w_secs = base["measuredSeconds"] or 1, watched["measuredSeconds"] or 1
    extra_cpu = watched["server"]["cpuSeconds"] / w_secs - base["server"]["cpuSeconds"] / b_secs   # cores
    extra_events = watched["eventsReceived"] / w_secs - base["eventsReceived"] / b_secs
    spectators = watched["spectators"] * (watched["players"] // watched["seats"])
    per_event = extra_cpu * 1e6 / extra_events if extra_events > 0 else None
    if per_event is not None:
        costs.append((per_event, extra_cpu * 1e3 / spectators if spectators else None))
    rows.append(f"| {watched_name} − {base_name} | {extra_events:,.0f} | {extra_cpu:+.3f} | "
                f"{'%.1f' % per_event if per_event is not None else '—'} | "
                f"{'%.3f' % (extra_cpu * 1e3 / spectators) if spectators else '—'} |")
out += ["", "| pair | extra events/s | extra server cores | µs per spectator-event | ms of CPU per second per spectator |",
        "| --- | --- | --- | --- | --- |"] + rows + [""]

watched_runs = [runs[w] for _, w in pairs if runs[w]]
rate = (f"{watched_runs[0]['actionsPerSecond'] / max(1, watched_runs[0]['players'] // watched_runs[0]['seats']):.2f} moves/s per table, "
        f"{watched_runs[0]['spectators'] * (watched_runs[0]['players'] // watched_runs[0]['seats'])} spectators") if watched_runs else ""
if not costs:
    out.append("**Cost of a spectator: not measurable from these runs** (no pair with a result and more events delivered).")
elif any(c <= 0 for c, _ in costs):
    out.append(f"**Cost of a spectator: not measured (missed).** In {sum(1 for c, _ in costs if c <= 0)} of {len(costs)} pairs the run "
               "with spectators used no more server CPU than the one without: this shared machine's noise (other cores above) "
               "was larger than what the spectators cost. Run more spectators per table (BENCH_SPECTATORS), more pairs, or on a quiet machine.")
else:
    per_event = [c for c, _ in costs]
    per_spectator = [p for _, p in costs if p is not None]
    out.append(f"**Cost of a spectator:** median {statistics.median(per_event):.1f} µs of server CPU per spectator-event over "
               f"{len(costs)} pairs (range {min(per_event):.1f}–{max(per_event):.1f}); median "
               f"{statistics.median(per_spectator):.3f} ms of server CPU per second per spectator at {rate}. "
               "Each pair's difference carries both of its runs' noise (load averages and other cores above).")
print("\n".join(out))
