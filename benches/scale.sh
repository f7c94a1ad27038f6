#!/usr/bin/env bash
# Many switches at once: COUNT simulated Aristas in one `switchlab sim --lab` process
# (loopback, ports 24000 and up), then `switchlab push` of the baseline to all of them at
# once (ROUNDS times: wall time and peak resident memory, min and median), then a watch of
# all of them at a 1 s poll for SECONDS (its share of one core, user + system time over
# wall time, and its peak resident memory).
#   benches/scale.sh [COUNT=500] [ROUNDS=3] [SECONDS=60]   (loopback only; no root needed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-500}
rounds=${2:-3}
secs=${3:-60}
cargo build --release -q
bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/switchlab")
tmp=$(mktemp -d)
sim=
cleanup() {
  [ -n "$sim" ] && kill "$sim" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"
python3 - "$count" <<'PY'
import sys
n = int(sys.argv[1])
with open("lab.toml", "w") as lab, open("m.toml", "w") as m:
    lab.write('known_hosts = "known_hosts"\n')
    m.write('name = "scale"\n[flaps]\nduration = "0s"\n')
    for i in range(n):
        lab.write(f'[[device]]\nname = "sw{i}"\nvendor = "arista_eos"\n'
                  f'ssh = {{ host = "127.0.0.1", port = {24000 + i}, user = "admin", password_env = "SCALE_PASS" }}\n'
                  f'sim = {{ seed = {i + 1}, password = "admin" }}\n'
                  '[[device.port]]\nname = "Ethernet1"\n[[device.port]]\nname = "Ethernet2"\n')
        m.write(f'[[device]]\nname = "sw{i}"\n')
PY
"$bin" sim --lab lab.toml > sim.out 2>&1 &
sim=$!
until [ "$(grep -c 'ssh' sim.out)" -ge "$count" ]; do
  kill -0 "$sim" 2>/dev/null || { cat sim.out; exit 1; }
  sleep 0.2 # waiting for every listener's line (a benchmark script)
done
export SCALE_PASS=admin
devices=$(seq -f 'sw%g' 0 $(( count - 1 )) | tr '\n' ' ')
walls=(); peaks=()
for r in $(seq "$rounds"); do
  extra=(); [ "$r" = 1 ] && extra=(--accept-new-host-keys)
  /usr/bin/time -f '%e %M' -o push.time "$bin" push --lab lab.toml --manifest m.toml --no-save \
    --jobs "$count" --snapshots snap "${extra[@]}" > push.out 2>&1 || { tail -5 push.out; exit 1; }
  read -r wall peak < push.time
  walls+=("$wall"); peaks+=("$peak")
done
# shellcheck disable=SC2086
/usr/bin/time -f '%e %U %S %M' -o watch.time "$bin" watch --lab lab.toml --duration "${secs}s" \
  --interval 1s --sources counters,state --runs runs $devices > watch.out 2>&1 || { tail -5 watch.out; exit 1; }
python3 - "$count" "${walls[*]}" "${peaks[*]}" "$(cat watch.time)" <<'PY'
import statistics, sys
n = sys.argv[1]
walls = [float(x) for x in sys.argv[2].split()]
peaks = [int(x) / 1024 for x in sys.argv[3].split()]
wall, user, system, peak = sys.argv[4].split()
print(f"push to {n} switches: {min(walls):.2f}/{statistics.median(walls):.2f} s (min/median of {len(walls)}), "
      f"peak {statistics.median(peaks):.0f} MiB")
print(f"watch of {n} switches at 1 s: {100 * (float(user) + float(system)) / float(wall):.1f} % of a core "
      f"over {float(wall):.0f} s, peak {int(peak) / 1024:.0f} MiB")
PY
