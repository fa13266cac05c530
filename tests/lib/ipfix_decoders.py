#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Keep an IPFIX/UDP stream, and decode it with decoders we did not write.

Shared by tests/unit/ipfix_interop.sh, tests/unit/flowcheck_selftest.sh and
tests/e2e/flowcheck.py. Python 3 standard library only.

Listening (CLI):

    python3 ipfix_decoders.py listen HOST PORT OUT_PREFIX [--idle S] [--timeout S]

binds UDP HOST:PORT (PORT 0: any free port), then prints the bound port on
stdout and creates OUT_PREFIX.ready (holding the port) once it is listening.
Every datagram is appended at once (flushed) to OUT_PREFIX.ipfix
(concatenated IPFIX messages: the IPFIX file format `ipfixDump -i` reads)
and OUT_PREFIX.pcap (LINKTYPE_RAW, IPv4 or IPv6 + UDP headers rebuilt, for
tshark). It stops on SIGTERM or SIGINT (draining what the socket still holds
first), after --idle S seconds without traffic once some came, or after
--timeout S seconds without any traffic at all; it then prints
"listen: N datagrams" on stderr and exits 0.
From Python: listen(host, port, prefix, stop=..., ready=..., idle=...).

Decoding: each of

    ipfixdump_records(ipfix_file)            ipfixDump -i FILE
    tshark_records(pcap_file, port=4739)     tshark -T pdml (cflow on udp.port==PORT), and -V
    nfdump_records(nfcapd_dir_or_file)       nfdump -r FILE -o raw, and -I
    nfacctd_records(json_file[, log_file])   what nfacctd's print plugin wrote
                                             (run with nfacctd_config()); the
                                             FLOW_KEYS it does not keep: NFACCTD_SKIP

returns a Decoded result, which unpacks as (records, problems):

  records   flow records in stream order, each a dict with every key of
            FLOW_KEYS: src, dst (addresses as ipaddress normalizes them),
            sport, dport, proto, tos, tcp_flags, icmp_type, icmp_code,
            packets, octets, start_ms, end_ms (ms since the epoch), direction,
            fwd, end_reason, ingress, egress, tid; None where the decoder
            does not show the field (e.g. ports of ICMP flows, fwd in nfdump,
            tid in nfdump); tshark's also have fwd_meaning, its reading of
            forwardingStatus (RFC 7270), e.g. "Drop / Drop ACL Deny";
  problems  list of strings: non-zero exit, anything on stderr, and markers
            of trouble in the decoder's output (unknown/missing template,
            malformed packet, error, warning).

and also has the attributes
  options         {"ifnames": [(ifindex, name), ...]   (nfdump: the names it
                                                      shows for the flows),
                   "reliability": [dict, ...]}  (keys: process_id,
                   not_sent_flows, not_sent_packets, not_sent_octets,
                   first_ms, last_ms, messages, records; None if not shown)
  run_problems    the exit-status/stderr part of problems
  output_problems the decoder-output part of problems
  templates       template ids announced (ipfixDump, tshark)
  stats           decoder totals: ipfixDump {"messages", "data_records"},
                  nfdump {"flows", "sequence_failures"} (from nfdump -I)
  text            the decoder's main output, for debugging

