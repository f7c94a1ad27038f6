#!/usr/bin/env bash
# switchlab's push against Netmiko's and scrapli's (pinned, in a venv of their own) on
# the simulators over SSH on loopback, in turns, at 48 and 200 config lines, for all five
# vendors (scrapli has core drivers for IOS and EOS only). Prints min/median milliseconds
# per client and how many times faster switchlab's median is; then switchlab's pushes
# again, alone, 0.2 s apart, each between two runs of a control of a few ms
# without network (`switchlab vendors`), with their spread (median over min) over all of
# them and over the calm ones (both controls within 10 % of the row's fastest). A peer is
# timed after its import; so, untimed, before each of switchlab's pushes in turns, its
# executable and libraries are read into the page cache and a control runs, as alone;
# each push's major page faults (its code read back from disk) are counted, and pushes
# with those files dropped from the page cache first show a cold start.
# Every process runs on CPU $CPU (default 0; CPU=none lets the scheduler place them): on
# a small VM a wake-up on the other core goes through the hypervisor, and whether the
# client and the simulator share a core changes from run to run, which spreads a
# whole-process push of 200 lines from 21 to 48 ms while on one core it takes 21 to 22.
# SAMPLES=1 also prints switchlab's times and the controls' in the order they were taken.
#   benches/push.sh [ROUNDS=5] [SIZES=48,200] [VENDOR...]   (needs python3 with venv)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-5}
sizes=${2:-48,200}
shift $(( $# > 2 ? 2 : $# ))
venv=${XDG_CACHE_HOME:-$HOME/.cache}/switchlab-bench/venv
if [[ ! -x $venv/bin/python ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'netmiko==4.8.0' 'scrapli==2025.1.30'
fi
cargo build --release -q
bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/switchlab")
export PUSH_BENCH_CPU=${CPU:-0}
exec "$venv/bin/python" benches/push_peers.py "$bin" "$rounds" "$sizes" "$@"
