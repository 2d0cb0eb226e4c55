#!/usr/bin/env python3
"""The edges' table subscriptions during a bench run, read beside it (issue 12): every 5 s, each edge of the run (a
process running CardGame.Edge.dll from under <worktree>) is asked for its /metrics, and its `Follow` calls
(cardgame_edge_table_follows_total), skipped refreshes, refused batches, tables followed and seated players are
written as a JSON line, until the sampler is stopped. A scrape every 5 s costs the edges next to nothing.
   follows_sampler.py sample <worktree> <out.jsonl>
   follows_sampler.py rate <out.jsonl>...   Follow calls per second, both edges summed, over the steady part (every
                                            edge following its full count of tables, from 10 s after it is reached)"""
import json, os, re, subprocess, sys, time, urllib.request

COUNTERS = ["cardgame_edge_table_follows_total", "cardgame_edge_table_refreshes_skipped_total",
            "cardgame_edge_table_batches_not_followed_total", "cardgame_edge_subscriptions", "cardgame_edge_seated_players"]


def value(text, name):
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and (len(line) == len(name) or line[len(name)] in "{ "):
            total += float(line[line.index("}") + 1:].split()[0] if "}" in line else line.split()[-1])
    return total


def sample(tree, out):
    with open(out, "a") as f:
        while True:
            rows = []
            for line in subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout.splitlines():
                m = re.search(r"--urls\s+(\S+)", line)
                if "CardGame.Edge.dll" not in line or not m:
                    continue
                pid = line.split()[0]
                try:
                    if not os.readlink(f"/proc/{pid}/cwd").startswith(tree):
                        continue
                    text = urllib.request.urlopen(m.group(1) + "/metrics", timeout=3).read().decode()
                except Exception:
                    continue
                rows.append({"pid": int(pid), **{name: value(text, name) for name in COUNTERS}})
            if rows:
                f.write(json.dumps({"t": time.time(), "edges": rows}) + "\n")
                f.flush()
            time.sleep(5)


def rate(path):
    rows = [json.loads(line) for line in open(path)]
    tot = lambda r, k: sum(e.get(k, 0) for e in r["edges"])
    peak = max(tot(r, "cardgame_edge_subscriptions") for r in rows)
    steady = [r for r in rows if len(r["edges"]) >= 2 and tot(r, "cardgame_edge_subscriptions") >= 0.98 * peak]
    steady = [r for r in steady if r["t"] >= steady[0]["t"] + 10]
    a, b = steady[0], steady[-1]
    secs = b["t"] - a["t"]
    per_second = lambda k: (tot(b, k) - tot(a, k)) / secs
    print(f"{path}: {secs:.0f} s steady, {peak:.0f} tables followed (both edges), Follow calls/s {per_second(COUNTERS[0]):.1f}, "
          f"refreshes skipped/s {per_second(COUNTERS[1]):.1f}, batches refused as not followed {tot(b, COUNTERS[2]):.0f}")


if __name__ == "__main__":
    if sys.argv[1] == "sample":
        sample(sys.argv[2], sys.argv[3])
    else:
        for path in sys.argv[2:]:
            rate(path)
