#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A hostile peer's fragments, for t_attack (run in the peer namespace).

    attack.py syn FAMILY DST PORT MODE
        sends one TCP SYN (with 16 octets of data) from a fresh source port to DST:PORT through a raw socket
        and prints "synack" if DST answers it with a SYN-ACK within 3 s, else "none".
        FAMILY is 4 or 6; MODE is how the SYN is cut:
          whole      unfragmented (the control)
          frag8      first fragment 8 octets of TCP header, the rest in the second
          frag16     first fragment 16 octets, the rest in the second
          frag24     first fragment the whole header and 4 octets of data
          reverse    frag8's two fragments, the last one sent first
          reverse24  frag24's, the last one sent first
          overlap    frag8, then a fragment rewriting octets 0-7 (ports!) to PORT+1,
                     then the rest (the kernel drops overlapping datagrams: no answer
                     is the right one, an answer from either port a bypass)
          dup        frag8 with each fragment sent twice
    Exit 0 if the packets were sent (whatever the answer), 2 if they could not be.

Python 3 standard library only. The answer is read from an AF_PACKET socket on the
peer's eth0 (the peer's own kernel answers the SYN-ACK with a RST: no socket of its own
asked for it), matched on the fresh source port.
"""
import random
import socket
import struct
import sys
import time

from inet import csum

TCP = 6
FRAG = 44


def tcp_syn(fam, src, dst, sport, dport):
    """A TCP SYN (20-octet header) carrying 16 octets of data, so that it can be cut
    after its whole header too; checksum over the pseudo-header."""
    h = struct.pack("!HHIIBBHHH", sport, dport, random.getrandbits(32), 0, 5 << 4, 0x02,
                    65535, 0, 0) + b"d" * 16
    if fam == 4:
        pseudo = src + dst + struct.pack("!BBH", 0, TCP, len(h))
    else:
        pseudo = src + dst + struct.pack("!IxxxB", len(h), TCP)
    return h[:16] + struct.pack("!H", csum(pseudo + h)) + h[18:]


def ip4(src, dst, payload, ident, off8, more):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                    (0x2000 if more else 0) | off8, 64, TCP, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ip6(src, dst, payload, ident, off8, more, fragment=True):
    if not fragment:
        return struct.pack("!IHBB16s16s", 6 << 28, len(payload), TCP, 64, src, dst) + payload
    fh = struct.pack("!BBHI", TCP, 0, off8 << 3 | (1 if more else 0), ident)
    return struct.pack("!IHBB16s16s", 6 << 28, 8 + len(payload), FRAG, 64, src, dst) + fh + payload


def pieces(mode, seg, seg_alt):
    """(offset in octets, data, more) in sending order."""
    if mode == "whole":
        return None
    cut = 24 if mode.endswith("24") else 16 if mode == "frag16" else 8
    first, rest = (0, seg[:cut], True), (cut, seg[cut:], False)
    if mode in ("frag8", "frag16", "frag24"):
        return [first, rest]
    if mode in ("reverse", "reverse24"):
        return [rest, first]
    if mode == "overlap":
        return [first, (0, seg_alt[:8], True), rest]
    if mode == "dup":
        return [first, first, rest, rest]
    raise SystemExit("unknown mode " + mode)


def main():
    if len(sys.argv) != 6 or sys.argv[1] != "syn":
        print(__doc__, file=sys.stderr)
        return 2
    fam, dst_s, port, mode = int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
    af = socket.AF_INET if fam == 4 else socket.AF_INET6
    # Our own address towards DST, as the kernel would pick it.
    probe = socket.socket(af, socket.SOCK_DGRAM)
    probe.connect((dst_s, 9))
    src_s = probe.getsockname()[0]
    probe.close()
    src, dst = socket.inet_pton(af, src_s), socket.inet_pton(af, dst_s)
    sport = random.randint(20000, 60000)
    seg = tcp_syn(fam, src, dst, sport, port)
    seg_alt = tcp_syn(fam, src, dst, sport, port + 1)
    ident = random.getrandbits(16 if fam == 4 else 32)

    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    sniff.bind(("eth0", 0))
    sniff.settimeout(0.2)
    raw = socket.socket(af, socket.SOCK_RAW, socket.IPPROTO_RAW)
    if fam == 6:
        raw.setsockopt(socket.IPPROTO_IPV6, 36, 1)  # IPV6_HDRINCL
    ps = pieces(mode, seg, seg_alt)
    if ps is None:
        pkts = [ip4(src, dst, seg, ident, 0, False) if fam == 4 else
                ip6(src, dst, seg, ident, 0, False, fragment=False)]
    else:
        mk = ip4 if fam == 4 else ip6
        pkts = [mk(src, dst, data, ident, off // 8, more) for off, data, more in ps]
    try:
        for p in pkts:
            raw.sendto(p, (dst_s, 0))
    except OSError as e:
        print("cannot send: %s" % e)
        return 2
    print("sent %d packets (%s)" % (len(pkts), mode))
    end = time.monotonic() + 3
    while time.monotonic() < end:
        try:
            frame, addr = sniff.recvfrom(4096)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        ethertype = struct.unpack_from("!H", frame, 12)[0]
        if fam == 4 and ethertype == 0x0800 and frame[14 + 9] == TCP:
            th = 14 + (frame[14] & 0xf) * 4
        elif fam == 6 and ethertype == 0x86dd and frame[14 + 6] == TCP:
            th = 14 + 40
        else:
            continue
        if len(frame) < th + 14:
            continue
        sp, dp = struct.unpack_from("!HH", frame, th)
        flags = frame[th + 13]
        if dp == sport and flags & 0x12 == 0x12:
            print("synack from port %d" % sp)
            return 0
    print("none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
