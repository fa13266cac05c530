#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A peer behind a tap opened with a virtio-net header (IFF_VNET_HDR), as Tailscale,
wireguard-go with offloads and VM taps open theirs, writing TSO super-frames.

    vnet_tso.py IFNAME READY_FILE GO_FILE SEGMENTS GSO_SIZE

Creates tap IFNAME (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, offloads TUN_F_CSUM | TUN_F_TSO4),
writes READY_FILE with its MAC once created, waits (up to a minute) for GO_FILE to hold a
line "go DST_MAC SRC DST DPORT", then writes ONE frame: an IPv4 TCP segment of SEGMENTS x
GSO_SIZE octets of payload with a virtio-net header asking for TCPv4 segmentation at
GSO_SIZE. On the wire that is SEGMENTS packets of 40 + GSO_SIZE IP octets each: the truth
the test compares the metered flow with. Prints "sent" and keeps the tap until killed.
(Files, not a FIFO: the test's directory is on 9p, where a FIFO's two ends may not meet.)
"""
import fcntl
import os
import socket
import struct
import sys
import time

from inet import csum

TUNSETIFF = 0x400454ca
TUNSETOFFLOAD = 0x400454d0
IFF_TAP, IFF_NO_PI, IFF_VNET_HDR = 0x0002, 0x1000, 0x4000
TUN_F_CSUM, TUN_F_TSO4 = 0x01, 0x02
VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4 = 1, 1


def main():
    ifname, ready, go = sys.argv[1], sys.argv[2], sys.argv[3]
    segs, gso = int(sys.argv[4]), int(sys.argv[5])
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", ifname.encode(),
                                           IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
    fcntl.ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4)
    mac = bytes(os.urandom(6))
    mac = bytes([(mac[0] & 0xfe) | 0x02]) + mac[1:]
    with open(ready + ".tmp", "w") as f:
        f.write(":".join("%02x" % b for b in mac) + "\n")
    os.rename(ready + ".tmp", ready)

    end = time.monotonic() + 60
    while not os.path.exists(go) and time.monotonic() < end:
        time.sleep(0.1)
    with open(go) as f:
        _, dst_mac, src, dst, dport = f.readline().split()
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
    while True:
        time.sleep(60)


if __name__ == "__main__":
    sys.exit(main())
