#!/usr/bin/env python3
"""Measures one steady-state window of a running CardGame cluster from outside: the servers' CPU (/proc), Orleans'
own message counters and the edges' move counters (each server's /metrics), Redis's command and byte counters
(INFO) and redis-server's CPU, and the rest of the machine's CPU and load average beside them.

    window.py --out w.json --seconds 15 --warmup 15 --rate 600 --redis-pid 123 --redis 127.0.0.1:6379 \
        --server silo1=456=http://127.0.0.1:8080 --server edge1=789=http://127.0.0.1:5101 [--load-pid 999]

Waits until moves flow (the edges' acknowledged PutCard + TakeCard reach half of --rate, or any when --rate is 0),
then --warmup seconds more, then samples everything at the start and the end of --seconds and writes the deltas.
A move is an acknowledged PutCard or TakeCard counted by the edges (cardgame_edge_invocations_total, outcome ok).
Orleans messages are counted where they are sent: every process's orleans_messaging_sent_messages_size_bytes_count
(network: client to gateway, gateway to client, silo to silo) plus the silos' orleans_messaging_sent_local_total
(a message between grains of one silo)."""
import argparse
import json
import os
import re
import socket
import sys
import time
import urllib.request

CLK = os.sysconf("SC_CLK_TCK")
LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+([^\s]+)')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
MOVES = ("PutCard", "TakeCard")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def machine_busy():
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return (sum(parts[:8]) - idle) / CLK


def scrape(url):
    series = []
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("#"):
                continue
            m = LINE.match(line)
            if m:
                try:
                    series.append((m.group(1), dict(LABEL.findall(m.group(2) or "")), float(m.group(3))))
                except ValueError:
                    pass
    return series


def total(series, name, **labels):
    return sum(v for n, l, v in series if n == name and all(l.get(k) == w for k, w in labels.items()))


def by_label(series, name, label):
    out = {}
    for n, l, v in series:
        if n == name:
            out[l.get(label, "")] = out.get(l.get(label, ""), 0) + v
    return out


