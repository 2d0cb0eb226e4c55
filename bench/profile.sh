#!/usr/bin/env bash
# Where the servers spend CPU and memory, on this machine, over loopback (how the figures in docs/benchmarks.md and
# bench/results were found). Builds Release, starts 1 silo + 1 edge on free ports, loads them with the load tool,
# and writes bench/results/<UTC date-time>-profile.txt.
#
#   bench/profile.sh cpu    # perf (linux-perf) sampling of both servers at steady state, summarized by module,
#                           #   system call and component; the JIT writes perf maps so managed frames have names
#   bench/profile.sh heap   # live managed heap by type of both servers with PROFILE_IDLE idle seated players
#                           #   (bench/HeapStats: a ClrMD walk of a snapshot of each process)
#
# Knobs: PROFILE_PLAYERS [2000] and PROFILE_THINK [1s] (cpu), PROFILE_RATE [unset] (cpu: an open loop of this many
# moves/s instead of the think time; needs at least that many tables), PROFILE_WAIT [60] seconds of load before sampling,
# PROFILE_SECONDS [15] seconds sampled, PROFILE_IDLE [4000] (heap), PROFILE_TOP [25] types listed per process (heap;
# HEAPSTATS_STRINGS=N adds the N string shapes holding the most bytes). Extra server environment: PROFILE_ENV
# (e.g. "DOTNET_gcServer=1") to compare runtime settings. PROFILE_SILOS [1] silos behind the edge; PROFILE_REDIS [0]:
# 1 runs the servers on a fresh redis-server (clustering and storage, append-only with an fsync on every write, as
# shipped) instead of localhost clustering and in-memory storage; more than one silo runs on Redis unless PROFILE_REDIS=0
# is given (then as bench/run.sh's game-2silos-max: localhost clustering, in-memory storage). Each silo is
# sampled and summarized apart. PROFILE_EDGES [1] edges share the players (the game; only the first is sampled). PROFILE_STACK [game]: bare profiles the bare stack instead (bench/BareStack: 1 silo with
# a no-op grain + 1 SignalR edge, loaded with the load tool's --scenario grain, the bench's bare-* runs), with the same
# runtime settings, so a game profile and a bare one at the same PROFILE_RATE can be compared component by component.
# Each cpu profile also prints every server's CPU per move over the sampled window (/proc, against the moves the game's
# edge counted, or the offered rate for the bare stack, which counts none) and, for the game, the Orleans messages per
# move (each process's Orleans meter on /metrics). PROFILE_KEEP=<dir> keeps the `perf script` text of each process there
# (for reading stacks beyond the summary). PROFILE_SCENARIO [play]: idle seats PROFILE_PLAYERS players who stay idle
# (tables full, no game) and samples the servers' background work PROFILE_WAIT seconds after the last is seated; its
# window is counted per second (CPU in cores) instead of per move.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODE=${1:-cpu}
PLAYERS=${PROFILE_PLAYERS:-2000}
THINK=${PROFILE_THINK:-1s}
RATE=${PROFILE_RATE:-}
WAIT=${PROFILE_WAIT:-60}
SECONDS_SAMPLED=${PROFILE_SECONDS:-15}
IDLE=${PROFILE_IDLE:-4000}
TOP=${PROFILE_TOP:-25}
SILOS=${PROFILE_SILOS:-1}
EDGES=${PROFILE_EDGES:-1}
USE_REDIS=${PROFILE_REDIS:-}
STACK=${PROFILE_STACK:-game}
SCENARIO=${PROFILE_SCENARIO:-play}
[ -n "$USE_REDIS" ] || { USE_REDIS=0; [ "$SILOS" -gt 1 ] && USE_REDIS=1; }
case $SCENARIO in
  play) ;;
  idle) [ "$STACK" = game ] && [ "${1:-cpu}" = cpu ] || { echo "PROFILE_SCENARIO=idle: cpu, the game" >&2; exit 2; } ;;
  *) echo "PROFILE_SCENARIO is play or idle" >&2; exit 2 ;;
esac
case $STACK in
  game) ;;
  bare) [ "$SILOS" = 1 ] && [ "$USE_REDIS" = 0 ] && [ "${1:-cpu}" = cpu ] || { echo "PROFILE_STACK=bare: cpu, 1 silo, no Redis" >&2; exit 2; } ;;
  *) echo "PROFILE_STACK is game or bare" >&2; exit 2 ;;
