#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPFIX interop: userctl's encoder and UDP exporter against three decoders
# we did not write (Debian packages): ipfixDump (libfixbuf-tools), tshark
# (Wireshark's cflow dissector) and nfcapd/nfdump. No kernel is needed.
#
# ipfix_feed sends synthetic records covering all eight templates and both
# options templates, through export.c, to three local collectors:
#   127.0.0.1:P4  the UDP listener of tests/lib/ipfix_decoders.py, which
#                 keeps the datagrams (an IPFIX file for ipfixDump, a pcap
#                 for tshark)
#   [::1]:P6      the same listener over IPv6 (the IPv6 transport)
#   127.0.0.1:PN  nfcapd, read back with nfdump
# The decoders are run and their output parsed by tests/lib/ipfix_decoders.py
# (shared with tests/e2e/flowcheck.py). Every field of every record each
# decoder reports is compared with what ipfix_feed says it sent. Only
# loopback addresses are ever used.
#
# Output is TAP-like: "ok N - ..." / "not ok N - ...", then
# "interop: N passed, N failed"; the exit status is non-zero on failure.
#
# ipfix_feed is built by tests/unit/Makefile (make -C tests/unit build/ipfix_feed).
# Environment:
# KEEP=1 to keep the work directory.

set -u
export TZ=UTC LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/ipfix_interop.XXXXXX)
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

die() {
	echo "not ok 1 - $*"
	echo "interop: 0 passed, 1 failed"
	exit 1
}

# --- tools -------------------------------------------------------------------
need=()
command -v ipfixDump >/dev/null || need+=(libfixbuf-tools)
command -v tshark >/dev/null || need+=(tshark)
command -v nfcapd >/dev/null && command -v nfdump >/dev/null || need+=(nfdump)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
	echo "# installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >"$WORK/apt.log" 2>&1 ||
		die "could not install ${need[*]} (see apt-get output)"
fi

# --- build -------------------------------------------------------------------
make -s -C "$ROOT/tests/unit" build/ipfix_feed >"$WORK/make.log" 2>&1 ||
	{ cat "$WORK/make.log" >&2; die "building ipfix_feed failed"; }
cp "$ROOT/tests/unit/build/ipfix_feed" "$WORK/ipfix_feed"

# --- capture -----------------------------------------------------------------
# tests/lib/ipfix_decoders.py keeps every datagram until SIGTERM:
# cap.v4.ipfix / cap.v6.ipfix (concatenated IPFIX messages, the IPFIX file
# format ipfixDump reads) and cap.v4.pcap (for tshark).
DEC=$ROOT/tests/lib/ipfix_decoders.py
python3 "$DEC" listen 127.0.0.1 0 "$WORK/cap.v4" >/dev/null 2>"$WORK/capture.v4.log" &
CAP4_PID=$!
PIDS+=("$CAP4_PID")
python3 "$DEC" listen ::1 0 "$WORK/cap.v6" >/dev/null 2>"$WORK/capture.v6.log" &
CAP6_PID=$!
PIDS+=("$CAP6_PID")
for _ in $(seq 50); do
	[ -s "$WORK/cap.v4.ready" ] && [ -s "$WORK/cap.v6.ready" ] && break
	sleep 0.1
done
{ read -r P4 <"$WORK/cap.v4.ready" && read -r P6 <"$WORK/cap.v6.ready"; } ||
	die "the capture listener did not start"

PN=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/nfcapd"
nfcapd -b 127.0.0.1 -p "$PN" -w "$WORK/nfcapd" >"$WORK/nfcapd.log" 2>&1 &
NFCAPD_PID=$!
PIDS+=($NFCAPD_PID)
for _ in $(seq 50); do
	grep -q "Startup" "$WORK/nfcapd.log" 2>/dev/null && break
	sleep 0.1
done
sleep 0.2

# --- send --------------------------------------------------------------------
"$WORK/ipfix_feed" 127.0.0.1:"$P4" "[::1]:$P6" 127.0.0.1:"$PN" \
	>"$WORK/expected.jsonl" 2>"$WORK/feed.log"
FEED_RC=$?

kill -TERM "$CAP4_PID" "$CAP6_PID" 2>/dev/null
wait "$CAP4_PID" "$CAP6_PID"
sleep 0.5
kill -TERM "$NFCAPD_PID" 2>/dev/null
wait "$NFCAPD_PID" 2>/dev/null

