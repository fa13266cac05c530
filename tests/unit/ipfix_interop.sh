#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPFIX interop: userctl's encoder and UDP exporter against four decoders
# we did not write (Debian packages): ipfixDump (libfixbuf-tools), tshark
# (Wireshark's cflow dissector), nfcapd/nfdump and pmacct's nfacctd. No
# kernel is needed.
#
# ipfix_feed sends synthetic records covering all eight templates, their
# eight twins for dropped flows (with the deciding rule), their eight twins
# for allowed flows that name the rule that allowed them (AllowedFlowRule)
# and the three options templates (the rule table among them), through
# export.c, to four local collectors:
#   127.0.0.1:P4  the UDP listener of tests/lib/ipfix_decoders.py, which
#                 keeps the datagrams (an IPFIX file for ipfixDump, a pcap
#                 for tshark)
#   [::1]:P6      the same listener over IPv6 (the IPv6 transport)
#   127.0.0.1:PN  nfcapd, read back with nfdump
#   127.0.0.1:PA  nfacctd, its print plugin writing JSON lines when it exits
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
command -v nfacctd >/dev/null || need+=(pmacct)
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

PA=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import ipfix_decoders as d
print(d.nfacctd_config("127.0.0.1", sys.argv[2], sys.argv[3]), end="")' \
	"$ROOT/tests/lib" "$PA" "$WORK/nfacctd.json" >"$WORK/nfacctd.conf"
nfacctd -f "$WORK/nfacctd.conf" >"$WORK/nfacctd.log" 2>&1 &
NFACCTD_PID=$!
PIDS+=($NFACCTD_PID)
for _ in $(seq 50); do
	grep -q "waiting for NetFlow/IPFIX data" "$WORK/nfacctd.log" 2>/dev/null && break
	sleep 0.1
done

# --- send --------------------------------------------------------------------
"$WORK/ipfix_feed" 127.0.0.1:"$P4" "[::1]:$P6" 127.0.0.1:"$PN" 127.0.0.1:"$PA" \
	>"$WORK/expected.jsonl" 2>"$WORK/feed.log"
FEED_RC=$?

kill -TERM "$CAP4_PID" "$CAP6_PID" 2>/dev/null
wait "$CAP4_PID" "$CAP6_PID"
sleep 0.5
kill -TERM "$NFCAPD_PID" 2>/dev/null
wait "$NFCAPD_PID" 2>/dev/null
# SIGINT: nfacctd purges its print plugin's cache to the JSON file, then exits.
kill -INT "$NFACCTD_PID" 2>/dev/null
wait "$NFACCTD_PID" 2>/dev/null

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
rules = [e for e in exp if e["type"] == "rule"]

report(feed_rc == 0 and len(flows) > 0, "ipfix_feed sent %d flow records to 4 collectors without error" % len(flows),
       read("feed.log"))
templates = sorted({f["template"] for f in flows})
report(templates == dec.FLOW_TIDS, "the records cover all twenty-four flow templates, 256..263, their dropped"
       " twins 266..273 and their twins naming the allowing rule 275..282", templates)
report(rules and {f["acl_rule"] for f in flows if f["dropped"]} <= {r["rule"] for r in rules}
       and any(f.get("acl_rule") == 0 for f in flows if f["dropped"]),
       "the dropped flows name rules of the rule table (%d rows), the Default (0) among them" % len(rules))
allowed_by = [f for f in flows if not f["dropped"] and "acl_rule" in f]
report(allowed_by and {f["acl_rule"] for f in allowed_by} <= {r["rule"] for r in rules}
       and any(f["acl_rule"] == 0 for f in allowed_by)
       and all(f["template"] in range(275, 283) for f in allowed_by),
       "%d allowed flows name the rule that allowed them (275..282), rules of the rule table, the Default among"
       " them" % len(allowed_by))

FLOW_KEYS = ["src", "dst", "proto", "tos", "sport", "dport", "tcp_flags", "icmp_type",
             "icmp_code", "ingress", "egress", "octets", "packets", "start_ms", "end_ms",
             "end_reason", "direction", "fwd", "firewall_event", "acl_rule"]
# only a dropped flow's record carries these (templates 266..273); an
# allowed flow's naming its rule (275..282) acl_rule alone
DROP_KEYS = ("firewall_event", "acl_rule")

