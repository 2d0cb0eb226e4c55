#!/usr/bin/env bash
# CardGame benchmark: the game against its bare stack, on this machine, over loopback only, in one bounded run
# (under 10 minutes). Builds Release, starts every process it needs on free ports, stops them all, and writes
# bench/results/<UTC date-time>.md with the raw JSON reports in bench/results/<UTC date-time>/.
#
#   bench/run.sh
#
# Knobs (environment, defaults in brackets):
#   BENCH_PLAYERS [2000]     players of the cost and throughput runs (4 seats a table)
#   BENCH_THINK [1s]         think time of the cost runs (game and bare stack at the same pace)
#   BENCH_DURATION [15]      seconds measured per run (after ramp-up and a warm-up under the same load)
#   BENCH_WARMUP [15]        seconds of warm-up per run: long enough for tiered JIT compilation to settle (profiling
#                            showed 20-40 % of server CPU in the JIT 30 s after start, still ~10 % after a minute), so runs measure the steady state
#   BENCH_ACTIVE [10000]     players of the "active players" run, each moving once every 5 s (open loop)
#   BENCH_IDLE_STEPS [1000,5000,10000]  idle seated players at which server memory is sampled
#   BENCH_BUDGET [560]       seconds for the whole run; a phase that would not fit is skipped and reported so
#   BENCH_ONLY [all]         comma-separated phases to run (e.g. idle,game-cost); the others are reported as skipped
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PLAYERS=${BENCH_PLAYERS:-2000}
THINK=${BENCH_THINK:-1s}
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-15}
ACTIVE=${BENCH_ACTIVE:-10000}
IDLE_STEPS=${BENCH_IDLE_STEPS:-1000,5000,10000}
BUDGET=${BENCH_BUDGET:-560}
SEATS=4
STAMP=$(date -u +%Y-%m-%d-%H%M)
RESULTS=$ROOT/bench/results
RAW=$RESULTS/$STAMP
OUT=$RESULTS/$STAMP.md
LOGS=$RAW/logs
SIGNING_KEY="bench-signing-key-0123456789abcdef0123456789"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

SILO_DLL=$ROOT/src/Silo/bin/Release/net10.0/CardGame.Silo.dll
EDGE_DLL=$ROOT/src/Edge/bin/Release/net10.0/CardGame.Edge.dll
BARE_DLL=$ROOT/bench/BareStack/bin/Release/net10.0/CardGame.Bench.BareStack.dll
LOAD_DLL=$ROOT/src/LoadTest/bin/Release/net10.0/CardGame.LoadTest.dll
# Servers log warnings only: console logging of every game start would be measured too.
QUIET=(--Logging:LogLevel:Default=Warning --Logging:LogLevel:CardGame=Warning --Logging:LogLevel:Orleans=Warning)

PIDS=()
SERVER_PIDS=()
EDGE_URLS=()
REDIS_PID=""
stop_all() { # the servers first, then Redis: a silo whose Redis is gone takes minutes to stop
  local pid alive
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 60); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.25
  done
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; REDIS_PID=""; fi
  PIDS=(); SERVER_PIDS=(); EDGE_URLS=()
}
trap 'stop_all' EXIT
trap 'exit 130' INT TERM