The meaning of a problem is left to the caller; nfcapd_log_problems(text)
does the same for an nfcapd log.
"""
import calendar
import ipaddress
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

FLOW_KEYS = ("src", "dst", "sport", "dport", "proto", "tos", "tcp_flags", "icmp_type",
             "icmp_code", "packets", "octets", "start_ms", "end_ms", "direction", "fwd",
             "end_reason", "ingress", "egress", "tid", "firewall_event", "acl_rule")
# the eight flow templates (DESIGN.md §6), their twins for dropped flows, and
# for allowed flows that name the rule that allowed them (AllowedFlowRule)
FLOW_TIDS = list(range(256, 264)) + list(range(266, 274)) + list(range(275, 283))
RELIABILITY_TID, IFNAME_TID, RULE_TID = 264, 265, 274
# Our enterprise elements (docs/ipfix.md): (PEN, element ID). ipfixDump
# decodes them by type only when given their definitions (-e FILE).
PEN = 32473
ACL_RULE, ACL_RULE_DESCRIPTION = "%d/1" % PEN, "%d/2" % PEN
ELEMENTS_XML = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                            "ipfix-elements.xml")
REL_KEYS = ("process_id", "not_sent_flows", "not_sent_packets", "not_sent_octets",
            "first_ms", "last_ms", "messages", "records")


class Decoded:
    """What one decoder made of a stream; unpacks as (records, problems)."""

    def __init__(self, decoder):
        self.decoder = decoder
        self.records = []
        self.run_problems = []
        self.output_problems = []
        self.options = {"ifnames": [], "reliability": [], "rules": []}
        self.templates = []
        self.pens = set()             # Enterprise Numbers in templates (tshark)
        self.stats = {}
        self.text = ""

    @property
    def problems(self):
        return self.run_problems + self.output_problems

    def __iter__(self):
        return iter((self.records, self.problems))

    def __repr__(self):
        return "<Decoded %s: %d records, %d problems>" % (self.decoder, len(self.records),
                                                          len(self.problems))


def _flow(**kv):
    d = dict.fromkeys(FLOW_KEYS)
    d.update(kv)
    return d


def addr(s):
    """'2001:0db8::0001' -> '2001:db8::1'."""
    return str(ipaddress.ip_address(s.strip()))


def ms_of(s):
    """'2023-11-14 22:13:20.123' (UTC) -> ms since the epoch."""
    m = re.match(r"(\d+-\d+-\d+ \d+:\d+:\d+)(?:\.(\d+))?", s.strip())
    secs = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S"))
    frac = (m.group(2) or "0")[:3].ljust(3, "0")
    return secs * 1000 + int(frac)


def _run(res, cmd, out_name="text"):
    """Run cmd; record exit status and stderr as run problems; return stdout."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                           env=dict(os.environ, TZ="UTC", LC_ALL="C"))
    except OSError as ex:
        res.run_problems.append("%s: cannot run: %s" % (cmd[0], ex))
        return ""
    err = "\n".join(l for l in p.stderr.splitlines()
                    if l.strip() and "Running as user" not in l)
    if p.returncode != 0:
        res.run_problems.append("%s: exit status %d" % (" ".join(cmd), p.returncode))
    if err:
        res.run_problems.append("%s: stderr: %s" % (cmd[0], err))
    return p.stdout


def _grep(res, what, text, pattern):
    for line in text.splitlines():
        if re.search(pattern, line):
            res.output_problems.append("%s: %s" % (what, line.strip()))


# --- ipfixDump -----------------------------------------------------------------
IPFIXDUMP_IE = {8: "src", 12: "dst", 27: "src", 28: "dst", 7: "sport", 11: "dport",
                4: "proto", 5: "tos", 6: "tcp_flags", 10: "ingress", 14: "egress",
                1: "octets", 2: "packets", 152: "start_ms", 153: "end_ms",
                136: "end_reason", 61: "direction", 89: "fwd", 233: "firewall_event",
                ACL_RULE: "acl_rule"}


def parse_ipfixdump(text):
    """ipfixDump text -> [{"tid": N, "fields": [(ie, text), ...]}, ...]; ie is
    the IANA number, or "PEN/ID" for an enterprise element."""
    recs, cur = [], None
    for line in text.splitlines():
        if line.startswith("--- data record"):
            cur = {"fields": []}
            recs.append(cur)
            continue
        if line.startswith("---"):
            cur = None
            continue
        if cur is None:
            continue
        m = re.match(r"\s*count:\s*\d+\s+tid:\s*(\d+)", line)
        if m:
            cur["tid"] = int(m.group(1))
            continue
        m = re.match(r"\s*\((\d+(?:/\d+)?)\)\s*(?:\(S\))?\s*(\w+)\s*:\s?(.*)$", line)
        if m:
            ie = m.group(1)
            cur["fields"].append((ie if "/" in ie else int(ie), m.group(3)))
    return recs


