#!/usr/bin/env bash
# CardGame benchmark: the game against its bare stack at the same load points, on this machine, over loopback only, in
# one bounded run (about 10 minutes). Builds Release, starts every process it needs on free ports (the servers as
# shipped: their appsettings, run.sh's and compose's settings), stops them all, and writes bench/results/<UTC
# date-time>.md with the raw JSON reports in bench/results/<UTC date-time>/. Exits 1 when a phase failed or produced
# no result (a phase that needs another's result fails with it instead of running on zeros).
#
#   bench/run.sh
#
# Knobs (environment, defaults in brackets):
#   BENCH_PLAYERS [2000]     players of the cost and maximum runs (4 seats a table)
#   BENCH_THINK [1s]         think time of the cost runs (game and bare stack at the same pace)
#   BENCH_DURATION [15]      seconds measured per run (after ramp-up and a warm-up under the same load)
#   BENCH_WARMUP [15]        seconds of warm-up per run: long enough for tiered JIT compilation to settle (profiling
#                            showed 20-40 % of server CPU in the JIT 30 s after start, still ~10 % after a minute), so runs measure the steady state
#   BENCH_ACTIVE [10000]     players of the "active players" runs, each moving once every 5 s (open loop)
#   BENCH_IDLE_STEPS [10000,25000,50000]  idle seated players at which server memory is sampled
#   BENCH_IDLE_SETTLE [180]  seconds the players of the last idle step then stay idle before memory is sampled again
#                            (the steady state: Orleans collects activations nobody has called for a while)
#   BENCH_MAX [from game-max] the game's maximum moves/s, for the half-maximum runs when game-max is not run
#   BENCH_BUDGET [660]       seconds for the whole run; a phase that would not fit is skipped and reported so
#   BENCH_ONLY [default set] comma-separated phases to run (e.g. game-half,bare-half); the others are reported as skipped
#   BENCH_SERVER_ENV []      extra environment for the servers, space-separated (e.g. DOTNET_gcServer=1), to compare
#                            runtime settings; the report then does not measure the servers as shipped
#   BENCH_SAMPLE [0]         1: during each load run, sample the game servers' GC, thread pool and CPU every 0.5 s
#                            (bench/sample_servers.py, into <run>-servers.jsonl) and match slow fan-outs to them
#                            (bench/pauses_report.py); a diagnostic, its scraping costs the servers some CPU
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PLAYERS=${BENCH_PLAYERS:-2000}
THINK=${BENCH_THINK:-1s}
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-15}
ACTIVE=${BENCH_ACTIVE:-10000}
IDLE_STEPS=${BENCH_IDLE_STEPS:-10000,25000,50000}
IDLE_SETTLE=${BENCH_IDLE_SETTLE:-180}
BUDGET=${BENCH_BUDGET:-660}
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
# The load tool is thousands of players on one address (127.0.0.1): lift the per-address caps, which bound one real
# client (docs/configuration.md). Every other setting is the shipped default.
ONE_ADDRESS=(--Edge:MaxConnectionsPerAddress=1000000 --Edge:GuestSignInsPerMinute=1000000 --Edge:GuestSignInBurst=1000000)
# The servers' (and the bare stack's) runtime settings that only the environment can give, as shipped (GC sizing).
mapfile -t SERVER_ENV < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' build/ServerRuntime.env)
# BENCH_SERVER_ENV: extra runtime settings for the servers, to compare (e.g. "DOTNET_gcServer=1"); not as shipped.
if [ -n "${BENCH_SERVER_ENV:-}" ]; then read -r -a EXTRA_ENV <<<"$BENCH_SERVER_ENV"; SERVER_ENV+=("${EXTRA_ENV[@]}"); fi