log() { printf '[bench %3ds] %s\n' "$SECONDS" "$*" >&2; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { # url [seconds]
  local i
  for i in $(seq 1 $((${2:-60} * 4))); do
    curl -fs -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.25
  done
  log "timed out waiting for $1"; return 1
}
start() { # name command... ; sets LAST_PID
  local name=$1; shift
  "$@" >"$LOGS/$PHASE-$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}
left() { echo $((BUDGET - SECONDS)); }
SKIPPED=()
FAILED=()
PHASE=setup
phase() { # name seconds-needed command... : runs a phase if it fits the budget; a phase that fails is noted, not fatal
  local name=$1 need=$2; shift 2
  PHASE=$name
  if [ -n "${BENCH_ONLY:-}" ] && [[ ",$BENCH_ONLY," != *",$name,"* ]]; then SKIPPED+=("$name"); return 0; fi
  if [ "$(left)" -lt "$need" ]; then log "skipping $name: ${need}s needed, $(left)s left"; SKIPPED+=("$name"); return 0; fi
  if ! "$@"; then log "phase $name failed (logs: $LOGS)"; FAILED+=("$name"); fi
  stop_all
}

# --- prerequisites -----------------------------------------------------------------------------------------------
for tool in dotnet curl python3; do command -v "$tool" >/dev/null || { echo "bench/run.sh needs $tool" >&2; exit 1; }; done
if ! command -v redis-server >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  if command -v apt-get >/dev/null && { [ -z "$sudo" ] || $sudo true 2>/dev/null; }; then
    log "installing redis-server"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  fi
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
mkdir -p "$LOGS"

log "building Release"
if [ -f src/Edge/package.json ] && [ ! -d src/Edge/node_modules ]; then (cd src/Edge && npm ci --no-audit --no-fund --loglevel=error); fi
# One build of the four projects (bench/bench.slnf), so MSBuild builds them in parallel.
dotnet build bench/bench.slnf -c Release --nologo -v quiet -warnaserror >"$LOGS/build.log" 2>&1 || { cat "$LOGS/build.log" >&2; exit 1; }

# --- the stacks --------------------------------------------------------------------------------------------------
start_game() { # silos edges [redis-connection-string]
  local silos=$1 edges=$2 redis=${3:-} primary gateway="" gw i port health
  primary=$(free_port)
  for i in $(seq 1 "$silos"); do
    if [ "$i" = 1 ]; then port=$primary; else port=$(free_port); fi
    gw=$(free_port); health=$(free_port)
    [ -n "$gateway" ] || gateway=$gw
    start "silo$i" env ConnectionStrings__Redis="$redis" dotnet "$SILO_DLL" --Silo:Port="$port" --Silo:GatewayPort="$gw" \
      --Silo:PrimarySiloPort="$primary" --Urls="http://127.0.0.1:$health" "${QUIET[@]}"
    SERVER_PIDS+=("$LAST_PID")
    wait_http "http://127.0.0.1:$health/health/ready" 90 || return 1
  done
  for i in $(seq 1 "$edges"); do
    port=$(free_port)
    start "edge$i" env ConnectionStrings__Redis="$redis" dotnet "$EDGE_DLL" --urls "http://127.0.0.1:$port" \
      --Auth:SigningKey="$SIGNING_KEY" --Orleans:GatewayPort="$gateway" "${QUIET[@]}"
    SERVER_PIDS+=("$LAST_PID")
    EDGE_URLS+=("http://127.0.0.1:$port")
  done
  for url in "${EDGE_URLS[@]}"; do wait_http "$url/health/ready" 90 || return 1; done
}

start_bare() { # with-silo(0|1)
  local silo_port gateway health port
  silo_port=$(free_port); gateway=$(free_port)
  if [ "$1" = 1 ]; then
    health=$(free_port)
    start bare-silo dotnet "$BARE_DLL" silo --Bare:SiloPort="$silo_port" --Bare:GatewayPort="$gateway" --Urls="http://127.0.0.1:$health" "${QUIET[@]}"
    SERVER_PIDS+=("$LAST_PID")
    wait_http "http://127.0.0.1:$health/health" 60 || return 1
  fi
  port=$(free_port)
  start bare-edge dotnet "$BARE_DLL" edge --Bare:Cluster="$([ "$1" = 1 ] && echo true || echo false)" --Bare:GatewayPort="$gateway" \
    --Urls="http://127.0.0.1:$port" "${QUIET[@]}"
  SERVER_PIDS+=("$LAST_PID")
  EDGE_URLS+=("http://127.0.0.1:$port")
  wait_http "http://127.0.0.1:$port/health" 60 || return 1
}

start_redis() { # sets REDIS
  local port; port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no >"$LOGS/$PHASE-redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 40); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.25; done
  REDIS="127.0.0.1:$port"
}

load() { # name load-test-options... ; runs the load tool against EDGE_URLS, writes $RAW/name.json
  local name=$1; shift
  local edges; edges=$(IFS=,; echo "${EDGE_URLS[*]}")
  local pids; pids=$(IFS=,; echo "${SERVER_PIDS[*]}")
  log "run $name: $*"
  timeout 300 dotnet "$LOAD_DLL" --edges "$edges" --server-pids "$pids" --seats $SEATS --warmup ${WARMUP}s --connect-concurrency 128 \
    --duration "${DURATION}s" --json-file "$RAW/$name.json" --seed 42 "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.err" || true
  if [ -f "$RAW/$name.json" ]; then
    python3 - "$RAW/$name.json" >&2 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
s = r.get("server") or {}
print(f"    {r['actionsPerSecond']} actions/s, ack p50/p99 {r['ackMs']['p50']}/{r['ackMs']['p99']} ms, fan-out p99 {r['fanoutAllMs']['p99']} ms, "
      f"server {s.get('cpuMicrosecondsPerAction')} us/action, errors {sum(r['errors'].values())}, violations {r['violationCount']}")
EOF
  else
    log "  $name produced no report"; tail -5 "$LOGS/$name.err" >&2 || true
  fi
}

json() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"r": r}))' "$1" "$2" 2>/dev/null || echo 0; }