# --- compare -----------------------------------------------------------------
cat >"$WORK/check.py" <<'PY'
import json, re, struct, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[3])
import ipfix_decoders as dec

W = sys.argv[1]
feed_rc = int(sys.argv[2])
P4 = int(sys.argv[4])
n = 0
failed = 0

def report(ok, what, detail=""):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (n, what))
    if not ok and detail:
        for line in str(detail).splitlines()[:20]:
            print("#   " + line)

def read(name):
    try:
        with open(W + "/" + name, errors="replace") as f:
            return f.read()
    except OSError:
        return ""

def keep(name, res):
    # the decoder's output, for KEEP=1
    with open(W + "/" + name, "w") as f:
        f.write(res.text)
    with open(W + "/" + name + ".problems", "w") as f:
        f.write("\n".join(res.problems))

exp = [json.loads(l) for l in read("expected.jsonl").splitlines() if l.strip()]
flows = [e for e in exp if e["type"] == "flow"]
ifnames = [e for e in exp if e["type"] == "ifname"]
rel = [e for e in exp if e["type"] == "reliability"][0] if exp else {}

report(feed_rc == 0 and len(flows) > 0, "ipfix_feed sent %d flow records to 3 collectors without error" % len(flows),
       read("feed.log"))
templates = sorted({f["template"] for f in flows})
report(templates == list(range(256, 264)), "the records cover all eight templates 256..263", templates)

FLOW_KEYS = ["src", "dst", "proto", "tos", "sport", "dport", "tcp_flags", "icmp_type",
             "icmp_code", "ingress", "egress", "octets", "packets", "start_ms", "end_ms",
             "end_reason", "direction", "fwd"]

def compare(decoder, got, skip=()):
    """got: list of dicts of decoded flows in stream order."""
    report(len(got) == len(flows), "%s: decodes %d flow records (sent %d)" % (decoder, len(got), len(flows)))
    bad = []
    for i, (e, g) in enumerate(zip(flows, got)):
        for k in FLOW_KEYS:
            if k in skip or k not in e:
                continue
            if g.get(k) != e[k]:
                bad.append("record %d (template %d) %s: expected %r, decoded %r" % (i, e["template"], k, e[k], g.get(k)))
    checked = [k for k in FLOW_KEYS if k not in skip]
    report(not bad and len(got) == len(flows),
           "%s: every field round-trips (%s)" % (decoder, ", ".join(checked)), "\n".join(bad))

def check_options(decoder, res):
    got_ifnames = res.options["ifnames"]
    r = res.options["reliability"]
    got_rel = [r[-1][k] for k in dec.REL_KEYS] if r else None
    want_if = [(e["ifindex"], e["name"]) for e in ifnames]
    report(sorted(set(got_ifnames)) == sorted(want_if),
           "%s: interface-name options records (ingressInterface, interfaceName) %s" % (decoder, want_if),
           "decoded %r" % (got_ifnames,))
    want_rel = [rel["process_id"], rel["not_sent_flows"], rel["not_sent_packets"], rel["not_sent_octets"],
                rel["first_ms"], rel["last_ms"], rel["messages"], rel["records"]]
    report(got_rel == want_rel,
           "%s: reliability statistics options record (exportingProcessId, notSent*, observationTime x2, exported*)" % decoder,
           "expected %r, decoded %r" % (want_rel, got_rel))

# --- ipfixDump ---------------------------------------------------------------
for fam in ("v4", "v6"):
    res = dec.ipfixdump_records(W + "/cap.%s.ipfix" % fam)
    keep("ipfixdump.%s.txt" % fam, res)
    name = "ipfixDump (%s transport)" % ("127.0.0.1" if fam == "v4" else "[::1]")
    report(not res.run_problems, "%s: exit 0, nothing on stderr" % name, "\n".join(res.run_problems))
    missing = [t for t in range(256, 266) if t not in res.templates]
    report(not missing and not res.output_problems,
           "%s: every template and options template announced, no unknown template or error" % name,
           "\n".join(["missing %r" % missing] + res.output_problems))
    compare(name, res.records)
    check_options(name, res)
    want = len(flows) + len(ifnames) + 1
    report(res.stats.get("data_records") == want,
           "%s: %d data records in all (flows + options), none lost or duplicated" % (name, want),
           res.stats or "no File Stats line")

