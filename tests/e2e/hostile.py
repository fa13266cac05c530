#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile packets for t_hostile: malformed IPv4/IPv6 across the overlay interface.

    hostile.py ingress IFACE DST_MAC [--seed S] [--rounds N]
        from the peer namespace: raw Ethernet frames (AF_PACKET) out of IFACE to DST_MAC
        (tap0's), 100.64.0.2 -> 100.64.0.1 and 2001:db8::2 -> 2001:db8::1
    hostile.py egress [--seed S] [--rounds N]
        from the host: IPPROTO_RAW sockets (IPv4 IP_HDRINCL, IPv6 IPV6_HDRINCL) towards
        the peer, so that the packets cross the egress hook

Kinds: truncated frames and headers, bogus lengths (tot_len > frame, < ihl, IPv6
payload_len lies both ways), IHL < 5, wrong version, transport headers cut short (TCP,
UDP, ICMP, ICMPv6, TCP doff < 5), IP options (NOP/EOL/RR/TS/LSRR, garbage), IPv4
fragments (first, later, tiny first fragments that cut the TCP header, overlapping,
offset past 64 KiB), IPv6 extension-header chains (hop-by-hop, destination options,
routing, fragment; long chains, chains cut short, lying header lengths), IPv6 fragments,
random protocols and random bytes.

Prints "hostile: N frames sent, N must count as parse errors" where the second number is
what reaches the hook for sure and the module must count as malformed (transport headers
cut short, extension-header chains cut short). Python 3 standard library only; same seed,
same packets.
"""
import argparse
import random
import socket
import struct
import sys

from inet import csum

V4_SRC, V4_DST = socket.inet_aton("100.64.0.2"), socket.inet_aton("100.64.0.1")
V6_SRC = socket.inet_pton(socket.AF_INET6, "2001:db8::2")
V6_DST = socket.inet_pton(socket.AF_INET6, "2001:db8::1")
HOP, TCP, UDP, ROUTING, FRAG, ICMP6, NONE, DSTOPTS = 0, 6, 17, 43, 44, 58, 59, 60


def ip4(payload, proto=UDP, ihl=5, options=b"", tot_len=None, frag=0, version=4,
        src=V4_SRC, dst=V4_DST, ident=0x1234, good_csum=True):
    hlen = max(ihl, 0) * 4
    opts = (options + b"\0" * 60)[:max(hlen - 20, 0)]
    tl = 20 + len(opts) + len(payload) if tot_len is None else tot_len
    h = struct.pack("!BBHHHBBH4s4s", version << 4 | (ihl & 0xf), 0, tl & 0xffff, ident, frag,
                    64, proto, 0, src, dst) + opts
    if good_csum:
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def udp(n=16, sport=40000, dport=7000):
    return struct.pack("!HHHH", sport, dport, 8 + n, 0) + b"u" * n


def tcp(doff=5, flags=0x02, sport=40001, dport=7001, n=0):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, doff << 4, flags, 1024, 0, 0) + \
        b"\0" * max(0, doff * 4 - 20) + b"t" * n


def ip6(payload, nh=UDP, plen=None, version=6):
    pl = len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", version << 28, pl & 0xffff, nh, 64, V6_SRC, V6_DST) + payload


def ext(nh, body_len8=0, fill=b"\x01\x00"):
    """A generic extension header (hop-by-hop, dstopts: PadN options)."""
    total = 8 * (body_len8 + 1)
    body = (b"\x01" + bytes([total - 4]) + b"\0" * (total - 4))[:total - 2]
    return bytes([nh, body_len8]) + body


def routing(nh, segs_left=0):
    return struct.pack("!BBBB4x", nh, 2, 0, segs_left) + b"\0" * 16    # type 0, one address


def frag6(nh, off8=0, more=0, ident=0x4242):
    return struct.pack("!BBHI", nh, 0, off8 << 3 | more, ident)


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.sure = 0      # frames the hook must count as parse errors

    def v4(self):
        """(ip packet, counts-for-sure) pairs; ingress via AF_PACKET."""
        r = self.r
        out = []
        # lengths that lie: dropped by ip_rcv before any hook, must not crash anything
        out += [(ip4(udp())[:10], 0), (ip4(udp(), tot_len=200), 0), (ip4(udp(), tot_len=12), 0),
                (ip4(udp(), ihl=3), 0), (ip4(udp(), version=6), 0),
                (ip4(udp(), good_csum=False), 0), (b"", 0), (b"\x45", 0)]
        # transport headers cut short: reach the hook, parse errors
        out += [(ip4(tcp()[:8], proto=TCP), 1), (ip4(udp()[:4], proto=UDP), 1),
                (ip4(b"\x08", proto=1), 1), (ip4(tcp(doff=2), proto=TCP), 1),
                (ip4(tcp(doff=0, n=8), proto=TCP), 1), (ip4(b"", proto=TCP), 1)]
        # tot_len shorter than the frame: the frame is trimmed to a cut header
        out.append((ip4(udp(), tot_len=20 + 3), 1))
        # IP options: valid ones, garbage, and lengths that lie
        for opts in (b"\x01" * 40, b"\x00" * 40, b"\x07\x0b\x04" + b"\0" * 8,
                     b"\x44\x0c\x05\x00" + b"\0" * 8, b"\x83\x07\x04" + V4_SRC,
                     b"\x07\xff\x04", b"\x44\x02", bytes(r.getrandbits(8) for _ in range(40))):
            ihl = 5 + (len(opts) + 3) // 4
            out.append((ip4(udp(), ihl=min(ihl, 15), options=opts), 0))
        out.append((ip4(udp(), ihl=15, options=b"\x01" * 40), 0))
        # fragments
        payload = udp(64)
        out += [(ip4(payload[:24], frag=0x2000, ident=7), 0),          # first, MF
                (ip4(payload[24:], frag=3, ident=7), 0),               # last, offset 24
                (ip4(tcp(n=40)[:8], proto=TCP, frag=0x2000, ident=8), 1),   # tiny first
                (ip4(tcp(n=40)[8:16], proto=TCP, frag=1, ident=8), 0),
                (ip4(payload[:32], frag=0x2000, ident=9), 0),          # overlapping
                (ip4(payload[8:40], frag=0x2001, ident=9), 0),
                (ip4(payload[:16], frag=0x2001 | 0x1fff, ident=10), 0),   # past 64 KiB
                (ip4(b"x" * 8, frag=0x4000 | 0x2000, ident=11), 0),    # DF and MF
                (ip4(b"", frag=0x2000, ident=12), 0)]
        # random protocols and bytes
        for _ in range(6):
            out.append((ip4(bytes(r.getrandbits(8) for _ in range(r.randrange(0, 60))),
                            proto=r.randrange(256)), 0))
        out.append((bytes(r.getrandbits(8) for _ in range(r.randrange(1, 80))), 0))
        return out

    def v6(self):
        r = self.r
        out = []
        u = udp()
        # lengths that lie
        out += [(ip6(u)[:30], 0), (ip6(u, plen=200), 0), (ip6(u, version=4), 0)]
        out += [(ip6(u, plen=4), 1)]                          # trimmed: UDP cut short
        out += [(ip6(b"", nh=UDP), 1), (ip6(tcp()[:12], nh=TCP), 1),
                (ip6(b"\x80", nh=ICMP6), 1), (ip6(tcp(doff=3), nh=TCP), 1)]
        # extension header chains: long and valid
        chain, nh = u, UDP
        for _ in range(20):
            chain, nh = ext(nh) + chain, DSTOPTS
        out.append((ip6(chain, nh=nh), 0))
        out.append((ip6(ext(ROUTING) + routing(DSTOPTS) + ext(FRAG) + frag6(UDP) + u, nh=HOP), 0))
        out.append((ip6(ext(DSTOPTS, 3) + ext(UDP) + u, nh=DSTOPTS), 0))
        out.append((ip6(routing(UDP, segs_left=1) + u, nh=ROUTING), 0))
        out.append((ip6(ext(NONE), nh=DSTOPTS), 0))
        out.append((ip6(b"", nh=NONE), 0))
        # chains cut short or lying: the header claims more than the packet has
        out.append((ip6(ext(UDP, 0)[:4], nh=DSTOPTS), 1))
        out.append((ip6(bytes([UDP, 200]) + b"\0" * 6, nh=DSTOPTS), 1))
        out.append((ip6(bytes([DSTOPTS, 0]) + b"\x01\x04\0\0\0\0" + bytes([UDP, 250]) + b"\0" * 6,
                        nh=DSTOPTS), 1))
        out.append((ip6(ext(ROUTING) + bytes([UDP, 9, 0, 0]), nh=DSTOPTS), 1))
        # hop-by-hop with unknown/garbage options (may be dropped before the hook)
        out.append((ip6(bytes([UDP, 0, 0x3e, 4, 1, 2, 3, 4]) + u, nh=HOP), 0))
        out.append((ip6(bytes([UDP, 0, 0xc2, 4, 0, 0, 0, 1]) + u, nh=HOP), 0))
        # fragments
        out += [(ip6(frag6(UDP, 0, 1, 77) + u[:8], nh=FRAG), 0),
                (ip6(frag6(UDP, 1, 0, 77) + u[8:], nh=FRAG), 0),
                (ip6(frag6(UDP, 0, 0, 78) + u, nh=FRAG), 0),                # atomic
                (ip6(frag6(TCP, 0, 1, 79) + tcp(n=20)[:8], nh=FRAG), 0),     # tiny first
                (ip6(frag6(UDP, 8191, 1, 80) + b"x" * 16, nh=FRAG), 0),
                # cut frag header: the kernel's defragmentation (before the hook)
                # drops it
                (ip6(frag6(UDP, 0, 1, 81)[:5], nh=FRAG), 0)]
        for _ in range(6):
            out.append((ip6(bytes(r.getrandbits(8) for _ in range(r.randrange(0, 60))),
                            nh=r.choice([HOP, ROUTING, FRAG, DSTOPTS, NONE, TCP, UDP,
                                         ICMP6, r.randrange(256)])), 0))
        return out


def ingress(a):
    g = Gen(a.seed)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    src = s.getsockname()[4]
    dst = bytes.fromhex(a.dst_mac.replace(":", ""))
    sent = sure = 0
    for _ in range(a.rounds):
        for etype, pkts in ((0x0800, g.v4()), (0x86dd, g.v6())):
            for pkt, counts in pkts:
                frame = dst + src + struct.pack("!H", etype) + pkt
                try:
                    s.send(frame)
                    sent += 1
                    sure += counts
                except OSError as ex:
                    print("hostile: send: %s (%d bytes)" % (ex, len(frame)), file=sys.stderr)
    print("hostile: %d frames sent, %d must count as parse errors" % (sent, sure))


def egress(a):
    g = Gen(a.seed)
    peer4, peer6 = socket.inet_aton("100.64.0.2"), socket.inet_pton(socket.AF_INET6, "2001:db8::2")
    s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    try:
        s6.setsockopt(socket.IPPROTO_IPV6, 36, 1)    # IPV6_HDRINCL
    except OSError:
        s6 = None
    sent = 0
    for _ in range(a.rounds):
        # The kernel fills in tot_len and the checksum of IPv4: only what survives that.
        for pkt, _ in g.v4():
            if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[0] & 0xf < 5:
                continue
            pkt = pkt[:12] + V4_DST + peer4 + pkt[20:]
            try:
                s4.sendto(pkt, ("100.64.0.2", 0))
                sent += 1
            except OSError:
                pass
        for pkt, _ in g.v6() if s6 else ():
            if len(pkt) < 40 or pkt[0] >> 4 != 6:
                continue
            pkt = pkt[:8] + V6_DST + peer6 + pkt[40:]
            try:
                s6.sendto(pkt, ("2001:db8::2", 0))
                sent += 1
            except OSError:
                pass
    # Egress counts depend on what the stack lets through: report none as sure.
    print("hostile: %d frames sent, 0 must count as parse errors" % sent)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    i = sub.add_parser("ingress")
    i.add_argument("iface")
    i.add_argument("dst_mac")
    e = sub.add_parser("egress")
    for p in (i, e):
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    ingress(a) if a.mode == "ingress" else egress(a)


if __name__ == "__main__":
    main()
