#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the flows a packet capture shows with the flows collectors decoded.

Usage:
  flowcheck.py CAPTURE.pcap [--ipfixdump FILE.ipfix] [--tshark FILE.pcap]
               [--nfdump NFDIR] [--nfacctd FILE.json [--nfacctd-log LOG]]
               [--port P] [--peer-v4 A] [--peer-v6 B]

Ground truth: a capture on the overlay interface (tshark fields, see
capture_flows); a packet whose source is a peer (default 100.64.0.2,
2001:db8::2) was received from the peer (flowDirection 0), any other was
sent to it (1). IPv4 octets are ip.len, IPv6 octets 40 + ipv6.plen.

Exported: the IPFIX stream as decoded by ipfixDump (an IPFIX file), tshark
(a pcap of the IPFIX/UDP stream to port P, default 4739), nfdump (an
nfcapd directory or file) and pmacct's nfacctd (the JSON lines of its print
plugin, and its log for problems), through tests/lib/ipfix_decoders.py.
Only flows between addresses of 100.64.0.0/24 and 2001:db8::/64 count;
ICMPv6 neighbour discovery and MLD (types 133-137, 143) are ignored on both
sides.

Flow key: (direction, protocol, src, dst, sport, dport); ICMP and ICMPv6
flows have sport 0 and dport type*256+code. All records of a flow (interim
and final) are summed; per flow and per decoder, packets and octets must be
equal, and so must the union of TCP flags (capture: tcp.flags; exported:
tcpControlBits). A flow exported with the wrong direction shows as a
MISMATCH of both keys.

A decoder that does not keep a field (nfacctd: ipfix_decoders.NFACCTD_SKIP)
is compared on the fields it keeps, the capture seen the same way: without
flowDirection, a record's direction is the capture's rule (from a peer: 0);
without tcpControlBits, flags are not compared; without ICMP type/code, the
ICMP flows of one direction and address pair are one flow (type and code
shown as "?"), and ICMPv6 is not compared at all: its neighbour discovery,
metered and exported like any packet, cannot be told from the test traffic
(a "#" line says how many flows that leaves out).

