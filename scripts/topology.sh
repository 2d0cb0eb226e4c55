#!/usr/bin/env bash
# The production topology as processes on this machine (loopback only): redis-server (appendonly, fsync always),
# two silos clustering and storing through Redis, two edges, and nginx in front of the edges.
#
#   scripts/topology.sh up            build, start everything, print the URL (Ctrl+C stops it all)
#   scripts/topology.sh add-silo N    start silo N (3, 4, ...) against the same Redis, in the foreground
#   scripts/rolling-restart.sh        (another terminal) restart every silo, then every edge, one at a time
#
# Ports: redis 6390; silo N: 11110+N (silo), 29999+N (gateway), 8079+N (health/metrics; the Orleans Dashboard with
# CARDGAME_DASHBOARD=true, behind basic auth: user "operator", password CARDGAME_DASHBOARD_PASSWORD or a random one printed at start);
# edges 5101, 5102; nginx 8000. State and logs go to ${CARDGAME_TOPOLOGY_DIR:-/tmp/cardgame-topology}.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${CARDGAME_TOPOLOGY_DIR:-/tmp/cardgame-topology}"
redis_port=6390
export ConnectionStrings__Redis="127.0.0.1:${redis_port}"
export Orleans__ClusterId=cardgame Orleans__ServiceId=cardgame
# A fresh random key each time (tokens of an earlier run stop working), unless one is given: never a fixed secret.
export Auth__SigningKey="${CARDGAME_SIGNING_KEY:-$(head -c 48 /dev/urandom | base64 -w0)}"
export ASPNETCORE_ENVIRONMENT=Production
# The servers' runtime settings that only the environment can give (GC sizing).
set -a; . build/ServerRuntime.env; set +a
silo_dll=src/Silo/bin/Release/net10.0/CardGame.Silo.dll
edge_dll=src/Edge/bin/Release/net10.0/CardGame.Edge.dll

export Silo__DashboardPassword="${CARDGAME_DASHBOARD_PASSWORD:-$(head -c 18 /dev/urandom | base64 -w0 | tr '+/' '-_')}"

silo() { # silo N: runs in the foreground
  local n=$1
  Silo__Port=$((11110 + n)) Silo__GatewayPort=$((29999 + n)) Silo__Dashboard="${CARDGAME_DASHBOARD:-false}" Urls="http://127.0.0.1:$((8079 + n))" \
    exec dotnet "$silo_dll"
}

supervise() { # name command...: runs the server; starts it again when it exits after rolling-restart.sh asked ($dir/NAME.restart)
  local name=$1; shift
  while :; do
    "$@" >> "$dir/$name.log" 2>&1 &
    echo $! > "$dir/$name.pid"
    wait $! || true
    [ -f "$dir/$name.restart" ] && [ ! -f "$dir/stopping" ] || break
    rm -f "$dir/$name.restart"
    echo "$(date -u +%T) restarting $name" >> "$dir/$name.log"
  done
}

wait_ready() { # name command...: until the command succeeds (2 minutes at most)
  local name=$1; shift
  for _ in $(seq 1 240); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "$name did not become ready within 2 minutes (logs: $dir)" >&2; exit 1
}

case "${1:-up}" in
  add-silo)
    silo "${2:?usage: scripts/topology.sh add-silo N}"
    ;;
  up)
    mkdir -p "$dir"
    [ -f src/Edge/package.json ] && (cd src/Edge && npm ci --no-audit --no-fund --loglevel=error)
    dotnet build CardGame.sln -c Release --nologo -v quiet
    pids=()
    rm -f "$dir"/*.restart "$dir/stopping" "$dir/servers"
    trap 'touch "$dir/stopping"; kill $(cat "$dir"/*.pid 2>/dev/null) "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
    redis-server --bind 127.0.0.1 --port "$redis_port" --appendonly yes --appendfsync always --save '' \
      --dir "$dir" --daemonize no > "$dir/redis.log" 2>&1 &
    pids+=($!)
    wait_ready "redis" redis-cli -p "$redis_port" ping
    for n in 1 2; do
      supervise "silo$n" silo "$n" & pids+=($!)
      echo "silo silo$n $dir/silo$n.pid http://127.0.0.1:$((8079 + n))/health/ready" >> "$dir/servers"
    done
    for p in 5101 5102; do
      # From src/Edge, so the edge finds its web client (wwwroot) and appsettings.json.
      supervise "edge-$p" bash -c "cd src/Edge && Urls=http://127.0.0.1:$p exec dotnet ../../$edge_dll" & pids+=($!)
      echo "edge edge-$p $dir/edge-$p.pid http://127.0.0.1:$p/health/ready" >> "$dir/servers"
    done
    # The shipped deploy/nginx.conf, with this machine's edges, address and log file in its "# substituted" lines.
    {
      printf 'daemon off;\nworker_processes 1;\npid %s/nginx.pid;\nerror_log %s/nginx-error.log warn;\n' "$dir" "$dir"
      printf 'events { worker_connections 4096; }\nhttp {\n  access_log off;\n'
      for t in client_body proxy fastcgi uwsgi scgi; do printf '  %s_temp_path %s/nginx-%s;\n' "$t" "$dir" "$t"; done
      awk -v logfile="$dir/nginx-access.log" '
        /# substituted/ && /server edge1/ { print "    server 127.0.0.1:5101 max_fails=0;"; print "    server 127.0.0.1:5102 max_fails=0;"; next }
        /# substituted/ && /server edge/ { next }
        /# substituted/ && /listen/ { print "    listen 127.0.0.1:8000;"; next }
        /# substituted/ && /access_log/ { print "    access_log " logfile " cardgame;"; next }
        { print }' deploy/nginx.conf
      printf '}\n'
    } > "$dir/nginx.conf"
    # Every server ready (silos in the cluster, edges reaching it) before nginx sends players to them.
    for n in 1 2; do wait_ready "silo $n" curl -fs "http://127.0.0.1:$((8079 + n))/health/ready"; done
    for p in 5101 5102; do wait_ready "edge :$p" curl -fs "http://127.0.0.1:$p/health/ready"; done
    nginx -c "$dir/nginx.conf" -e "$dir/nginx-error.log" &
    pids+=($!)
    wait_ready "nginx" curl -fs http://127.0.0.1:8000/
    echo "CardGame topology is up: open http://127.0.0.1:8000 (edges :5101 :5102)."
    echo "Add a silo: scripts/topology.sh add-silo 3    Restart every server: scripts/rolling-restart.sh    Logs: $dir"
    if [ "${CARDGAME_DASHBOARD:-false}" = true ]; then echo "Silo dashboards (:8080/dashboard, :8081/dashboard): user operator, password $Silo__DashboardPassword"; fi
    wait
    ;;
  *)
    sed -n '2,11p' "$0"; exit 2 ;;
esac
