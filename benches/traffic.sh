#!/usr/bin/env bash
# The built-in traffic engine against iperf3 on loopback, in one invocation: ROUNDS rounds
# of each with 1 and with 4 streams, taking turns so a noisy machine hits both alike; prints
# each engine's median received Gbit/s and the ratio built-in / iperf3.
#   benches/traffic.sh [ROUNDS=5] [SECONDS=3]     (needs iperf3 and python3; builds release)
set -euo pipefail
source "$(dirname "$0")/common.sh" "$@"
"$bin" traffic serve --bind 127.0.0.1:5301 2>/dev/null &
ours=$!
iperf3 -s -B 127.0.0.1 -p 5302 >/dev/null 2>&1 &
theirs=$!
trap 'kill $ours $theirs 2>/dev/null' EXIT
sleep 0.5 # both servers start listening (a benchmark script, not the product)
for streams in 1 4; do
  builtin=(); iperf=()
  for _ in $(seq "$rounds"); do
    builtin+=("$("$bin" traffic send 127.0.0.1:5301 --streams "$streams" --duration "${secs}s" --json |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["received_bits_per_second"]/1e9)')")
    iperf+=("$(iperf3 -c 127.0.0.1 -p 5302 -P "$streams" -t "$secs" -J |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)')")
  done
  medians "$streams stream(s)" built-in "${builtin[*]}" iperf3 "${iperf[*]}" Gbit/s .2f
done
