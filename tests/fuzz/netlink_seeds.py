#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Seed corpus of tests/fuzz/fuzz_netlink.c: kernel replies as the module
builds them (include/uapi/linux/enclave_ipfix.h), in the target's input
format (a selector byte, then datagrams each prefixed by a 16-bit LE length).

    netlink_seeds.py OUTDIR
"""
import os
import socket
import struct
import sys

FAMILY = 0x1d          # FAKE_FAMILY in tests/lib/netlink_fake.h
NLMSG_ERROR, NLMSG_DONE = 2, 3
F_MULTI, F_ACK_TLVS = 0x2, 0x200
# enum eipfix_cmd
SET_CONFIG, GET_CONFIG, GET_FLOWS, GET_COUNTERS, REGISTER, GET_RECORDS, CHANGED, PENDING = range(1, 9)
# enum eipfix_attr
(A_ENABLED, A_DIRECTION, A_INTERVAL, A_IDLE, A_MAXFLOWS, A_IFACES, A_IFACE, A_COLLS, A_COLL,
 A_ODID, A_REFRESH, A_MSGSIZE, A_ACL_DEFAULT, A_RULES, A_RULE, A_GENERATION, A_COUNTERS,
 A_FLOW, A_RECORD, A_PAD, A_DEFAULT_HITS, A_RULE_HITS, A_RULE_HIT) = range(1, 24)
(R_ACTION, R_DIRECTION, R_FAMILY, R_PEER, R_PREFIX, R_PROTOCOL, R_PORTS, R_PORT_RANGE,
 R_DESCR) = range(1, 10)
(F_IFINDEX, F_IFNAME, F_DIRECTION, F_FAMILY, F_PROTOCOL, F_SRC, F_DST, F_SPORT, F_DPORT,
 F_ICMP_TYPE, F_ICMP_CODE, F_TCP_FLAGS, F_TOS, F_FWD, F_PACKETS, F_OCTETS, F_START, F_END,
 F_REASON, F_ACL_RULE) = range(1, 21)


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def nest(t, *parts):
    return attr(t | 0x8000, b"".join(parts))


u8 = lambda t, v: attr(t, struct.pack("=B", v))
u16 = lambda t, v: attr(t, struct.pack("=H", v))
u32 = lambda t, v: attr(t, struct.pack("=I", v))
u64 = lambda t, v: attr(t, struct.pack("=Q", v))
string = lambda t, s: attr(t, s.encode() + b"\0")


def msg(cmd, body, typ=FAMILY, flags=0, seq=1):
    payload = struct.pack("=BBH", cmd, 1, 0) + body
    return struct.pack("=IHHII", 16 + len(payload), typ, flags, seq, 0) + payload


def done(err=0, text=None):
    """NLMSG_DONE: the dump's result, 0 or the errno its callback failed with."""
    body = struct.pack("=i", err)
    flags = F_MULTI
    if text:
        body += attr(1, text.encode() + b"\0")
        flags |= F_ACK_TLVS
    return struct.pack("=IHHII", 16 + len(body), NLMSG_DONE, flags, 1, 0) + body


def error(err, text=None):
    req = struct.pack("=IHHII", 20, FAMILY, 5, 1, 0)   # capped: the header only
    body = struct.pack("=i", err) + req
    flags = 0x100    # NLM_F_CAPPED: only the request's header
    if text:
        body += attr(1, text.encode() + b"\0")
        flags |= F_ACK_TLVS
    return struct.pack("=IHHII", 16 + len(body), NLMSG_ERROR, flags, 1, 0) + body


def flow(t, v6=False, proto=6, reason=None, dropped=False):
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    a = socket.inet_pton(fam, "2001:db8::1" if v6 else "100.64.0.1")
    b = socket.inet_pton(fam, "2001:db8::2" if v6 else "100.64.0.2")
    parts = [u32(F_IFINDEX, 3), u8(F_DIRECTION, 1), u8(F_FAMILY, fam),
             u8(F_PROTOCOL, proto), attr(F_SRC, a), attr(F_DST, b),
             u8(F_FWD, 129 if dropped else 66), u8(F_TOS, 0),
             u64(F_PACKETS, 3), u64(F_OCTETS, 252), u64(F_START, 1700000000000),
             u64(F_END, 1700000001000)]
    if proto in (6, 17):
        parts += [u16(F_SPORT, 40000), u16(F_DPORT, 443)]
    if proto in (1, 58):
        parts += [u8(F_ICMP_TYPE, 8), u8(F_ICMP_CODE, 0)]
    if proto == 6:
        parts.append(u16(F_TCP_FLAGS, 0x1b))
    if reason:
        parts.append(u8(F_REASON, reason))
    if dropped:
        parts.append(u32(F_ACL_RULE, 2))
    return nest(t, *parts)