def ipfixdump_records(ipfix_file):
    res = Decoded("ipfixDump")
    text = res.text = _run(res, ["ipfixDump", "-e", ELEMENTS_XML, "-i", ipfix_file])
    # template and options template records (not data record headers)
    res.templates = sorted(set(int(t) for t in
                               re.findall(r"^\s*tid:\s+(\d+) \(0x\w+\)\s+field count", text, re.M)))
    _grep(res, "ipfixDump", text, r"(?i)no template|missing|unknown|error|warn")
    m = re.search(r"File Stats: (\d+) Messages, (\d+) Data Records", text)
    if m:
        res.stats = {"messages": int(m.group(1)), "data_records": int(m.group(2))}
    for r in parse_ipfixdump(text):
        tid = r.get("tid", 0)
        if tid == IFNAME_TID:
            f = dict(r["fields"])
            m = re.match(r"\(len: \d+\) (.*)", f.get(82, ""))
            res.options["ifnames"].append((int(f[10]), m.group(1) if m else f.get(82)))
            continue
        if tid == RULE_TID:
            f = dict(r["fields"])
            m = re.match(r"\(len: \d+\) ?(.*)", f.get(ACL_RULE_DESCRIPTION, ""))
            res.options["rules"].append((int(f[149]), int(f[ACL_RULE]),
                                         m.group(1) if m else None))
            continue
        if tid == RELIABILITY_TID:
            v = [x for _, x in r["fields"]]
            res.options["reliability"].append(dict(zip(REL_KEYS, [
                int(v[0]), int(v[1]), int(v[2]), int(v[3]), ms_of(v[4]), ms_of(v[5]),
                int(v[6]), int(v[7])])))
            continue
        if tid not in FLOW_TIDS:
            continue
        d = _flow(tid=tid)
        for ie, v in r["fields"]:
            if ie in (8, 12, 27, 28):
                d[IPFIXDUMP_IE[ie]] = addr(v)
            elif ie in (152, 153):
                d[IPFIXDUMP_IE[ie]] = ms_of(v)
            elif ie in (32, 139):
                tc = int(v.split()[0], 0)
                d["icmp_type"], d["icmp_code"] = tc >> 8, tc & 0xff
            elif ie in IPFIXDUMP_IE:
                d[IPFIXDUMP_IE[ie]] = int(v.split()[0], 0)
        res.records.append(d)
    return res


# --- tshark ----------------------------------------------------------------------
TSHARK_SHOW = {"srcport": "sport", "dstport": "dport", "protocol": "proto",
               "inputint": "ingress", "outputint": "egress", "flow_end_reason": "end_reason",
               "direction": "direction", "icmp_ipv6_type": "icmp_type",
               "icmp_ipv6_code": "icmp_code"}
TSHARK_HEX = {"tos": "tos", "tcpflags": "tcp_flags", "octets": "octets", "packets": "packets",
              "abstimestart": "start_ms", "abstimeend": "end_ms", "flow_exporter": "process_id",
              "notsent_flows": "not_sent_flows", "notsent_packets": "not_sent_packets",
              "notsent_octets": "not_sent_octets", "packetsexp": "messages",
              "flowsexp": "records"}


def _tshark_meaning(field):
    """'01.. .... = ForwardingStatus: Forward (1)' -> 'Forward'."""
    m = re.search(r"= [^:]*: (.*?)(?: \(\d+\))?$", field.get("showname") or "")
    return m.group(1) if m else (field.get("show") or "")


