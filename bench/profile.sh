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
# (e.g. "DOTNET_gcServer=1") to compare runtime settings.
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
STAMP=$(date -u +%Y-%m-%d-%H%M)
OUT=$ROOT/bench/results/$STAMP-profile.txt
WORK=$(mktemp -d)
KEY="bench-signing-key-0123456789abcdef0123456789"
QUIET=(--Logging:LogLevel:Default=Warning --Logging:LogLevel:CardGame=Warning --Logging:LogLevel:Orleans=Warning)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
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

# perf needs the JIT's symbol maps (/tmp/perf-<pid>.map), which W^X double mapping would hide.
PERF_ENV=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
[ "$MODE" = cpu ] || PERF_ENV=()
# The servers' runtime settings as shipped (build/ServerRuntime.env), then PROFILE_ENV, which may override them.
mapfile -t SHIPPED_ENV < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' build/ServerRuntime.env)
read -r -a EXTRA_ENV <<<"${PROFILE_ENV:-}"
EXTRA_ENV=("${SHIPPED_ENV[@]}" "${EXTRA_ENV[@]}")
SILO_PORT=$(free_port); GATEWAY=$(free_port); SILO_HTTP=$(free_port); EDGE_PORT=$(free_port)
env "${PERF_ENV[@]}" "${EXTRA_ENV[@]}" dotnet src/Silo/bin/Release/net10.0/CardGame.Silo.dll --Silo:Port="$SILO_PORT" \
  --Silo:GatewayPort="$GATEWAY" --Silo:PrimarySiloPort="$SILO_PORT" --Urls="http://127.0.0.1:$SILO_HTTP" "${QUIET[@]}" >"$WORK/silo.log" 2>&1 &
SILO=$!; PIDS+=("$SILO")
wait_http "http://127.0.0.1:$SILO_HTTP/health/ready"
(cd src/Edge && exec env "${PERF_ENV[@]}" "${EXTRA_ENV[@]}" dotnet bin/Release/net10.0/CardGame.Edge.dll --urls "http://127.0.0.1:$EDGE_PORT" \
  --Auth:SigningKey="$KEY" --Orleans:GatewayPort="$GATEWAY" "${QUIET[@]}" \
  --Edge:MaxConnectionsPerAddress=1000000 --Edge:GuestSignInsPerMinute=1000000 --Edge:GuestSignInBurst=1000000) >"$WORK/edge.log" 2>&1 &
EDGE=$!; PIDS+=("$EDGE")
wait_http "http://127.0.0.1:$EDGE_PORT/health/ready"

LOAD=(dotnet src/LoadTest/bin/Release/net10.0/CardGame.LoadTest.dll --edges "http://127.0.0.1:$EDGE_PORT" --server-pids "$SILO,$EDGE"
  --seats 4 --connect-concurrency 128 --seed 42 --json-file "$WORK/load.json")
{
  echo "# CardGame profile ($MODE) $STAMP"
  echo "Machine: $(nproc) cores, $(dotnet --version) SDK, commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo +changes). Server env: ${PROFILE_ENV:-(defaults)}"
} >"$OUT"

if [ "$MODE" = cpu ]; then
  PACE=(--think "$THINK"); PACE_TEXT="think $THINK"
  [ -z "$RATE" ] || { PACE=(--rate "$RATE"); PACE_TEXT="open loop at $RATE moves/s"; }
  log "load: $PLAYERS players, $PACE_TEXT; sampling ${SECONDS_SAMPLED}s after ${WAIT}s"
  "${LOAD[@]}" --players "$PLAYERS" "${PACE[@]}" --warmup 0s --duration "$((WAIT + SECONDS_SAMPLED + 10))s" >"$WORK/load.out" 2>&1 &
  LOADER=$!
  sleep "$WAIT"
  perf record -F 499 -g -o "$WORK/silo.perf" -p "$SILO" -- sleep "$SECONDS_SAMPLED" >"$WORK/perf-silo.log" 2>&1 &
  PERF_SILO=$!
  perf record -F 499 -g -o "$WORK/edge.perf" -p "$EDGE" -- sleep "$SECONDS_SAMPLED" >"$WORK/perf-edge.log" 2>&1 &
  PERF_EDGE=$!
  wait "$PERF_SILO" "$PERF_EDGE" || true
  wait "$LOADER" || true
  echo "Load: $PLAYERS players, 1 edge + 1 silo (in-memory storage), $PACE_TEXT; $SECONDS_SAMPLED s sampled at 499 Hz after $WAIT s of load." >>"$OUT"
  python3 - "$WORK/load.json" >>"$OUT" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); s = r.get("server") or {}
print(f"Whole run: {r['actionsPerSecond']} moves/s, server CPU {s.get('cpuMicrosecondsPerAction')} us/move, ack p50/p99 {r['ackMs']['p50']}/{r['ackMs']['p99']} ms, violations {r['violationCount']}")
PY
  for name in silo edge; do
    perf script -i "$WORK/$name.perf" 2>/dev/null >"$WORK/$name.txt"
    python3 bench/profile_summary.py "$name" "$WORK/$name.txt" >>"$OUT"
  done
else
  log "load: $IDLE idle seated players"
  "${LOAD[@]}" --scenario idle --players "$IDLE" --warmup 0s --duration 60s >"$WORK/load.out" 2>&1 &
  LOADER=$!
  for _ in $(seq 1 240); do grep -q '"seated"' "$WORK/load.json" 2>/dev/null && break; grep -qi "measur" "$WORK/load.out" && break; sleep 1; done
  sleep 15
  echo "Live managed heap with $IDLE idle seated players (1 edge + 1 silo, in-memory storage):" >>"$OUT"
  for pid in "$SILO" "$EDGE"; do
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
