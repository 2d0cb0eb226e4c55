#!/usr/bin/env bash
# Restarts every server of a running CardGame topology, one at a time: every silo, then every edge. Each is stopped with
# SIGTERM (a silo hands its tables and players to the others in memory; an edge drains: its clients reconnect through
# the balancer to the other edges and Resume), started again by its supervisor on the same ports, and the next one is
# touched only once this one answers 200 on /health/ready. Players keep playing throughout.
#
#   scripts/rolling-restart.sh [SERVERS_FILE]
#
# SERVERS_FILE (default ${CARDGAME_TOPOLOGY_DIR:-/tmp/cardgame-topology}/servers, written by `scripts/topology.sh up`)
# lists one server a line: `KIND NAME PID_FILE READY_URL` (KIND silo or edge). The supervisor (topology.sh, or a
# test's ProcessTopology) starts a server again when it exits while the file NAME.restart exists beside SERVERS_FILE,
# writing its new process id to PID_FILE; a server stopped without that file stays stopped (removed).
# Each stop may take up to CARDGAME_STOP_SECONDS (default 60: an edge drains for Edge:DrainSeconds, 20 by default),
# each start up to CARDGAME_READY_SECONDS (default 120). After an edge is ready again the script waits
# CARDGAME_EDGE_SETTLE_SECONDS (default 2) before the next one, so the balancer sends to it again (one that marks failed
# upstreams down, unlike deploy/nginx.conf, needs more: its fail_timeout). Exit status 0 when every server came back
# ready.
set -euo pipefail

servers="${1:-${CARDGAME_TOPOLOGY_DIR:-/tmp/cardgame-topology}/servers}"
stop_seconds="${CARDGAME_STOP_SECONDS:-60}"
ready_seconds="${CARDGAME_READY_SECONDS:-120}"
settle_seconds="${CARDGAME_EDGE_SETTLE_SECONDS:-2}"
case "$servers" in -h|--help) sed -n '2,19p' "$0"; exit 0 ;; esac
[ -r "$servers" ] || { echo "no servers file at $servers (start the topology with scripts/topology.sh up)" >&2; sed -n '2,19p' "$0" >&2; exit 2; }
dir="$(dirname "$servers")"

log() { echo "$(date -u +%H:%M:%S.%3N) $*"; }

since() { # seconds since a $(date +%s%N) stamp, with one decimal
  local ms=$(( ($(date +%s%N) - $1) / 1000000 ))
  printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

ready() { curl -fsS -o /dev/null --max-time 5 "$1" </dev/null 2>/dev/null; }

restart() { # kind name pid_file ready_url
  local kind=$1 name=$2 pid_file=$3 url=$4 old new started waited
  old="$(cat "$pid_file" 2>/dev/null || true)"
  alive "$old" || { log "$name ($kind) is not running (pid file $pid_file): stopping here" >&2; exit 1; }
  ready "$url" || { log "$name ($kind) is not ready at $url before its restart: stopping here" >&2; exit 1; }
  started=$(date +%s%N)
  touch "$dir/$name.restart"
  log "$name: SIGTERM to $old"
  kill -TERM "$old"
  for ((waited = 0; waited < stop_seconds * 10; waited++)); do alive "$old" || break; sleep 0.1; done
  alive "$old" && { log "$name did not stop within ${stop_seconds} s" >&2; exit 1; }
  log "$name: stopped after $(since "$started") s; waiting for it to come back ready"
  for ((waited = 0; waited < ready_seconds * 10; waited++)); do
    new="$(cat "$pid_file" 2>/dev/null || true)"
    if [ "$new" != "$old" ] && alive "$new" && ready "$url"; then
      log "$name: ready again as $new, $(since "$started") s after SIGTERM"
      if [ "$kind" = edge ]; then sleep "$settle_seconds"; fi
      return 0
    fi
    sleep 0.1
  done
  log "$name did not come back ready at $url within ${ready_seconds} s" >&2
  exit 1
}

begun=$(date +%s%N)
for kind in silo edge; do
  while read -r k name pid_file url; do
    [ "$k" = "$kind" ] && restart "$k" "$name" "$pid_file" "$url"
  done < <(grep -v '^\s*#' "$servers")
done
log "rolling restart done in $(since "$begun") s"
