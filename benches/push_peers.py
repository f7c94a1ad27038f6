"""Push benchmark: switchlab against Netmiko and scrapli on the same simulators, in turns.

Run by benches/push.sh (which makes the venv). For each vendor a simulator runs over SSH
on loopback; each round pushes the same N config lines with each client, one after the
other. switchlab is timed as a whole process (`switchlab push`, which also verifies the
lines in the running config); Netmiko and scrapli from connect to disconnect inside this
Python process of their own, one per push (their import not counted), so that nothing a
peer leaves behind (paramiko's transport thread) runs in the process that times the next
client. Prints min and median per client, how far switchlab's median lies above its
minimum, and the ratios of the medians.

A peer's push is timed in a process that has just run its import: its code is loaded and
has run. switchlab's is timed from exec, after the peers' seconds (Netmiko takes 12 s on
FastIron), in which a VM's pageout may have dropped its code from the page cache and the
CPU run other work. So each of switchlab's pushes in turns comes as it does alone: its
executable and libraries are read into the page cache, untimed, and the control described
below runs 0.2 s before it. Per row, pushes with those files dropped from the page cache
first show what a cold start costs.

Then, for each row, switchlab's pushes again alone, 0.2 s apart, each between two runs of
a control of a few ms with no network (`switchlab vendors`): where a peer's push
takes seconds (Netmiko on FastIron and FASTPATH, 12 to 14 s), the rounds in turns span
minutes, and a shared machine has stretches of seconds in which every process runs 30 to
50 % slower. The pushes whose controls on both sides ran within 10 % of the row's fastest
control are the calm ones (in turns, those whose control before them is); their spread is
the push's own, and the last line counts the rows within 10 %: in turns, all and calm
ones, and alone between calm controls.
"""
import logging, os, resource, statistics, subprocess, sys, tempfile, time

# vendor -> (first port as the lab names it, netmiko device type, scrapli core driver)
VENDORS = {
    "cisco_ios": ("GigabitEthernet0/1", "cisco_ios", "IOSXEDriver"),
    "arista_eos": ("Ethernet1", "arista_eos", "EOSDriver"),
    "dell_force10": ("TenGigabitEthernet 0/1", "dell_force10", None),
    "brocade_fastiron": ("1/1/1", "ruckus_fastiron", None),
    "interface_masters": ("0/1", "broadcom_icos", None),
}
# SAMPLES=1: also print switchlab's times in the order they were taken.
SAMPLES = os.environ.get("SAMPLES", "") not in ("", "0")
# paramiko logs "Socket exception: Bad file descriptor" when a session it closed ends.
logging.getLogger("paramiko").setLevel(logging.CRITICAL)
# One CPU for this process and everything it starts (the simulator, switchlab, the peers'
# processes), unless PUSH_BENCH_CPU=none: see push.sh.
CPU = os.environ.get("PUSH_BENCH_CPU", "none")
if CPU != "none":
    os.sched_setaffinity(0, {int(CPU)})

