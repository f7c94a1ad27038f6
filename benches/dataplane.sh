#!/usr/bin/env bash
# The virtual lab's forwarding rate against the kernel's own, in one invocation (as root):
# iperf3 between two network namespaces through a simulated switch's 40 Gbit/s ports (not
# scaled: above what a veth pair carries here, so the ports' shaping is not what limits
# it), and over a plain veth pair between two other namespaces (the kernel alone), in
# turns, ROUNDS rounds each with 1 and with 4 streams; prints each one's median received
# Gbit/s and the ratio data plane / kernel.
#   benches/dataplane.sh [ROUNDS=5] [SECONDS=3]   (needs root, iperf3, iproute2, python3)
set -euo pipefail
source "$(dirname "$0")/common.sh" "$@"
tmp=$(mktemp -d)
tag=bench$$
cat > "$tmp/lab.toml" <<LAB
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
address = "198.18.30.1"
netns = "swl-$tag-a"
interface = [{ name = "eth1", address = "198.18.30.1" }]
[[endpoint]]
name = "b"
address = "198.18.30.2"
netns = "swl-$tag-b"
interface = [{ name = "eth1", address = "198.18.30.2" }]
LAB
"$bin" sim --lab "$tmp/lab.toml" > "$tmp/sim.out" 2>&1 &
sim=$!
# The kernel's own path: two namespaces joined by a veth pair.
ip netns add "swl-$tag-pa"; ip netns add "swl-$tag-pb"
ip -n "swl-$tag-pa" link add eth1 type veth peer name eth1 netns "swl-$tag-pb"
ip -n "swl-$tag-pa" addr add 198.18.31.1/24 dev eth1; ip -n "swl-$tag-pb" addr add 198.18.31.2/24 dev eth1
for n in pa pb; do ip -n "swl-$tag-$n" link set eth1 up; ip -n "swl-$tag-$n" link set lo up; done
cleanup() {
  kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true
  ip netns pids "swl-$tag-b" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns pids "swl-$tag-pb" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "swl-$tag-pa" 2>/dev/null || true; ip netns del "swl-$tag-pb" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
until grep -q "data plane: link sw fortyGigE 0/52" "$tmp/sim.out"; do
  kill -0 "$sim" || { cat "$tmp/sim.out"; exit 1; }
  sleep 0.2 # waiting for the simulator's data plane (a benchmark script, not the product)
done
# A Force10 starts with its ports shut: the baseline brings them up (run in $tmp, where its
# snapshots go).
printf 'name = "dataplane"\n[baseline]\ntemplate = "baseline"\nvlan = 10\n[[device]]\nname = "sw"\n' > "$tmp/m.toml"
(cd "$tmp" && "$bin" push -q --lab lab.toml --manifest m.toml >/dev/null)
ip netns exec "swl-$tag-b" iperf3 -s -B 198.18.30.2 -D
ip netns exec "swl-$tag-pb" iperf3 -s -B 198.18.31.2 -D
sleep 0.5
rate() { # namespace, server address, client address, streams
  ip netns exec "$1" iperf3 -c "$2" -B "$3" -P "$4" -t "$secs" -J |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)'
}
for streams in 1 4; do
  ours=(); kernel=()
  for _ in $(seq "$rounds"); do
    ours+=("$(rate "swl-$tag-a" 198.18.30.2 198.18.30.1 "$streams")")
    kernel+=("$(rate "swl-$tag-pa" 198.18.31.2 198.18.31.1 "$streams")")
  done
  medians "$streams stream(s)" "data plane" "${ours[*]}" "kernel veth" "${kernel[*]}" Gbit/s .2f
done