def tshark_records(pcap_file, port=4739):
    res = Decoded("tshark")
    decode = "udp.port==%d,cflow" % int(port)
    pdml = _run(res, ["tshark", "-n", "-r", pcap_file, "-d", decode, "-T", "pdml"])
    text = res.text = _run(res, ["tshark", "-n", "-r", pcap_file, "-d", decode, "-V"])
    if not text:
        res.output_problems.append("tshark: no output")
    _grep(res, "tshark", text, r"(?i)no template|malformed|expert info|undecoded")
    try:
        root = ET.fromstring(pdml)
    except ET.ParseError as ex:
        res.output_problems.append("tshark: PDML does not parse: %s" % ex)
        return res
    tid, templates = None, set()
    for fl in root.iter("field"):
        name = fl.get("name")
        if name == "cflow.flowset_id":
            tid = int(fl.get("show"))
            continue
        if name == "cflow.template_id":
            templates.add(int(fl.get("show")))
            continue
        if name == "cflow.template_ipfix_field_pen":
            res.pens.add(int(fl.get("show")))
            continue
        if name != "" or not (fl.get("show") or "").startswith("Flow "):
            continue
        d, obs = {}, []
        for c in fl.iter("field"):
            nm = c.get("name") or ""
            if not nm.startswith("cflow."):
                continue
            v, show, k = c.get("value"), c.get("show"), nm[6:]
            if k in ("srcaddr", "srcaddrv6"):
                d["src"] = addr(show)
            elif k in ("dstaddr", "dstaddrv6"):
                d["dst"] = addr(show)
            elif k in TSHARK_SHOW:
                d[TSHARK_SHOW[k]] = int(show)
            elif k in TSHARK_HEX:
                d[TSHARK_HEX[k]] = int(v, 16)
            elif k == "icmp_type_code_ipv4":
                tc = int(v, 16)
                d["icmp_type"], d["icmp_code"] = tc >> 8, tc & 0xff
            elif k == "forwarding_status":
                d["fwd"] = int(c.get("unmaskedvalue") or v, 16)
                d["fwd_meaning"] = [_tshark_meaning(c)]
            elif k.startswith("forwarding_status_") and k.endswith("_code"):
                d.setdefault("fwd_meaning", []).append(_tshark_meaning(c))
            elif k == "observation_time_milliseconds":
                obs.append(int(v, 16))
            elif k == "if_name":
                d["if_name"] = show
            elif k == "firewall_event":
                d["firewall_event"] = int(show)
            elif k == "od_id":
                d["odid"] = int(show)
            elif k == "enterprise_private_entry":
                # an element tshark does not know: "... Type N: Value (hex
                # bytes)", its octets in value (a string without its length)
                m = re.search(r"\) Type (\d+): Value", c.get("showname") or "")
                if m and m.group(1) == "1":
                    d["acl_rule"] = int(v, 16)
                elif m and m.group(1) == "2":
                    d["description"] = bytes.fromhex(v).decode("utf-8", "replace")
        if "if_name" in d:
            res.options["ifnames"].append((d.get("ingress"), d["if_name"]))
        elif "process_id" in d:
            rel = {k: d.get(k) for k in REL_KEYS}
            rel["first_ms"], rel["last_ms"] = (obs + [None, None])[:2]
            res.options["reliability"].append(rel)
        elif "odid" in d:
            # tshark shows no entry for an empty string
            res.options["rules"].append((d["odid"], d.get("acl_rule"), d.get("description", "")))
        else:
            rec = _flow(tid=tid, **{k: v for k, v in d.items() if k in FLOW_KEYS})
            rec["fwd_meaning"] = " / ".join(d.get("fwd_meaning", []))
            res.records.append(rec)
    res.templates = sorted(templates)
    return res


# --- nfdump ----------------------------------------------------------------------
NFDUMP_INT = (("proto", "proto"), ("src port", "sport"), ("dst port", "dport"),
              ("src tos", "tos"), ("in packets", "packets"), ("in bytes", "octets"),
              ("first", "start_ms"), ("last", "end_ms"), ("input", "ingress"),
              ("output", "egress"), ("direction", "direction"), ("end reason", "end_reason"))


def parse_nfdump_raw(text):
    """nfdump -o raw -> normalized flow records. nfdump 1.7 does not keep IPFIX
    forwardingStatus ('fwd status' is always 0: fwd is None), prints no ToS
    for ICMP flows (tos None) and its ports are meaningless for ICMP (None)."""
    out = []
    for block in text.split("Flow Record:")[1:]:
        kv = {}
        for line in block.splitlines():
            m = re.match(r"\s+([a-zA-Z][\w ]*?)\s+=\s+(.*)$", line)
            if m:
                kv[m.group(1)] = m.group(2).strip()
        d = _flow()
        if "src addr" in kv:
            d["src"], d["dst"] = addr(kv["src addr"]), addr(kv["dst addr"])
        for key, name in NFDUMP_INT:
            if key in kv:
                d[name] = int(kv[key].split()[0], 0)
        if "tcp flags" in kv:
            d["tcp_flags"] = int(kv["tcp flags"].split()[0], 16)
        if "ICMP" in kv:
            t, c = kv["ICMP"].split()[0].split(".")
            d["icmp_type"], d["icmp_code"] = int(t), int(c)
            d["sport"] = d["dport"] = None
        out.append(d)
    return out


def nfdump_files(path):
    """The finished nfcapd files of a directory (or the file itself)."""
    if not os.path.isdir(path):
        return [path]
    out = []
    for dirpath, _, names in os.walk(path):
        out += [os.path.join(dirpath, n) for n in names
                if re.match(r"nfcapd\.\d{12}$", n)]
    return sorted(out)


