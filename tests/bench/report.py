#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/bench/report.py [--icount] RAW...: tables (Markdown) from guest.sh's raw lines.

--icount: the guest's clock counted instructions (run.sh's default, QEMU -icount
shift=0: one ns per instruction), and the tables say "instr" for "ns".

Per-packet cost of a run = elapsed time / packets (pktgen's own usec for RX, the
sender's wall time for TX). For every (kernel, direction, flows, phase) the
configurations are compared with (a) run by run: round r of configuration X is
divided by round r of (a), which ran minutes earlier in the same boot, so slow
drifts of the host cancel. Reported: ns/packet of (a), then for each
configuration its throughput ratio to (a) (pps_X / pps_a = cost_a / cost_X:
1.00 means no cost, 0.90 means 10% fewer packets per second) and the added ns
per packet (cost_X - cost_a), each as median [min..max] over the rounds.

With EIPFIX_BENCH_PROFILE=1 (PROF lines), also where each configuration's added
time goes: a function's ns/packet in a run = its share of CPU 0's busy samples x
the run's ns/packet; per configuration the median over rounds, minus (a)'s.
"""
import re
import statistics
import sys
from collections import defaultdict

CFG_NAMES = {
    "a": "(a) no module",
    "b": "(b) loaded, disabled",
    "c": "(c) metering",
    "c0": "(c0) metering, base revision (EIPFIX_BENCH_BASE)",
    "d100": "(d) metering + 100 ACL rules",
    "d10k": "(d) metering + 10,000 ACL rules",
    "e": "(e) ipt_NETFLOW",
    "k": "(k) metering + kernel conntrack",
}
ORDER = ["a", "b", "c0", "c", "d100", "d10k", "k", "e"]
# (b) registers no hook: its true ratio is 1.00. A table resolves the targets when
# (b)'s median is within NOISE of it over at least MIN_ROUNDS alternations.
NOISE = 0.05
MIN_ROUNDS = 5


def kv(line):
    return dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line))


def mmm(xs, fmt):
    if not xs:
        return "-"
    return "%s [%s..%s]" % (fmt % statistics.median(xs), fmt % min(xs), fmt % max(xs))


def noise_verdict(r, base):
    """Whether this table resolves differences of NOISE (see NOISE)."""
    ratio = [base[rnd] / ns for (c, rnd), ns in r.items() if c == "b" and rnd in base]
    if not ratio:
        return "Noise: no (b) runs in this table, not judged."
    med = statistics.median(ratio)
    met = abs(med - 1.0) <= NOISE and len(ratio) >= MIN_ROUNDS
    return "Noise: (b) median %.3f [%.3f..%.3f] over %d rounds: criterion (median within +-%d%% of 1.00, >= %d rounds) %s." % (
        med, min(ratio), max(ratio), len(ratio), NOISE * 100, MIN_ROUNDS, "met" if met else "NOT met")


# What the guest's clock counted: ns of host time, or instructions (--icount).
UNIT = "ns"
# Functions shown per configuration in the profile tables.
PROF_TOP = 12


# The idle loop: CPU 0 waiting while pktgen is set up and torn down.
IDLE = re.compile(r"safe_halt|default_idle|cpuidle|mwait_idle|acpi_idle")


def prof_ns(d):
    """{function: ns/packet} of one PROF line: its share of CPU 0's busy samples
    (the idle loop left out) x the run's ns/packet."""
    counts = {}
    for item in d["syms"].split(","):
        sym, _, n = item.rpartition(":")
        if sym:
            counts[sym] = int(n)
    busy = int(d["samples"]) - sum(n for s, n in counts.items() if IDLE.search(s))
    ns = int(d["usec"]) * 1000.0 / int(d["pkts"])
    return {s: n / busy * ns for s, n in counts.items() if busy > 0 and not IDLE.search(s)}


def prof_tables(profs):
    """profs: (kernel, flows) -> cfg -> [{function: ns/packet}, one per round]."""
    med = lambda runs, sym: statistics.median(r.get(sym, 0.0) for r in runs)
    for (kernel, flows), by_cfg in sorted(profs.items()):
        base = by_cfg.get("a")
        if not base:
            continue
        print("\n### where the added time goes: receive path, kernel %s, %s flow%s\n" % (
            kernel, "{:,}".format(flows), "" if flows == 1 else "s"))
        print(UNIT + "/packet of CPU 0 by function, median over rounds, minus (a)'s; "
              "functions with the most added time first (module: every eipfix_ function).\n")
        print("| configuration | added %s/packet: module | top functions (added %s/packet) |" % (UNIT, UNIT))
        print("|---|---|---|")
        for cfg in ORDER[1:]:
            runs = by_cfg.get(cfg)
            if not runs:
                continue
            syms = set().union(*runs, *base)
            added = {s: med(runs, s) - med(base, s) for s in syms}
            module = sum(v for s, v in added.items() if s.startswith("eipfix_"))
            top = sorted(added.items(), key=lambda kv: -abs(kv[1]))[:PROF_TOP]
            print("| %s (%d rounds) | %+.0f | %s |" % (
                CFG_NAMES.get(cfg, cfg), len(runs), module,
                ", ".join("%s %+.0f" % kv for kv in top)))


def main():
    runs = defaultdict(dict)  # (kernel, dir, flows, phase) -> {(cfg, round): ns}
    profs = defaultdict(lambda: defaultdict(list))
    other = []
    global UNIT
    paths = sys.argv[1:]
    if paths[:1] == ["--icount"]:
        UNIT, paths = "instr", paths[1:]
    for path in paths:
        for line in open(path):
            line = line.strip()
            tag = line.split(" ", 1)[0]
            d = kv(line)
            if tag == "RX" and d.get("usec") and d.get("pkts") and int(d["pkts"]):
                ns = int(d["usec"]) * 1000.0 / int(d["pkts"])
                runs[(d["kernel"], "receive", int(d["flows"]), d["phase"])][(d["cfg"], d["round"])] = ns
            elif tag == "TX" and d.get("nsec") and int(d.get("pkts", 0)):
                ns = int(d["nsec"]) / int(d["pkts"])
                runs[(d["kernel"], "send", int(d["flows"]), "steady")][(d["cfg"], d["round"])] = ns
            elif tag == "PROF" and d.get("syms") and int(d.get("pkts") or 0):
                profs[(d["kernel"], int(d["flows"]))][d["cfg"]].append(prof_ns(d))
            elif tag in ("INFO", "SLAB", "SCAN", "TICK", "TICKRX", "TICKSTATUS", "TICKDRAIN", "AGENTCPU", "SINK", "STATUS", "ERROR"):
                other.append(line)
    for key in sorted(runs, key=lambda k: (k[0], k[1], k[3] != "steady", k[2])):
        kernel, direction, flows, phase = key
        r = runs[key]
        base = {rnd: ns for (cfg, rnd), ns in r.items() if cfg == "a"}
        print("\n### %s path, kernel %s, %s flow%s, %s\n" % (
            direction, kernel, "{:,}".format(flows), "" if flows == 1 else "s",
            "steady state (flows already in the table)" if phase == "steady" else
            "first pass (warm-up run that creates the flows: max(flows, 20,000) packets)"))
        print("| configuration | %s/packet | ratio to (a) | added %s/packet | rounds |" % (UNIT, UNIT))
        print("|---|---|---|---|---|")
        for cfg in ORDER:
            mine = {rnd: ns for (c, rnd), ns in r.items() if c == cfg}
            if not mine:
                continue
            pairs = [(ns, base[rnd]) for rnd, ns in mine.items() if rnd in base]
            ratio = [b / ns for ns, b in pairs]
            added = [ns - b for ns, b in pairs]
            print("| %s | %s | %s | %s | %d |" % (
                CFG_NAMES.get(cfg, cfg), mmm(list(mine.values()), "%.0f"),
                "1" if cfg == "a" else mmm(ratio, "%.3f"),
                "0" if cfg == "a" else mmm(added, "%+.0f"), len(mine)))
        print("\n" + noise_verdict(r, base))
    prof_tables(profs)
    if other:
        print("\n### other measurements (raw)\n")
        print("```")
        for line in other:
            print(line if len(line) < 2000 else line[:2000] + " ...")
        print("```")


if __name__ == "__main__":
    main()