# --- the phases (stop_all ends each one's processes) ----------------------------------------------
# 1. the bare stack, then the game, at the same concurrency and pace
bare_echo() { start_bare 0 && load bare-echo --scenario echo --players "$PLAYERS" --think "$THINK"; }
bare_grain() { start_bare 1 && load bare-grain --scenario grain --players "$PLAYERS" --think "$THINK"; }
game_cost() { start_game 1 1 && load game-cost --players "$PLAYERS" --think "$THINK"; }
# 2. the game at its maximum, then at half of it (open loop)
game_max() { start_game 1 2 && load game-max --players "$PLAYERS" --think 0; }
game_half() {
  local max half
  max=$(json "$RAW/game-max.json" 'r["actionsPerSecond"]')
  half=$(python3 -c "print(max(1, round($max / 2)))")
  start_game 1 2 && load game-half --players "$PLAYERS" --rate "$half"
}
# 4. Redis storage vs in-memory; two silos vs one
game_redis_max() { start_redis && start_game 1 2 "$REDIS" && load game-redis-max --players "$PLAYERS" --think 0; }
game_2silos_max() { start_game 2 2 && load game-2silos-max --players "$PLAYERS" --think 0; }
# 2b. many active players: each moves once every 5 s on average (open loop)
game_active() { start_game 1 2 && load game-active --players "$ACTIVE" --rate "$((ACTIVE / 5))"; }
# 3. memory per idle seated player, on Redis storage as in production (with in-memory storage the silo would also hold
#    every stored table and player: it would be the database too). Redis's own memory is reported beside.
idle() {
  start_redis && start_game 1 2 "$REDIS" \
    && DURATION=3 WARMUP=0 load idle --scenario idle --players "${IDLE_STEPS##*,}" --idle-steps "$IDLE_STEPS" \
    && redis-cli -u "redis://$REDIS" info memory | tr -d '\r' | grep -E '^used_memory(_rss)?:' >"$RAW/idle-redis.txt"
}

phase bare-echo 52 bare_echo
phase bare-grain 57 bare_grain
phase game-cost 62 game_cost
phase game-max 62 game_max
phase game-half 62 game_half
phase game-redis-max 67 game_redis_max
phase game-2silos-max 72 game_2silos_max
phase game-active 122 game_active
phase idle 100 idle
# Cost per move as the cluster grows (1, 2, 3 silos): bench/phases/silos.sh.
source bench/phases/silos.sh
silos_phases

# --- the report --------------------------------------------------------------------------------------------------
MACHINE="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB, $(dotnet --version) SDK"
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo "+changes")
python3 bench/report.py --raw "$RAW" --out "$OUT" --stamp "$STAMP" --machine "$MACHINE" --commit "$COMMIT" --warmup "$WARMUP" \
  --players "$PLAYERS" --think "$THINK" --duration "$DURATION" --active "$ACTIVE" --elapsed "$SECONDS" \
  --skipped "${SKIPPED[*]:-}" --failed "${FAILED[*]:-}"
silos_report >>"$OUT"
# Server logs are kept only when a phase failed.
[ ${#FAILED[@]} -gt 0 ] || rm -rf "$LOGS"
log "wrote $OUT"