def nfdump_records(nfcapd_dir_or_file):
    res = Decoded("nfdump")
    files = nfdump_files(nfcapd_dir_or_file)
    if not files:
        res.run_problems.append("nfdump: no finished nfcapd file in %s" % nfcapd_dir_or_file)
    res.stats = {"flows": 0, "sequence_failures": 0}
    texts = []
    for f in files:
        texts.append(_run(res, ["nfdump", "-r", f, "-o", "raw"]))
        stat = _run(res, ["nfdump", "-r", f, "-I"])
        for key, name in (("Flows", "flows"), ("Sequence failures", "sequence_failures")):
            m = re.search(r"^%s:\s*(\d+)" % key, stat, re.M)
            if m:
                res.stats[name] += int(m.group(1))
            else:
                res.output_problems.append("nfdump -I %s: no '%s' line" % (f, key))
    res.text = "".join(texts)
    res.records = parse_nfdump_raw(res.text)
    res.options["ifnames"] = sorted(nfdump_ifnames(files))
    return res


def nfdump_ifnames(files):
    """{(ifindex, name)} nfdump shows for the flows' input and output
    interfaces (%inam/%onam: names it learnt from interface options records)."""
    out = set()
    for f in files:
        p = subprocess.run(["nfdump", "-q", "-r", f, "-o", "fmt:%in|%out|%inam|%onam"],
                           capture_output=True, text=True, errors="replace",
                           env=dict(os.environ, TZ="UTC", LC_ALL="C"))
        for line in p.stdout.splitlines():
            v = [x.strip() for x in line.split("|")]
            if len(v) != 4:
                continue
            for idx, name in ((v[0], v[2]), (v[1], v[3])):
                if name and idx.isdigit():
                    out.add((int(idx), name))
    return out


def nfcapd_log_problems(text):
    """Errors, unknown templates, bad packets in an nfcapd log (sequence
    errors are left to the caller)."""
    return [l.strip() for l in text.splitlines()
            if re.search(r"(?i)(?<!sequence )error|unknown|no template|bad packets: [1-9]", l)]


# --- nfacctd (pmacct) -----------------------------------------------------------
# Every primitive nfacctd can keep of what we export. It has none for
# flowDirection, flowEndReason, ICMP type/code or (in 1.7.7) forwardingStatus.
NFACCTD_AGGREGATE = ("src_host", "dst_host", "src_port", "dst_port", "proto", "tos",
                     "tcpflags", "in_iface", "out_iface", "timestamp_start",
                     "timestamp_end", "export_proto_sysid")
# The FLOW_KEYS nfacctd 1.7.7 does not keep (None in nfacctd_records), for every
# comparison with it (ipfix_interop.sh, flowcheck.py): no primitive for flowDirection,
# flowEndReason, ICMP type/code, forwardingStatus or our enterprise elements
# (firewallEvent is kept by none of its primitives either); and it reads tcpControlBits
# only when it is 1 octet long, where we send RFC 7125's 2 (with the NS bit): its
# tcpflags is always 0.
NFACCTD_SKIP = ("direction", "end_reason", "fwd", "icmp_type", "icmp_code", "tcp_flags",
                "firewall_event", "acl_rule")
NFACCTD_JSON = {"port_src": "sport", "port_dst": "dport", "ip_proto": "proto", "tos": "tos",
                "tcp_flags": "tcp_flags", "iface_in": "ingress", "iface_out": "egress",
                "packets": "packets", "bytes": "octets", "export_proto_sysid": "odid"}


def nfacctd_config(host, port, out_file):
    """An nfacctd configuration: listen on host:port, keep every record with
    the print plugin (no database) and write them as JSON lines to out_file
    when it exits (SIGINT/SIGTERM purge the cache)."""
    return "\n".join([
        "daemonize: false",
        "nfacctd_ip: %s" % host,
        "nfacctd_port: %d" % int(port),
        "plugins: print[p]",
        "aggregate[p]: %s" % ", ".join(NFACCTD_AGGREGATE),
        "print_output[p]: json",
        "print_output_file[p]: %s" % out_file,
        "print_refresh_time[p]: 3600",
        "print_cache_entries[p]: 1009",
        "print_num_protos: true",
        "timestamps_since_epoch: true",
        ""])