Prints one "ok"/"MISMATCH" line per flow per decoder, "PROBLEM" lines for
anything a decoder complained about, and a summary; exits 1 on any mismatch
or decoder problem, or if the capture holds no test flows (2 on bad usage).
"""
import argparse
import collections
import ipaddress
import os
import subprocess
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ipfix_decoders  # noqa: E402

ND_TYPES = {133, 134, 135, 136, 137, 143}   # neighbour discovery, MLD: not test traffic
NO_TYPE = -1    # dport of an ICMP flow key when the decoder keeps no type/code
TEST_NETS = [ipaddress.ip_network("100.64.0.0/24"), ipaddress.ip_network("2001:db8::/64")]


def wanted(src, dst):
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    return any(s in n for n in TEST_NETS) and any(d in n for n in TEST_NETS)


def key(direction, proto, src, dst, sport, dport):
    return (direction, int(proto), str(ipaddress.ip_address(src)),
            str(ipaddress.ip_address(dst)), int(sport or 0), int(dport or 0))


class Flow:
    __slots__ = ("packets", "octets", "flags", "records")

    def __init__(self):
        self.packets = self.octets = self.flags = self.records = 0

    def __repr__(self):
        return "packets=%d octets=%d flags=0x%02x" % (self.packets, self.octets, self.flags)


def tshark_fields(pcap, fields, extra=()):
    cmd = ["tshark", "-r", pcap, "-n", *extra, "-T", "fields", "-E", "separator=|",
           "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [dict(zip(fields, line.split("|"))) for line in out.splitlines()]


def _fragment_id(p, src, dst):
    """The datagram a fragment belongs to, or None for a whole packet."""
    if p["ipv6.fraghdr.ident"]:
        return ("6", src, dst, p["ipv6.fraghdr.ident"])
    if p["ip.src"] and (p["ip.flags.mf"] in ("1", "True") or (p["ip.frag_offset"] or "0") != "0"):
        return ("4", src, dst, p["ip.proto"], p["ip.id"])
    return None


def capture_flows(pcap, peers):
    """Flows as the capture shows them, one frame one packet. Fragments count
    as packets of their datagram's flow (its ports, from the frame where
    tshark reassembled it), as the wire carried them."""
    f = ["ip.src", "ip.dst", "ip.proto", "ip.len", "ipv6.src", "ipv6.dst", "ipv6.nxt",
         "ipv6.plen", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
         "icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code", "ip.frag_offset",
         "tcp.flags", "ip.id", "ip.flags.mf", "ipv6.fraghdr.nxt", "ipv6.fraghdr.ident"]
    flows = collections.defaultdict(Flow)
    datagrams = {}      # fragment id -> [key parts or None, packets, octets, direction]
    for p in tshark_fields(pcap, f, ("-o", "ip.defragment:TRUE", "-o", "ipv6.defragment:TRUE")):
        if p["ip.src"]:
            src, dst, proto, octets = p["ip.src"], p["ip.dst"], p["ip.proto"], int(p["ip.len"])
        elif p["ipv6.src"]:
            src, dst, proto = p["ipv6.src"], p["ipv6.dst"], p["ipv6.nxt"]
            octets = 40 + int(p["ipv6.plen"])
            if p["ipv6.fraghdr.nxt"]:
                proto = p["ipv6.fraghdr.nxt"]
        else:
            continue
        if not wanted(src, dst):
            continue
        proto = int(proto)
        sport = p["tcp.srcport"] or p["udp.srcport"] or 0
        dport = p["tcp.dstport"] or p["udp.dstport"] or 0
        if proto == 1 and p["icmp.type"]:
            sport, dport = 0, int(p["icmp.type"]) * 256 + int(p["icmp.code"])
        if proto == 58 and p["icmpv6.type"]:
            if int(p["icmpv6.type"]) in ND_TYPES:
                continue
            sport, dport = 0, int(p["icmpv6.type"]) * 256 + int(p["icmpv6.code"])
        direction = 0 if str(ipaddress.ip_address(src)) in peers else 1  # from the peer: ingress
        fid = _fragment_id(p, src, dst)
        if fid is not None:
            d = datagrams.setdefault(fid, [None, 0, 0, direction])
            d[1] += 1
            d[2] += octets
            if sport or dport:
                d[0] = (proto, src, dst, sport, dport)
            elif d[0] is None and (proto not in (1, 6, 17, 58) or p["icmp.type"] or p["icmpv6.type"]):
                d[0] = (proto, src, dst, sport, dport)
            continue
        fl = flows[key(direction, proto, src, dst, sport, dport)]
        fl.packets += 1
        fl.octets += octets
        fl.records += 1
        if proto == 6 and p["tcp.flags"]:
            fl.flags |= int(p["tcp.flags"], 0)
    for fid, (parts, packets, octets, direction) in datagrams.items():
        proto, src, dst, sport, dport = parts or (int(fid[3]) if fid[0] == "4" else 0,
                                                   fid[1], fid[2], 0, 0)
        fl = flows[key(direction, proto, src, dst, sport, dport)]
        fl.packets += packets
        fl.octets += octets
        fl.records += 1
    return flows


def exported_flows(records, peers, skip=()):
    """Sum decoded records per flow key; return (flows, problems). skip: the
    fields the decoder does not keep (see the module's doc)."""
    flows = collections.defaultdict(Flow)
    problems = []
    for r in records:
        src, dst, proto = r.get("src"), r.get("dst"), r.get("proto")
        if src is None or dst is None or proto is None:
            problems.append("record without addresses or protocol: %r" % (r,))
            continue
        if not wanted(src, dst):
            continue
        sport, dport = r.get("sport"), r.get("dport")
        if proto in (1, 58) and "icmp_type" in skip:
            if proto == 58:
                continue
            sport, dport = 0, NO_TYPE
        elif proto in (1, 58):
            t, c = r.get("icmp_type"), r.get("icmp_code")
            if t is None:
                problems.append("ICMP record without type/code: %r" % (r,))
                continue
            if proto == 58 and t in ND_TYPES:
                continue
            sport, dport = 0, t * 256 + (c or 0)
        if "direction" in skip:
            direction = 0 if str(ipaddress.ip_address(src)) in peers else 1
        else:
            direction = r.get("direction")
            if direction not in (0, 1):
                problems.append("record with flowDirection %r: %r" % (direction, r))
        fl = flows[key(direction, proto, src, dst, sport, dport)]
        fl.packets += r.get("packets") or 0
        fl.octets += r.get("octets") or 0
        if proto == 6 and "tcp_flags" not in skip:
            fl.flags |= r.get("tcp_flags") or 0
        fl.records += 1
    return flows, problems


def seen_as(truth, skip):
    """The capture's flows as a decoder that keeps no `skip` fields sees them
    (as exported_flows() keys its records); returns (flows, flows left out)."""
    if not skip:
        return truth, 0
    out, left_out = collections.defaultdict(Flow), 0
    for k, t in truth.items():
        if k[1] in (1, 58) and "icmp_type" in skip:
            if k[1] == 58:
                left_out += 1
                continue
            k = k[:4] + (0, NO_TYPE)
        fl = out[k]
        fl.packets += t.packets
        fl.octets += t.octets
        if "tcp_flags" not in skip:
            fl.flags |= t.flags
        fl.records += t.records
    return out, left_out


def fmt_key(k):
    d, proto, src, dst, sport, dport = k
    if proto in (1, 58) and dport == NO_TYPE:
        ends = "%s -> %s type ? code ?" % (src, dst)
    elif proto in (1, 58):
        ends = "%s -> %s type %d code %d" % (src, dst, dport >> 8, dport & 0xff)
    else:
        ends = ("[%s]:%d -> [%s]:%d" if ":" in src else "%s:%d -> %s:%d") % (src, sport, dst, dport)
    return "dir=%s proto=%d %s" % (d, proto, ends)


def compare(truth, got, decoder):
    bad = 0
    for k in sorted(set(truth) | set(got), key=str):
        t, g = truth.get(k), got.get(k)
        why = []
        if t is None:
            other = (1 - k[0],) + k[1:] if k[0] in (0, 1) else None
            why.append("not in the capture" +
                       (" (wrong direction: the capture has it as dir=%d)" % other[0]
                        if other in truth else ""))
        elif g is None:
            other = (1 - k[0],) + k[1:]
            why.append("not exported" + (" (exported with the wrong direction)"
                                         if other in got else ""))
        else:
            if t.packets != g.packets:
                why.append("packets %d != %d" % (g.packets, t.packets))
            if t.octets != g.octets:
                why.append("octets %d != %d" % (g.octets, t.octets))
            if t.flags != g.flags:
                why.append("tcp flags 0x%02x != 0x%02x" % (g.flags, t.flags))
        bad += bool(why)
        print("%s %s: %s capture=[%s] exported=[%s%s]%s" % (
            "MISMATCH" if why else "ok", decoder, fmt_key(k), t or "-", g or "-",
            " in %d records" % g.records if g else "", (": " + "; ".join(why)) if why else ""))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("capture")
    ap.add_argument("--ipfixdump", metavar="FILE.ipfix")
    ap.add_argument("--tshark", metavar="FILE.pcap")
    ap.add_argument("--nfdump", metavar="NFDIR")
    ap.add_argument("--nfacctd", metavar="FILE.json",
                    help="what nfacctd's print plugin wrote (ipfix_decoders.nfacctd_config)")
    ap.add_argument("--nfacctd-log", metavar="LOG",
                    help="nfacctd's log: its errors and warnings are problems")
    ap.add_argument("--port", type=int, default=4739,
                    help="UDP port of the IPFIX stream in the --tshark pcap")
    ap.add_argument("--peer-v4", default="100.64.0.2")
    ap.add_argument("--peer-v6", default="2001:db8::2")
    ap.add_argument("--direction", type=int, choices=(0, 1),
                    help="only this flowDirection is metered (Direction ReceivedFromPeer: 0, "
                         "SendingToPeer: 1): flows of the other must not be exported")
    ap.add_argument("--expect-reason", type=int, action="append", default=[],
                    help="each decoder must show at least one record with this flowEndReason")
    a = ap.parse_args()
    decoders = [(name, fn, arg, skip) for name, fn, arg, skip in (
        ("ipfixDump", ipfix_decoders.ipfixdump_records, a.ipfixdump, ()),
        ("tshark", lambda f: ipfix_decoders.tshark_records(f, a.port), a.tshark, ()),
        ("nfdump", ipfix_decoders.nfdump_records, a.nfdump, ()),
        ("nfacctd", lambda f: ipfix_decoders.nfacctd_records(f, a.nfacctd_log), a.nfacctd,
         ipfix_decoders.NFACCTD_SKIP)) if arg]
    if not decoders:
        ap.error("give at least one of --ipfixdump, --tshark, --nfdump, --nfacctd")
    if a.nfacctd_log and not a.nfacctd:
        ap.error("--nfacctd-log without --nfacctd")
    peers = {str(ipaddress.ip_address(a.peer_v4)), str(ipaddress.ip_address(a.peer_v6))}
    truth = capture_flows(a.capture, peers)
    if a.direction is not None:
        truth = {k: v for k, v in truth.items() if k[0] == a.direction}
    failed = 0
    if not truth:
        print("MISMATCH capture: %s holds no test flows" % a.capture)
        failed += 1
    summary = []
    for name, fn, arg, skip in decoders:
        res = fn(arg)
        got, problems = exported_flows(res.records, peers, skip)
        problems = res.problems + problems
        for p in problems:
            print("PROBLEM %s: %s" % (name, p))
        seen, left_out = seen_as(truth, skip)
        if skip:
            print("# %s keeps no %s: compared without them%s" % (
                name, ", ".join(skip),
                "; %d ICMPv6 flows not compared" % left_out if left_out else ""))
        bad = compare(seen, got, name)
        for reason in a.expect_reason:
            if "end_reason" in skip:
                continue
            n = sum(1 for r in res.records if r.get("end_reason") == reason)
            print("%s %s: %d records with flowEndReason %d" % (
                "ok" if n else "MISMATCH", name, n, reason))
            bad += not n
        summary.append("%s: %d ok, %d mismatched, %d problems (%d records)" % (
            name, len(set(seen) | set(got)) - bad, bad, len(problems), len(res.records)))
        failed += bad + len(problems)
    print("flowcheck: %d flows in the capture; %s; %s" % (
        len(truth), "; ".join(summary), "FAIL" if failed else "PASS"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
