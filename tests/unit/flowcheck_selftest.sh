#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of tests/e2e/flowcheck.py without a kernel: a synthetic capture
# (IPv4/IPv6 TCP, UDP, ICMP between 100.64.0.1/2001:db8::1 and the peer
# 100.64.0.2/2001:db8::2, plus neighbour discovery and off-net traffic that
# must be ignored) and IPFIX records built to match it, sent by ipfix_feed
# --records through userctl's exporter to the listener of
# tests/lib/ipfix_decoders.py, to nfcapd and to nfacctd on 127.0.0.1.
# flowcheck.py must pass on the matching records (with all four decoders:
# ipfixDump, tshark, nfdump, nfacctd) and fail when one record's packet count
# is off by one, when one record has the wrong direction, when a TCP flag is
# missing, and when the capture holds no test flow (each decoder that keeps
# the field naming the flow); and fail on nfacctd's own output alone when a
# record of its JSON is changed or missing, or its log shows an error. Only
# 127.0.0.1 is used.
#
# Output: "ok N - ..." / "not ok N - ...", then "flowcheck: N passed, N
# failed"; the exit status is non-zero on failure.
#
# ipfix_feed is built by tests/unit/Makefile (make -C tests/unit build/ipfix_feed).
# Environment:
# KEEP=1 to keep the work directory.

set -u
export TZ=UTC LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEC=$ROOT/tests/lib/ipfix_decoders.py
FLOWCHECK=$ROOT/tests/e2e/flowcheck.py
WORK=$(mktemp -d /tmp/flowcheck_selftest.XXXXXX)
PIDS=()
N=0
FAILED=0

# shellcheck disable=SC2317
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

