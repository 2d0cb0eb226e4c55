#!/usr/bin/env bash
# The production topology as processes on this machine (loopback only): redis-server (appendonly, fsync always),
# two silos clustering and storing through Redis, two edges, and nginx in front of the edges.
#
#   scripts/topology.sh up            build, start everything, print the URL (Ctrl+C stops it all)
#   scripts/topology.sh add-silo N    start silo N (3, 4, ...) against the same Redis, in the foreground
#
# Ports: redis 6390; silo N: 11110+N (silo), 29999+N (gateway), 8079+N (health/metrics; the Orleans Dashboard with CARDGAME_DASHBOARD=true);
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
silo_dll=src/Silo/bin/Release/net10.0/CardGame.Silo.dll
edge_dll=src/Edge/bin/Release/net10.0/CardGame.Edge.dll

silo() { # silo N: runs in the foreground
  local n=$1
  Silo__Port=$((11110 + n)) Silo__GatewayPort=$((29999 + n)) Silo__Dashboard="${CARDGAME_DASHBOARD:-false}" Urls="http://127.0.0.1:$((8079 + n))" \
    exec dotnet "$silo_dll"
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
    trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
    redis-server --bind 127.0.0.1 --port "$redis_port" --appendonly yes --appendfsync always --save '' \
      --dir "$dir" --daemonize no > "$dir/redis.log" 2>&1 &
    pids+=($!)
    wait_ready "redis" redis-cli -p "$redis_port" ping
    for n in 1 2; do ( silo "$n" ) > "$dir/silo$n.log" 2>&1 & pids+=($!); done
    for p in 5101 5102; do
      # From src/Edge, so the edge finds its web client (wwwroot) and appsettings.json.
      (cd src/Edge && Urls="http://127.0.0.1:$p" exec dotnet "../../$edge_dll") > "$dir/edge-$p.log" 2>&1 &
      pids+=($!)
    done
    cat > "$dir/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/nginx-body;
  proxy_temp_path $dir/nginx-proxy;
  fastcgi_temp_path $dir/nginx-fastcgi;
  uwsgi_temp_path $dir/nginx-uwsgi;
  scgi_temp_path $dir/nginx-scgi;
  upstream cardgame_edges { ip_hash; server 127.0.0.1:5101 max_fails=1 fail_timeout=5s; server 127.0.0.1:5102 max_fails=1 fail_timeout=5s; }
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:8000;
    location / {
      proxy_pass http://cardgame_edges;
      proxy_http_version 1.1;
      proxy_set_header Host \$http_host;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_read_timeout 120s;
      proxy_buffering off;
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
    }
  }
}
NGINX
    # Every server ready (silos in the cluster, edges reaching it) before nginx sends players to them.
    for n in 1 2; do wait_ready "silo $n" curl -fs "http://127.0.0.1:$((8079 + n))/health/ready"; done
    for p in 5101 5102; do wait_ready "edge :$p" curl -fs "http://127.0.0.1:$p/health/ready"; done
    nginx -c "$dir/nginx.conf" -e "$dir/nginx-error.log" &
    pids+=($!)
    wait_ready "nginx" curl -fs http://127.0.0.1:8000/health
    echo "CardGame topology is up: open http://127.0.0.1:8000 (edges :5101 :5102)."
    echo "Add a silo: scripts/topology.sh add-silo 3    Logs: $dir"
    wait
    ;;
  *)
    sed -n '2,10p' "$0"; exit 2 ;;
esac
