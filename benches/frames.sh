#!/usr/bin/env bash
# The RFC 2544 frame generator's paths against netsniff-ng's trafgen, in one invocation
# (as root). Each sends 64-byte frames flat out from one network namespace to another over
# a bare veth pair (no switch), counted by the receiving veth's own rx_packets, in turns,
# ROUNDS rounds: the engine's UDP path (sendmmsg), its ring path (PACKET_MMAP, qdisc
# bypassed) and trafgen on one CPU (its own PACKET_MMAP ring). Prints each one's median
# frames/s and the ratios ring / trafgen and ring / UDP; then each engine path's rate
# error at 10, 50 and 90 % of its ceiling (frames the veth received a second, against
# the rate asked).
#   benches/frames.sh [ROUNDS=5] [SECONDS=3]   (needs root, iproute2, python3, netsniff-ng)
set -euo pipefail
source "$(dirname "$0")/common.sh" "$@"
command -v trafgen >/dev/null || { echo "trafgen is not installed (apt-get install netsniff-ng)"; exit 1; }
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
mac=$(ip -n "$b" -o link show eth1 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
cat > "$tmp/udp64.cfg" <<EOF
{ eth(da=$mac, type=0x0800), ipv4(saddr=198.18.33.1, daddr=198.18.33.2, ttl=64),
  udp(sport=40000, dport=${udp##*:}), fill(0x00, 18) }
EOF

rx() { ip netns exec "$b" cat /sys/class/net/eth1/statistics/rx_packets; }
engine() { # path [fps]: frames/s the veth received during the trial
  local before after secs_taken
  before=$(rx)
  secs_taken=$(ip netns exec "$a" "$bin" traffic blast "$udp" --control "$control" \
    --from 198.18.33.1 --frame-size 64 --duration "${secs}s" --drain 300ms \
    --frame-path "$1" ${2:+--fps "$2"} --json |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["seconds"]); assert r["path"] == sys.argv[1], r' "$1")
  after=$(rx)
  python3 -c "print(($after - $before) / $secs_taken)"
}
trafgen_run() { # frames/s the veth received while trafgen sent for SECONDS
  local before after
  before=$(rx)
  ip netns exec "$a" timeout -s INT "$secs" trafgen --dev eth1 --conf "$tmp/udp64.cfg" -P 1 -n 0 >/dev/null 2>&1 || true
  after=$(rx)
  python3 -c "print(($after - $before) / $secs)"
}
ours_udp=(); ours_ring=(); theirs=()
for _ in $(seq "$rounds"); do
  ours_udp+=("$(engine udp)")
  ours_ring+=("$(engine ring)")
  theirs+=("$(trafgen_run)")
done
medians "64 B" ring "${ours_ring[*]}" trafgen "${theirs[*]}" frames/s ,.0f
medians "64 B" ring "${ours_ring[*]}" udp "${ours_udp[*]}" frames/s ,.0f

median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
for path in udp ring; do
  var="ours_$path[*]"
  ceiling=$(median ${!var})
  for pct in 10 50 90; do
    asked=$(python3 -c "print(round($ceiling * $pct / 100))")
    got=$(engine "$path" "$asked")
    python3 -c "a=$asked; g=$got; print(f'$path at $pct % of its ceiling: asked {a:,.0f} frames/s, received {g:,.0f} (error {abs(g-a)/a*100:.2f} %)')"
  done
done
