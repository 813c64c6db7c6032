#!/usr/bin/env bash
# CPU time per operation of a Core benchmark, measured outside BenchmarkDotNet: the difference in process CPU time
# (perf's task-clock) between a short and a long run of `--core-loop`, over the difference in operations. Start-up,
# JIT and set-up cancel out, and time spent waiting for a core on a busy machine is not counted.
#
# usage: benchmarks/core-cpu-time.sh <mode> <short count> <long count> <operations per count> [repeats] [dll]
#   benchmarks/core-cpu-time.sh engage 10000000 60000000 1 5
#   benchmarks/core-cpu-time.sh engine 1 3 2000000 5      (a round is 2,000,000 events: warm-up and measured)
# Needs `perf` (linux-perf) and a Release build of the benchmarks project.
set -euo pipefail
mode=$1 short=$2 long=$3 per=$4 repeats=${5:-3}
dll=${6:-$(dirname "$0")/Webex.TeamsConnector.Benchmarks/bin/Release/net10.0/Webex.TeamsConnector.Benchmarks.dll}
cpu_ms() { perf stat -x, -e task-clock dotnet "$dll" --core-loop "$mode" "$1" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}'; }
for _ in $(seq "$repeats"); do
  a=$(cpu_ms "$short"); b=$(cpu_ms "$long")
  awk -v a="$a" -v b="$b" -v n=$(( (long - short) * per )) -v m="$mode" 'BEGIN { printf "%s: %.2f ns/op\n", m, (b - a) * 1e6 / n }'
done
