#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A peer behind a tap opened with a virtio-net header (IFF_VNET_HDR), as Tailscale,
wireguard-go with offloads and VM taps open theirs, writing TSO super-frames.

    vnet_tso.py IFNAME READY_FILE SEGMENTS GSO_SIZE

Creates tap IFNAME (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, offloads TUN_F_CSUM | TUN_F_TSO4),
writes READY_FILE with its MAC once created, waits for a line "go DST_MAC SRC DST DPORT" on
standard input, then writes ONE frame: an IPv4 TCP segment of SEGMENTS x GSO_SIZE octets of
payload with a virtio-net header asking for TCPv4 segmentation at GSO_SIZE. On the wire
that is SEGMENTS packets of 40 + GSO_SIZE IP octets each: the truth the test compares the
metered flow with. Prints "sent" and waits for end of input (the tap lives while it runs).
"""
import fcntl
import os
import socket
import struct
import sys

TUNSETIFF = 0x400454ca
TUNSETOFFLOAD = 0x400454d0
IFF_TAP, IFF_NO_PI, IFF_VNET_HDR = 0x0002, 0x1000, 0x4000
TUN_F_CSUM, TUN_F_TSO4 = 0x01, 0x02
VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4 = 1, 1


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def main():
    ifname, ready, segs, gso = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", ifname.encode(),
                                           IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
    fcntl.ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4)
    mac = bytes(os.urandom(6))
    mac = bytes([(mac[0] & 0xfe) | 0x02]) + mac[1:]
    with open(ready + ".tmp", "w") as f:
        f.write(":".join("%02x" % b for b in mac) + "\n")
    os.rename(ready + ".tmp", ready)

    _, dst_mac, src, dst, dport = sys.stdin.readline().split()
    payload = b"t" * (segs * gso)
    s4, d4 = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = struct.pack("!HHIIBBHHH", 40000, int(dport), 1, 0, 5 << 4, 0x18, 65535, 0, 0)
    # CHECKSUM_PARTIAL: the pseudo-header sum goes in, the stack finishes it.
    pseudo = csum(s4 + d4 + struct.pack("!BBH", 0, 6, len(tcp) + len(payload)))
    tcp = tcp[:16] + struct.pack("!H", ~pseudo & 0xffff) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0x4000,
                     64, 6, 0, s4, d4)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex(dst_mac.replace(":", "")) + mac + b"\x08\x00"
    vnet = struct.pack("<BBHHHH", VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
                       14 + 20 + 20, gso, 14 + 20, 16)
    os.write(fd, vnet + eth + ip + tcp + payload)
    print("sent", flush=True)
    sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main())