report() { # OK(0/1) DESCRIPTION [DETAIL FILE]
	N=$((N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $N - $2"
	else
		FAILED=$((FAILED + 1))
		echo "not ok $N - $2"
		[ -n "${3:-}" ] && [ -f "$3" ] && sed -n '1,40s/^/#   /p' "$3"
	fi
}

finish() {
	echo "flowcheck: $((N - FAILED)) passed, $FAILED failed"
	[ "$FAILED" = 0 ]
	exit
}

die() {
	report 1 "$*"
	finish
}

# --- tools and build ---------------------------------------------------------
need=()
command -v ipfixDump >/dev/null || need+=(libfixbuf-tools)
command -v tshark >/dev/null || need+=(tshark)
command -v nfcapd >/dev/null && command -v nfdump >/dev/null || need+=(nfdump)
command -v nfacctd >/dev/null || need+=(pmacct)
if [ ${#need[@]} -gt 0 ]; then
	echo "# installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >"$WORK/apt.log" 2>&1 ||
		die "could not install ${need[*]} (see apt-get output)"
fi

make -s -C "$ROOT/tests/unit" build/ipfix_feed >"$WORK/make.log" 2>&1 ||
	{ cat "$WORK/make.log" >&2; die "building ipfix_feed failed"; }
cp "$ROOT/tests/unit/build/ipfix_feed" "$WORK/ipfix_feed"

# --- the synthetic capture and the records that match it ----------------------
cat >"$WORK/gen.py" <<'PY'
# Write W/capture.pcap (LINKTYPE_RAW), W/empty.pcap (off-net and neighbour
# discovery only) and ipfix_feed --records files: W/good.rec (matches the
# capture; one TCP flow split into an interim and a final record with its
# flags spread over both; two datagrams that crossed as fragments) and the broken
# variants W/packets.rec, W/direction.rec, W/flags.rec, W/whole.rec.
import socket, struct, sys
W = sys.argv[1]
A4, P4 = "100.64.0.1", "100.64.0.2"          # P4, P6: the peer
A6, P6 = "2001:db8::1", "2001:db8::2"

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip_packet(src, dst, proto, l4, tos=0):
    """l4 with a zero checksum at the usual offset; fills it in."""
    off = {6: 16, 17: 6, 1: 2, 58: 2}[proto]
    if ":" in src:
        s, d = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
        pseudo = s + d + struct.pack("!IxxxB", len(l4), proto)
    else:
        s, d = socket.inet_aton(src), socket.inet_aton(dst)
        pseudo = s + d + struct.pack("!xBH", proto, len(l4))
    c = csum((b"" if proto == 1 else pseudo) + l4)
    l4 = l4[:off] + struct.pack("!H", c) + l4[off + 2:]
    if ":" in src:
        return struct.pack("!IHBB", 6 << 28 | tos << 20, len(l4), proto, 64) + s + d + l4
    h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(l4), 1, 0x4000, 64, proto, 0, s, d)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + l4

def tcp(src, dst, sp, dp, flags, payload=b""):
    return ip_packet(src, dst, 6, struct.pack("!HHIIBBHHH", sp, dp, 1000, 2000, 5 << 4, flags,
                                                65535, 0, 0) + payload)

def udp(src, dst, sp, dp, payload):
    return ip_packet(src, dst, 17, struct.pack("!HHHH", sp, dp, 8 + len(payload), 0) + payload)

def icmp(src, dst, t, c, payload=b"ping" * 8):
    proto = 58 if ":" in src else 1
    return ip_packet(src, dst, proto, struct.pack("!BBHHH", t, c, 0, 77, 1) + payload)

S, A, P, F = 0x02, 0x10, 0x08, 0x01
pkts = [
    tcp(A4, P4, 40000, 80, S), tcp(P4, A4, 80, 40000, S | A), tcp(A4, P4, 40000, 80, A),
    tcp(A4, P4, 40000, 80, P | A, b"GET / HTTP/1.0\r\n\r\n"),
    tcp(P4, A4, 80, 40000, P | A, b"x" * 300), tcp(P4, A4, 80, 40000, F | A),
    tcp(A4, P4, 40000, 80, F | A), tcp(P4, A4, 80, 40000, A),
    udp(A4, P4, 5353, 53, b"q" * 30), udp(P4, A4, 53, 5353, b"r" * 120),
    udp(A4, P4, 5353, 53, b"q" * 31),
    icmp(A4, P4, 8, 0), icmp(P4, A4, 0, 0), icmp(P4, A4, 3, 3, b"\0" * 28),
    tcp(P6, A6, 50000, 22, S), tcp(A6, P6, 22, 50000, S | A), tcp(P6, A6, 50000, 22, A),
    tcp(P6, A6, 50000, 22, P | A, b"ssh" * 10), tcp(P6, A6, 50000, 22, 0x04),
    udp(A6, P6, 4000, 4001, b"u" * 1000), udp(P6, A6, 4001, 4000, b"v" * 10),
    icmp(A6, P6, 128, 0), icmp(P6, A6, 129, 0),
]
def frag4(src, dst, sp, dp, payload, ident, mtu=1420):
    """A UDP datagram cut as the IPv4 stack cuts it for @mtu."""
    l4 = udp(src, dst, sp, dp, payload)[20:]
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    chunk, out = (mtu - 20) & ~7, []
    for off in range(0, len(l4), chunk):
        part = l4[off:off + chunk]
        mf = 0x2000 if off + chunk < len(l4) else 0
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(part), ident, mf | off // 8, 64, 17,
                        0, s, d)
        out.append(h[:10] + struct.pack("!H", csum(h)) + h[12:] + part)
    return out

def frag6(src, dst, sp, dp, payload, ident, mtu=1420):
    """The same for IPv6: each fragment the fixed header and a fragment header."""
    l4 = udp(src, dst, sp, dp, payload)[40:]
    s, d = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
    chunk, out = (mtu - 48) & ~7, []
    for off in range(0, len(l4), chunk):
        part = l4[off:off + chunk]
        more = 1 if off + chunk < len(l4) else 0
        fh = struct.pack("!BBHI", 17, 0, off | more, ident)
        out.append(struct.pack("!IHBB", 6 << 28, 8 + len(part), 44, 64) + s + d + fh + part)
    return out

# Datagrams that crossed as fragments: one flow each (their ports), every fragment
# a packet of it.
fragmented = [
    (A4, P4, 6000, 6001, frag4(A4, P4, 6000, 6001, b"f" * 4000, 0x1234)),
    (P6, A6, 6002, 6003, frag6(P6, A6, 6002, 6003, b"g" * 4000, 0x5678)),
]
noise = [
    icmp(A6, "ff02::1:ff00:2", 135, 0, b"\0" * 20),     # neighbour solicitation
    icmp(P6, A6, 136, 0, b"\0" * 20),                    # neighbour advertisement
    udp("198.51.100.1", "198.51.100.2", 1, 2, b"off-net"),
]

def write_pcap(path, packets):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
        for i, p in enumerate(packets):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p)

write_pcap(W + "/capture.pcap",
           pkts[:3] + noise + pkts[3:] + [f for fr in fragmented for f in fr[4]])
write_pcap(W + "/empty.pcap", noise)

# the flows, as the exporter would see them
flows = {}
order = []
for p in pkts:
    if p[0] >> 4 == 6:
        src = socket.inet_ntop(socket.AF_INET6, p[8:24]); dst = socket.inet_ntop(socket.AF_INET6, p[24:40])
        proto, l4, octets = p[6], p[40:], len(p)
    else:
        src, dst = socket.inet_ntoa(p[12:16]), socket.inet_ntoa(p[16:20])
        proto, l4, octets = p[9], p[20:], len(p)
    if proto in (6, 17):
        sp, dp = struct.unpack("!HH", l4[:4])
        k = (src, dst, proto, "sport=%d dport=%d" % (sp, dp))
    else:
        k = (src, dst, proto, "type=%d code=%d" % (l4[0], l4[1]))
    if k not in flows:
        flows[k] = {"packets": 0, "octets": 0, "flags": [], "sizes": []}
        order.append(k)
    f = flows[k]
    f["packets"] += 1
    f["octets"] += octets
    f["sizes"].append(octets)
    if proto == 6:
        f["flags"].append(l4[13])

for src, dst, sp, dp, frags in fragmented:
    k = (src, dst, 17, "sport=%d dport=%d" % (sp, dp))
    flows[k] = {"packets": len(frags), "octets": sum(map(len, frags)), "flags": [],
                "sizes": [len(f) for f in frags]}
    order.append(k)

def records(mutate=None):
    lines = []
    for i, k in enumerate(order):
        src, dst, proto, ports = k
        f = flows[k]
        d = "in" if src in (P4, P6) else "out"
        base = "src=%s dst=%s proto=%d %s dir=%s" % (src, dst, proto, ports, d)
        if i == 0:      # an interim record, then the final one
            n = 2
            fl1 = fl2 = 0
            for x in f["flags"][:n]:
                fl1 |= x
            for x in f["flags"][n:]:
                fl2 |= x
            o1 = sum(f["sizes"][:n])
            recs = [dict(base=base, packets=n, octets=o1, flags=fl1, reason=2),
                    dict(base=base, packets=f["packets"] - n, octets=f["octets"] - o1,
                         flags=fl2, reason=3)]
        else:
            fl = 0
            for x in f["flags"]:
                fl |= x
            recs = [dict(base=base, packets=f["packets"], octets=f["octets"], flags=fl, reason=1)]
        for r in recs:
            if mutate:
                mutate(i, k, r)
            lines.append("%s packets=%d octets=%d%s reason=%d" % (
                r["base"], r["packets"], r["octets"],
                " flags=0x%02x" % r["flags"] if proto == 6 else "", r["reason"]))
    lines.append("src=198.51.100.7 dst=198.51.100.8 proto=17 sport=9 dport=9 packets=5 octets=500")
    return "\n".join(lines) + "\n"

def packets(i, k, r):       # the IPv6 UDP flow from the peer: one packet too many
    if k[0] == P6 and k[2] == 17:
        r["packets"] += 1

def direction(i, k, r):     # the IPv4 ICMP echo request reported as received
    if k[2] == 1 and k[3] == "type=8 code=0":
        r["base"] = r["base"].replace("dir=out", "dir=in")

def flags(i, k, r):         # the final record of the first TCP flow lost its FIN
    if i == 0 and r["reason"] == 3:
        r["flags"] &= ~F

def whole(i, k, r):         # the fragmented IPv4 datagram counted as one packet
    if k[3] == "sport=6000 dport=6001":
        r["packets"] = 1

for name, m in (("good", None), ("packets", packets), ("direction", direction), ("flags", flags),
                ("whole", whole)):
    with open("%s/%s.rec" % (W, name), "w") as f:
        f.write(records(m))
# the flows nfacctd can tell apart: no ICMP type/code (one ICMP flow per direction
# and address pair) and no ICMPv6 at all (see flowcheck.py)
print(len(order), len({k[:3] if k[2] == 1 else k for k in order if k[2] != 58}))
PY
GEN=$(python3 "$WORK/gen.py" "$WORK") || die "generating the synthetic capture failed"
read -r NFLOWS NFLOWS_NFACCTD <<<"$GEN"
report 0 "synthetic capture: $NFLOWS test flows ($NFLOWS_NFACCTD as nfacctd sees them),\
 plus neighbour discovery and off-net packets"

free_port() {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# collect NAME: send NAME.rec to the listener, nfcapd and nfacctd, leave
# WORK/NAME/cap.ipfix, cap.pcap, nfcapd/, nfacctd.json, nfacctd.log and the
# listener's port in WORK/NAME/port
collect() {
	local d=$WORK/$1 lpid npid apid pn pa p
	mkdir -p "$d/nfcapd"
	python3 "$DEC" listen 127.0.0.1 0 "$d/cap" >/dev/null 2>"$d/listen.log" &
	lpid=$!
	PIDS+=("$lpid")
	pn=$(free_port)
	nfcapd -b 127.0.0.1 -p "$pn" -w "$d/nfcapd" >"$d/nfcapd.log" 2>&1 &
	npid=$!
	PIDS+=("$npid")
	pa=$(free_port)
	python3 -c 'import sys; sys.dont_write_bytecode = True; sys.path.insert(0, sys.argv[1])
import ipfix_decoders as d; print(d.nfacctd_config("127.0.0.1", sys.argv[2], sys.argv[3]), end="")' \
		"$ROOT/tests/lib" "$pa" "$d/nfacctd.json" >"$d/nfacctd.conf"
	nfacctd -f "$d/nfacctd.conf" >"$d/nfacctd.log" 2>&1 &
	apid=$!
	PIDS+=("$apid")
	for _ in $(seq 100); do
		[ -s "$d/cap.ready" ] && grep -q "Startup" "$d/nfcapd.log" 2>/dev/null &&
			grep -q "waiting for NetFlow/IPFIX data" "$d/nfacctd.log" 2>/dev/null && break
		sleep 0.1
	done
	read -r p <"$d/cap.ready" 2>/dev/null || { kill "$lpid" "$npid" "$apid"; return 1; }
	echo "$p" >"$d/port"
	sleep 0.2
	"$WORK/ipfix_feed" --records "$WORK/$1.rec" 127.0.0.1:"$p" 127.0.0.1:"$pn" 127.0.0.1:"$pa" \
		>"$d/feed.jsonl" 2>"$d/feed.log"
	local rc=$?
	kill -TERM "$lpid"
	wait "$lpid"
	sleep 0.3
	kill -TERM "$npid"
	# SIGINT: nfacctd writes its cache to nfacctd.json, then exits
	kill -INT "$apid"
	wait "$npid" "$apid"
	return $rc
}

# check NAME CAPTURE: run flowcheck.py with all four decoders, output in WORK/NAME.out
check() {
	local d=$WORK/$1
	python3 "$FLOWCHECK" "$2" --ipfixdump "$d/cap.ipfix" --tshark "$d/cap.pcap" \
		--port "$(cat "$d/port")" --nfdump "$d/nfcapd" \
		--nfacctd "$d/nfacctd.json" --nfacctd-log "$d/nfacctd.log" >"$WORK/$1.out" 2>&1
}

# --- matching records: must pass ----------------------------------------------
collect good
report $? "ipfix_feed --records sent the matching records to the listener, nfcapd and nfacctd" \
	"$WORK/good/feed.log"
check good "$WORK/capture.pcap"
rc=$?
report $rc "flowcheck.py passes on the matching records (exit $rc)" "$WORK/good.out"
okl=$(grep -c '^ok ' "$WORK/good.out")
report "$([ "$okl" = $((3 * NFLOWS + NFLOWS_NFACCTD)) ] && ! grep -q '^MISMATCH\|^PROBLEM' "$WORK/good.out"; echo $?)" \
	"flowcheck.py: $okl ok lines = $NFLOWS flows x 3 decoders + $NFLOWS_NFACCTD for nfacctd, no MISMATCH or PROBLEM" \
	"$WORK/good.out"
report "$(grep -q '^ok nfacctd: dir=0 proto=1 100.64.0.2 -> 100.64.0.1 type ? code ? capture=\[packets=2 ' "$WORK/good.out" &&
	grep -q '^# nfacctd keeps no .*; 2 ICMPv6 flows not compared' "$WORK/good.out"; echo $?)" \
	"flowcheck.py: nfacctd's ICMP flows without type/code (echo reply + port unreachable\
 as one), its ICMPv6 (echo request, reply) left out" \
	"$WORK/good.out"

python3 "$FLOWCHECK" "$WORK/empty.pcap" --ipfixdump "$WORK/good/cap.ipfix" >"$WORK/empty.out" 2>&1
rc=$?
report "$([ $rc = 1 ] && grep -q 'no test flows' "$WORK/empty.out"; echo $?)" \
	"flowcheck.py fails (exit $rc) on a capture with no test flows (only ND and off-net)" "$WORK/empty.out"

# --- broken records: must fail, and say where ----------------------------------
for case in packets direction flags whole; do
	case $case in
	packets) want='proto=17 \[2001:db8::2\]:4001 -> \[2001:db8::1\]:4000 .*packets 2 != 1'
		what="one record's packet count off by one" ;;
	direction) want='dir=1 proto=1 100.64.0.1 -> 100.64.0.2 type 8 code 0 .*not exported (exported with the wrong direction)'
		what="one record with the wrong direction" ;;
	flags) want='proto=6 100.64.0.1:40000 -> 100.64.0.2:80 .*tcp flags 0x1a != 0x1b'
		what="a TCP flag (FIN) missing from one record" ;;
	whole) want='proto=17 100.64.0.1:6000 -> 100.64.0.2:6001 .*packets 1 != 3'
		what="a datagram sent as 3 fragments counted as 1 packet" ;;
	esac
	# nfacctd keeps no flowDirection, no TCP flags: it cannot see those two
	case $case in direction | flags) ndec=3 ;; *) ndec=4 ;; esac
	collect $case
	report $? "ipfix_feed --records sent the records with $what" "$WORK/$case/feed.log"
	check $case "$WORK/capture.pcap"
	rc=$?
	hits=$(grep -c "^MISMATCH .*$want" "$WORK/$case.out")
	report "$([ $rc = 1 ] && [ "$hits" = $ndec ]; echo $?)" \
		"flowcheck.py fails (exit $rc) on $what, naming the flow for the $ndec decoders that keep it ($hits)" \
		"$WORK/$case.out"