PIDS=()
SERVER_PIDS=()
EDGE_URLS=()
SAMPLE_TARGETS=() # name=pid=url of each game server, for BENCH_SAMPLE
REDIS_PID=""
REDIS_DIR=""
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
  if [ -n "$REDIS_DIR" ]; then rm -rf "$REDIS_DIR"; REDIS_DIR=""; fi
  PIDS=(); SERVER_PIDS=(); EDGE_URLS=(); SAMPLE_TARGETS=()
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
# A server runs in its build's directory, as in the container image (WORKDIR /app) and under run.sh (dotnet run starts
# it in its project's directory): its content root, and so its appsettings.json (logging levels included), are the
# ones it ships with. Started from the repository's root it would read no appsettings.json at all.
in_dir_of() { # dll command... : runs command in the directory of dll
  cd "$(dirname "$1")" || exit 1
  shift
  exec "$@"
}
start() { # name command... ; sets LAST_PID
  local name=$1; shift
  "$@" >"$LOGS/$PHASE-$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}
left() { echo $((BUDGET - SECONDS)); }
PHASES=()
SKIPPED=()
FAILED=()
PHASE=setup
# Phases register here (name, seconds needed, function[, optional]) and run in that order; files in bench/phases/*.sh
# may register more. BENCH_ONLY picks phases by name; without it, every phase not registered as optional runs.
register() { PHASES+=("$1|$2|$3|${4:-default}"); }
phase() { # name seconds-needed function : runs a phase if it fits the budget; a failed phase fails the run at the end
  local name=$1 need=$2 fn=$3
  PHASE=$name
  if [ "$(left)" -lt "$need" ]; then log "skipping $name: ${need}s needed, $(left)s left"; SKIPPED+=("$name"); return 0; fi
  log "phase $name (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  if ! "$fn"; then log "phase $name failed (logs: $LOGS)"; FAILED+=("$name"); fi
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
# 50,000 idle players are 50,000 connections in the load tool and as many in the edges: raise the open-files limit of
# this shell and so of every process it starts, as far as this machine lets us (see the idle phase).
ulimit -Hn 262144 2>/dev/null || true
ulimit -n 262144 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
log "open files limit $(ulimit -n) (hard $(ulimit -Hn))"
mkdir -p "$LOGS"
# A run whose servers are not as shipped, or sampled while measured, is a diagnostic: the report leaves it out of the
# day's ranges.
if [ -n "${BENCH_SERVER_ENV:-}" ] || [ "${BENCH_SAMPLE:-0}" = 1 ]; then
  echo "diagnostic run: BENCH_SERVER_ENV='${BENCH_SERVER_ENV:-}' BENCH_SAMPLE=${BENCH_SAMPLE:-0}; not counted in the ranges of the day" >"$RAW/diagnostic.txt"
fi

# The commit measured: what is built now (later edits to the work tree do not count).
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo "+changes")
[ -z "${BENCH_SERVER_ENV:-}" ] || COMMIT="$COMMIT, servers NOT as shipped: with $BENCH_SERVER_ENV"
log "building Release"
if [ -f src/Edge/package.json ] && [ ! -d src/Edge/node_modules ]; then (cd src/Edge && npm ci --no-audit --no-fund --loglevel=error); fi
# One build of the four projects (bench/bench.slnf), so MSBuild builds them in parallel.
dotnet build bench/bench.slnf -c Release --nologo -v quiet -warnaserror >"$LOGS/build.log" 2>&1 || { cat "$LOGS/build.log" >&2; exit 1; }

# --- the stacks --------------------------------------------------------------------------------------------------
# The servers run as shipped: their appsettings.json (logging included) and what run.sh and docker-compose.yml set.
start_game() { # silos edges [redis-connection-string]; sets GATEWAY (the first silo's gateway port)
  local silos=$1 edges=$2 redis=${3:-} primary gateway="" gw i port health
  primary=$(free_port)
  for i in $(seq 1 "$silos"); do
    if [ "$i" = 1 ]; then port=$primary; else port=$(free_port); fi
    gw=$(free_port); health=$(free_port)
    [ -n "$gateway" ] || gateway=$gw
    start "silo$i" in_dir_of "$SILO_DLL" env "${SERVER_ENV[@]}" ConnectionStrings__Redis="$redis" dotnet "$SILO_DLL" --Silo:Port="$port" --Silo:GatewayPort="$gw" \
      --Silo:PrimarySiloPort="$primary" --Urls="http://127.0.0.1:$health"
    SERVER_PIDS+=("$LAST_PID")
    SAMPLE_TARGETS+=("silo$i=$LAST_PID=http://127.0.0.1:$health")
    wait_http "http://127.0.0.1:$health/health/ready" 90 || return 1
  done
  for i in $(seq 1 "$edges"); do
    port=$(free_port)
    start "edge$i" in_dir_of "$EDGE_DLL" env "${SERVER_ENV[@]}" ConnectionStrings__Redis="$redis" dotnet "$EDGE_DLL" --urls "http://127.0.0.1:$port" \
      --Auth:SigningKey="$SIGNING_KEY" --Orleans:GatewayPort="$gateway" "${ONE_ADDRESS[@]}"
    SERVER_PIDS+=("$LAST_PID")
    EDGE_URLS+=("http://127.0.0.1:$port")
    SAMPLE_TARGETS+=("edge$i=$LAST_PID=http://127.0.0.1:$port")
  done
  GATEWAY=$gateway
  for url in "${EDGE_URLS[@]}"; do wait_http "$url/health/ready" 90 || return 1; done
}

start_bare() { # edges (0: one echo edge without a silo)
  local silo_port gateway health port i
  silo_port=$(free_port); gateway=$(free_port)
  if [ "$1" != 0 ]; then
    health=$(free_port)
    start bare-silo in_dir_of "$BARE_DLL" env "${SERVER_ENV[@]}" dotnet "$BARE_DLL" silo --Bare:SiloPort="$silo_port" --Bare:GatewayPort="$gateway" --Urls="http://127.0.0.1:$health"
    SERVER_PIDS+=("$LAST_PID")
    wait_http "http://127.0.0.1:$health/health" 60 || return 1
  fi
  for i in $(seq 1 "$(( $1 == 0 ? 1 : $1 ))"); do
    port=$(free_port)
    start "bare-edge$i" in_dir_of "$BARE_DLL" env "${SERVER_ENV[@]}" dotnet "$BARE_DLL" edge --Bare:Cluster="$([ "$1" != 0 ] && echo true || echo false)" --Bare:GatewayPort="$gateway" \
      --Urls="http://127.0.0.1:$port"
    SERVER_PIDS+=("$LAST_PID")
    EDGE_URLS+=("http://127.0.0.1:$port")
  done
  for url in "${EDGE_URLS[@]}"; do wait_http "$url/health" 60 || return 1; done
}

start_redis() { # fsync-policy [count-cpu]; sets REDIS. Persistence as shipped (docker-compose.yml, run.sh --redis):
  # append-only file with an fsync on every write ("always"); "everysec" is measured beside it.
  local port; port=$(free_port)
  REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/bench-redis.XXXXXX")
  redis-server --bind 127.0.0.1 --port "$port" --dir "$REDIS_DIR" --save '' --appendonly yes --appendfsync "$1" \
    >"$LOGS/$PHASE-redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 40); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.25; done
  REDIS="127.0.0.1:$port"
  # Redis does part of every move's work: its CPU is counted with the servers'.
  if [ "${2:-}" = count-cpu ]; then SERVER_PIDS+=("$REDIS_PID"); fi
}

json() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"r": r}))' "$1" "$2"; }

