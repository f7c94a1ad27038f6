# Sourced by the bench scripts with their arguments: from the project root, ROUNDS and
# SECONDS (default 5 and 3), iperf3 present, and the release binary built as $bin.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-5}
secs=${2:-3}
command -v iperf3 >/dev/null || { echo "iperf3 is not installed (apt-get install iperf3)"; exit 1; }
cargo build --release -q
bin=${CARGO_TARGET_DIR:-target}/release/switchlab