def compare(decoder, got, skip=()):
    """got: list of dicts of decoded flows in stream order."""
    report(len(got) == len(flows), "%s: decodes %d flow records (sent %d)" % (decoder, len(got), len(flows)))
    bad = []
    for i, (e, g) in enumerate(zip(flows, got)):
        for k in FLOW_KEYS:
            if k in skip or (k not in e and k not in DROP_KEYS):
                continue
            if g.get(k) != e.get(k):
                bad.append("record %d (template %d) %s: expected %r, decoded %r" % (i, e["template"], k, e.get(k), g.get(k)))
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
    want_rules = [(e["odid"], e["rule"], e["description"]) for e in rules]
    got_rules = res.options["rules"]
    report(got_rules == want_rules,
           "%s: rule table options records (observationDomainId, rule, Description: %d rows, one of 255 octets)"
           % (decoder, len(want_rules)),
           "expected %r\ndecoded  %r" % (want_rules, got_rules))

# --- ipfixDump ---------------------------------------------------------------
for fam in ("v4", "v6"):
    res = dec.ipfixdump_records(W + "/cap.%s.ipfix" % fam)
    keep("ipfixdump.%s.txt" % fam, res)
    name = "ipfixDump (%s transport)" % ("127.0.0.1" if fam == "v4" else "[::1]")
    report(not res.run_problems, "%s: exit 0, nothing on stderr" % name, "\n".join(res.run_problems))
    missing = [t for t in range(256, 283) if t not in res.templates]
    report(not missing and not res.output_problems,
           "%s: every template and options template announced, no unknown template or error" % name,
           "\n".join(["missing %r" % missing] + res.output_problems))
    compare(name, res.records)
    check_options(name, res)
    want = len(flows) + len(ifnames) + len(rules) + 1
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
            sets.append((sid, sl, data[p + 4:p + sl]))
            p += max(sl, 4)
        out.append({"ver": ver, "len": ln, "seq": seq, "odid": odid, "sets": sets})
        off += max(ln, 16)
    return out

REC_LEN = {256: 59, 257: 83, 258: 57, 259: 81, 260: 53, 261: 77, 262: 55, 263: 79, 264: 60, 265: 40}
REC_LEN.update({t + 10: REC_LEN[t] + 5 for t in range(256, 264)})  # + firewallEvent, rule
REC_LEN.update({t + 19: REC_LEN[t] + 4 for t in range(256, 264)})  # + rule

def rule_records(body):
    """Records in a set of 274: domain, rule, then a variable-length string."""
    n, p = 0, 0
    while p + 9 <= len(body):
        ln, p = body[p + 8], p + 9
        if ln == 255:
            ln, p = struct.unpack("!H", body[p:p + 2])[0], p + 2
        n, p = n + 1, p + ln
    return n
FLOW_ODID = flows[0]["odid"] if flows else None
msgs = messages(W + "/cap.v4.ipfix")
expect_seq, bad = {}, []
for i, m in enumerate(msgs):
    if m["ver"] != 10 or m["len"] > 512:
        bad.append("message %d: version %d length %d" % (i, m["ver"], m["len"]))
    if m["seq"] != expect_seq.get(m["odid"], 0):
        bad.append("message %d (domain %d): sequence %d, expected %d"
                   % (i, m["odid"], m["seq"], expect_seq.get(m["odid"], 0)))
    for sid, sl, body in m["sets"]:
        if sid in REC_LEN:
            expect_seq[m["odid"]] = expect_seq.get(m["odid"], 0) + (sl - 4) // REC_LEN[sid]
        elif sid == dec.RULE_TID:
            expect_seq[m["odid"]] = expect_seq.get(m["odid"], 0) + rule_records(body)
        # RFC 7011 §3.1: Observation Domain 0 for what is no one domain's
        # (the options records); the flows in the configured domain
        if sid >= 256 and m["odid"] != (0 if sid in (264, 265, 274) else FLOW_ODID):
            bad.append("message %d: set %d in domain %d" % (i, sid, m["odid"]))
report(msgs and not bad, "capture: %d messages, each <= MessageSize 512; flow records in domain %s, options in 0;"
       " each domain's sequence numbers count its data records" % (len(msgs), FLOW_ODID),
       "\n".join(bad))

# --- tshark ------------------------------------------------------------------
res = dec.tshark_records(W + "/cap.v4.pcap", P4)
keep("tshark.txt", res)
report(not res.run_problems, "tshark: exit 0, nothing on stderr", "\n".join(res.run_problems))
report(not res.output_problems, "tshark: no malformed packet, no data set without template",
       "\n".join(res.output_problems))
compare("tshark", res.records)
check_options("tshark", res)
# RFC 7270 §4.12 as tshark reads it: forwarded flows make no claim about
# fragmentation (64, "Forwarded, unknown reason"); ACL drops are 129.
bad = ["record %d (%s -> %s, proto %d): %r" % (i, e["src"], e["dst"], e["proto"], g.get("fwd_meaning"))
       for i, (e, g) in enumerate(zip(flows, res.records))
       if g.get("fwd_meaning") != ("Drop / Drop ACL Deny" if e["dropped"] else "Forward / Forwarded (Unknown)")]
