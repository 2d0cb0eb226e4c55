#!/usr/bin/env bash
# Runs every test of CardGame. On a fresh Debian/Ubuntu machine with the .NET 10 SDK it first installs what the tests
# run for real: redis-server (and, for the browser tests, chromium; for the Python example, python3-websockets), with apt
# when it is missing and we may.
set -euo pipefail
cd "$(dirname "$0")"

need=()
[ -x /usr/bin/redis-server ] || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/docker-compose ] || need+=(docker-compose)
[ -x /usr/sbin/nginx ] || need+=(nginx)
command -v npm >/dev/null || need+=(nodejs npm)
# The Python example client (examples/python) runs on Debian's python3 with python3-websockets.
/usr/bin/python3 -c 'import websockets' 2>/dev/null || need+=(python3 python3-websockets)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  if command -v apt-get >/dev/null && { [ -z "$sudo" ] || $sudo true 2>/dev/null; }; then
    echo "Installing ${need[*]} with apt-get ..."
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "Missing: ${need[*]}. Install them (e.g. sudo apt-get install -y ${need[*]}) and run again." >&2
    exit 1
  fi
fi

command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet not found)." >&2; exit 1; }
# Browser client assets come from npm (see src/Edge/package.json), when there is one.
if [ -f src/Edge/package.json ]; then
  (cd src/Edge && npm ci --no-audit --no-fund --loglevel=error)
fi

dotnet build CardGame.sln -c Release -warnaserror --nologo -v quiet
log="$(mktemp)"
set +e
dotnet test CardGame.sln -c Release --no-build --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One plain closing line over all test assemblies.
awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { gsub(",", "", p); printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
