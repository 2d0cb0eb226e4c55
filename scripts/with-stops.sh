#!/usr/bin/env bash
# Runs a command (typically `dotnet test ... --filter ...`) while stopping its test host processes now and then, as a
# loaded machine does: every 2-5 s each testhost under the command gets SIGSTOP for 1-3 s, then SIGCONT. A test whose
# outcome depends on the machine keeping time (a wall-clock window, a fixed wait, a short token) fails here within a
# few runs; one that waits for the event itself, or counts in the component's own terms, does not. The stopped
# processes are always continued, also when this script is interrupted.
#
#   scripts/with-stops.sh dotnet test tests/Edge.Tests -c Release --no-build --filter 'FullyQualifiedName~TokenExpiryTests'
#
# Only the test hosts are stopped (the servers a test starts as processes, redis-server and nginx keep running), and
# no CPU is taken: unlike a CPU hog, it does not disturb other work on the machine.
set -uo pipefail

"$@" &
main=$!
stopped=()
resume() {
  if [ ${#stopped[@]} -gt 0 ]; then kill -CONT "${stopped[@]}" 2>/dev/null; fi
  stopped=()
}
trap 'resume; kill "$main" 2>/dev/null' EXIT INT TERM
descendants() { local p; for p in $(pgrep -P "$1"); do echo "$p"; descendants "$p"; done; }

stops=0
while kill -0 "$main" 2>/dev/null; do
  sleep "$((2 + RANDOM % 4)).$((RANDOM % 10))"
  hosts=()
  for p in $(descendants "$main"); do
    if grep -q testhost "/proc/$p/cmdline" 2>/dev/null; then hosts+=("$p"); fi
  done
  [ ${#hosts[@]} -eq 0 ] && continue
  stopped=("${hosts[@]}")
  kill -STOP "${stopped[@]}" 2>/dev/null
  sleep "$((1 + RANDOM % 3)).$((RANDOM % 10))"
  resume
  stops=$((stops + 1))
done
wait "$main"
status=$?
trap - EXIT
echo "with-stops.sh: the test hosts were stopped $stops times" >&2
exit "$status"
