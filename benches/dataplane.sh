#!/usr/bin/env bash
# The virtual lab's forwarding rate against the kernel's own, in one invocation (as root):
# iperf3 between two network namespaces through a simulated switch's 40 Gbit/s ports (not
# scaled: above what a veth pair carries here, so the ports' shaping is not what limits
# it), on the simulator's default path and on its user-space one, and over a plain veth
# pair between two other namespaces (the kernel alone), in turns, ROUNDS rounds each with
# 1 and with 4 streams; prints each one's median received Gbit/s and the ratios data
# plane / kernel. Then 64-byte frames flat out (the RFC 2544 engine's ring path) through
# each of the three, counted by the receiving endpoint's veth: the frames/s a simulated
# switch forwards in user space and on the kernel's path, against the bare veth pair.
#   benches/dataplane.sh [ROUNDS=5] [SECONDS=3]   (needs root, iperf3, iproute2, python3)
set -euo pipefail
source "$(dirname "$0")/common.sh" "$@"
tmp=$(mktemp -d)
tag=bench$$
# lab DIR NET NS_PREFIX: one simulated Force10 whose two 40 Gbit/s ports cable endpoints a
# and b at 198.18.NET.1 and .2.
lab() {
  mkdir -p "$1"
  cat > "$1/lab.toml" <<LAB
[[device]]
name = "sw"
vendor = "dell_force10"
serial = { port = "sw.console" }
sim = { seed = 1 }
[[device.port]]
name = "fortyGigE 0/48"
peer = { endpoint = "a", interface = "eth1" }
[[device.port]]
name = "fortyGigE 0/52"
peer = { endpoint = "b", interface = "eth1" }
[[endpoint]]
name = "a"
address = "198.18.$2.1"
netns = "$3-a"
interface = [{ name = "eth1", address = "198.18.$2.1" }]
[[endpoint]]
name = "b"
address = "198.18.$2.2"
netns = "$3-b"
interface = [{ name = "eth1", address = "198.18.$2.2" }]
LAB
}
# The simulator's default path (the kernel's, for these plain links) and, in turns with
# it, the same switch forwarding frame by frame in user space.
lab "$tmp/k" 30 "swl-$tag-k"
lab "$tmp/u" 32 "swl-$tag-u"
"$bin" sim --lab "$tmp/k/lab.toml" > "$tmp/k/sim.out" 2>&1 &
sim_k=$!
"$bin" sim --lab "$tmp/u/lab.toml" --user-space-forwarding > "$tmp/u/sim.out" 2>&1 &
sim_u=$!
# The kernel's own path: two namespaces joined by a veth pair.
ip netns add "swl-$tag-pa"; ip netns add "swl-$tag-pb"
ip -n "swl-$tag-pa" link add eth1 type veth peer name eth1 netns "swl-$tag-pb"
ip -n "swl-$tag-pa" addr add 198.18.31.1/24 dev eth1; ip -n "swl-$tag-pb" addr add 198.18.31.2/24 dev eth1
for n in pa pb; do ip -n "swl-$tag-$n" link set eth1 up; ip -n "swl-$tag-$n" link set lo up; done
cleanup() {
  # The servers and sinks first: the simulators' namespaces go with them.
  for n in k-b u-b pb; do ip netns pids "swl-$tag-$n" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  kill "$sim_k" "$sim_u" 2>/dev/null; wait "$sim_k" "$sim_u" 2>/dev/null || true
  ip netns del "swl-$tag-pa" 2>/dev/null || true; ip netns del "swl-$tag-pb" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
for side in k u; do
  sim=sim_$side
  until grep -q "forwards in" "$tmp/$side/sim.out"; do
    kill -0 "${!sim}" || { cat "$tmp/$side/sim.out"; exit 1; }
    sleep 0.2 # waiting for the simulator's data plane (a benchmark script, not the product)
  done
  grep "forwards in" "$tmp/$side/sim.out"
  # A Force10 starts with its ports shut: the baseline brings them up (run in the lab's
  # folder, where its snapshots go).
  printf 'name = "dataplane"\n[baseline]\ntemplate = "baseline"\nvlan = 10\n[[device]]\nname = "sw"\n' > "$tmp/$side/m.toml"
  (cd "$tmp/$side" && "$bin" push -q --lab lab.toml --manifest m.toml >/dev/null)
done
ip netns exec "swl-$tag-k-b" iperf3 -s -B 198.18.30.2 -D
ip netns exec "swl-$tag-u-b" iperf3 -s -B 198.18.32.2 -D
ip netns exec "swl-$tag-pb" iperf3 -s -B 198.18.31.2 -D
sleep 0.5
rate() { # namespace, server address, client address, streams
  ip netns exec "$1" iperf3 -c "$2" -B "$3" -P "$4" -t "$secs" -J |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)'
}
for streams in 1 4; do
  ours=(); user=(); kernel=()
  for _ in $(seq "$rounds"); do
    ours+=("$(rate "swl-$tag-k-a" 198.18.30.2 198.18.30.1 "$streams")")
    user+=("$(rate "swl-$tag-u-a" 198.18.32.2 198.18.32.1 "$streams")")
    kernel+=("$(rate "swl-$tag-pa" 198.18.31.2 198.18.31.1 "$streams")")
  done
  medians "$streams stream(s)" "data plane" "${ours[*]}" "kernel veth" "${kernel[*]}" Gbit/s .2f
  medians "$streams stream(s), user space" "data plane" "${user[*]}" "kernel veth" "${kernel[*]}" Gbit/s .2f
done

# 64-byte frames: a sink in each receiving namespace, the engine's ring path flat out from
# the sending one, frames/s as the receiving veth counted them.
for n in k-b u-b pb; do
  : > "$tmp/sink-$n.out"
  ip netns exec "swl-$tag-$n" "$bin" traffic sink --bind "$(ip -n "swl-$tag-$n" -o -4 addr show eth1 | grep -o '198\.18\.[0-9.]*')" > "$tmp/sink-$n.out" &
  until grep -q "frame sink on" "$tmp/sink-$n.out"; do
    sleep 0.1 # waiting for the sink's line (a benchmark script, not the product)
  done
done
fps() { # sending namespace, receiving namespace, from address
  local udp control before after taken
  read -r _ _ _ udp _ control < "$tmp/sink-$2.out"
  before=$(ip netns exec "swl-$tag-$2" cat /sys/class/net/eth1/statistics/rx_packets)
  taken=$(ip netns exec "swl-$tag-$1" "$bin" traffic blast "$udp" --control "$control" \
    --from "$3" --frame-size 64 --duration "${secs}s" --drain 300ms --frame-path ring --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
  after=$(ip netns exec "swl-$tag-$2" cat /sys/class/net/eth1/statistics/rx_packets)
  python3 -c "print(($after - $before) / $taken)"
}
ours=(); user=(); kernel=()
for _ in $(seq "$rounds"); do
  ours+=("$(fps k-a k-b 198.18.30.1)")
  user+=("$(fps u-a u-b 198.18.32.1)")
  kernel+=("$(fps pa pb 198.18.31.1)")
done
medians "64-byte frames" "data plane" "${ours[*]}" "kernel veth" "${kernel[*]}" frames/s .0f
medians "64-byte frames, user space" "data plane" "${user[*]}" "kernel veth" "${kernel[*]}" frames/s .0f