done

# --- nfacctd's output alone, changed: must fail, and say where -------------------
# From the good run's nfacctd.json: one record's packets off by one, one record gone;
# and its log with an error in it.
mkdir -p "$WORK/nfa"
python3 - "$WORK/good/nfacctd.json" "$WORK/nfa" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def write(name, rs):
    with open("%s/%s.json" % (sys.argv[2], name), "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rs)
def pick(r, src, sport):
    return r["ip_src"] == src and int(r["port_src"]) == sport
changed = [dict(r, packets=r["packets"] + 1) if pick(r, "100.64.0.1", 5353) else r for r in recs]
write("changed", changed)
write("missing", [r for r in recs if not pick(r, "100.64.0.2", 53)])
PY
cp "$WORK/good/nfacctd.json" "$WORK/nfa/log.json"
cp "$WORK/good/nfacctd.log" "$WORK/nfa/log.log"
echo "ERROR ( p/print ): selftest: an error in nfacctd's log" >>"$WORK/nfa/log.log"
for case in changed missing log; do
	case $case in
	changed) want='^MISMATCH nfacctd: dir=1 proto=17 100.64.0.1:5353 -> 100.64.0.2:53 .*packets 3 != 2'
		what="one record's packet count off by one in nfacctd's JSON" ;;
	missing) want='^MISMATCH nfacctd: dir=0 proto=17 100.64.0.2:53 -> 100.64.0.1:5353 .*not exported'
		what="one record missing from nfacctd's JSON" ;;
	log) want="^PROBLEM nfacctd: nfacctd log: ERROR .*selftest"
		what="an error in nfacctd's log (its JSON right)" ;;
	esac
	log=$WORK/good/nfacctd.log
	[ $case = log ] && log=$WORK/nfa/log.log
	python3 "$FLOWCHECK" "$WORK/capture.pcap" --nfacctd "$WORK/nfa/$case.json" \
		--nfacctd-log "$log" >"$WORK/nfa-$case.out" 2>&1
	rc=$?
	report "$([ $rc = 1 ] && grep -q "$want" "$WORK/nfa-$case.out" &&
		tail -n 1 "$WORK/nfa-$case.out" | grep -q 'FAIL$'; echo $?)" \
		"flowcheck.py --nfacctd fails (exit $rc) on $what, and says where" "$WORK/nfa-$case.out"
done

finish
