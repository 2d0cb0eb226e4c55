# Sourced by bench/run.sh (needs its register, start_game, load, stop_all and RAW/LOGS); its section of the report is
# bench/phases/spectators_report.py.
# The cost of a spectator (issue 15): the same game load (1 silo, 2 edges, open loop) without spectators and with
# BENCH_SPECTATORS spectators per table (each on its own connection, on the edges round-robin, checked like a player by
# the load tool); the servers' extra CPU divided by the extra events delivered is the CPU per spectator-event, and
# divided by the spectators, the CPU per spectator at this rate. The edges run with the per-address sign-in and
# connection limits raised for the load tool's one address (ONE_ADDRESS in bench/run.sh, through configuration: the
# shipped defaults are unchanged).
# This shared machine's noise moves one run's server CPU by more than a few thousand spectator-events cost, so the runs
# come in interleaved pairs (without, with, without, with, ...: each pair minutes apart under much the same load) and
# each pair yields its own difference; the report gives every pair and their median.
#
# Knobs: BENCH_SPECTATORS [50] per table; BENCH_SPECTATORS_PLAYERS [400]; BENCH_SPECTATORS_RATE [100] moves/s;
# BENCH_SPECTATORS_PAIRS [3]; BENCH_SPECTATORS_DURATION [30] seconds measured per run; BENCH_SPECTATORS_WARMUP [45]
# seconds of warm-up per run (at 15 s the servers' JIT still took a large, varying share of a run's CPU: 0.5 of a core
# for 100 moves/s in the runs of 02:39 and 02:44).
# Phases (on request): spectators-pairs (about 2.5 minutes a run, so 15 for 3 pairs: raise BENCH_BUDGET); spectators-0 and spectators-n, one
# run each, as before.

SPECTATORS_PER_TABLE=${BENCH_SPECTATORS:-50}
SPECTATORS_PLAYERS=${BENCH_SPECTATORS_PLAYERS:-400}
SPECTATORS_RATE=${BENCH_SPECTATORS_RATE:-100}
SPECTATORS_PAIRS=${BENCH_SPECTATORS_PAIRS:-3}
SPECTATORS_DURATION=${BENCH_SPECTATORS_DURATION:-30}
SPECTATORS_WARMUP=${BENCH_SPECTATORS_WARMUP:-45}

spectators_run() { # name spectators-per-table
  local DURATION=$SPECTATORS_DURATION WARMUP=$SPECTATORS_WARMUP   # read by load()
  mkdir -p "$RAW/spectators" "$LOGS/spectators"   # beside, not among, the reports bench/report.py reads
  start_game 1 2 && load "spectators/$1" --players "$SPECTATORS_PLAYERS" --rate "$SPECTATORS_RATE" --spectators "$2"
}
spectators_0() { spectators_run spectators-0 0; }
spectators_n() { spectators_run spectators-n "$SPECTATORS_PER_TABLE"; }
spectators_pairs() {
  local i failed=0
  for i in $(seq 1 "$SPECTATORS_PAIRS"); do
    spectators_run "spectators-0-$i" 0 || failed=1
    stop_all
    spectators_run "spectators-n-$i" "$SPECTATORS_PER_TABLE" || failed=1
    stop_all
  done
  return "$failed"
}

register spectators-0 50 spectators_0 optional
register spectators-n 60 spectators_n optional
register spectators-pairs 600 spectators_pairs optional