esac
STAMP=$(date -u +%Y-%m-%d-%H%M)
OUT=$ROOT/bench/results/$STAMP-profile.txt
WORK=$(mktemp -d)
KEY="bench-signing-key-0123456789abcdef0123456789"
QUIET=(--Logging:LogLevel:Default=Warning --Logging:LogLevel:CardGame=Warning --Logging:LogLevel:Orleans=Warning)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
PIDS=()
# The servers first, then Redis (as bench/run.sh's stop_all): a silo whose Redis is gone took a minute and more to stop,
# and this script held the shared bench lock meanwhile (2026-12-01-0604).
cleanup() {
  local p alive
  for p in "${PIDS[@]}"; do [ "$p" = "${REDIS_PID:-}" ] || kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 60); do
    alive=0
    for p in "${PIDS[@]}"; do [ "$p" = "${REDIS_PID:-}" ] || ! kill -0 "$p" 2>/dev/null || alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.25
  done
  for p in "${PIDS[@]}"; do [ "$p" = "${REDIS_PID:-}" ] || kill -9 "$p" 2>/dev/null || true; done
  [ -z "${REDIS_PID:-}" ] || kill "$REDIS_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf '[profile %3ds] %s\n' "$SECONDS" "$*" >&2; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 360); do curl -fs -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.25; done; echo "timed out: $1" >&2; return 1; }

case $MODE in
  cpu) command -v perf >/dev/null || { echo "bench/profile.sh cpu needs perf (Debian package linux-perf)" >&2; exit 1; } ;;
  heap) ;;
  *) echo "usage: bench/profile.sh cpu|heap" >&2; exit 2 ;;
esac
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

log "building Release"
dotnet build bench/bench.slnf -c Release --nologo -v quiet -warnaserror >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
dotnet build bench/HeapStats -c Release --nologo -v quiet -warnaserror >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }

# Counted per process while sampling: wake-ups and the system calls of messaging (profile's per-move table).
STAT_EVENTS=context-switches,cpu-migrations,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_sendto,syscalls:sys_enter_sendmsg,syscalls:sys_enter_recvfrom,syscalls:sys_enter_recvmsg,syscalls:sys_enter_write,syscalls:sys_enter_read,syscalls:sys_enter_sched_yield
# perf needs the JIT's symbol maps (/tmp/perf-<pid>.map), which W^X double mapping would hide.
PERF_ENV=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
[ "$MODE" = cpu ] || PERF_ENV=()
# The servers' runtime settings as shipped (build/ServerRuntime.env), then PROFILE_ENV, which may override them.
mapfile -t SHIPPED_ENV < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' build/ServerRuntime.env)
read -r -a EXTRA_ENV <<<"${PROFILE_ENV:-}"
EXTRA_ENV=("${SHIPPED_ENV[@]}" "${EXTRA_ENV[@]}")
REDIS_ENV=()
if [ "$USE_REDIS" = 1 ]; then
  REDIS_PORT=$(free_port); mkdir -p "$WORK/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" --save '' --appendonly yes --appendfsync always >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 40); do (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && break; sleep 0.25; done
  REDIS_ENV=(ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT")
fi
SILO_PIDS=()
SERVERS=()   # name=pid=url of each server with a /metrics endpoint (the game's)
# Each server runs in its build's directory, so that it reads its own appsettings.json as shipped (see bench/run.sh).
BARE_DIR=bench/BareStack/bin/Release/net10.0
SILO_DIR=src/Silo/bin/Release/net10.0
if [ "$STACK" = bare ]; then
  SILO_PORT=$(free_port); GATEWAY=$(free_port); SILO_HTTP=$(free_port); EDGE_PORT=$(free_port)
  (cd "$BARE_DIR" && exec env "${PERF_ENV[@]}" "${EXTRA_ENV[@]}" dotnet CardGame.Bench.BareStack.dll silo --Bare:SiloPort="$SILO_PORT" --Bare:GatewayPort="$GATEWAY" \
    --Urls="http://127.0.0.1:$SILO_HTTP" "${QUIET[@]}") >"$WORK/silo1.log" 2>&1 &
  SILO_PIDS+=("$!"); PIDS+=("$!")
  wait_http "http://127.0.0.1:$SILO_HTTP/health"
  (cd "$BARE_DIR" && exec env "${PERF_ENV[@]}" "${EXTRA_ENV[@]}" dotnet CardGame.Bench.BareStack.dll edge --Bare:Cluster=true --Bare:GatewayPort="$GATEWAY" \
    --Urls="http://127.0.0.1:$EDGE_PORT" "${QUIET[@]}") >"$WORK/edge.log" 2>&1 &
  EDGE=$!; PIDS+=("$EDGE")
  wait_http "http://127.0.0.1:$EDGE_PORT/health"
else
  PRIMARY=$(free_port); GATEWAY=""
  for i in $(seq 1 "$SILOS"); do
    SILO_PORT=$PRIMARY; [ "$i" = 1 ] || SILO_PORT=$(free_port)
    SILO_GATEWAY=$(free_port); SILO_HTTP=$(free_port); [ -n "$GATEWAY" ] || GATEWAY=$SILO_GATEWAY
    (cd "$SILO_DIR" && exec env "${PERF_ENV[@]}" "${EXTRA_ENV[@]}" "${REDIS_ENV[@]}" dotnet CardGame.Silo.dll --Silo:Port="$SILO_PORT" \
      --Silo:GatewayPort="$SILO_GATEWAY" --Silo:PrimarySiloPort="$PRIMARY" --Urls="http://127.0.0.1:$SILO_HTTP" "${QUIET[@]}") >"$WORK/silo$i.log" 2>&1 &
    SILO_PIDS+=("$!"); PIDS+=("$!"); SERVERS+=("silo$i=$!=http://127.0.0.1:$SILO_HTTP")
    wait_http "http://127.0.0.1:$SILO_HTTP/health/ready"
  done
  SILO=${SILO_PIDS[0]}
  [ -z "${REDIS_PID:-}" ] || PIDS+=("$REDIS_PID")
  EDGE_PORT=$(free_port)
  (cd src/Edge/bin/Release/net10.0 && exec env "${PERF_ENV[@]}" "${EXTRA_ENV[@]}" "${REDIS_ENV[@]}" dotnet CardGame.Edge.dll --urls "http://127.0.0.1:$EDGE_PORT" \
    --Auth:SigningKey="$KEY" --Orleans:GatewayPort="$GATEWAY" "${QUIET[@]}" \
    --Edge:MaxConnectionsPerAddress=1000000 --Edge:GuestSignInsPerMinute=1000000 --Edge:GuestSignInBurst=1000000) >"$WORK/edge.log" 2>&1 &
  EDGE=$!; PIDS+=("$EDGE"); SERVERS+=("edge=$EDGE=http://127.0.0.1:$EDGE_PORT")
  wait_http "http://127.0.0.1:$EDGE_PORT/health/ready"
  EDGE_URLS="http://127.0.0.1:$EDGE_PORT"; EXTRA_EDGE_PIDS=""
  for i in $(seq 2 "$EDGES"); do
    # More edges share the players (as bench/run.sh's 2); only the first is sampled and counted per process.
    port=$(free_port)
    (cd src/Edge/bin/Release/net10.0 && exec env "${PERF_ENV[@]}" "${EXTRA_ENV[@]}" "${REDIS_ENV[@]}" dotnet CardGame.Edge.dll --urls "http://127.0.0.1:$port" \
      --Auth:SigningKey="$KEY" --Orleans:GatewayPort="$GATEWAY" "${QUIET[@]}" \
      --Edge:MaxConnectionsPerAddress=1000000 --Edge:GuestSignInsPerMinute=1000000 --Edge:GuestSignInBurst=1000000) >"$WORK/edge$i.log" 2>&1 &
    PIDS+=("$!"); SERVERS+=("edge$i=$!=http://127.0.0.1:$port"); EDGE_URLS+=",http://127.0.0.1:$port"; EXTRA_EDGE_PIDS+=",$!"
    wait_http "http://127.0.0.1:$port/health/ready"
  done
fi

LOAD=(dotnet src/LoadTest/bin/Release/net10.0/CardGame.LoadTest.dll --edges "${EDGE_URLS:-http://127.0.0.1:$EDGE_PORT}" --server-pids "$(IFS=,; echo "${SILO_PIDS[*]}"),$EDGE${EXTRA_EDGE_PIDS:-}"
  --seats 4 --connect-concurrency 128 --seed 42 --json-file "$WORK/load.json")
[ "$STACK" = game ] || LOAD+=(--scenario grain)
{
  echo "# CardGame profile ($MODE) $STAMP"
  echo "Machine: $(nproc) cores, $(dotnet --version) SDK, commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo +changes). Server env: ${PROFILE_ENV:-(defaults)}"
} >"$OUT"

if [ "$MODE" = cpu ]; then
  PACE=(--think "$THINK"); PACE_TEXT="think $THINK"
  [ -z "$RATE" ] || { PACE=(--rate "$RATE"); PACE_TEXT="open loop at $RATE moves/s"; }
  if [ "$SCENARIO" = idle ]; then
    PACE_TEXT="idle seated (no game), sampled from ${WAIT}s after the last sat down"
    log "load: $PLAYERS idle seated players; sampling ${SECONDS_SAMPLED}s ${WAIT}s after they are seated"
    "${LOAD[@]}" --scenario idle --players "$PLAYERS" --warmup 0s --duration 1800s >"$WORK/load.out" 2>&1 &
    LOADER=$!
    # The load tool says "measuring" once every player is seated (as the heap mode waits for it).
    for _ in $(seq 1 600); do grep -qi "measur" "$WORK/load.out" && break; kill -0 "$LOADER" 2>/dev/null || break; sleep 1; done
    grep -qi "measur" "$WORK/load.out" || { echo "the players were not seated" >&2; tail -5 "$WORK/load.out" >&2; exit 1; }
  else
    log "load: $PLAYERS players, $PACE_TEXT; sampling ${SECONDS_SAMPLED}s after ${WAIT}s"
    "${LOAD[@]}" --players "$PLAYERS" "${PACE[@]}" --warmup 0s --duration "$((WAIT + SECONDS_SAMPLED + 10))s" >"$WORK/load.out" 2>&1 &
    LOADER=$!
  fi
  sleep "$WAIT"
  # Each server's first /metrics scrape compiles the exporter and runs every observable instrument's callback for
  # the first time (hundreds of methods, JIT at tier 0); done here, before sampling, so the sampled window holds the
  # scrapes of a warm process, as bench/phases/window.py's windows do (docs/scaling.md, *What Orleans calls rerouted*).
  for spec in "${SERVERS[@]}"; do curl -fs -o /dev/null "${spec#*=*=}/metrics" || true; done
  PERFS=(); NAMES=()
  for i in "${!SILO_PIDS[@]}"; do
    name=silo; [ "$SILOS" = 1 ] || name=silo$((i + 1))
    perf record -F 499 -g -o "$WORK/$name.perf" -p "${SILO_PIDS[$i]}" -- sleep "$SECONDS_SAMPLED" >"$WORK/perf-$name.log" 2>&1 &
    PERFS+=("$!"); NAMES+=("$name")
  done
  perf record -F 499 -g -o "$WORK/edge.perf" -p "$EDGE" -- sleep "$SECONDS_SAMPLED" >"$WORK/perf-edge.log" 2>&1 &
  PERFS+=("$!"); NAMES+=(edge)
  # Wake-ups and system calls of each process over the same window (counted, not sampled).
  PIDS_BY_NAME=("${SILO_PIDS[@]}" "$EDGE")
  for i in "${!NAMES[@]}"; do
    perf stat -x, -e "$STAT_EVENTS" -o "$WORK/${NAMES[$i]}.stat" -p "${PIDS_BY_NAME[$i]}" -- sleep "$SECONDS_SAMPLED" >/dev/null 2>&1 &
    PERFS+=("$!")
  done
  WINDOW_ARGS=(--seconds "$SECONDS_SAMPLED" --rate "${RATE:-0}" --edge-pid "$EDGE" --silo-pids "$(IFS=,; echo "${SILO_PIDS[*]}")")
  [ "$SCENARIO" = play ] || WINDOW_ARGS+=(--idle)
  for spec in "${SERVERS[@]}"; do WINDOW_ARGS+=(--server "$spec"); done
  python3 bench/profile_window.py "${WINDOW_ARGS[@]}" >"$WORK/window.txt" 2>&1 || true
  wait "${PERFS[@]}" || true
  if [ "$SCENARIO" = idle ]; then kill "$LOADER" 2>/dev/null || true; fi
  wait "$LOADER" || true
  STORAGE="in-memory storage"; [ "$USE_REDIS" = 1 ] && STORAGE="Redis clustering and storage"
  [ "$STACK" = game ] || STORAGE="the bare stack: a no-op grain, no storage"
  echo "Load: $PLAYERS players, $EDGES edge(s) + $SILOS silo(s) ($STORAGE), $PACE_TEXT; $SECONDS_SAMPLED s sampled at 499 Hz after $WAIT s of load; load average $(cut -d' ' -f1-3 /proc/loadavg)." >>"$OUT"
  [ "$SCENARIO" = idle ] || python3 - "$WORK/load.json" >>"$OUT" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); s = r.get("server") or {}
print(f"Whole run: {r['actionsPerSecond']} moves/s, server CPU {s.get('cpuMicrosecondsPerAction')} us/move, ack p50/p99 {r['ackMs']['p50']}/{r['ackMs']['p99']} ms, violations {r['violationCount']}")
PY
  cat "$WORK/window.txt" >>"$OUT"
  for name in "${NAMES[@]}"; do
    if ! perf script -i "$WORK/$name.perf" 2>/dev/null >"$WORK/$name.txt" || ! python3 bench/profile_summary.py "$name" "$WORK/$name.txt" >>"$OUT"; then
      { echo "== $name: no profile"; tail -3 "$WORK/perf-$name.log"; } >>"$OUT"
    fi
    [ -z "${PROFILE_KEEP:-}" ] || { mkdir -p "$PROFILE_KEEP" && cp "$WORK/$name.txt" "$PROFILE_KEEP/$STAMP-$STACK-$name.txt"; }
  done
  # Per move: each process's samples (CPU), context switches and system calls over the sampled window.
  [ "$SCENARIO" = idle ] || python3 - "$WORK/load.json" "$SECONDS_SAMPLED" "$WORK" "${NAMES[@]}" >>"$OUT" <<'PY'
import json, os, sys
load, seconds, work, names = json.load(open(sys.argv[1])), float(sys.argv[2]), sys.argv[3], sys.argv[4:]
moves = load["actionsPerSecond"] * seconds
print(f"\n== per move over the sampled window ({moves:.0f} moves at the run's mean rate); samples at 499 Hz as CPU")
rows = {}
for name in names:
    path = os.path.join(work, name + ".txt")
    samples = sum(1 for line in open(path) if line and not line[0].isspace() and line.strip()) if os.path.exists(path) else 0
    counts = {"cpu us": samples / 499 * 1e6}
    stat = os.path.join(work, name + ".stat")
    for line in (open(stat) if os.path.exists(stat) else []):
        parts = line.strip().split(",")
        if len(parts) > 2 and parts[0].replace(".", "").isdigit():
            counts[parts[2].replace("syscalls:sys_enter_", "")] = float(parts[0])
    rows[name] = counts
keys = [k for k in rows[names[0]]]
print("process      " + "  ".join(f"{k:>16}" for k in keys))
for name in names + (["all silos"] if len([n for n in names if n.startswith("silo")]) > 1 else []):
    c = rows.get(name) or {k: sum(rows[n].get(k, 0) for n in names if n.startswith("silo")) for k in keys}
    print(f"{name:<12} " + "  ".join(f"{c.get(k, 0) / moves:16.3f}" for k in keys))
PY
else
  log "load: $IDLE idle seated players"
  # The players stay until the heaps are read (the load tool is stopped then): walking a busy silo's heap can take a
  # minute, and a tool that had ended its window would have taken its connections with it (2026-11-30-0904).
  "${LOAD[@]}" --scenario idle --players "$IDLE" --warmup 0s --duration 1800s >"$WORK/load.out" 2>&1 &
  LOADER=$!
  for _ in $(seq 1 240); do grep -q '"seated"' "$WORK/load.json" 2>/dev/null && break; grep -qi "measur" "$WORK/load.out" && break; sleep 1; done
  sleep 15
  echo "Live managed heap with $IDLE idle seated players (1 edge + 1 silo, in-memory storage):" >>"$OUT"
  for pid in "$SILO" "$EDGE"; do
    kill -0 "$LOADER" 2>/dev/null || { echo "the load tool ended before the heaps were read" >&2; tail -5 "$WORK/load.out" >&2; exit 1; }
    echo "" >>"$OUT"
    echo "RSS $(awk '/VmRSS/ {printf "%.0f MiB", $2 / 1024}' "/proc/$pid/status") ($([ "$pid" = "$SILO" ] && echo silo || echo edge))" >>"$OUT"
    # Resident memory by kind: anonymous (heaps, stacks) vs file-backed (mapped assemblies, shared with other processes).
    grep -E '^(Rss|Anonymous|Shared_Clean|Private_Clean):' "/proc/$pid/smaps_rollup" | awk '{printf "%s %.0f MiB; ", $1, $2 / 1024} END {print ""}' >>"$OUT"
    bench/HeapStats/bin/Release/net10.0/CardGame.Bench.HeapStats "$pid" "$TOP" "$IDLE" >>"$OUT"
  done
  kill "$LOADER" 2>/dev/null || true
fi
log "wrote $OUT"
cat "$OUT"
