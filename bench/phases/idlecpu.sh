# Sourced by bench/run.sh (needs its register, start_redis, start_game and load); its section of the report is
# bench/phases/idlecpu_report.py.
# What idle seated players cost in CPU (issue 12): BENCH_IDLE_CPU_PLAYERS players sit down (tables full, no game) on
# 1 silo + 2 edges on Redis as shipped (redis-server's CPU counted with the servers') and stay idle; the servers' CPU is
# read over the measured window. What they do meanwhile: each edge re-reports every local player's connection count
# every 20 s (Edge:ConnectionReportSeconds), so a 60 s window holds three rounds of reports.
#
# Knobs: BENCH_IDLE_CPU_PLAYERS [10000]; BENCH_IDLE_CPU_DURATION [60] seconds measured; BENCH_IDLE_CPU_WARMUP [30].
# Phase (on request): idle-cpu, about 3 minutes.

IDLE_CPU_PLAYERS=${BENCH_IDLE_CPU_PLAYERS:-10000}

idle_cpu() {
  local DURATION=${BENCH_IDLE_CPU_DURATION:-60} WARMUP=${BENCH_IDLE_CPU_WARMUP:-30}   # read by load()
  mkdir -p "$RAW/idle-cpu" "$LOGS/idle-cpu"   # beside, not among, the reports bench/report.py reads
  start_redis always count-cpu && start_game 1 2 "$REDIS" && load idle-cpu/idle-cpu --scenario idle --players "$IDLE_CPU_PLAYERS"
}

register idle-cpu 240 idle_cpu optional