def redis_info(address):
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(b"INFO all\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            header, _, rest = data.partition(b"\r\n")
            if header.startswith(b"$") and len(rest) >= int(header[1:]):
                break
    info = {}
    for line in data.decode().splitlines()[1:]:
        if ":" in line and not line.startswith("#"):
            key, value = line.split(":", 1)
            info[key] = value
    return info


def redis_counters(info):
    commands = {}
    for key, value in info.items():
        if key.startswith("cmdstat_"):
            fields = dict(kv.split("=") for kv in value.split(","))
            commands[key[len("cmdstat_"):]] = int(fields["calls"])
    return {
        "commands": commands,
        "total_commands": int(info.get("total_commands_processed", 0)),
        "net_in": int(info.get("total_net_input_bytes", 0)),
        "net_out": int(info.get("total_net_output_bytes", 0)),
        "used_memory": int(info.get("used_memory", 0)),
    }


def moves_of(scrapes, servers):
    return sum(total(scrapes[name], "cardgame_edge_invocations_total", method=m, outcome="ok")
               for name in servers if name.startswith("edge") for m in MOVES)


def window_delta_by(a, b, name, metric, label):
    """Per value of label: metric at the end of the window less at its start, on server name."""
    before, after = by_label(a["metrics"][name], metric, label), by_label(b["metrics"][name], metric, label)
    return {k: v - before.get(k, 0) for k, v in after.items()}


def sample(servers, args):
    s = {"t": time.monotonic(), "machine": machine_busy(), "loadavg": os.getloadavg()[0],
         "cpu": {name: cpu_seconds(pid) for name, (pid, _) in servers.items()},
         "metrics": {name: scrape(url) for name, (_, url) in servers.items()}}
    if args.redis_pid:
        s["redis_cpu"] = cpu_seconds(args.redis_pid)
    if args.redis:
        s["redis"] = redis_counters(redis_info(args.redis))
    if args.load_pid:
        s["load_cpu"] = cpu_seconds(args.load_pid)
    return s


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--seconds", type=float, default=15)
    p.add_argument("--warmup", type=float, default=15)
    p.add_argument("--rate", type=float, default=0)
    p.add_argument("--server", action="append", default=[], help="name=pid=url (name starts with silo or edge)")
    p.add_argument("--redis-pid", type=int)
    p.add_argument("--redis")
    p.add_argument("--load-pid", type=int)
    p.add_argument("--timeout", type=float, default=240, help="seconds to wait for moves to flow")
    args = p.parse_args()
    servers = {}
    for spec in args.server:
        name, pid, url = spec.split("=", 2)
        servers[name] = (int(pid), url)

    # Moves flowing: the ramp-up is over.
    deadline = time.monotonic() + args.timeout
    last = moves_of({n: scrape(u) for n, (_, u) in servers.items()}, servers)
    while True:
        time.sleep(1)
        now = moves_of({n: scrape(u) for n, (_, u) in servers.items()}, servers)
        if now - last >= max(1, args.rate / 2):
            break
        last = now
        if time.monotonic() > deadline:
            print("window.py: moves did not start flowing", file=sys.stderr)
            sys.exit(1)
    time.sleep(args.warmup)

    a = sample(servers, args)
    time.sleep(args.seconds)
    b = sample(servers, args)
    seconds = b["t"] - a["t"]
    moves = moves_of(b["metrics"], servers) - moves_of(a["metrics"], servers)
    per = 1 / moves if moves else 0

    def delta(name, metric, **labels):
        return total(b["metrics"][name], metric, **labels) - total(a["metrics"][name], metric, **labels)

    cpu = {name: b["cpu"][name] - a["cpu"][name] for name in servers}
    silos = [n for n in servers if n.startswith("silo")]
    edges = [n for n in servers if n.startswith("edge")]
    sent = "orleans_messaging_sent_messages_size_bytes_count"
    network = {}
    for name in servers:
        after, before = by_label(b["metrics"][name], sent, "ConnectionDirection"), by_label(a["metrics"][name], sent, "ConnectionDirection")
        for direction in after:
            network[direction] = network.get(direction, 0) + after[direction] - before.get(direction, 0)
    local = sum(delta(n, "orleans_messaging_sent_local_total") for n in silos)
    rerouted = {}
    for n in silos:
        for direction, v in window_delta_by(a, b, n, "orleans_messaging_rerouted_total", "Direction").items():
            rerouted[direction] = rerouted.get(direction, 0) + v
    net_total = sum(network.values())
    result = {
        "seconds": round(seconds, 2),
        "moves": moves,
        "movesPerSecond": round(moves / seconds, 1),
        "silos": len(silos),
        "edges": len(edges),
        "cpuMicrosecondsPerMove": {
            "servers": round(sum(cpu.values()) * 1e6 * per, 1),
            "silos": round(sum(cpu[n] for n in silos) * 1e6 * per, 1),
            "edges": round(sum(cpu[n] for n in edges) * 1e6 * per, 1),
            "perProcess": {n: round(cpu[n] * 1e6 * per, 1) for n in servers},
        },
        "serverCores": round(sum(cpu.values()) / seconds, 3),
        "orleansMessagesPerMove": {
            "total": round((net_total + local) * per, 3),
            "network": round(net_total * per, 3),
            "local": round(local * per, 3),
            "byConnection": {k: round(v * per, 3) for k, v in sorted(network.items())},
            # Orleans' dispatcher forwarding: a message that reached an activation that is gone, deactivating or moved,
            # sent on (docs/scaling.md, *What Orleans calls rerouted*). Not a gateway passing a client's call to another
            # silo: that is a plain send, seen only in byConnection's SiloToSilo. Until 2026-12-01 this key was named
            # forwardedByGateways.
            "forwardedToNewActivations": round(sum(delta(n, "orleans_messaging_processing_dispatcher_forwarded_total") for n in silos) * per, 3),
            # Every message a gateway takes from a client and addresses itself (the ordinary way in for a call or an
            # answer to a grain; not a second hop), by direction, and all that the gateways received from clients.
            "rerouted": round(sum(delta(n, "orleans_messaging_rerouted_total") for n in silos) * per, 3),
            "reroutedByDirection": {k: round(v * per, 3) for k, v in sorted(rerouted.items())},
            "gatewayReceived": round(sum(delta(n, "orleans_gateway_received_total") for n in silos) * per, 3),
            "directoryRemoteLookups": round(sum(delta(n, "orleans_directory_lookups_remote_sent_total") for n in silos) * per, 4),
            "directoryCacheLookups": round(sum(delta(n, "orleans_directory_lookups_cache_issued_total") for n in silos) * per, 3),
        },
    }
    if "redis" in a:
        ra, rb = a["redis"], b["redis"]
        commands = {k: v - ra["commands"].get(k, 0) for k, v in rb["commands"].items() if v - ra["commands"].get(k, 0) > 0}
        result["redis"] = {
            "commandsPerMove": round((rb["total_commands"] - ra["total_commands"]) * per, 3),
            "byCommandPerMove": {k: round(v * per, 3) for k, v in sorted(commands.items(), key=lambda kv: -kv[1])},
            "bytesInPerMove": round((rb["net_in"] - ra["net_in"]) * per, 1),
            "bytesOutPerMove": round((rb["net_out"] - ra["net_out"]) * per, 1),
            "usedMemoryBytes": rb["used_memory"],
        }
    if "redis_cpu" in a:
        result.setdefault("redis", {})["cpuMicrosecondsPerMove"] = round((b["redis_cpu"] - a["redis_cpu"]) * 1e6 * per, 1)
        result["redis"]["cores"] = round((b["redis_cpu"] - a["redis_cpu"]) / seconds, 3)
    load_cores = (b["load_cpu"] - a["load_cpu"]) / seconds if "load_cpu" in a else 0
    ours = sum(cpu.values()) / seconds + result.get("redis", {}).get("cores", 0) + load_cores
    result["machine"] = {
        "loadTestCores": round(load_cores, 3),
        "otherCores": round((b["machine"] - a["machine"]) / seconds - ours, 3),
        "loadAverage": [round(a["loadavg"], 2), round(b["loadavg"], 2)],
        "cores": os.cpu_count(),
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps({k: result[k] for k in ("movesPerSecond", "cpuMicrosecondsPerMove", "orleansMessagesPerMove")}), file=sys.stderr)


if __name__ == "__main__":
    main()
