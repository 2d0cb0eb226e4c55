#!/usr/bin/env python3
"""The sampled window of bench/profile.sh cpu, counted per move: each server's CPU (/proc), its system calls and
context switches (perf stat on the syscall tracepoints), and for the game its Orleans messages (each server's
/metrics, as bench/phases/window.py counts them) and each server's managed allocation and gen0 collections (the
System.Runtime meter on /metrics). Moves: the acknowledged PutCard + TakeCard the game's edge counted,
or, for the bare stack (no /metrics), the offered open-loop rate times the window.

    profile_window.py --seconds 15 --rate 400 --edge-pid 2 --silo-pids 1 [--server silo1=1=http://... --server edge=2=http://...]

With --idle (idle seated players, no moves) every figure is per second instead, and CPU in cores.
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "phases"))
import window  # noqa: E402  (bench/phases/window.py: /proc and /metrics readers)

EVENTS = ["sendto", "sendmsg", "write", "writev", "recvfrom", "recvmsg", "read", "epoll_wait", "futex", "sched_yield"]


def perf_stat(pid, seconds):
    events = ",".join(f"syscalls:sys_enter_{e}" for e in EVENTS) + ",context-switches"
    return subprocess.Popen(["perf", "stat", "-x", ",", "-e", events, "-p", str(pid), "--", "sleep", str(seconds)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def counts(proc):
    _, err = proc.communicate()
    out = {}
    for line in err.splitlines():
        parts = line.split(",")
        if len(parts) > 2 and parts[0].strip().isdigit():
            out[parts[2].replace("syscalls:sys_enter_", "")] = int(parts[0])
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--rate", type=float, default=0)
    p.add_argument("--edge-pid", type=int, required=True)
    p.add_argument("--silo-pids", required=True)
    p.add_argument("--server", action="append", default=[])
    p.add_argument("--idle", action="store_true", help="no moves: figures per second, CPU in cores")
    args = p.parse_args()
    pids = {"edge": args.edge_pid}
    for i, pid in enumerate(args.silo_pids.split(",")):
        pids["silo" if i == 0 else f"silo{i + 1}"] = int(pid)
    servers = {}
    for spec in args.server:
        name, pid, url = spec.split("=", 2)
        servers[name] = (int(pid), url)

    def scrape_all():
        return {n: window.scrape(u) for n, (_, u) in servers.items()}

    before = scrape_all() if servers else {}
    cpu0 = {n: window.cpu_seconds(pid) for n, pid in pids.items()}
    load0 = os.getloadavg()[0]
    t0 = time.monotonic()
    stats = {n: perf_stat(pid, args.seconds) for n, pid in pids.items()}
    syscalls = {n: counts(s) for n, s in stats.items()}
    seconds = time.monotonic() - t0
    cpu = {n: window.cpu_seconds(pid) - cpu0[n] for n, pid in pids.items()}
    after = scrape_all() if servers else {}
    load1 = os.getloadavg()[0]

    if servers:
        moves = window.moves_of(after, servers) - window.moves_of(before, servers)
        source = "acknowledged by the edge"
    else:
        moves = args.rate * seconds
        source = "the offered rate (the bare stack counts none)"
    per = 1 / moves if moves else 0
    unit = "move"
    print(f"Sampled window ({seconds:.1f} s, load average {load0:.1f} -> {load1:.1f}): {moves:.0f} moves ({moves / seconds:.0f}/s, {source}).")
    if args.idle:
        per, unit = 1 / seconds, "second"
        print("CPU (cores): " + ", ".join(f"{n} {c / seconds:.3f}" for n, c in cpu.items()) + f", servers {sum(cpu.values()) / seconds:.3f}")
    else:
        print("CPU per move: " + ", ".join(f"{n} {c * 1e6 * per:.0f} us" for n, c in cpu.items())
              + f", servers {sum(cpu.values()) * 1e6 * per:.0f} us")
    for n, c in syscalls.items():
        if c:
            print(f"{n} per {unit}: " + ", ".join(f"{k} {v * per:.2f}" for k, v in c.items() if v))
    if servers:
        sent = "orleans_messaging_sent_messages_size_bytes_count"
        network = {}
        for n in servers:
            a, b = window.by_label(before[n], sent, "ConnectionDirection"), window.by_label(after[n], sent, "ConnectionDirection")
            for direction, v in b.items():
                network[f"{n}:{direction}"] = v - a.get(direction, 0)
        local = sum(window.total(after[n], "orleans_messaging_sent_local_total") - window.total(before[n], "orleans_messaging_sent_local_total")
                    for n in servers if n.startswith("silo"))
        print(f"Orleans messages per {unit}: {(sum(network.values()) + local) * per:.2f} ("
              + ", ".join(f"{k} {v * per:.2f}" for k, v in sorted(network.items()) if v) + f", local in the silo {local * per:.2f})")
        # The runtime's own meter (System.Runtime, exported by every server): managed bytes allocated and gen0
        # collections over the window. Allocation is what drives the gen0 pauses, and it moves far less with the
        # machine's load than CPU does.
        allocated, gen0 = "dotnet_gc_heap_total_allocated_bytes_total", "dotnet_gc_collections_total"
        parts = []
        for n in servers:
            a = window.total(after[n], allocated) - window.total(before[n], allocated)
            g = (window.total(after[n], gen0, gc_heap_generation="gen0")
                 - window.total(before[n], gen0, gc_heap_generation="gen0"))
            parts.append(f"{n} {a * per / 1024:.1f} KiB ({g * 1000 * per:.2f} gen0 collections per 1,000 {unit}s)")
        print(f"Managed allocation per {unit}: " + ", ".join(parts))
    else:
        print("Orleans messages per move: 2 (the bare stack's one grain call: a request and its response, by construction)")


if __name__ == "__main__":
    main()
