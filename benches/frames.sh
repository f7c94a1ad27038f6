#!/usr/bin/env bash
# The RFC 2544 frame engine's rate against iperf3's, in one invocation (as root): both
# send UDP flat out from one network namespace to another over a veth pair (no switch),
# in turns, ROUNDS rounds each at 64 B and at 1518 B frames (iperf3 with `-u -b 0` and
# `-l` set to the payload that makes that frame: 18 and 1472 bytes). Prints each one's
# median frames/s received and the ratio engine / iperf3.
#   benches/frames.sh [ROUNDS=5] [SECONDS=3]   (needs root, iperf3, iproute2, python3)
set -euo pipefail
source "$(dirname "$0")/common.sh" "$@"
tmp=$(mktemp -d)
tag=fr$$
a="swl-$tag-a"; b="swl-$tag-b"
ip netns add "$a"; ip netns add "$b"
cleanup() {
  ip netns pids "$b" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
ip -n "$a" link add eth1 type veth peer name eth1 netns "$b"
ip -n "$a" addr add 198.18.33.1/24 dev eth1; ip -n "$b" addr add 198.18.33.2/24 dev eth1
for n in "$a" "$b"; do ip -n "$n" link set eth1 up; ip -n "$n" link set lo up; done

ip netns exec "$b" "$bin" traffic sink --bind 198.18.33.2 > "$tmp/sink.out" &
until grep -q "frame sink on" "$tmp/sink.out"; do
  sleep 0.1 # waiting for the sink's line (a benchmark script, not the product)
done
read -r _ _ _ udp _ control < "$tmp/sink.out"
ip netns exec "$b" iperf3 -s -B 198.18.33.2 -D
sleep 0.5

engine() { # frame size: frames/s received by the sink
  ip netns exec "$a" "$bin" traffic blast "$udp" --control "$control" --from 198.18.33.1 \
    --frame-size "$1" --duration "${secs}s" --drain 1s --json |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["count"]["received"]/r["seconds"])'
}
peer() { # frame size: frames/s the iperf3 server received
  ip netns exec "$a" iperf3 -c 198.18.33.2 -B 198.18.33.1 -u -b 0 -l "$(( $1 - 46 ))" -t "$secs" -J |
    python3 -c 'import json,sys
e=json.load(sys.stdin)["end"]; s=e.get("sum_received") or e["sum"]
lost=s.get("lost_packets", 0); print((s["packets"]-lost)/s["seconds"])'
}
for size in 64 1518; do
  ours=(); theirs=()
  for _ in $(seq "$rounds"); do
    ours+=("$(engine "$size")")
    theirs+=("$(peer "$size")")
  done
  medians "$size B" engine "${ours[*]}" iperf3 "${theirs[*]}" frames/s ,.0f
done
