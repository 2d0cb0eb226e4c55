#!/usr/bin/env python3
"""Samples what the servers' runtimes do, every --interval seconds (0.5), until stopped (SIGTERM or SIGINT): each server's
garbage collections by generation, GC pause time and the heap's size by generation after the last collection, thread-pool queue length, threads and work items, lock
contentions and timers (the System.Runtime meter on its /metrics), and its CPU (/proc); and, as a line of its own
("server": "machine"), the machine's CPU by kind and its runnable threads (/proc/stat), the load tool's CPU (the process
whose command line holds --tool) and the kernel threads' CPU, so a slow second can be told apart as a pause or as
cores all taken. One JSON line per server per sample, with the UTC time, so slow fan-outs (the load tool's fanoutTimeline) can be matched to what a server did then
(bench/pauses_report.py). A diagnostic: bench/run.sh starts it only with BENCH_SAMPLE=1, as scraping costs the servers
some CPU.

    sample_servers.py --out servers.jsonl --interval 0.25 --tool run.json --server silo1=456=http://127.0.0.1:8080 ...
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


def machine(tool, state):
    """The machine's CPU seconds by kind and runnable threads; the load tool's and the kernel threads' CPU seconds."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu "):
                v = [int(x) / CLK for x in line.split()[1:]]
                out.update(user=v[0] + v[1], system=v[2], idle=v[3] + v[4], irq=v[5] + v[6], steal=v[7])
            elif line.startswith("procs_running"):
                out["running"] = int(line.split()[1])
    kernel = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == "2":  # a kernel thread (child of kthreadd)
            kernel += (int(fields[11]) + int(fields[12])) / CLK
        elif tool and state.get("tool") is None and fields[1] != "0":
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    args = f.read().split(b"\0")
            except OSError:
                continue
            # The tool itself, not the `timeout` that starts it with the same arguments.
            if args[0].endswith(b"dotnet") and tool.encode() in args and any(a.endswith(b"CardGame.LoadTest.dll") for a in args):
                state["tool"] = int(pid)
    out["kernel"] = kernel
    if state.get("tool") is not None:
        out["tool"] = cpu_seconds(state["tool"])
    return out


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
        elif name == "dotnet_gc_last_collection_heap_size_bytes":
            g = GEN.search(labels)
            out["heap_" + (g.group(1) if g else "all")] = value
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
    p.add_argument("--tool", default="", help="an argument of the load tool's command line that only it has (its --json-file)")
    a = p.parse_args()
    servers = [s.split("=", 2) for s in a.server]
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    state = {}
    with open(a.out, "w") as out:
        while not stop:
            began = time.time()
            line = {"t": round(time.time(), 3), "server": "machine"}
            line.update(machine(a.tool, state))
            out.write(json.dumps(line) + "\n")
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
