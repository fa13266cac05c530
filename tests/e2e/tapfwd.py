#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A userspace frame forwarder between two TAP devices, the way an overlay agent
such as Enclave's moves frames: it opens /dev/net/tun for TAP_A and TAP_B and
copies every Ethernet frame read from one into the other. The caller may move
TAP_B into another network namespace once READY_FILE exists (the open file
descriptor keeps working). Runs until SIGTERM.

Usage: tapfwd.py TAP_A TAP_B READY_FILE
"""
import fcntl
import os
import select
import signal
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def main():
    a, b, ready = sys.argv[1:4]
    fds = {open_tap(a): None, open_tap(b): None}
    fa, fb = list(fds)
    peer = {fa: fb, fb: fa}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(ready, "w") as fh:
        fh.write("%d\n" % os.getpid())
    frames = 0
    while True:
        r, _, _ = select.select([fa, fb], [], [])
        for fd in r:
            try:
                frame = os.read(fd, 65536)
                os.write(peer[fd], frame)
                frames += 1
            except OSError:
                pass      # the other side is not up yet: the frame is lost, as on a wire


if __name__ == "__main__":
    main()