def lines_for(vendor, n):
    """n config lines that each stay in the running config (none replaces another), so
    switchlab's verify finds every one: VLANs where the CLI has them, port blocks on
    FASTPATH (whose 28 ports hold 112 such lines: a larger n is capped there)."""
    if vendor in ("cisco_ios", "arista_eos"):
        pairs = [[f"vlan {100 + i}", f" name v{100 + i}"] for i in range(n // 2)]
    elif vendor == "dell_force10":
        pairs = [[f"interface Vlan {100 + i}", f" name v{100 + i}"] for i in range(n // 2)]
    elif vendor == "brocade_fastiron":
        pairs = [[f"vlan {100 + i} name v{100 + i} by port"] for i in range(n)]
    else:
        pairs = [[f"interface 0/{p}", f" description port {p}", " vlan pvid 10", " vlan participation include 10"]
                 for p in range(1, 29)]
    return [line for block in pairs for line in block][:n]

def start_sim(vendor):
    p = subprocess.Popen([BIN, "sim", "--vendor", vendor, "--ssh", "127.0.0.1:0", "--user", "admin",
                          "--password", "admin", "--secret", "enablepw"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    line = p.stdout.readline()  # "ssh 127.0.0.1:PORT": the simulator listens
    return p, int(line.split(":")[-1])

def prepare(d, vendor, port, n):
    """The lab, manifest and template in `d` for pushing n lines to the simulator on port."""
    tpl = os.path.join(d, "templates", vendor)
    os.makedirs(tpl, exist_ok=True)
    with open(os.path.join(tpl, "bench.j2"), "w") as f:
        f.write("\n".join(lines_for(vendor, n)) + "\n")
    with open(os.path.join(d, "lab.toml"), "w") as f:
        f.write(f'known_hosts = "known_hosts"\n[[device]]\nname = "sw"\nvendor = "{vendor}"\nsecret_env = "B_SECRET"\n'
                f'ssh = {{ host = "127.0.0.1", port = {port}, user = "admin", password_env = "B_PASS" }}\n'
                f'[[device.port]]\nname = "{VENDORS[vendor][0]}"\n')
    with open(os.path.join(d, "m.toml"), "w") as f:
        f.write('name = "bench"\n[[device]]\nname = "sw"\ntemplate = "bench"\n')

def timed(argv, cwd=None, env=None):
    """One command as a whole process: its seconds, and its major page faults (pages of
    its code or data read back from disk: a machine may evict a binary's pages that sat
    unused for seconds, and each one read back costs a disk read)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_majflt
    t0 = time.perf_counter()
    r = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {r.stdout}{r.stderr}")
    return took, resource.getrusage(resource.RUSAGE_CHILDREN).ru_majflt - before

def code_files(pid):
    """The files whose code a process runs (its executable and shared libraries), read
    from /proc/PID/maps: the simulator runs the same binary as a push, with the same
    libraries."""
    with open(f"/proc/{pid}/maps") as f:
        fields = [line.split() for line in f]
    return sorted({x[5] for x in fields if len(x) >= 6 and "x" in x[1] and x[5].startswith("/")})

# Linux reads at most the disk's read-ahead window (its read_ahead_kb) for one WILLNEED.
WILLNEED_STEP = 4 << 20

def page_cache(files, advice):
    """Ask the kernel to read files into the page cache (WILLNEED, a step at a time) or
    to drop what no process has mapped (DONTNEED, as a machine's pageout drops file pages
    left unused for a while)."""
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            if advice == os.POSIX_FADV_WILLNEED:
                for offset in range(0, os.fstat(fd).st_size, WILLNEED_STEP):
                    os.posix_fadvise(fd, offset, WILLNEED_STEP, advice)
            else:
                os.posix_fadvise(fd, 0, 0, advice)
        finally:
            os.close(fd)

def switchlab_push(d):
    """One `switchlab push` of what `prepare` wrote in d, as a whole process: its seconds
    and major page faults."""
    return timed([BIN, "--templates", "templates", "push", "--lab", "lab.toml", "--manifest", "m.toml",
                  "--no-save", "--accept-new-host-keys", "--snapshots", "snap", "-q"],
                 cwd=d, env=dict(os.environ, B_PASS="admin", B_SECRET="enablepw"))

def netmiko_push(vendor, port, n):
    from netmiko import ConnectHandler
    t0 = time.perf_counter()
    c = ConnectHandler(device_type=VENDORS[vendor][1], host="127.0.0.1", port=port, username="admin",
                       password="admin", secret="enablepw")
    c.enable()
    c.send_config_set(lines_for(vendor, n))
    c.disconnect()
    return time.perf_counter() - t0

def scrapli_push(vendor, port, n):
    import scrapli.driver.core as core
    # scrapli loads its transport plugin at the first connect: imported here, untimed.
    import scrapli.transport.plugins.paramiko.transport  # noqa: F401
    driver = getattr(core, VENDORS[vendor][2])
    t0 = time.perf_counter()
    c = driver(host="127.0.0.1", port=port, auth_username="admin", auth_password="admin",
               auth_secondary="enablepw", auth_strict_key=False, transport="paramiko")
    c.open()
    c.send_configs(lines_for(vendor, n))
    c.close()
    return time.perf_counter() - t0

def peer_push(peer, vendor, port, n):
    """One push by a peer, in a Python process of its own: its seconds, as it timed them."""
    r = subprocess.run([sys.executable, __file__, "--peer", peer, vendor, str(port), str(n)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{peer} push failed on {vendor}: {r.stdout}{r.stderr}")
    return float(r.stdout.split()[-1])

QUIET = 0.2

def quiet():
    """Each client starts on a quiet CPU: what the one before it left running (the
    simulator closing its session) is not timed into the next."""
    time.sleep(QUIET)

def fmt(xs, digits):
    """min/median in milliseconds ("-" for none)."""
    return f"{min(xs) * 1e3:.{digits}f}/{statistics.median(xs) * 1e3:.{digits}f}" if xs else "-"

def series(label, xs):
    """SAMPLES=1: xs in milliseconds, in the order they were taken."""
    print(f"  {label}, ms in order: " + " ".join(f"{x * 1e3:.1f}" for x in xs), flush=True)

def spread(xs):
    """How far the median lies above the minimum, in per cent."""
    return f"{(statistics.median(xs) / min(xs) - 1) * 100:.0f}%" if xs else "-"

# The target: a push's median within 10 % of its minimum. Also what makes a control calm:
# within 10 % of the fastest control of its row.
CALM = 0.10

def calm_below(controls):
    """The slowest a control may run and still be calm: CALM over the fastest of them."""
    return min(controls) * (1 + CALM)

def within(xs, need):
    """Whether xs holds `need` times or more and its median lies within CALM of its
    minimum: fewer are too few to tell."""
    return len(xs) >= need and statistics.median(xs) <= min(xs) * (1 + CALM)

def calm_line(calm, of, need):
    """How many of `of` were calm, and their min/median and spread."""
    few = " (too few to tell)" if len(calm) < need else ""
    return f"{len(calm)} of {len(of)} pushes {fmt(calm, 1)} ms, spread {spread(calm)}{few}"

def run_control():
    """The control: the same binary's `vendors` (it loads all five profiles), some 5 ms
    against a push's 7 to 10, with no network, so its time moves only with the machine's
    pace."""
    return timed([BIN, "vendors"])[0]

def held_in_memory(path):
    """Whether path lies on a file system that keeps its files in memory (tmpfs, ramfs),
    whose pages DONTNEED cannot drop: from the longest mount point above it."""
    path, best, kind = os.path.realpath(path), "", ""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            point, fstype = fields[4], fields[fields.index("-") + 1]
            if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) > len(best):
                best, kind = point, fstype
    return kind in ("tmpfs", "ramfs")

def cold_pushes(d, code):
    """ROUNDS pushes, each after its code was dropped from the page cache: what a push
    costs on a machine that has evicted it. Their seconds and major page faults."""
    pushes = []
    for _ in range(ROUNDS):
        page_cache(code, os.POSIX_FADV_DONTNEED)
        quiet()
        pushes.append(switchlab_push(d))
    return [t for t, _ in pushes], [f for _, f in pushes]

def alone_between_controls(d):
    """switchlab's pushes alone, QUIET apart, with a control before the first and after
    each: the pushes, the controls, and the calm pushes, those whose controls on both
    sides are calm. A push slow of itself (Nagle's delay, a lost wake-up) stays among the
    calm ones, since its controls do not slow with it; a push the machine slowed goes with
    its controls. Takes at least ROUNDS pushes, and more, up to ALONE_MAX, until ROUNDS
    of them are calm."""
    # The first control, too, after the pause each later one has: one run straight after
    # the row's cold pushes ran some 15 % faster than all the others, and no later control
    # came within 10 % of it, so no push counted as calm.
    quiet()
    controls, pushes = [run_control()], []
    while True:
        quiet()
        pushes.append(switchlab_push(d)[0])
        quiet()
        controls.append(run_control())
        floor = calm_below(controls)
        calm = [p for i, p in enumerate(pushes) if max(controls[i], controls[i + 1]) <= floor]
        if len(pushes) >= ROUNDS and (len(calm) >= ROUNDS or len(pushes) >= ALONE_MAX):
            return pushes, controls, calm

if sys.argv[1] == "--peer":
    # A child of the benchmark: one peer's push, its seconds on stdout.
    peer, vendor, port, n = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    push = {"netmiko": netmiko_push, "scrapli": scrapli_push}[peer]
    print(push(vendor, port, n))
    sys.exit(0)

BIN, ROUNDS, SIZES = sys.argv[1], int(sys.argv[2]), [int(s) for s in sys.argv[3].split(",")]
ONLY = sys.argv[4:]
ALONE_MAX = 8 * ROUNDS
# What the page cache holds dirty (a binary just built) cannot be dropped: written first.
os.sync()
# Nor can a file system in memory drop its pages: then the cold pushes are not cold.
BIN_IN_MEMORY = held_in_memory(BIN)
rows = met_turns = met_calm_turns = met_calm = 0
# Rounds in turns are not taken again: half of them calm is enough to tell.
TURNS_CALM = (ROUNDS + 1) // 2
print("all on CPU " + CPU if CPU != "none" else "CPUs as the scheduler places them")
print("min/median in ms; spread: median over min; x: the peer's median over switchlab's")
print(f"{'vendor':17} {'lines':>5} {'switchlab':>9} {'spread':>6} {'netmiko':>11} {'scrapli':>9} {'xnetmiko':>8} {'xscrapli':>8}")
for vendor in VENDORS:
    if ONLY and vendor not in ONLY:
        continue
    sim, port = start_sim(vendor)
    code = code_files(sim.pid)
    try:
        with tempfile.TemporaryDirectory() as d:
            # One untimed push first: the simulator's first session pays for what it sets
            # up once.
            prepare(d, vendor, port, SIZES[0])
            switchlab_push(d)
            for n in SIZES:
                prepare(d, vendor, port, n)
                ours, faults, before, nm, sc = [], [], [], [], []
                for _ in range(ROUNDS):
                    # Untimed, as a peer's import is: its code into the page cache (a
                    # machine may drop file pages left unused for a peer's 12 s), and the
                    # control, which also measures the machine's pace beside the push.
                    page_cache(code, os.POSIX_FADV_WILLNEED)
                    quiet()
                    before.append(run_control())
                    quiet()
                    took, major = switchlab_push(d)
                    ours.append(took)
                    faults.append(major)
                    quiet()
                    nm.append(peer_push("netmiko", vendor, port, n))
                    if VENDORS[vendor][2]:
                        quiet()
                        sc.append(peer_push("scrapli", vendor, port, n))
                m = statistics.median(ours)
                xs = f"{statistics.median(sc) / m:8.1f}" if sc else f"{'-':>8}"
                n = len(lines_for(vendor, n))
                print(f"{vendor:17} {n:5} {fmt(ours, 1):>9} {spread(ours):>6} {fmt(nm, 0):>11} "
                      f"{fmt(sc, 0):>9} {statistics.median(nm) / m:8.1f} {xs}", flush=True)
                disk = [p for p, f in zip(ours, faults) if f]
                rest = [p for p, f in zip(ours, faults) if not f]
                print(f"  in turns, {len(disk)} of {len(ours)} pushes read code back from disk "
                      f"({sum(faults)} major page faults): those {fmt(disk, 1)} ms, "
                      f"the others {fmt(rest, 1)} ms", flush=True)
                if SAMPLES:
                    series("switchlab", ours)
                    print("  major page faults: " + " ".join(str(f) for f in faults), flush=True)
                    series("control before each", before)
                cold, cold_faults = cold_pushes(d, code)
                warm = "; the executable is held in memory, so not a cold start" if BIN_IN_MEMORY else ""
                print(f"  cold, its code dropped from the page cache before each: {fmt(cold, 1)} ms, "
                      f"spread {spread(cold)}, {min(cold_faults)} to {max(cold_faults)} major page "
                      f"faults a push{warm}", flush=True)
                # The spread again, switchlab alone: where a peer's push takes seconds, the
                # rounds in turns span minutes of a shared machine's changing load.
                alone, control, calm = alone_between_controls(d)
                print(f"  alone, {QUIET} s apart: {len(alone)} pushes {fmt(alone, 1)} ms, spread "
                      f"{spread(alone)}; control before and after each {fmt(control, 1)} ms, "
                      f"spread {spread(control)}", flush=True)
                # In turns, a push is calm when the control 0.2 s before it is: within CALM
                # of the row's fastest control in either part.
                floor = calm_below(control + before)
                calm_turns = [p for p, c in zip(ours, before) if c <= floor]
                print(f"  calm: in turns {calm_line(calm_turns, ours, TURNS_CALM)}; alone "
                      f"{calm_line(calm, alone, ROUNDS)}", flush=True)
                met_turns += within(ours, ROUNDS)
                met_calm_turns += within(calm_turns, TURNS_CALM)
                met_calm += within(calm, ROUNDS)
                rows += 1
                if SAMPLES:
                    series("alone", alone)
                    series("control", control)
    finally:
        os.killpg(sim.pid, 15)
print(f"min and median within {CALM:.0%}: in turns {met_turns} of {rows} rows, calm ones "
      f"{met_calm_turns} of {rows}; alone between calm controls {met_calm} of {rows}")
