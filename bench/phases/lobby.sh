# Sourced by bench/run.sh (needs its register, start_game, stop_all, GATEWAY and RAW/LOGS); its section of the report
# is bench/phases/lobby_report.py.
# The live lobby's latency (issue 15): 1 silo and 2 edges as shipped; the load tool (--scenario lobby) announces
# BENCH_LOBBY_ROOMS rooms to the room directory's shards (as tables do, and re-announces them every 30 s as tables do),
# connects BENCH_LOBBY_WATCHERS SignalR connections watching the lobby over both edges, then sends rounds of
# BENCH_LOBBY_CHANGES room changes at once and times each change from its sending to its receipt by every watcher, on
# the load tool's one clock; a change a watcher has not had 30 s after it was sent is a miss. Target: every watcher
# within 2 s. The edges run with the per-address caps raised for the load tool's one address (ONE_ADDRESS).
#
# Knobs: BENCH_LOBBY_ROOMS [10000], BENCH_LOBBY_WATCHERS [1000], BENCH_LOBBY_CHANGES [100] per round,
# BENCH_LOBBY_ROUNDS [8] measured (after 5 warm-up rounds), BENCH_LOBBY_RUNS [1] runs (each on fresh servers).
# Phase (on request): lobby, about 2 minutes a run: BENCH_ONLY=lobby bench/run.sh (BENCH_LOBBY_RUNS=3 for three runs)

LOBBY_ROOMS=${BENCH_LOBBY_ROOMS:-10000}
LOBBY_WATCHERS=${BENCH_LOBBY_WATCHERS:-1000}
LOBBY_CHANGES=${BENCH_LOBBY_CHANGES:-100}
LOBBY_ROUNDS=${BENCH_LOBBY_ROUNDS:-8}
LOBBY_RUNS=${BENCH_LOBBY_RUNS:-1}

lobby_run() { # name
  local name=$1 edges pids status=0
  mkdir -p "$RAW/lobby"
  start_game 1 2 || return 1
  edges=$(IFS=,; echo "${EDGE_URLS[*]}")
  pids=$(IFS=,; echo "${SERVER_PIDS[*]}")
  log "run lobby/$name: $LOBBY_ROOMS rooms, $LOBBY_WATCHERS watchers, $LOBBY_ROUNDS rounds of $LOBBY_CHANGES changes"
  timeout 400 dotnet "$LOAD_DLL" --scenario lobby --edges "$edges" --server-pids "$pids" --orleans-gateway "$GATEWAY" \
    --players "$LOBBY_WATCHERS" --lobby-rooms "$LOBBY_ROOMS" --lobby-changes "$LOBBY_CHANGES" --lobby-rounds "$LOBBY_ROUNDS" \
    --connect-concurrency 64 --json-file "$RAW/lobby/$name.json" >"$LOGS/lobby-$name.out" 2>"$LOGS/lobby-$name.err" || status=$?
  if [ ! -f "$RAW/lobby/$name.json" ]; then
    log "  lobby/$name produced no report (exit $status)"; tail -5 "$LOGS/lobby-$name.err" >&2 || true; return 1
  fi
  python3 - "$RAW/lobby/$name.json" >&2 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
l = r["latencyMs"]
f = lambda v: "miss" if v is None else f"{v:.0f}"
n = r["noise"]
print(f"    {r['watching']}/{r['watchers']} watching, {r['delivered']}/{r['expected']} delivered, misses {r['misses']}, "
      f"median {f(l['p50'])} ms, p99 {f(l['p99'])} ms, max {f(l['max'])} ms, server {r['serverCpuMicrosecondsPerDelivery']} us/delivery, "
      f"load tool {r['toolCpuMicrosecondsPerDelivery']} us/delivery, load average {n['loadAverageStart']} -> {n['loadAverageEnd']}, "
      f"other cores {n['otherCores']}{' BUSY' if n['busy'] else ''}")
PY
  [ "$status" = 0 ]
}
lobby() {
  local i failed=0
  for i in $(seq 1 "$LOBBY_RUNS"); do
    lobby_run "lobby-$i" || failed=1
    stop_all
  done
  return "$failed"
}

register lobby 300 lobby optional