def _epoch_ms(s):
    """'1700000002.123000' -> 1700000002123, exactly (no float)."""
    sec, _, frac = str(s).partition(".")
    return int(sec) * 1000 + int((frac + "000")[:3])


def nfacctd_records(json_file, log_file=None):
    """nfacctd's print plugin output (JSON lines) -> flow records, ordered by
    start time (nfacctd writes its cache, not the stream, in order). Fields
    nfacctd does not keep (NFACCTD_SKIP) are None; "odid" is
    export_proto_sysid. With log_file, what nfacctd_log_problems() finds in
    nfacctd's log is among the run problems."""
    res = Decoded("nfacctd")
    if log_file is not None:
        try:
            with open(log_file, errors="replace") as f:
                log = f.read()
        except OSError as ex:
            res.run_problems.append("nfacctd: no log: %s" % ex)
        else:
            res.run_problems += ["nfacctd log: %s" % l for l in nfacctd_log_problems(log)]
    try:
        with open(json_file, errors="replace") as f:
            res.text = f.read()
    except OSError as ex:
        res.run_problems.append("nfacctd: no output file: %s" % ex)
        return res
    import json
    for line in res.text.splitlines():
        if not line.strip():
            continue
        try:
            j = json.loads(line)
        except ValueError as ex:
            res.output_problems.append("nfacctd: not JSON: %s: %s" % (ex, line[:80]))
            continue
        d = _flow(odid=None)
        d["src"], d["dst"] = addr(j["ip_src"]), addr(j["ip_dst"])
        for k, name in NFACCTD_JSON.items():
            if k in j:
                d[name] = int(j[k])
        d["start_ms"] = _epoch_ms(j["timestamp_start"])
        d["end_ms"] = _epoch_ms(j["timestamp_end"])
        res.records.append(d)
    res.records.sort(key=lambda d: (d["start_ms"], d["src"], d["dst"]))
    return res


def nfacctd_log_problems(text):
    """Errors, warnings, malformed templates or packets in an nfacctd log."""
    return [l.strip() for l in text.splitlines()
            if re.match(r"\s*(ERROR|WARN)", l)
            or re.search(r"(?i)malformed|unable to|discard|unknown template", l)]


# --- our own walk of the stream (counts, sequence numbers) ----------------------
REL_IES = {144: "process_id", 166: "not_sent_flows", 167: "not_sent_packets",
           168: "not_sent_octets", 41: "messages", 42: "records"}


def _listener_drops(ipfix_file):
    """{datagram index: datagrams the listener's socket dropped just before it}, from
    the .drops file listen() writes beside the .ipfix file (empty if none)."""
    path = ipfix_file[:-len(".ipfix")] + ".drops" if ipfix_file.endswith(".ipfix") else None
    if not path or not os.path.exists(path):
        return {}
    with open(path) as f:
        return {int(i): int(n) for i, n in (line.split() for line in f if line.strip())}


