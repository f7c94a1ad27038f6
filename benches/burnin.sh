#!/usr/bin/env bash
# Burn-in: a watch of PORTS ports (SWITCHES simulated Aristas, two unless told), each
# flapping every 2.1 s
# (100 ms down) for MINUTES minutes, polled every second: 66 ports for 5 minutes make
# over 18,000 transitions. (Every 2.1 s, not every second: the simulated Arista, like
# the real one, err-disables a port after more than 5 flaps in 10 s, and then it stops
# flapping.) Prints the watch's resident
# memory after the first minute and at the end (it must stay flat: memory grows with the
# ports, not the flaps), every port's count in flaps.csv against the simulators'
# schedule (exact: none missing, none extra), and how long `switchlab report` takes on
# the run folder.
# The resident memory is also sampled every 10 s from the first minute on (the growth
# line): a bounded watch levels off, a leak climbs in step with the flaps.
#   [SOURCES=counters,state] benches/burnin.sh [MINUTES=5] [PORTS=66] [SWITCHES=2]
#   (loopback only; no root needed; SOURCES=counters,state,console,buffer,syslog adds the others)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
minutes=${1:-5}
ports=${2:-66}
switches=${3:-2}
cargo build --release -q
bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/switchlab")
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# Flaps from the first `show` (the watch's first read) on, one every 2.1 s, all inside it.
flaps_each=$(( (minutes * 60 - 12) * 10 / 21 ))
each=$(( ports / switches ))
: > "$tmp/lab.toml"
names=()
for sw in $(seq 1 "$switches"); do
  n=$each; [ "$sw" = "$switches" ] && n=$(( ports - each * (switches - 1) ))
  names+=("sw$sw")
  spec=$(for i in $(seq 1 "$n"); do printf 'Ethernet%d@2s/100ms*%d+2100ms,' "$i" "$flaps_each"; done)
  "$bin" sim --vendor arista_eos --ssh 127.0.0.1:0 --hostname "sw$sw" \
    --flaps "${spec%,}" --flaps-from show > "$tmp/sim$sw.out" 2>&1 &
  pids+=($!)
  until grep -q "^ssh " "$tmp/sim$sw.out" 2>/dev/null; do
    sleep 0.1 # waiting for the simulator's listening line (a benchmark script)
  done
  port=$(sed -n 's/^ssh [0-9.]*:\([0-9]*\).*/\1/p' "$tmp/sim$sw.out" | head -1)
  {
    printf '[[device]]\nname = "sw%s"\nvendor = "arista_eos"\n' "$sw"
    printf 'ssh = { host = "127.0.0.1", port = %s, user = "admin", password_env = "BURNIN_PASS" }\n' "$port"
    for i in $(seq 1 "$n"); do printf '[[device.port]]\nname = "Ethernet%d"\n' "$i"; done
  } >> "$tmp/lab.toml"
done

export BURNIN_PASS=admin
cd "$tmp"
"$bin" watch --lab lab.toml --accept-new-host-keys --duration "${minutes}m" --interval 1s \
  --sources "${SOURCES:-counters,state}" --syslog-listen 127.0.0.1:0 --runs runs "${names[@]}" > watch.out 2> watch.err &
watch=$!
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$watch/status" 2>/dev/null || echo 0; }
sleep 60 # the first minute's sample: a benchmark's clock, not a wait in the product
first=$(rss)
samples=()
left=$(( minutes * 60 - 65 ))
while [ "$left" -gt 0 ]; do
  step=$(( left < 10 ? left : 10 ))
  sleep "$step"
  left=$(( left - step ))
  samples+=("$(( ($(rss) - first) ))")
done
last=$(rss)
echo "RSS growth since the first minute, every 10 s (KiB): ${samples[*]}"
wait "$watch" || true
folder=$(dirname "$(tail -1 watch.out)")
python3 - "$folder/flaps.csv" "$ports" "$flaps_each" "$first" "$last" <<'PY'
import csv, sys
path, ports, each, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
counts = {}
for r in csv.DictReader(open(path)):
    if r["event"] in ("down", "unseen"):
        key = (r["device"], r["port"])
        counts[key] = counts.get(key, 0) + int(r["flaps"])
exact = sum(1 for c in counts.values() if c == each)
off = sorted((k, c) for k, c in counts.items() if c != each)
total = sum(counts.values())
print(f"watch RSS: {first/1024:.1f} MiB after 1 min, {last/1024:.1f} MiB at the end: "
      f"{(last-first)/1024:+.1f} MiB over {total} flaps ({2*total} transitions)")
print(f"counts: {exact} of {ports} ports exact ({each} flaps each); off: {off[:5]}")
PY
start=$(date +%s.%N)
"$bin" report "$folder" > /dev/null
echo "report of the run: $(python3 -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.2f}')" "$start" "$(date +%s.%N)") s"
