# Sourced by the bench scripts with their arguments: from the project root, ROUNDS and
# SECONDS (default 5 and 3), iperf3 present, and the release binary built as $bin.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-5}
secs=${2:-3}
command -v iperf3 >/dev/null || { echo "iperf3 is not installed (apt-get install iperf3)"; exit 1; }
cargo build --release -q
bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/switchlab")

# medians LABEL A_NAME "A values" B_NAME "B values" UNIT FORMAT: one line with each side's
# median, their ratio and the range of the pairwise ratios (A's run i against B's run i).
medians() {
  python3 - "$@" <<'PY'
import statistics, sys
label, an, a, bn, b, unit, fmt = sys.argv[1:8]
a, b = [float(x) for x in a.split()], [float(x) for x in b.split()]
ma, mb = statistics.median(a), statistics.median(b)
pairs = [x / y for x, y in zip(a, b)]
print(f"{label}: {an} {ma:{fmt}} {unit}, {bn} {mb:{fmt}} {unit} (medians of {len(a)}); "
      f"ratio {ma/mb:.2f} (pairwise {min(pairs):.2f} to {max(pairs):.2f})")
PY
}
