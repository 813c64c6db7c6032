#!/usr/bin/env bash
# Alternates builds of the audit benchmark's plain loop, to compare them in the same minutes on a shared machine.
# usage: benchmarks/audit-loop-ab.sh <runs> <mode> <repo-dir>...   (mode: all, lean, loop-only, ...; see AuditLoop.cs)
# Each run starts one process per build (`--audit-loop <mode> ${ROUNDS:-3}`) and prints each mode's fastest round and its ratio
# to the fastest round without audit. Build each repo's benchmarks first (dotnet build -c Release).
set -euo pipefail
runs=$1
mode=$2
shift 2
for _ in $(seq 1 "$runs"); do
  for dir in "$@"; do
    line=$(cd "$dir/benchmarks/Webex.TeamsConnector.Benchmarks" \
      && dotnet bin/Release/net10.0/Webex.TeamsConnector.Benchmarks.dll --audit-loop "$mode" "${ROUNDS:-3}" \
      | grep '^fastest' | sed 's/^fastest //; s/ ns\/event//g' | awk '{printf "%s %s %s  ", $1, $3, $4}')
    echo "$(basename "$dir"): $line"
  done
done
