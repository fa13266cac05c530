#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""An agent that dies in the middle of a GET_RECORDS dump.

    dying_agent.py READY-FILE

Registers its own generic netlink socket as the namespace's enclave_ipfix
agent (as `userctl agent` does), asks for the records (one GET_RECORDS
dump), reads exactly one message of it, writes the number of records that
message held into READY-FILE, and then waits to be killed (SIGKILL) without
acknowledging anything: the kernel must not count those records as delivered,
and must hand them to the next agent.

Python 3 standard library only; exits 1 with a sentence if a step fails.
"""
import os
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
NLMSG_ERROR = 2
F_REQUEST, F_ACK, F_DUMP = 0x1, 0x4, 0x300
NLA_F_NESTED = 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 0x10, 3, 1, 2
# include/uapi/linux/enclave_ipfix.h
REGISTER_AGENT, GET_RECORDS = 5, 6
A_RECORD = 19


def attrs(data, off, end):
    while off + 4 <= end:
        ln, typ = struct.unpack_from("=HH", data, off)
        if ln < 4:
            return
        yield typ & ~NLA_F_NESTED, data[off + 4:off + ln]
        off += (ln + 3) & ~3


def request(sock, family, cmd, flags, seq, body=b""):
    payload = struct.pack("=BBH", cmd, 1, 0) + body
    sock.send(struct.pack("=IHHII", 16 + len(payload), family, flags, seq, 0) + payload)


def resolve(sock):
    name = b"enclave_ipfix\0"
    body = struct.pack("=HH", 4 + len(name), CTRL_ATTR_FAMILY_NAME) + name
    body += b"\0" * ((4 - len(body) % 4) % 4)
    payload = struct.pack("=BBH", CTRL_CMD_GETFAMILY, 1, 0) + body
    sock.send(struct.pack("=IHHII", 16 + len(payload), GENL_ID_CTRL, F_REQUEST, 1, 0) + payload)
    data = sock.recv(65536)
    for typ, val in attrs(data, 20, len(data)):
        if typ == CTRL_ATTR_FAMILY_ID:
            return struct.unpack_from("=H", val)[0]
    sys.exit("dying_agent: the enclave_ipfix family is not there")


def main():
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sock.bind((0, 0))
    family = resolve(sock)
    request(sock, family, REGISTER_AGENT, F_REQUEST | F_ACK, 2)
    # The acknowledgment; a RECORDS_PENDING notification may come before it.
    while True:
        data = sock.recv(65536)
        ln, typ = struct.unpack_from("=IH", data)
        if typ == NLMSG_ERROR:
            break
    err = struct.unpack_from("=i", data, 16)[0]
    if err:
        sys.exit("dying_agent: could not register as the agent: %s" % os.strerror(-err))
    request(sock, family, GET_RECORDS, F_REQUEST | F_DUMP, 3)
    # The first message of the dump ([nlmsghdr][genlmsghdr][attributes]); a
    # RECORDS_PENDING notification may come first.
    while True:
        data = sock.recv(1 << 20)
        ln, typ = struct.unpack_from("=IH", data)
        if typ != family:
            sys.exit("dying_agent: no records in the dump (message type %d)" % typ)
        if data[16] == GET_RECORDS:
            break
    n = sum(1 for t, _ in attrs(data, 20, ln) if t == A_RECORD)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d\n" % n)
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    while True:
        time.sleep(60)


if __name__ == "__main__":
    main()
