# Sourced by bench/run.sh (needs its register, start_game, load and RAW/LOGS); its section of the report is
# bench/phases/spectators_report.py.
# The cost of a spectator (issue 15): the same game load (1 silo, 2 edges, open loop) without spectators and with
# BENCH_SPECTATORS spectators per table (each on its own connection, on the edges round-robin, checked like a player by
# the load tool); the servers' extra CPU divided by the extra events delivered is the CPU per spectator-event, and
# divided by the spectators, the CPU per spectator at this rate. The edges run with the per-address sign-in and
# connection limits raised for the load tool's one address (ONE_ADDRESS in bench/run.sh, through configuration: the
# shipped defaults are unchanged).
#
# Knobs: BENCH_SPECTATORS [20] per table (enough that their cost stands out of this shared machine's noise); BENCH_SPECTATORS_PLAYERS [400]; BENCH_SPECTATORS_RATE [100] moves/s.
# Phases (on request: BENCH_ONLY=spectators-0,spectators-n): about 2 minutes.

SPECTATORS_PER_TABLE=${BENCH_SPECTATORS:-20}
SPECTATORS_PLAYERS=${BENCH_SPECTATORS_PLAYERS:-400}
SPECTATORS_RATE=${BENCH_SPECTATORS_RATE:-100}

spectators_run() { # name spectators-per-table
  mkdir -p "$RAW/spectators" "$LOGS/spectators"   # beside, not among, the reports bench/report.py reads
  start_game 1 2 && load "spectators/$1" --players "$SPECTATORS_PLAYERS" --rate "$SPECTATORS_RATE" --spectators "$2"
}
spectators_0() { spectators_run spectators-0 0; }
spectators_n() { spectators_run spectators-n "$SPECTATORS_PER_TABLE"; }

register spectators-0 50 spectators_0 optional
register spectators-n 60 spectators_n optional
