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
  python3 - "$streams" "${builtin[*]}" "${iperf[*]}" <<'PY'
import statistics, sys
streams, a, b = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
ma, mb = statistics.median(a), statistics.median(b)
pairs = [x / y for x, y in zip(a, b)]
print(f"{streams} stream(s): built-in {ma:.2f} Gbit/s, iperf3 {mb:.2f} Gbit/s (medians of {len(a)}); "
      f"ratio {ma/mb:.2f} (pairwise {min(pairs):.2f}..{max(pairs):.2f})")
PY
done