report(not bad and len(res.records) == len(flows),
       "tshark: forwardingStatus reads 'Forward / Forwarded (Unknown)' for forwarded flows and "
       "'Drop / Drop ACL Deny' for denied ones (RFC 7270)", "\n".join(bad))
report(res.pens == {dec.PEN},
       "tshark: every enterprise field specifier of the templates names PEN %d" % dec.PEN, res.pens)
udplite = [(e, g) for e, g in zip(flows, res.records) if e["proto"] == 136]
report(udplite and all(g["sport"] == e["sport"] and g["dport"] == e["dport"]
                       and g["tid"] in (258, 259, 268, 269, 277, 278) for e, g in udplite),
       "tshark: UDP-Lite flows carry their ports, in the UDP templates (or their twins) (%d flows)"
       % len(udplite),
       "\n".join("expected %s:%s, decoded %r" % (e["sport"], e["dport"], g) for e, g in udplite))

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
compare("nfdump", nflows, skip=("fwd",) + DROP_KEYS)
print("# nfdump 1.7.1 does not store IPFIX forwardingStatus (IE 89) at any length: 'fwd status' is always 0;"
      " forwarding status is checked with ipfixDump and tshark")
if icmp_tos_missing:
    print("# nfdump -o raw prints no ToS for ICMP flows (%d records)" % len(icmp_tos_missing))

# nfdump 1.7 counts the flow records of a domain only, and reports every
# other data record in it as a sequence failure: with the options records in
# domain 0 (RFC 7011 §3.1), a clean run shows none.
sf = res.stats.get("sequence_failures")
report(sf == 0 and not res.output_problems,
       "nfdump: 0 sequence failures on a clean run (nfdump -I says %s)" % ("?" if sf is None else sf),
       "\n".join(["%r" % res.stats] + res.output_problems))
want_if = sorted((e["ifindex"], e["name"]) for e in ifnames)
report(res.options["ifnames"] == want_if,
       "nfdump: names the flows' interfaces from the interface options records (%%inam/%%onam) %s" % want_if,
       "nfdump shows %r" % res.options["ifnames"])
report(res.stats.get("flows") == len(flows), "nfdump: stat record counts %d flows" % len(flows), res.stats)
nlog = dec.nfcapd_log_problems(read("nfcapd.log"))
report(not nlog, "nfcapd: no error, no unknown template, no bad packet", "\n".join(nlog))

# --- nfacctd (pmacct) ----------------------------------------------------------
res = dec.nfacctd_records(W + "/nfacctd.json")
keep("nfacctd.txt", res)
alog = dec.nfacctd_log_problems(read("nfacctd.log"))
report(not alog and not res.problems,
       "nfacctd: no error, malformed template or bad packet in its log; its output parses",
       "\n".join(alog + res.problems))
# nfacctd writes its cache, not the stream, in order: match records by
# addresses and start time (unique in this feed), then compare every field
# it keeps.
NFACCTD_SKIP = dec.NFACCTD_SKIP
def key(d):
    return (d["src"], d["dst"], d["start_ms"])
got_by = {key(g): g for g in res.records}
missing = [e for e in flows if key(e) not in got_by]
report(len(res.records) == len(flows) and not missing,
       "nfacctd: decodes %d flow records (sent %d)" % (len(res.records), len(flows)),
       "\n".join("missing: %s -> %s (template %d)" % (e["src"], e["dst"], e["template"]) for e in missing))
bad = []
for i, e in enumerate(flows):
    g = got_by.get(key(e))
    for k in FLOW_KEYS:
        if g is None or k in NFACCTD_SKIP or k not in e:
            continue
        if g.get(k) != e[k]:
            bad.append("record %d (template %d) %s: expected %r, decoded %r" % (i, e["template"], k, e[k], g.get(k)))
report(res.records and not bad and not missing,
       "nfacctd: every field it keeps round-trips (%s)" % ", ".join(k for k in FLOW_KEYS if k not in NFACCTD_SKIP),
       "\n".join(bad))
bad = ["record %s -> %s: ODID %r" % (g["src"], g["dst"], g.get("odid")) for g in res.records
       if g.get("odid") != FLOW_ODID]
report(res.records and not bad, "nfacctd: every record's Observation Domain ID (export_proto_sysid) is %s"
       % FLOW_ODID, "\n".join(bad))
print("# nfacctd 1.7.7 keeps no flowDirection, flowEndReason, ICMP type/code or forwardingStatus"
      " (no such primitive), and reads tcpControlBits only when it is 1 octet long (we send RFC 7125's 2,"
      " with the NS bit): tcpflags is always 0")

print("interop: %d passed, %d failed" % (n - failed, failed))
sys.exit(1 if failed else 0)
PY

python3 "$WORK/check.py" "$WORK" "$FEED_RC" "$ROOT/tests/lib" "$P4"
