#!/usr/bin/env python3
"""Samples what the servers' runtimes do, every --interval seconds (0.5), until stopped (SIGTERM or SIGINT): each server's
garbage collections by generation and GC pause time, thread-pool queue length, threads and work items, lock
contentions and timers (the System.Runtime meter on its /metrics), and its CPU (/proc). One JSON line per server per
sample, with the UTC time, so slow fan-outs (the load tool's fanoutTimeline) can be matched to what a server did then
(bench/pauses_report.py). A diagnostic: bench/run.sh starts it only with BENCH_SAMPLE=1, as scraping costs the servers
some CPU.

    sample_servers.py --out servers.jsonl --interval 0.25 --server silo1=456=http://127.0.0.1:8080 ...
"""
import argparse
import json
import os
import re
import signal
import sys
import time
import urllib.request

CLK = os.sysconf("SC_CLK_TCK")
LINE = re.compile(r'^(dotnet_[a-z0-9_]+)(\{[^}]*\})?\s+([^\s]+)')
GEN = re.compile(r'gc_heap_generation="(\w+)"')


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK
    except OSError:
        return None


def runtime(url):
    """The System.Runtime figures of one /metrics page."""
    out = {}
    with urllib.request.urlopen(url + "/metrics", timeout=2) as r:
        text = r.read().decode()
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        name, labels, value = m.group(1), m.group(2) or "", float(m.group(3))
        if name == "dotnet_gc_collections_total":
            g = GEN.search(labels)
            out["gc_" + (g.group(1) if g else "all")] = value
        elif name in ("dotnet_thread_pool_queue_length_total", "dotnet_thread_pool_thread_count_total"):
            # Current values (UpDownCounters), which the Prometheus exporter names like counters.
            out[name[len("dotnet_"):-len("_total")]] = value
        elif name in ("dotnet_gc_pause_time_seconds_total", "dotnet_thread_pool_work_item_count_total",
                      "dotnet_monitor_lock_contentions_total", "dotnet_timer_count",
                      "dotnet_gc_heap_total_allocated_bytes_total"):
            out[name[len("dotnet_"):]] = value
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--interval", type=float, default=0.5)
    p.add_argument("--server", action="append", default=[], help="name=pid=url")
    a = p.parse_args()
    servers = [s.split("=", 2) for s in a.server]
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    with open(a.out, "w") as out:
        while not stop:
            began = time.time()
            for name, pid, url in servers:
                line = {"t": round(time.time(), 3), "server": name, "cpu": cpu_seconds(int(pid))}
                try:
                    line.update(runtime(url))
                except Exception as e:  # a server that does not answer (yet) is noted, not fatal
                    line["error"] = type(e).__name__
                out.write(json.dumps(line) + "\n")
            out.flush()
            time.sleep(max(0.0, a.interval - (time.time() - began)))


if __name__ == "__main__":
    sys.exit(main())