load() { # name load-test-options... ; runs the load tool against EDGE_URLS, writes $RAW/name.json; fails without a result
  local name=$1; shift
  local edges; edges=$(IFS=,; echo "${EDGE_URLS[*]}")
  local pids; pids=$(IFS=,; echo "${SERVER_PIDS[*]}")
  local status=0 sampler="" target
  log "run $name: $*"
  if [ "${BENCH_SAMPLE:-0}" = 1 ] && [ ${#SAMPLE_TARGETS[@]} -gt 0 ]; then
    python3 bench/sample_servers.py --out "$RAW/$name-servers.jsonl" --tool "$RAW/$name.json" $(for target in "${SAMPLE_TARGETS[@]}"; do echo --server "$target"; done) &
    sampler=$!
  fi
  timeout 400 dotnet "$LOAD_DLL" --edges "$edges" --server-pids "$pids" --seats $SEATS --warmup "${WARMUP}s" --connect-concurrency 128 \
    --duration "${DURATION}s" --json-file "$RAW/$name.json" --seed 42 "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.err" || status=$?
  if [ -n "$sampler" ]; then
    kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
    [ ! -f "$RAW/$name.json" ] || python3 bench/pauses_report.py "$RAW/$name.json" "$RAW/$name-servers.jsonl" >"$RAW/$name-pauses.txt" 2>&1 || true
  fi
  if [ ! -f "$RAW/$name.json" ]; then
    log "  $name produced no report (exit $status)"; tail -5 "$LOGS/$name.err" >&2 || true; return 1
  fi
  python3 - "$RAW/$name.json" >&2 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
s = r.get("server") or {}
n = r.get("noise") or {}
print(f"    {r['actionsPerSecond']} moves/s ({r['movesDue']} due), ack p50/p99 {r['ackMs']['p50']}/{r['ackMs']['p99']} ms, "
      f"fan-out p99 {r['fanoutAllMs']['p99']} ms, misses {r['ackMisses']}/{r['fanoutMisses']}, server {s.get('cpuMicrosecondsPerAction')} us/move, "
      f"errors {sum(r['errors'].values())}, violations {r['violationCount']}, other cores {n.get('otherCores')} / {n.get('otherProcessCores')}"
      f"{' BUSY' if n.get('busy') else ''}")
EOF
  if [ "$status" != 0 ]; then log "  $name: load tool exit $status"; return 1; fi
  if [ "$(json "$RAW/$name.json" 'r["seated"]')" = 0 ]; then log "  $name: nobody sat down"; return 1; fi
}

# The game's maximum (for the half-maximum runs): BENCH_MAX, or game-max's result; no result, no half-maximum run.
max_rate() {
  if [ -n "${BENCH_MAX:-}" ]; then echo "$BENCH_MAX"; return 0; fi
  [ -f "$RAW/game-max.json" ] || { log "no game-max result to take half of (set BENCH_MAX)"; return 1; }
  json "$RAW/game-max.json" 'r["actionsPerSecond"]'
}
# Half the maximum, on enough tables that none is asked for more than one move a second (the open loop refuses more),
# so the run measures the server, not moves queueing behind the other players' turns at their table.
half_load() { # sets HALF_RATE HALF_PLAYERS
  local max; max=$(max_rate) || return 1
  HALF_RATE=$(python3 -c "print(max(1, round($max / 2)))")
  HALF_PLAYERS=$(python3 -c "import math; print(max($PLAYERS, $SEATS * math.ceil($HALF_RATE / 1.0)))")
}

# --- the phases (stop_all ends each one's processes) -----------------------------------------------------------------
# Every load point is measured on the bare stack (bench/BareStack: SignalR + a no-op grain + the event to the other
# seats) and on the game, back to back, on the same topology (2 edges + 1 silo) and under the same load.
# 1. the cost at a steady pace
bare_cost() { start_bare 2 && load bare-cost --scenario grain --players "$PLAYERS" --think "$THINK"; }
game_cost() { start_game 1 2 && load game-cost --players "$PLAYERS" --think "$THINK"; }
# 2. the maximum (think 0), then half of the game's maximum (open loop)
game_max() { start_game 1 2 && load game-max --players "$PLAYERS" --think 0; }
bare_max() { start_bare 2 && load bare-max --scenario grain --players "$PLAYERS" --think 0; }
game_half() { half_load && start_game 1 2 && load game-half --players "$HALF_PLAYERS" --rate "$HALF_RATE"; }
bare_half() { half_load && start_bare 2 && load bare-half --scenario grain --players "$HALF_PLAYERS" --rate "$HALF_RATE"; }
# 3. many active players: each moves once every 5 s on average (open loop)
game_active() { start_game 1 2 && load game-active --players "$ACTIVE" --rate "$((ACTIVE / 5))"; }
bare_active() { start_bare 2 && load bare-active --scenario grain --players "$ACTIVE" --rate "$((ACTIVE / 5))"; }
# 4. Redis storage and clustering as shipped (an fsync on every write), and with an fsync once a second; Redis's CPU
#    is counted with the servers'
game_redis_max() { start_redis always count-cpu && start_game 1 2 "$REDIS" && load game-redis-max --players "$PLAYERS" --think 0; }
game_redis_everysec_max() { start_redis everysec count-cpu && start_game 1 2 "$REDIS" && load game-redis-everysec-max --players "$PLAYERS" --think 0; }
# 5. memory per idle seated player, on Redis storage as in production (with in-memory storage the silo would also hold
#    every stored table and player: it would be the database too); Redis's own memory is reported beside. A process
#    here may hold at most 20,000 open files (the hard limit: without CAP_SYS_RESOURCE even root cannot raise it), so
#    the players are held by several load-tool processes of at most IDLE_CHUNK connections each, and the edges are
#    enough for each to keep under 18,000 connections. At each step the servers' RSS is read from /proc.
IDLE_CHUNK=15000
idle() {
  local top=${IDLE_STEPS##*,} edges prev=0 step add chunk part=0 seated pids n
  edges=$(( (top + 17999) / 18000 )); [ "$edges" -ge 2 ] || edges=2
  start_redis always && start_game 1 "$edges" "$REDIS" || return 1
  pids=$(IFS=,; echo "${SERVER_PIDS[*]}")
  idle_sample 0 0 "$pids" >"$RAW/idle-steps.jsonl"
  for step in ${IDLE_STEPS//,/ }; do
    add=$((step - prev))
    while [ "$add" -gt 0 ]; do
      chunk=$(( add < IDLE_CHUNK ? add : IDLE_CHUNK )); part=$((part + 1))
      log "idle: $chunk more players (part $part)"
      start "idle-load$part" dotnet "$LOAD_DLL" --edges "$(IFS=,; echo "${EDGE_URLS[*]}")" --scenario idle --players "$chunk" \
        --seats $SEATS --warmup 0s --duration 3600s --connect-concurrency 256 --seed "$part"
      # Each tool holds its players until the phase ends (stop_all): on a busy machine the ramp-up to 50,000 took
      # over 15 minutes (2026-11-30-0550), and a tool that had ended would have taken its players with it.
      local pid=$LAST_PID
      # The ramp-up is over when the tool says it is measuring.
      for _ in $(seq 1 1200); do
        grep -q '^\[measuring\]' "$LOGS/$PHASE-idle-load$part.log" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || { log "idle: part $part ended early"; tail -5 "$LOGS/$PHASE-idle-load$part.log" >&2; return 1; }
        sleep 0.5
      done
      add=$((add - chunk))
    done
    prev=$step
    sleep 3
    seated=0
    for f in "$LOGS/$PHASE"-idle-load*.log; do
      # The last progress line's count (the summary table a finished tool prints has "seated" without a number).
      n=$(grep -o 'seated [0-9][0-9]*' "$f" | tail -1 | cut -d' ' -f2)
      seated=$((seated + ${n:-0}))
    done
    idle_sample "$step" "$seated" "$pids" >>"$RAW/idle-steps.jsonl"
    log "idle: $seated of $step seated; edge + silo RSS $(tail -1 "$RAW/idle-steps.jsonl" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["rssBytes"] / 2**20), "MiB")')"
  done
  if [ "$IDLE_SETTLE" -gt 0 ]; then
    # The same players, idle for a while longer: what stays is what idle seated players hold.
    log "idle: $seated players idle for $IDLE_SETTLE s more"
    sleep "$IDLE_SETTLE"
    idle_sample "$prev" "$seated" "$pids" "$IDLE_SETTLE" >>"$RAW/idle-steps.jsonl"
    log "idle: after $IDLE_SETTLE s, edge + silo RSS $(tail -1 "$RAW/idle-steps.jsonl" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["rssBytes"] / 2**20), "MiB")')"
  fi
  redis-cli -u "redis://$REDIS" info memory | tr -d '\r' | grep -E '^used_memory(_rss)?:' >"$RAW/idle-redis.txt"
}
idle_sample() { # players seated pids [settled-seconds]: one JSON line of the servers' RSS
  python3 - "$@" <<'EOF'
import json, sys
players, seated, pids = int(sys.argv[1]), int(sys.argv[2]), [int(p) for p in sys.argv[3].split(",")]
settled = int(sys.argv[4]) if len(sys.argv) > 4 else 0
def rss(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0
by = [rss(p) for p in pids]
print(json.dumps({"players": players, "seated": seated, "rssBytes": sum(by), "rssByProcess": by, "settledSeconds": settled}))
EOF
}
# 6. two silos vs one (on 2 cores a second silo adds no cores), as production runs more than one silo: on Redis
#    (docker-compose.yml), fsync always, Redis's CPU counted with the servers'; compared with game-redis-max.
game_2silos_redis_max() { start_redis always count-cpu && start_game 2 2 "$REDIS" && load game-2silos-redis-max --players "$PLAYERS" --think 0; }
#    The same on in-memory storage (on request; the default phase until 2026-12-01): Orleans' in-memory storage keeps
#    the state in storage grains spread over the silos, so about half of the writes are a call to the other silo, which
#    a deployment on Redis never makes (docs/scaling.md, "Two silos at the maximum").
game_2silos_max() { start_game 2 2 && load game-2silos-max --players "$PLAYERS" --think 0; }
# The SignalR echo alone (no silo): on request only (BENCH_ONLY=bare-echo).
bare_echo() { start_bare 0 && load bare-echo --scenario echo --players "$PLAYERS" --think "$THINK"; }

register bare-cost 45 bare_cost
register game-cost 50 game_cost
register game-max 50 game_max
register bare-max 45 bare_max
register game-half 60 game_half
register bare-half 55 bare_half
register game-active 85 game_active
register bare-active 75 bare_active
register game-redis-max 55 game_redis_max
register game-redis-everysec-max 55 game_redis_everysec_max
register idle $((120 + IDLE_SETTLE)) idle
register game-2silos-redis-max 60 game_2silos_redis_max
register game-2silos-max 55 game_2silos_max optional
register bare-echo 40 bare_echo optional
for extra in bench/phases/*.sh; do if [ -f "$extra" ]; then source "$extra"; fi; done

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for entry in "${PHASES[@]}"; do
  IFS='|' read -r name need fn kind <<<"$entry"
  if [ -n "${BENCH_ONLY:-}" ]; then
    if [[ ",$BENCH_ONLY," != *",$name,"* ]]; then SKIPPED+=("$name"); continue; fi
  elif [ "$kind" != default ]; then
    continue
  fi
  phase "$name" "$need" "$fn"
done

# --- the report ------------------------------------------------------------------------------------------------------
MACHINE="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB, $(dotnet --version) SDK"
python3 bench/report.py --raw "$RAW" --out "$OUT" --stamp "$STAMP" --machine "$MACHINE" --commit "$COMMIT" --warmup "$WARMUP" \
  --players "$PLAYERS" --think "$THINK" --duration "$DURATION" --active "$ACTIVE" --elapsed "$SECONDS" \
  --skipped "${SKIPPED[*]:-}" --failed "${FAILED[*]:-}" --load "$LOAD_START → $(cut -d' ' -f1-3 /proc/loadavg)"
# Sections of the phases in bench/phases/ (each prints nothing when its phases did not run).
for extra in bench/phases/*_report.py; do if [ -f "$extra" ]; then python3 "$extra" "$RAW" >>"$OUT"; fi; done
# Server logs are kept only when a phase failed.
[ ${#FAILED[@]} -gt 0 ] || rm -rf "$LOGS"
log "wrote $OUT"
if [ ${#FAILED[@]} -gt 0 ]; then log "failed phases: ${FAILED[*]}"; exit 1; fi