def stream_stats(ipfix_file):
    """Walks a file of concatenated IPFIX messages (RFC 7011) without decoding the
    flows, fast enough for hundreds of thousands of records: returns a dict with
    "messages", "records" ({template id: data records}), "flow_records" (records of
    non-options templates), "seq_errors" (messages whose sequence number is not the
    previous one's plus its data records: a lost or reordered message),
    "reliability" (the last reliability-statistics options record, by IE name,
    or None) and "problems" (anything malformed).

    A forward jump in sequence numbers right where our own listener's socket
    dropped datagrams (listen()'s .drops file, from SO_RXQ_OVFL) is the listener's
    loss, not the exporter's: it goes to "listener_drops" (datagrams),
    "listener_gaps" (such jumps) and "listener_missed_records" (the records they
    skip), never to "seq_errors". A jump anywhere else, or a step back, is an error."""
    data = open(ipfix_file, "rb").read()
    drops = _listener_drops(ipfix_file)
    tmpl = {}           # (odid, tid) -> ([(ie, length)], is_options)
    expect = {}         # odid -> next sequence number
    out = {"messages": 0, "records": {}, "flow_records": 0, "seq_errors": [],
           "reliability": None, "problems": [], "listener_drops": sum(drops.values()),
           "listener_gaps": 0, "listener_missed_records": 0}
    off = 0
    while off < len(data):
        if len(data) - off < 16:
            out["problems"].append("truncated message header at %d" % off)
            break
        ver, mlen, _, seq, odid = struct.unpack_from("!HHIII", data, off)
        if ver != 10 or mlen < 16 or off + mlen > len(data):
            out["problems"].append("bad message header at %d" % off)
            break
        skipped = (seq - expect.get(odid, seq)) & 0xffffffff
        if skipped and skipped < 1 << 31 and out["messages"] in drops:
            out["listener_gaps"] += 1
            out["listener_missed_records"] += skipped
        elif odid in expect and seq != expect[odid]:
            out["seq_errors"].append("message %d (domain %d): sequence %d, expected %d"
                                     % (out["messages"], odid, seq, expect[odid]))
        nrec, p, end = 0, off + 16, off + mlen
        while p + 4 <= end:
            sid, slen = struct.unpack_from("!HH", data, p)
            if slen < 4 or p + slen > end:
                out["problems"].append("bad set at %d" % p)
                break
            q, send = p + 4, p + slen
            if sid in (2, 3):
                while send - q >= 4:
                    tid, n = struct.unpack_from("!HH", data, q)
                    q += 6 if sid == 3 else 4
                    fields = []
                    for _ in range(n):
                        ie, ln = struct.unpack_from("!HH", data, q)
                        q += 8 if ie & 0x8000 else 4
                        fields.append((ie & 0x7fff, ln))
                    tmpl[(odid, tid)] = (fields, sid == 3)
            elif sid >= 256:
                t = tmpl.get((odid, sid))
                if t is None:
                    out["problems"].append("data set %d before its template" % sid)
                else:
                    fields, is_opt = t
                    fixed = all(ln != 0xffff for _, ln in fields)
                    reclen = sum(ln for _, ln in fields)
                    n = 0
                    if fixed and not is_opt and reclen:
                        n = (send - q) // reclen
                    else:
                        while q < send:
                            rec, r = {}, q
                            for ie, ln in fields:
                                if ln == 0xffff:
                                    ln = data[r]
                                    r += 1
                                    if ln == 255:
                                        ln = struct.unpack_from("!H", data, r)[0]
                                        r += 2
                                rec[ie] = data[r:r + ln]
                                r += ln
                            if r > send or r == q:
                                break   # padding
                            q, n = r, n + 1
                            if 166 in rec:
                                out["reliability"] = {REL_IES[ie]: int.from_bytes(v, "big")
                                                      for ie, v in rec.items() if ie in REL_IES}
                    nrec += n
                    out["records"][sid] = out["records"].get(sid, 0) + n
                    if not is_opt:
                        out["flow_records"] += n
            p = send
        expect[odid] = (seq + nrec) & 0xffffffff
        out["messages"] += 1
        off += mlen
    return out


# --- listener --------------------------------------------------------------------
def _pcap_packet(src, dst, sport, dport, data):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    if ":" in src:
        ip = struct.pack("!IHBB16s16s", 6 << 28, 8 + len(data), 17, 64,
                         socket.inet_pton(socket.AF_INET6, src),
                         socket.inet_pton(socket.AF_INET6, dst))
    else:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + len(data), 0, 0, 64, 17, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
    return ip + udp + data


# SO_RXQ_OVFL (asm-generic/socket.h; Python names no constant for it): each datagram
# then carries, as ancillary data, how many datagrams this socket dropped so far.
SO_RXQ_OVFL = 40


def _recv_batch(s):
    """Every datagram waiting on the non-blocking socket s, as (data, peer, dropped)
    with dropped the socket's drop counter when it was queued (None if unknown)."""
    out = []
    while True:
        try:
            data, anc, _, peer = s.recvmsg(70000, socket.CMSG_SPACE(4))
        except BlockingIOError:
            return out
        dropped = None
        for level, kind, val in anc:
            if level == socket.SOL_SOCKET and kind == SO_RXQ_OVFL and len(val) >= 4:
                dropped = struct.unpack("=I", val[:4])[0]
        out.append((data, peer, dropped))


