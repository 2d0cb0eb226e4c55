#!/usr/bin/env python3
"""The capacity model of docs/scaling.md, computed from one run's silos phases (bench/phases/window.py's files):
per-move costs measured with 1, 2 and 3 silos, extrapolated to N silos, each silo on its own machine.

    capacity.py bench/results/<stamp> [--cores-per-silo 2] [--utilization 0.7] [--moves-per-table 0.8]

Model (each assumption printed with the result):
- silo CPU per move at N silos: what crosses between silos (an event batch's acknowledgment reaching the table's silo
  through another gateway; table calls too when edges do not route them, Edge:RouteTableCalls) does so with probability
  (N-1)/N: cost(N) = cost(1) + g (N-1)/N, where g (the growth when every call is forwarded) is the mean of what the
  2- and 3-silo runs imply, (cost(k) - cost(1)) / ((k-1)/k), never below 0; the same for messages per move. Edge CPU per move is the edges'
  own work and does not depend on N (the measured 1-silo figure is used).
- a silo machine serves utilization × cores of CPU; edges are sized the same way; one redis-server uses one core for
  commands (it is single-threaded) and is planned at the same utilization.
- an active table of 4 players makes 0.8 moves/s (each player moves once every 5 s, as bench/run.sh's game-active)."""
import argparse
import json
import os

p = argparse.ArgumentParser()
p.add_argument("raw")
p.add_argument("--cores-per-silo", type=float, default=2)
p.add_argument("--utilization", type=float, default=0.7)
p.add_argument("--moves-per-table", type=float, default=0.8)
a = p.parse_args()


def load(name):
    path = os.path.join(a.raw, "silos", name + ".json")
    return json.load(open(path)) if os.path.exists(path) else None


one, two, three = load("silos-1"), load("silos-2"), load("silos-3")
silo1 = one["cpuMicrosecondsPerMove"]["silos"]


def growth(key, sub):
    # Noise can make more silos look cheaper than one; the model never lets cost fall as silos are added.
    implied = [(w[key][sub] - one[key][sub]) / ((k - 1) / k) for k, w in ((2, two), (3, three)) if w]
    return max(0.0, sum(implied) / len(implied))


silo_growth = growth("cpuMicrosecondsPerMove", "silos")
msg_growth = growth("orleansMessagesPerMove", "network")
edge = one["cpuMicrosecondsPerMove"]["edges"]
msg1 = one["orleansMessagesPerMove"]["network"]
redis_us = max(w["redis"]["cpuMicrosecondsPerMove"] for w in (one, two, three) if w)
redis_cmd = one["redis"]["commandsPerMove"]
evalsha = one["redis"]["byCommandPerMove"].get("evalsha", 0)
bytes_in = one["redis"]["bytesInPerMove"]
budget = a.cores_per_silo * a.utilization * 1e6  # µs of CPU per second per machine
redis_max = a.utilization * 1e6 / redis_us

print("| silos | silo CPU µs/move | Orleans network messages/move | moves/s (CPU of the silos) | edge machines (2 cores) | "
      "one Redis at | Redis masters needed | active tables (4 players) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for n in (1, 2, 3, 4, 16, 64):
    f = (n - 1) / n
    silo = silo1 + silo_growth * f
    msgs = msg1 + msg_growth * f
    moves = n * budget / silo
    edges = moves * edge / budget
    masters = max(1, -(-moves // redis_max))
    print(f"| {n} | {silo:,.0f} | {msgs:.1f} | {moves:,.0f} | {edges:,.1f} | {100 * moves * redis_us / 1e6:,.0f} % of a core | "
          f"{masters:,.0f} | {moves / a.moves_per_table:,.0f} |")
print()
print(f"Inputs: silo CPU {silo1:,.0f} µs/move with 1 silo, growing by {silo_growth:,.0f} when all of it crosses between silos; "
      f"edges {edge:,.0f} µs/move; network messages {msg1} per move with 1 silo, growing by {msg_growth:.1f}; redis-server {redis_us} µs/move ({redis_cmd} commands, of which {evalsha} "
      f"EVALSHA, {bytes_in:,.0f} bytes in per move): one redis-server saturates its core at about {1e6 / redis_us:,.0f} "
      f"moves/s and is planned at {redis_max:,.0f}. Machines of {a.cores_per_silo:g} cores at {a.utilization:.0%}; "
      f"{a.moves_per_table} moves/s per active table.")