def config():
    rule = nest(A_RULE, u8(R_ACTION, 1), u8(R_DIRECTION, 0), u8(R_PROTOCOL, 1),
                u8(R_FAMILY, socket.AF_INET), attr(R_PEER, bytes([100, 64, 0, 0])),
                u8(R_PREFIX, 10), nest(R_PORTS, u32(R_PORT_RANGE, 22 << 16 | 22),
                                       u32(R_PORT_RANGE, 8000 << 16 | 8100)),
                string(R_DESCR, "ssh and web"))
    return msg(GET_CONFIG, b"".join([
        u8(A_ENABLED, 1), u8(A_DIRECTION, 0), u32(A_INTERVAL, 60000), u32(A_IDLE, 15000),
        u32(A_MAXFLOWS, 1 << 20), u32(A_ODID, 7), u32(A_REFRESH, 600), u32(A_MSGSIZE, 1400),
        u8(A_ACL_DEFAULT, 0), u32(A_GENERATION, 4),
        nest(A_IFACES, string(A_IFACE, "tap0"), string(A_IFACE, "wg0")),
        nest(A_COLLS, string(A_COLL, "Udp/127.0.0.1:4739"), string(A_COLL, "Udp/[2001:db8::10]:4739")),
        nest(A_RULES, rule, nest(A_RULE, u8(R_ACTION, 0)))]))


def counters():
    return msg(GET_COUNTERS, nest(A_COUNTERS, *[u64(i, i * 1000) for i in range(1, 23) if i != 17])
               + u64(A_DEFAULT_HITS, 5) + nest(A_RULE_HITS, u64(A_RULE_HIT, 1), u64(A_RULE_HIT, 2)))


def frame(sel, *datagrams):
    return bytes([sel]) + b"".join(struct.pack("<H", len(d)) + d for d in datagrams)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    recs = [flow(A_RECORD, proto=6, reason=3), flow(A_RECORD, v6=True, proto=17, reason=1),
            flow(A_RECORD, proto=1, reason=4), flow(A_RECORD, v6=True, proto=58, reason=2),
            flow(A_RECORD, proto=253, reason=5, dropped=True)]
    seeds = {
        "records": frame(0, msg(GET_RECORDS, b"".join(recs), flags=F_MULTI) + done()),
        "records_two": frame(0, msg(GET_RECORDS, recs[0], flags=F_MULTI),
                             msg(PENDING, b"") + msg(GET_RECORDS, recs[1], flags=F_MULTI) + done()),
        "records_eperm": frame(0, error(-1, "only the registered agent may take records")),
        "records_cut_short": frame(0, msg(GET_RECORDS, recs[0], flags=F_MULTI),
                                   done(-105, "out of memory")),
        "records_stale": frame(0x40, msg(GET_RECORDS, recs[0], flags=F_MULTI, seq=7) + done()),
        "flows": frame(1, msg(GET_FLOWS, flow(A_FLOW) + flow(A_FLOW, v6=True, proto=17),
                              flags=F_MULTI) + done()),
        "flows_error_midway": frame(1, msg(GET_FLOWS, flow(A_FLOW), flags=F_MULTI) + error(-105)),
        "config": frame(2, config() + error(0)),
        "counters": frame(3, counters() + error(0)),
        "hits": frame(4, counters() + error(0)),
        "events": frame(5, msg(PENDING, b"") + msg(CHANGED, u32(A_GENERATION, 9))),
        "set_error": frame(6, error(-22, "interval must be 0 or a multiple of 60000 ms")),
        "register": frame(7, error(0)),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        with open(os.path.join(out, name + "_forced"), "wb") as f:
            f.write(bytes([data[0] | 0x80]) + data[1:])


if __name__ == "__main__":
    main()