# --- the raw stream itself: sizes and sequence numbers ---------------------------
def messages(path):
    try:
        data = open(path, "rb").read()
    except OSError:
        return []
    out, off = [], 0
    while off + 16 <= len(data):
        ver, ln, t, seq, odid = struct.unpack("!HHIII", data[off:off + 16])
        sets, p = [], off + 16
        while p + 4 <= off + ln:
            sid, sl = struct.unpack("!HH", data[p:p + 4])
            sets.append((sid, sl))
            p += max(sl, 4)
        out.append({"ver": ver, "len": ln, "seq": seq, "sets": sets})
        off += max(ln, 16)
    return out

REC_LEN = {256: 59, 257: 83, 258: 57, 259: 81, 260: 53, 261: 77, 262: 55, 263: 79, 264: 60}
msgs = messages(W + "/cap.v4.ipfix")
expect_seq, bad = 0, []
for i, m in enumerate(msgs):
    if m["ver"] != 10 or m["len"] > 512:
        bad.append("message %d: version %d length %d" % (i, m["ver"], m["len"]))
    if m["seq"] != expect_seq:
        bad.append("message %d: sequence %d, expected %d" % (i, m["seq"], expect_seq))
    for sid, sl in m["sets"]:
        if sid in REC_LEN:
            expect_seq += (sl - 4) // REC_LEN[sid]
        elif sid == 265:
            expect_seq += 1     # one interface per set in this feed (learnt one by one)
report(msgs and not bad, "capture: %d messages, each <= MessageSize 512, sequence numbers count all data records" % len(msgs),
       "\n".join(bad))

# --- tshark ------------------------------------------------------------------
res = dec.tshark_records(W + "/cap.v4.pcap", P4)
keep("tshark.txt", res)
report(not res.run_problems, "tshark: exit 0, nothing on stderr", "\n".join(res.run_problems))
report(not res.output_problems, "tshark: no malformed packet, no data set without template",
       "\n".join(res.output_problems))
compare("tshark", res.records)
check_options("tshark", res)

# --- nfdump ------------------------------------------------------------------
res = dec.nfdump_records(W + "/nfcapd")
keep("nfdump.txt", res)
report(not res.run_problems, "nfdump: reads nfcapd's file, exit 0, nothing on stderr",
       "\n".join(res.run_problems))
nflows = res.records
icmp_tos_missing = [i for i, e in enumerate(flows)
                    if "icmp_type" in e and i < len(nflows) and nflows[i]["tos"] is None]
for i in icmp_tos_missing:
    nflows[i]["tos"] = flows[i]["tos"]   # not printed by nfdump -o raw for ICMP
compare("nfdump", nflows, skip=("fwd",))
print("# nfdump 1.7.1 does not store IPFIX forwardingStatus (IE 89) at any length: 'fwd status' is always 0;"
      " forwarding status is checked with ipfixDump and tshark")
if icmp_tos_missing:
    print("# nfdump -o raw prints no ToS for ICMP flows (%d records)" % len(icmp_tos_missing))

# nfdump counts sequence numbers over flow data records only (RFC 7011 counts
# options data records too): simulate its rule on the same stream and expect
# exactly the "failures" that rule produces, no more.
sim, nexp, data_seen = 0, None, False
for msg in msgs:
    if nexp is not None and msg["seq"] != nexp and data_seen:
        sim += 1
    if nexp is None or msg["seq"] != nexp:
        nexp = msg["seq"]
    for sid, sl in msg["sets"]:
        if 256 <= sid <= 263:
            nexp += (sl - 4) // REC_LEN[sid]
            data_seen = True
sf = res.stats.get("sequence_failures")
report(sf == sim and not res.output_problems,
       "nfdump: sequence failures (%s) are exactly those of its flow-records-only counting (%d)" %
       ("?" if sf is None else sf, sim), "\n".join(["%r" % res.stats] + res.output_problems))
report(res.stats.get("flows") == len(flows), "nfdump: stat record counts %d flows" % len(flows), res.stats)
nlog = dec.nfcapd_log_problems(read("nfcapd.log"))
report(not nlog, "nfcapd: no error, no unknown template, no bad packet", "\n".join(nlog))

print("interop: %d passed, %d failed" % (n - failed, failed))
sys.exit(1 if failed else 0)
PY

python3 "$WORK/check.py" "$WORK" "$FEED_RC" "$ROOT/tests/lib" "$P4"
