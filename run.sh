#!/usr/bin/env bash
# Builds and starts CardGame locally: one silo and one edge, then prints the URL to open.
#   ./run.sh            embedded default: localhost clustering, in-memory storage, nothing else needed
#   ./run.sh --redis    Redis clustering and storage on a local redis-server (127.0.0.1:6379; installed with apt
#                       and started when missing and we may)
# Stop with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")"

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
# The servers' runtime settings that only the environment can give (GC sizing).
set -a; . build/ServerRuntime.env; set +a
EDGE_URL="${EDGE_URL:-http://127.0.0.1:5101}"
if [ "${1:-}" = "--redis" ]; then
  if ! command -v redis-server >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq redis-server >/dev/null
  fi
  if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
    redis-server --bind 127.0.0.1 --port 6379 --appendonly yes --appendfsync always --dir "${TMPDIR:-/tmp}" --daemonize yes >/dev/null
  fi
  export ConnectionStrings__Redis="127.0.0.1:6379"
  echo "Using Redis at 127.0.0.1:6379"
fi

if [ -f src/Edge/package.json ]; then
  (cd src/Edge && npm ci --no-audit --no-fund --loglevel=error)
fi
dotnet build CardGame.sln -c Release --nologo -v quiet

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
# The Orleans Dashboard (/dashboard on the silo) profiles every grain call: add --Silo:Dashboard=true
# --Silo:DashboardPassword=<12+ characters> to see it (user "operator").
dotnet run -c Release --no-build --project src/Silo &
pids+=($!)
# The edge retries until the silo's gateway is up.
dotnet run -c Release --no-build --project src/Edge -- --urls "$EDGE_URL" &
pids+=($!)
# Ready means the edge reaches the silo (its /health/ready); until then players would get "unavailable".
ready=""
for _ in $(seq 1 240); do
  if curl -fs "$EDGE_URL/health/ready" >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.5
done
[ -n "$ready" ] || { echo "The edge at $EDGE_URL did not reach the silo within 2 minutes." >&2; exit 1; }
echo
echo "CardGame is running. Open $EDGE_URL in a browser (a second edge: dotnet run --project src/Edge -- --urls http://127.0.0.1:5102)."
wait
