#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Bounded, reproducible fuzzer of the enclave_ipfix generic netlink family.

    nlfuzz.py [--iterations N] [--seed S] [--family NAME]

Sends N requests over a raw AF_NETLINK/NETLINK_GENERIC socket (the family id
resolved with CTRL_CMD_GETFAMILY) and reads every reply. Each request is one
of: a well-formed SET_CONFIG with random values (some out of range), a huge
rule set (thousands of rules), a random attribute soup (random types,
lengths, nesting, NLA_F_NESTED on scalars, lengths that lie), a byte-level
mutation of a valid request, every command number 0..255 with and without
NLM_F_DUMP (GET_FLOWS/GET_RECORDS dumps included, also after registering as
the agent), a wrong version, and a netlink header whose length lies.

Python 3 standard library only. Same seed, same requests. Prints one summary
line "nlfuzz: N sent, N acked, N errors (errno: count ...), N dump messages"
and exits 0, or 1 if the family vanished or the socket failed (a request the
kernel must survive is never a reason to stop).
"""
import argparse
import errno
import os
import random
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
NLMSG_ERROR, NLMSG_DONE = 2, 3
F_REQUEST, F_MULTI, F_ACK, F_DUMP = 0x1, 0x2, 0x4, 0x300
NLA_F_NESTED, NLA_F_NET_BYTEORDER = 0x8000, 0x4000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 0x10, 3, 1, 2

# include/uapi/linux/enclave_ipfix.h
SET_CONFIG, GET_CONFIG, GET_FLOWS, GET_COUNTERS, REGISTER, GET_RECORDS = range(1, 7)
CMD_MAX = 9
(A_ENABLED, A_DIRECTION, A_INTERVAL, A_IDLE, A_MAXFLOWS, A_IFACES, A_IFACE, A_COLLS, A_COLL,
 A_ODID, A_REFRESH, A_MSGSIZE, A_ACL_DEFAULT, A_RULES, A_RULE) = range(1, 16)
A_MAX = 25
(R_ACTION, R_DIRECTION, R_FAMILY, R_PEER, R_PREFIX, R_PROTOCOL, R_PORTS, R_PORT_RANGE,
 R_DESCR) = range(1, 10)


def attr(t, payload):
    """An attribute; past 64 KiB its 16-bit length wraps (and so lies)."""
    n = 4 + len(payload)
    return struct.pack("=HH", n & 0xffff, t) + payload + b"\0" * ((4 - n % 4) % 4)


def nest(t, parts):
    return attr(t | NLA_F_NESTED, b"".join(parts))


def u8(t, v): return attr(t, struct.pack("=B", v & 0xff))
def u32(t, v): return attr(t, struct.pack("=I", v & 0xffffffff))
def cstr(t, s): return attr(t, s.encode() + b"\0")


class Fuzzer:
    def __init__(self, seed, name):
        self.r = random.Random(seed)
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        for opt in (32, 33):     # SO_SNDBUFFORCE, SO_RCVBUFFORCE: huge rule sets
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, opt, 32 << 20)
            except OSError:
                pass
        self.sock.bind((0, 0))
        self.seq = 1
        self.family = self.resolve(name)
        self.sent = self.acked = self.dump_msgs = 0
        self.errors = {}

    # --- I/O ---------------------------------------------------------------------------
    def send_raw(self, data):
        self.sent += 1
        try:
            self.sock.send(data)
        except OSError as ex:
            self.errors["send:" + errno.errorcode.get(ex.errno, str(ex.errno))] = \
                self.errors.get("send:" + errno.errorcode.get(ex.errno, str(ex.errno)), 0) + 1
            return False
        return True

    def msg(self, cmd, body, flags=F_REQUEST | F_ACK, version=1, typ=None, seq=None):
        self.seq += 1
        payload = struct.pack("=BBH", cmd & 0xff, version & 0xff, 0) + body
        return struct.pack("=IHHII", 16 + len(payload), self.family if typ is None else typ,
                           flags, self.seq if seq is None else seq, 0) + payload

    def drain(self, timeout=0.5):
        """Reads replies until the ACK/error/DONE of the last request (or timeout)."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(1 << 22)
            except socket.timeout:
                return
            except OSError as ex:    # ENOBUFS: replies overran the buffer
                self.errors["recv:" + errno.errorcode.get(ex.errno, "?")] = \
                    self.errors.get("recv:" + errno.errorcode.get(ex.errno, "?"), 0) + 1
                continue
            off, last = 0, False
            while off + 16 <= len(data):
                ln, typ, flags, seq, _ = struct.unpack_from("=IHHII", data, off)
                if ln < 16:
                    break
                if typ == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", data, off + 16)[0]
                    if err == 0:
                        self.acked += 1
                    else:
                        k = errno.errorcode.get(err, str(err))
                        self.errors[k] = self.errors.get(k, 0) + 1
                    last = seq == self.seq or seq == 0
                elif typ == NLMSG_DONE:
                    last = seq == self.seq
                elif typ == self.family and flags & F_MULTI:
                    self.dump_msgs += 1
                off += (ln + 3) & ~3
            if last:
                return

    def resolve(self, name):
        body = struct.pack("=BBH", CTRL_CMD_GETFAMILY, 1, 0) + cstr(CTRL_ATTR_FAMILY_NAME, name)
        self.sock.send(struct.pack("=IHHII", 16 + len(body), GENL_ID_CTRL, F_REQUEST, 1, 0) + body)
        data = self.sock.recv(65536)
        off = 20
        while off + 4 <= len(data):
            ln, t = struct.unpack_from("=HH", data, off)
            if ln < 4:
                break
            if t == CTRL_ATTR_FAMILY_ID:
                return struct.unpack_from("=H", data, off + 4)[0]
            off += (ln + 3) & ~3
        sys.exit("nlfuzz: family %s not found" % name)

    # --- generators --------------------------------------------------------------------
    def rnd_u32(self):
        r = self.r
        return r.choice([0, 1, 511, 512, 999, 1000, 60000, 65000, 65001, 86400, 86401,
                         86400000, 86400001, 1 << 24, (1 << 24) + 1, 0x7fffffff,
                         0xffffffff, r.getrandbits(32)])

    def rnd_str(self, maxlen):
        r = self.r
        n = r.choice([0, 1, 15, 16, 17, 255, 256, 271, 272, 300, r.randrange(0, maxlen)])
        return "".join(r.choice("tap0wg.%/:[]Udp1234567890xyz-") for _ in range(n))

    def rule(self, sane=True, small=False):
        r = self.r
        parts = [u8(R_ACTION, r.randrange(2) if sane else r.randrange(256))]
        if r.random() < 0.7:
            parts.append(u8(R_DIRECTION, r.randrange(3) if sane else r.randrange(256)))
        proto = r.randrange(4) if sane else r.randrange(256)
        parts.append(u8(R_PROTOCOL, proto))
        if r.random() < 0.6:
            fam = r.choice([2, 10]) if sane else r.choice([0, 2, 10, 1, 255])
            alen = 4 if fam == 2 else 16
            if not sane and r.random() < 0.3:
                alen = r.choice([0, 3, 5, 15, 17, 64])
            parts += [u8(R_FAMILY, fam), attr(R_PEER, r.randbytes(alen)),
                      u8(R_PREFIX, r.randrange(0, alen * 8 + 1) if sane else r.randrange(256))]
        if proto in (1, 2) and r.random() < 0.5 or not sane and r.random() < 0.2:
            ports = []
            for _ in range(r.choice([1, 2, 10] if sane or small else [1, 2, 10, 1024, 1025])):
                a = r.randrange(0 if not sane else 1, 65536)
                b = r.randrange(a, 65536) if sane else r.randrange(0, 65536)
                ports.append(u32(R_PORT_RANGE, a << 16 | b))
            parts.append(nest(R_PORTS, ports))
        if r.random() < 0.3:
            parts.append(cstr(R_DESCR, self.rnd_str(300)))
        return nest(A_RULE, parts)

    def config(self, sane=True, nrules=None):
        r = self.r
        parts = []
        pick = (lambda good, bad: good if sane or r.random() < 0.7 else bad)
        if r.random() < 0.8:
            parts.append(u8(A_ENABLED, pick(r.randrange(2), r.randrange(256))))
        if r.random() < 0.8:
            parts.append(u8(A_DIRECTION, pick(r.randrange(3), r.randrange(256))))
        if r.random() < 0.5:
            parts.append(u32(A_INTERVAL, pick(60000 * r.randrange(3), self.rnd_u32())))
        if r.random() < 0.5:
            parts.append(u32(A_IDLE, pick(r.randrange(1000, 100000), self.rnd_u32())))
        if r.random() < 0.5:
            parts.append(u32(A_MAXFLOWS, pick(r.randrange(1, 100000), self.rnd_u32())))
        for a in (A_ODID, A_REFRESH, A_MSGSIZE):
            if r.random() < 0.3:
                parts.append(u32(a, self.rnd_u32()))
        if r.random() < 0.5:
            parts.append(u8(A_ACL_DEFAULT, pick(r.randrange(2), r.randrange(256))))
        if r.random() < 0.8:
            n = r.choice([0, 1, 2, 3, 64, 65] if not sane else [0, 1, 2])
            names = ["tap0", "fz%d" % r.randrange(4), "lo", self.rnd_str(20)]
            parts.append(nest(A_IFACES, [cstr(A_IFACE, names[i % 4] if sane else
                                              r.choice(names + [""])) for i in range(n)]))
        if r.random() < 0.8:
            n = r.choice([0, 1, 2, 64, 65] if not sane else [0, 1])
            parts.append(nest(A_COLLS, [cstr(A_COLL, "Udp/127.0.0.1:%d" % (4739 + i)
                                             if sane else self.rnd_str(300)) for i in range(n)]))
        if nrules is None and r.random() < 0.5:
            nrules = r.choice([0, 1, 2, 5, 20])
        if nrules:
            parts.append(nest(A_RULES, [self.rule(sane, nrules > 20) for _ in range(nrules)]))
        r.shuffle(parts)
        return self.msg(SET_CONFIG, b"".join(parts))

    def soup(self, depth=0):
        """Random attributes: random types, lengths, nesting, flags."""
        r = self.r
        out = b""
        for _ in range(r.randrange(0, 6)):
            t = r.choice([r.randrange(0, A_MAX + 3), r.randrange(0, 1 << 14)])
            if r.random() < 0.2:
                t |= r.choice([NLA_F_NESTED, NLA_F_NET_BYTEORDER])
            kind = r.random()
            if kind < 0.3 and depth < 4:
                payload = self.soup(depth + 1)
                t |= NLA_F_NESTED if r.random() < 0.8 else 0
            elif kind < 0.5:
                payload = struct.pack("=I", self.rnd_u32())[:r.choice([0, 1, 2, 4])]
            elif kind < 0.6:
                payload = struct.pack("=Q", r.getrandbits(64))
            else:
                payload = r.randbytes(r.randrange(0, 40))
            a = attr(t, payload)
            if r.random() < 0.1:        # nla_len lies
                lie = r.choice([0, 1, 3, 4, len(a) + 4, 0xffff, r.randrange(0, 0x10000)])
                a = struct.pack("=H", lie) + a[2:]
            out += a
        return out

    def mutate(self, data):
        r = self.r
        b = bytearray(data)
        for _ in range(r.randrange(1, 8)):
            op = r.random()
            if op < 0.5 and len(b) > 20:
                i = r.randrange(20, len(b))
                b[i] = r.getrandbits(8)
            elif op < 0.65 and len(b) > 20:
                del b[r.randrange(20, len(b)):]
            elif op < 0.8:
                b += r.randbytes(r.randrange(1, 16))
            elif len(b) > 24:
                i = r.randrange(20, len(b) - 2)
                struct.pack_into("=H", b, i, r.choice([0, 4, 0xffff, r.getrandbits(16)]))
        struct.pack_into("=I", b, 0, len(b))
        return bytes(b)

    def one(self, i):
        r = self.r
        k = r.random()
        quick = False
        if k < 0.20:
            data = self.config(sane=True)
        elif k < 0.40:
            data = self.config(sane=False)
        elif k < 0.55:
            data = self.mutate(self.config(sane=r.random() < 0.5))
        elif k < 0.70:
            data = self.msg(r.randrange(0, CMD_MAX + 3), self.soup(),
                            flags=F_REQUEST | F_ACK | (F_DUMP if r.random() < 0.3 else 0))
        elif k < 0.80:
            # every command, dumps included, also as the registered agent
            cmd = r.choice([GET_CONFIG, GET_FLOWS, GET_COUNTERS, REGISTER, GET_RECORDS,
                            r.randrange(0, 256)])
            flags = F_REQUEST | F_ACK | (F_DUMP if r.random() < 0.5 else 0)
            data = self.msg(cmd, b"" if r.random() < 0.7 else self.soup(), flags=flags)
        elif k < 0.85:
            # random flags: maybe no ACK is asked for
            quick = True
            data = self.msg(r.randrange(0, 256), self.soup(), version=r.randrange(256),
                            flags=r.getrandbits(16) | F_REQUEST)
        elif k < 0.90:
            # header lies: nlmsg_len shorter or longer than what is sent, short genl header
            data = bytearray(self.config(sane=True))
            cut = r.choice([16, 17, 19, 20, len(data)])
            data = data[:cut]
            struct.pack_into("=I", data, 0, r.choice([len(data), 16, 19, 20, len(data) + 8,
                                                      r.getrandbits(32)]))
            data = bytes(data)
            quick = True     # netlink drops a message whose length lies, silently
        elif k < 0.997:
            data = self.config(sane=r.random() < 0.5, nrules=r.choice([20, 50, 200]))
        else:
            # huge rule sets: thousands of rules, as many as fit the 16-bit length of
            # the nest (12-byte rules), or more, so that the nest's length wraps
            n = r.choice([2000, 5000, 5460, 6000, 20000])
            rule = nest(A_RULE, [u8(R_ACTION, r.randrange(2))])
            body = nest(A_RULES, [rule] * n) + nest(A_IFACES, [cstr(A_IFACE, "tap0")])
            data = self.msg(SET_CONFIG, body)
        if self.send_raw(data):
            if quick:
                # No reply may come: a request that surely fails marks the end.
                self.send_raw(self.msg(0xff, b""))
                self.sent -= 1
            self.drain(timeout=5.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iterations", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--family", default="enclave_ipfix")
    ap.add_argument("--report-every", type=int, default=0)
    a = ap.parse_args()
    f = Fuzzer(a.seed, a.family)
    start = time.monotonic()
    for i in range(a.iterations):
        f.one(i)
        if a.report_every and (i + 1) % a.report_every == 0:
            print("nlfuzz: %d/%d in %.0fs" % (i + 1, a.iterations, time.monotonic() - start),
                  flush=True)
    # the family must still answer
    f2 = Fuzzer(0, a.family)
    ok = f2.family == f.family
    errs = " ".join("%s:%d" % kv for kv in sorted(f.errors.items()))
    print("nlfuzz: %d sent, %d acked, %d errors (%s), %d dump messages, %.0fs, seed %d"
          % (f.sent, f.acked, sum(f.errors.values()), errs, f.dump_msgs,
             time.monotonic() - start, a.seed))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
