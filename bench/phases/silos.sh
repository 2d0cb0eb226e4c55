# Sourced by bench/run.sh (needs its register, start, free_port, wait_http, start_redis, log and ONE_ADDRESS); its section of the
# report is bench/phases/silos_report.py.
# Cost per move as the cluster grows (issue 11): 1, 2 and 3 silos behind the same 2 edges, as production runs them
# (Redis clustering and storage on one fresh redis-server, append-only with an fsync on every write), at the same offered load (open loop, SILOS_RATE moves/s,
# which one silo handles comfortably), then the maximum throughput (think 0) of 1 and 2 silos. bench/phases/window.py
# measures each steady window from outside: server CPU per move (/proc), Orleans messages per move (each process's
# Orleans meter on /metrics), Redis commands, bytes and CPU per move, and the rest of the machine beside them.
#
# Knobs: BENCH_SILOS_RATE [500] moves/s offered; BENCH_SILOS_PLAYERS [2000]; BENCH_SILOS_EDGES [2] edges in front of
# the silos on Redis (1: the pairing of edges and silos apart, docs/scaling.md); the window is BENCH_DURATION seconds
# after BENCH_WARMUP seconds of moves. Phases: silos-1, silos-2, silos-3, silos-1-max, silos-2-max.

SILOS_RATE=${BENCH_SILOS_RATE:-500}
SILOS_PLAYERS=${BENCH_SILOS_PLAYERS:-2000}
SILOS_EDGES=${BENCH_SILOS_EDGES:-2}
SILOS_SERVERS=()

start_silos_cluster() { # silos: N silos + SILOS_EDGES edges on $REDIS; fills SILOS_SERVERS (name=pid=url), SERVER_PIDS, EDGE_URLS
  local n=$1 i port gw health
  SILOS_SERVERS=()
  for i in $(seq 1 "$n"); do
    port=$(free_port); gw=$(free_port); health=$(free_port)
    start "silo$i" in_dir_of "$SILO_DLL" env "${SERVER_ENV[@]}" ConnectionStrings__Redis="$REDIS" dotnet "$SILO_DLL" --Silo:Port="$port" --Silo:GatewayPort="$gw" \
      --Urls="http://127.0.0.1:$health"
    SERVER_PIDS+=("$LAST_PID")
    SILOS_SERVERS+=("silo$i=$LAST_PID=http://127.0.0.1:$health")
    wait_http "http://127.0.0.1:$health/health/ready" 90 || return 1
  done
  for i in $(seq 1 "$SILOS_EDGES"); do
    port=$(free_port)
    start "edge$i" in_dir_of "$EDGE_DLL" env "${SERVER_ENV[@]}" ConnectionStrings__Redis="$REDIS" dotnet "$EDGE_DLL" --urls "http://127.0.0.1:$port" \
      --Auth:SigningKey="$SIGNING_KEY" "${ONE_ADDRESS[@]}"
    SERVER_PIDS+=("$LAST_PID")
    EDGE_URLS+=("http://127.0.0.1:$port")
    SILOS_SERVERS+=("edge$i=$LAST_PID=http://127.0.0.1:$port")
  done
  for url in "${EDGE_URLS[@]}"; do wait_http "$url/health/ready" 90 || return 1; done
}

silos_run() { # name silos load-options...: the load tool and, beside it, window.py over the same steady window
  local name=$1 n=$2 edges pids load_pid args=() spec rate=0 redis_args=() storage=Redis edge_count=2
  shift 2
  [ "$1" = --rate ] && rate=$2
  mkdir -p "$RAW/silos"   # beside, not among, the load tool's reports that bench/report.py reads
  if [[ $name == *-memory ]]; then
    # The cluster of game-max and game-2silos-max (start_game: localhost clustering, in-memory storage).
    start_game "$n" 2 || return 1
    SILOS_SERVERS=("${SAMPLE_TARGETS[@]}"); storage="in-memory storage"
  else
    start_redis always && start_silos_cluster "$n" || return 1
    redis_args=(--redis "$REDIS" --redis-pid "$REDIS_PID")
  fi
  edges=$(IFS=,; echo "${EDGE_URLS[*]}")
  pids=$(IFS=,; echo "${SERVER_PIDS[*]}")
  [ -z "${redis_args[*]}" ] || edge_count=$SILOS_EDGES
  log "run $name: $n silo(s), $edge_count edge(s), $storage; $*"
  dotnet "$LOAD_DLL" --edges "$edges" --server-pids "$pids" --players "$SILOS_PLAYERS" --seats $SEATS --warmup "${WARMUP}s" \
    --duration "$((DURATION + 10))s" --connect-concurrency 128 --json-file "$RAW/silos/$name-load.json" --seed 42 "$@" \
    >"$LOGS/$name.out" 2>"$LOGS/$name.err" &
  load_pid=$!
  for spec in "${SILOS_SERVERS[@]}"; do args+=(--server "$spec"); done
  python3 bench/phases/window.py --out "$RAW/silos/$name.json" --seconds "$DURATION" --warmup "$WARMUP" --rate "$rate" \
    "${redis_args[@]}" --load-pid "$load_pid" "${args[@]}" 2>>"$LOGS/$name.err" || { kill "$load_pid" 2>/dev/null; return 1; }
  wait "$load_pid" || true
  python3 - "$RAW/silos/$name.json" "$RAW/silos/$name-load.json" >&2 <<'EOF'
import json, sys
w = json.load(open(sys.argv[1])); c = w["cpuMicrosecondsPerMove"]; m = w["orleansMessagesPerMove"]; r = w.get("redis", {})
try:
    l = json.load(open(sys.argv[2])); extra = f", ack p99 {l['ackMs']['p99']} ms, violations {l['violationCount']}"
except Exception:
    extra = ", no load report"
print(f"    {w['movesPerSecond']} moves/s; server CPU {c['servers']} us/move (silos {c['silos']}, edges {c['edges']}); "
      f"Orleans messages {m['network']}/move on the network ({m['byConnection'].get('SiloToSilo', 0)} silo to silo), {m['local']} local; Redis {r.get('commandsPerMove')} cmd, "
      f"{r.get('cpuMicrosecondsPerMove')} us/move; other cores {w['machine']['otherCores']}, load {w['machine']['loadAverage']}{extra}")
EOF
}

silos_1() { silos_run silos-1 1 --rate "$SILOS_RATE"; }
silos_2() { silos_run silos-2 2 --rate "$SILOS_RATE"; }
silos_3() { silos_run silos-3 3 --rate "$SILOS_RATE"; }
silos_1_max() { silos_run silos-1-max 1 --think 0; }
silos_2_max() { silos_run silos-2-max 2 --think 0; }
silos_1_max_memory() { silos_run silos-1-max-memory 1 --think 0; }
silos_2_max_memory() { silos_run silos-2-max-memory 2 --think 0; }

# On request (BENCH_ONLY=silos-1,silos-2,silos-3,silos-1-max,silos-2-max BENCH_BUDGET=900): about 9 minutes.
register silos-1 90 silos_1 optional
register silos-2 95 silos_2 optional
register silos-3 100 silos_3 optional
register silos-1-max 90 silos_1_max optional
register silos-2-max 95 silos_2_max optional
register silos-1-max-memory 90 silos_1_max_memory optional
register silos-2-max-memory 95 silos_2_max_memory optional
