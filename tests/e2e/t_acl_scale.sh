#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_acl_scale: a profile of 10,000 Access Control Rules (a netlink message of several
# hundred KiB, its rules in several nests) is pushed, read back whole, enforced, and
# replaced by a small one; so are 40 wide rules (1024 port ranges each) and the largest
# rule set a profile may hold (65,535 rules with 255-byte descriptions).
. "$(dirname "$0")/lib.sh"

check "insmod" mod_load || bail "module does not load"
check "topology up" topo_up || bail "no topology"

# 9,999 rules that never match (/32 peers in 100.127.0.0/16, which no test host has),
# then one that denies ICMP from the test peer. Default Allow.
python3 - "$W/big.json" <<'PY'
import json, sys
rules = [{"Action": "Deny", "Direction": "ReceivedFromPeer",
          "Peer": "100.127.%d.%d/32" % (i // 250, i % 250 + 1), "Protocol": "Tcp",
          "Ports": "%d,%d-%d" % (1000 + i % 5000, 20000, 20000 + i % 100),
          "Description": "never matches %d" % i} for i in range(9999)]
rules.append({"Action": "Deny", "Direction": "ReceivedFromPeer", "Peer": "100.64.0.2/32",
              "Protocol": "Icmp", "Description": "the one that matches"})
json.dump({"FlowMetadata": {"IpFixCollectors": ["Udp/127.0.0.1:4739"], "Interfaces": ["tap0"]},
           "AccessControl": {"Default": "Allow", "Rules": rules}}, open(sys.argv[1], "w"), indent=1)
PY
check "push-config of 10,000 rules" "$USERCTL" push-config "$W/big.json"
check_fail "the last rule denies the peer's ping" in_peer ping -c 2 -W 1 "$TAP0_V4"
check "TCP from the peer is allowed by Default (no rule matches)" in_peer python3 -c '
import socket
try:
    socket.create_connection(("100.64.0.1", 1), timeout=3)
except ConnectionRefusedError:
    pass    # an RST from the host: the SYN went through
'
"$USERCTL" status --json >"$W/status.json" 2>&1
check "status reads back all 10,000 rules, and the hits of the last one" python3 -c '
import json, sys
rules = json.load(open(sys.argv[1]))["config"]["AccessControl"]["Rules"]
assert len(rules) == 10000, "%d rules read back" % len(rules)
last = rules[-1]
assert last["Description"] == "the one that matches", last
assert last["hits"] >= 2, "hits %r" % last["hits"]
assert all(r["hits"] == 0 for r in rules[:-1]), "a rule that never matches has hits"
' "$W/status.json"

# Wide rules: 40 of 1024 port ranges and a 255-byte description each (~8.5 KiB each in
# netlink): the reply splits them over nests that each stay under an attribute's 64 KiB,
# and every rule reads back exactly as pushed.
python3 - "$W/wide.json" <<'PY'
import json, sys
rules = [{"Action": "Deny", "Direction": "ReceivedFromPeer",
          "Peer": "100.127.200.%d/32" % (i + 1), "Protocol": "Udp",
          "Ports": ",".join("%d-%d" % (p, p + 1) for p in range(1000 + i, 1000 + i + 3 * 1024, 3)),
          "Description": ("wide %d " % i).ljust(255, "w")} for i in range(40)]
json.dump({"FlowMetadata": {"IpFixCollectors": ["Udp/127.0.0.1:4739"], "Interfaces": ["tap0"]},
           "AccessControl": {"Default": "Allow", "Rules": rules}}, open(sys.argv[1], "w"))
PY
check "push-config of 40 rules of 1024 port ranges each" "$USERCTL" push-config "$W/wide.json"
"$USERCTL" status --json >"$W/wide-status.json" 2>&1
check "status reads back all 40 wide rules exactly (ports and descriptions)" python3 -c '
import json, sys
pushed = json.load(open(sys.argv[1]))["AccessControl"]["Rules"]
got = json.load(open(sys.argv[2]))["config"]["AccessControl"]["Rules"]
assert len(got) == len(pushed), "%d rules read back" % len(got)
for p, g in zip(pushed, got):
    assert g["Description"] == p["Description"], (g["Description"][:20], p["Description"][:20])
    assert g["Ports"] == p["Ports"], "ports of %s differ" % p["Description"][:8]
    assert g["Peer"] == p["Peer"], (g["Peer"], p["Peer"])
' "$W/wide.json" "$W/wide-status.json"

# The largest rule set a profile may hold: 65,535 rules, each with a 255-byte description
# (about 20 MB of netlink): GET_CONFIG is a dump, so it reads back whole, in order.
python3 - "$W/huge.json" <<'PY'
import json, sys
rules = [{"Action": "Deny", "Direction": "ReceivedFromPeer",
          "Peer": "100.%d.%d.%d/32" % (100 + i // 62500, i // 250 % 250, i % 250 + 1),
          "Protocol": "Tcp", "Ports": "%d" % (1 + i),
          "Description": ("huge %d " % i).ljust(255, "h")} for i in range(65535)]
json.dump({"FlowMetadata": {"IpFixCollectors": ["Udp/127.0.0.1:4739"], "Interfaces": ["tap0"]},
           "AccessControl": {"Default": "Allow", "Rules": rules}}, open(sys.argv[1], "w"))
PY
check "push-config of 65,535 rules with 255-byte descriptions" "$USERCTL" push-config "$W/huge.json"
"$USERCTL" status --json >"$W/huge-status.json" 2>"$W/huge-status.err"
check "status reads back all 65,535 rules in order (ports and descriptions)" python3 -c '
import json, sys
pushed = json.load(open(sys.argv[1]))["AccessControl"]["Rules"]
got = json.load(open(sys.argv[2]))["config"]["AccessControl"]["Rules"]
assert len(got) == len(pushed), "%d rules read back" % len(got)
for p, g in zip(pushed, got):
    assert (g["Description"], g["Ports"], g["Peer"]) == (p["Description"], p["Ports"], p["Peer"]), \
        (g["Description"][:12], p["Description"][:12])
' "$W/huge.json" "$W/huge-status.json"

cat >"$W/small.json" <<'JSON'
{ "FlowMetadata": { "IpFixCollectors": ["Udp/127.0.0.1:4739"], "Interfaces": ["tap0"] },
  "AccessControl": { "Default": "Allow", "Rules": [] } }
JSON
check "push-config replaces them with none" "$USERCTL" push-config "$W/small.json"
check "the peer's ping passes again" in_peer ping -c 2 -W 2 "$TAP0_V4"
check "topology down" topo_down
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
