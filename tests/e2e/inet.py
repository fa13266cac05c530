# SPDX-License-Identifier: GPL-2.0
"""What the e2e packet builders (hostile.py, attack.py, vnet_tso.py) share."""
import struct


def csum(data):
    """The Internet checksum (RFC 1071) of data, ready to put in a header."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