def listen(host, port, prefix, stop=None, ready=None, idle=None, timeout=None):
    """Receive UDP datagrams on host:port into prefix.ipfix and prefix.pcap
    (written and flushed batch by batch: everything the socket holds at once)
    until stop() is true (then drain the socket), idle seconds pass without
    traffic once some came, or timeout seconds pass with no traffic at all.
    ready(port) is called once bound. The datagrams this socket itself dropped
    (its receive buffer full: the listener's loss, not the exporter's) are
    written to prefix.drops, a line "INDEX DROPPED" each time the count changes:
    DROPPED datagrams were lost before the datagram numbered INDEX (from 0).
    Returns (datagrams kept, datagrams dropped by this socket)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
    s.setsockopt(socket.SOL_SOCKET, SO_RXQ_OVFL, 1)
    s.bind((host, int(port)))
    s.setblocking(False)
    port = s.getsockname()[1]
    local = s.getsockname()[0]
    got = dropped = 0
    with open(prefix + ".ipfix", "wb") as ipfix, open(prefix + ".pcap", "wb") as pcap, \
            open(prefix + ".drops", "w") as drops:
        pcap.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
        pcap.flush()
        drops.flush()
        if ready:
            ready(port)
        start = last = time.time()
        draining = None
        while True:
            now = time.time()
            if draining is None and stop and stop():
                draining = now
            if draining is not None and (now - last > 0.2 or now - draining > 5):
                break
            if idle and got and now - last >= idle:
                break
            if timeout and not got and now - start >= timeout:
                break
            r, _, _ = select.select([s], [], [], 0.05)
            if not r:
                continue
            batch = _recv_batch(s)
            last = time.time()
            for data, peer, ovfl in batch:
                if ovfl is not None and ovfl != dropped:
                    drops.write("%d %d\n" % (got, (ovfl - dropped) & 0xffffffff))
                    dropped = ovfl
                got += 1
                ipfix.write(data)
                pkt = _pcap_packet(peer[0], local, peer[1], port, data)
                pcap.write(struct.pack("<IIII", int(last), int(last % 1 * 1e6),
                                       len(pkt), len(pkt)) + pkt)
            ipfix.flush()
            pcap.flush()
            drops.flush()
    s.close()
    return got, dropped


def _cli_listen(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="ipfix_decoders.py listen")
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("prefix")
    ap.add_argument("--idle", type=float)
    ap.add_argument("--timeout", type=float)
    a = ap.parse_args(argv)
    stopping = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.append(1))

    def ready(port):
        tmp = a.prefix + ".ready.tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, a.prefix + ".ready")
        print(port, flush=True)

    n, dropped = listen(a.host, a.port, a.prefix, stop=lambda: bool(stopping),
                        ready=ready, idle=a.idle, timeout=a.timeout)
    print("listen: %d datagrams, %d dropped by this socket" % (n, dropped), file=sys.stderr)
    return 0


def _cli_dump(argv):
    """ipfix_decoders.py {ipfixdump FILE | tshark PCAP [PORT] | nfdump DIR}: print JSON."""
    import json
    fn = {"ipfixdump": ipfixdump_records, "tshark": tshark_records,
          "nfdump": nfdump_records}[argv[0]]
    res = fn(*argv[1:2]) if argv[0] != "tshark" else fn(argv[1], int(argv[2]) if len(argv) > 2 else 4739)
    for r in res.records:
        print(json.dumps(r))
    print(json.dumps({"options": res.options, "stats": res.stats, "templates": res.templates}))
    for p in res.problems:
        print("problem: " + p, file=sys.stderr)
    return 1 if res.problems else 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "listen":
        sys.exit(_cli_listen(sys.argv[2:]))
    if len(sys.argv) >= 3 and sys.argv[1] in ("ipfixdump", "tshark", "nfdump"):
        sys.exit(_cli_dump(sys.argv[1:]))
    if len(sys.argv) == 3 and sys.argv[1] == "stats":
        import json
        st = stream_stats(sys.argv[2])
        print(json.dumps(st))
        sys.exit(1 if st["problems"] else 0)
    print(__doc__.split("\n\n")[1] if __doc__ else "", file=sys.stderr)
    print("usage: ipfix_decoders.py listen HOST PORT OUT_PREFIX [--idle S] [--timeout S]\n"
          "       ipfix_decoders.py {ipfixdump FILE | tshark PCAP [PORT] | nfdump DIR_OR_FILE}\n"
          "       ipfix_decoders.py stats FILE   (our own walk: counts, sequence numbers)",
          file=sys.stderr)
    sys.exit(2)
