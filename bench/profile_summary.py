#!/usr/bin/env python3
"""Summarizes `perf script` output of one .NET process (perf maps on): where its CPU samples went.

usage: profile_summary.py <name> <perf-script.txt>
"""
import collections
import re
import sys

# Components, counted inclusively (a sample counts for each component anywhere on its stack).
COMPONENTS = [
    ("JIT compiler (libclrjit)", "libclrjit"),
    ("GC (gc_heap / libcoreclr GC)", "gc_heap::"),
    ("thread-pool spinning (sched_yield)", "sched_yield"),
    ("socket sends", "__send"),
    ("socket receives", "__libc_recv"),
    ("epoll", "epoll_wait"),
    ("Orleans messaging", "Orleans.Runtime.Messaging"),
    ("Orleans serialization and copying", "[Orleans.Serialization]"),
    ("grain storage (in-memory provider)", "MemoryGrainStorage"),
    ("System.Text.Json", "[System.Text.Json]"),
    ("OpenTelemetry metrics", "[OpenTelemetry]"),
    ("Orleans dashboard", "[Orleans.Dashboard]"),
    ("SignalR", "[Microsoft.AspNetCore.SignalR"),
    ("Kestrel", "[Microsoft.AspNetCore.Server.Kestrel"),
    ("Orleans membership and failure detection", "Orleans.Runtime.MembershipService"),
    ("Orleans load statistics (DeploymentLoadPublisher)", "DeploymentLoadPublisher"),
    ("Orleans activation rebalancer", "ActivationRebalancer"),
    ("Orleans grain directory", "Orleans.Runtime.GrainDirectory"),
    ("Orleans client directory", "ClientDirectory"),
    ("CardGame table (grain + rules)", "CardGame.Grains.Table"),
    ("CardGame player grain", "CardGame.Grains.PlayerGrain"),
    ("CardGame edge hub", "CardGame.Edge.Hub"),
    ("CardGame edge delivery (fan-out, outboxes)", "CardGame.Edge.Delivery"),
]


def module(frame):
    m = re.search(r"\[([A-Za-z0-9_.]+)\]\s", frame)  # managed frames name their assembly
    if m:
        return m.group(1)
    m = re.search(r"\(([^)]*)\)\s*$", frame)
    return m.group(1).split("/")[-1] if m else "?"


def samples(path):
    stack = []
    for line in open(path, errors="replace"):
        if not line.strip():
            if stack:
                yield stack
            stack = []
        elif line[0] in "\t ":
            stack.append(line.strip())
    if stack:
        yield stack


def main():
    name, path = sys.argv[1], sys.argv[2]
    total = 0
    by_module = collections.Counter()
    by_syscall = collections.Counter()
    by_class = collections.Counter()
    components = collections.Counter()
    for stack in samples(path):
        total += 1
        by_module[module(stack[0])] += 1
        if "kallsyms" in stack[0]:
            user = next((f for f in stack if "kallsyms" not in f), "?")
            by_syscall[re.sub(r"\+0x[0-9a-f]+", "", user.split(" ", 1)[-1])[:70]] += 1
        classes = set()
        for f in stack:
            m = re.search(r"\[(?:Orleans|CardGame)[\w.]*\]\s+([^\s:\[]+)::", f)
            if m:
                classes.add(m.group(1))
        for c in classes:
            by_class[c] += 1
        for label, key in COMPONENTS:
            if any(key in f for f in stack):
                components[label] += 1
    print()
    print(f"== {name}: {total} samples")
    if not total:
        return
    print("in the kernel, by the user-space function that entered it:")
    for k, v in by_syscall.most_common(6):
        print(f"  {v / total * 100:5.1f}%  {k}")
    print("exclusive, by module:")
    for k, v in by_module.most_common(12):
        print(f"  {v / total * 100:5.1f}%  {k}")
    print("inclusive, by component:")
    for label, _ in COMPONENTS:
        if components[label]:
            print(f"  {components[label] / total * 100:5.1f}%  {label}")
    print("inclusive, by Orleans or CardGame type (top 15):")
    for k, v in by_class.most_common(15):
        print(f"  {v / total * 100:5.1f}%  {k}")


if __name__ == "__main__":
    main()
