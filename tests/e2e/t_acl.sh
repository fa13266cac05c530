#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_acl: the Access Control Rules enforced on tap0 by the module's hooks, and every
# drop exported as a flow with forwardingStatus 129 (decoded by ipfixDump):
#   A  Default Deny + Allow ReceivedFromPeer 100.64.0.2/32 Tcp 22, Direction
#      SendingToPeer: the peer reaches 22, 23 times out; the refused SYNs are exactly one
#      flow (fwd 129, ingress, the capture's packet count) although Direction says egress
#   B  a SendingToPeer Deny rule (Udp 5353): nothing arrives, one egress flow (fwd 129)
#   C  a ReceivedFromPeer Deny Icmp rule: the peer's ping is refused (one flow, fwd 129),
#      while our own ping to the peer still gets its replies (stateful)
#   D  Default Deny + Allow SendingToPeer, with AllowedFlowRule: replies to our TCP, UDP
#      and ping pass, the peer's own connection does not; the allowed flows, replies
#      included, name rule 1 (userctl flows: ALLOWED(acl rule 1); the records: aclRuleIndex
#      1, templates 275..282), while the allowed flows of A (without the key) name none
#   E  metering off (Enabled false): the rules still hold and the drops are counted
# plus per-rule hits in `userctl status` and DROPPED(acl default) in `userctl flows`.
. "$(dirname "$0")/lib.sh"

PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

# profile NAME DIRECTION ENABLED DEFAULT RULES-JSON [MORE-FLOWMETADATA-JSON]
profile() {
	cat >"$W/$1.json" <<JSON
{
  "FlowMetadata": {
    "IpFixCollectors": ["Udp/127.0.0.1:4740"],
    "Direction": "$2",
    "Enabled": $3,
    "Interfaces": ["tap0"],
    "IdleTimeout": 2000${6:+,
    $6}
  },
  "AccessControl": { "Default": "$4", "Rules": [ $5 ] }
}
JSON
	echo "$W/$1.json"
}

# connect HOST PORT [TIMEOUT]: exit 0 if a TCP connection is made and "hi" is read.
tcp_hi() {
	python3 - "$@" <<'PY'
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
t = float(sys.argv[3]) if len(sys.argv) > 3 else 5
try:
    c = socket.create_connection((host, port), timeout=t)
    sys.exit(0 if c.recv(10) == b"hi" else 3)
except socket.timeout:
    print("timed out"); sys.exit(1)
except OSError as e:
    print(e); sys.exit(2)
PY
}

# A TCP server saying "hi" to whoever connects, on ADDR:PORT (run with in_peer or not).
tcp_server() {
	python3 - "$@" <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8)
while True:
    c, _ = s.accept(); c.sendall(b"hi"); c.close()
PY
	PIDS+=($!)
}

check "insmod" mod_load || bail "module does not load"
check "topology up" topo_up || bail "no topology"
ethtool -K tap0 tso off gso off gro off tx off rx off >/dev/null 2>&1
in_peer ethtool -K eth0 tso off gso off gro off tx off rx off >/dev/null 2>&1

python3 "$REPO/tests/lib/ipfix_decoders.py" listen 127.0.0.1 4740 "$W/ipfix" >"$W/listen.log" 2>&1 &
LISTEN=$!
dumpcap -q -i tap0 -w "$W/tap0.pcap" >"$W/dumpcap.log" 2>&1 &
DUMPCAP=$!
PIDS+=($LISTEN $DUMPCAP)
for _ in $(seq 100); do
	[ -e "$W/ipfix.ready" ] && grep -q "File:" "$W/dumpcap.log" 2>/dev/null && break
	sleep 0.1
done
check "IPFIX listener ready" test -e "$W/ipfix.ready"

# Servers: on the host side of tap0 (22, 23) and in the peer (5001 TCP, 5002 UDP echo).
tcp_server "$TAP0_V4" 22
tcp_server "$TAP0_V4" 23
in_peer python3 - <<'PY' &
import socket, os
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("100.64.0.2", 5001)); s.listen(8)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("100.64.0.2", 5002))
if os.fork() == 0:
    while True:
        d, a = u.recvfrom(2000); u.sendto(d, a)
while True:
    c, _ = s.accept(); c.sendall(b"hi"); c.close()
PY
PIDS+=($!)
# Until the servers listen: 22 and 23 here, 5002 in the peer (bound after 5001).
for _ in $(seq 300); do
	[ "$(ss -ltn | grep -cE "$TAP0_V4:2[23] ")" -eq 2 ] && in_peer ss -lun | grep -q "$PEER_V4:5002 " && break
	sleep 0.1
done

# --- A: receive-side allow 22, Default Deny, exporting SendingToPeer only -----------------
ALLOW22='{ "Action": "Allow", "Direction": "ReceivedFromPeer", "Peer": "100.64.0.2/32",
	   "Protocol": "Tcp", "Ports": "22", "Description": "ssh from the peer" }'
check "push-config A (Default Deny, allow Tcp 22 from the peer)" \
	"$USERCTL" push-config "$(profile a SendingToPeer true Deny "$ALLOW22")"
"$USERCTL" agent --verbose >"$W/agent.log" 2>&1 &
AGENT=$!
PIDS+=($AGENT)
wait_log "$W/agent.log" 'running \(pid' 30 >/dev/null
check "agent is running" kill -0 $AGENT
check "A: the peer connects to 22" in_peer bash -c "$(declare -f tcp_hi); tcp_hi $TAP0_V4 22"
# The refused SYNs are retried for 3.5 s: `userctl flows` looks while they still come.
in_peer bash -c "$(declare -f tcp_hi); tcp_hi $TAP0_V4 23 3.5" >"$W/a23.txt" 2>&1 &
A23=$!
# Look while they come: from the first SYN on (python's start may take a while on a
# loaded host), until the SYNs stop.
A23_FLOW='tap0 +in +tcp +100.64.0.2:[0-9]+ +100.64.0.1:23 .*DROPPED\(acl default\)'
for _ in $(seq 30); do
	"$USERCTL" flows | grep -qE "$A23_FLOW" && break
	kill -0 $A23 2>/dev/null || break
	sleep 0.2
done
check_match "A: userctl flows shows the flow refused by Default Deny as DROPPED(acl default)" "$A23_FLOW" "$USERCTL" flows
wait $A23
check_match "A: the peer's connection to 23 times out" "timed out" cat "$W/a23.txt"
"$USERCTL" status --json >"$W/status-a.json" 2>&1
check "A: status shows the hits of rule 1 and of Default" python3 - "$W/status-a.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
acl = s["config"]["AccessControl"]
hits = [r["hits"] for r in acl["Rules"]]
print(acl)
assert len(hits) == 1 and hits[0] >= 3, hits
assert acl["DefaultHits"] >= 2, acl
assert s["kernel"]["acl_dropped_packets"] >= 2, s["kernel"]
PY
# Every flow of A ends (idle 2 s).
wait_for '$k.flows_active == 0' 60 a-ended >/dev/null || note "A: flows still active after 60 s"

# --- B: a sending-side deny -------------------------------------------------------------
DENYUDP='{ "Action": "Deny", "Direction": "SendingToPeer", "Peer": "100.64.0.2/32",
	   "Protocol": "Udp", "Ports": "5353", "Description": "no mDNS to the peer" }'
check "push-config B (Deny SendingToPeer Udp 5353)" \
	"$USERCTL" push-config "$(profile b Both true Allow "$DENYUDP")"
in_peer python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("100.64.0.2", 5353))
u.settimeout(4)
try:
    print("received", u.recvfrom(2000))
except socket.timeout:
    print("nothing")' >"$W/b-peer.txt" 2>&1 &
BPEER=$!
for _ in $(seq 300); do in_peer ss -lun | grep -q "$PEER_V4:5353 " && break; sleep 0.1; done
check "B: five datagrams to the peer's 5353 are refused on sending" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
refused = 0
for i in range(5):
    try:
        s.sendto(b"q" * 50, ("100.64.0.2", 5353))
    except PermissionError:
        refused += 1
print("refused", refused)'
wait $BPEER
check_match "B: the peer received nothing" '^nothing' cat "$W/b-peer.txt"
check "B: UDP to another port still goes" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(b"echo", ("100.64.0.2", 5002)); assert s.recv(100) == b"echo"'
wait_for '$k.flows_active == 0' 60 b-ended >/dev/null || note "B: flows still active after 60 s"

# --- C: ping refused by an Icmp rule ------------------------------------------------------
DENYICMP='{ "Action": "Deny", "Direction": "ReceivedFromPeer", "Protocol": "Icmp" }'
check "push-config C (Deny ReceivedFromPeer Icmp)" \
	"$USERCTL" push-config "$(profile c Both true Allow "$DENYICMP")"
check_fail "C: the peer's ping is refused" in_peer ping -c 3 -i 0.3 -W 1 "$TAP0_V4"
check "C: our ping to the peer gets its replies (stateful)" ping -c 3 -i 0.3 -W 2 "$PEER_V4"
wait_for '$k.flows_active == 0' 60 c-ended >/dev/null || note "C: flows still active after 60 s"

# --- D: replies to outbound connections with a receive-side Default Deny ------------------
SENDALL='{ "Action": "Allow", "Direction": "SendingToPeer", "Description": "all we send" }'
check "push-config D (Default Deny, Allow SendingToPeer, AllowedFlowRule)" \
	"$USERCTL" push-config "$(profile d Both true Deny "$SENDALL" '"AllowedFlowRule": true')"
# Our ping's echo replies pass by the state of the connection rule 1 allowed: both
# flows name rule 1 while they live.
ping -c 6 -i 0.3 -W 2 "$PEER_V4" >"$W/d-ping.txt" 2>&1 &
DPING=$!
D_OUT='tap0 +out +icmp .*\[8/0\] .*ALLOWED\(acl rule 1\)'
D_IN='tap0 +in +icmp .*\[0/0\] .*ALLOWED\(acl rule 1\)'
for _ in $(seq 30); do
	"$USERCTL" flows >"$W/d-flows.txt" 2>&1
	grep -qE "$D_OUT" "$W/d-flows.txt" && grep -qE "$D_IN" "$W/d-flows.txt" && break
	kill -0 $DPING 2>/dev/null || break
	sleep 0.2
done
check_match "D: userctl flows shows our ping as ALLOWED(acl rule 1)" "$D_OUT" cat "$W/d-flows.txt"
check_match "D: and its echo replies, allowed by the state, as ALLOWED(acl rule 1)" "$D_IN" cat "$W/d-flows.txt"
wait $DPING
check "D: our TCP connection to the peer gets its replies" tcp_hi "$PEER_V4" 5001
check "D: our UDP query to the peer gets its answer" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(b"echo", ("100.64.0.2", 5002)); assert s.recv(100) == b"echo"'
check "D: our ping gets its replies" ping -c 2 -i 0.3 -W 2 "$PEER_V4"
check_match "D: the peer's own connection to 22 times out" "timed out" \
	in_peer bash -c "$(declare -f tcp_hi); tcp_hi $TAP0_V4 22 2 || true"
"$USERCTL" status --json >"$W/status-d.json" 2>&1
check_match "D: replies were allowed by state" '"acl_replies_allowed": [1-9]' cat "$W/status-d.json"
wait_for '$k.flows_active == 0' 60 d-ended >/dev/null || note "D: flows still active after 60 s"

# --- E: metering off, rules still enforced ------------------------------------------------
check "push-config E (Enabled false, Default Deny, allow Tcp 22)" \
	"$USERCTL" push-config "$(profile e Both false Deny "$ALLOW22")"
before=$("$USERCTL" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["kernel"]["acl_dropped_packets"])')
check "E: the peer connects to 22" in_peer bash -c "$(declare -f tcp_hi); tcp_hi $TAP0_V4 22"
check_match "E: the peer's connection to 23 times out" "timed out" \
	in_peer bash -c "$(declare -f tcp_hi); tcp_hi $TAP0_V4 23 2 || true"
after=$("$USERCTL" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["kernel"]["acl_dropped_packets"])')
check "E: drops are counted with metering off ($before -> $after)" test "$after" -gt "$before"
check "E: no flow is metered" test -z "$("$USERCTL" flows | sed 1d)"

# --- the exported records -----------------------------------------------------------------
check "agent still running" kill -0 $AGENT
kill -TERM $AGENT; wait $AGENT; echo "agent exit $?" >>"$W/agent.log"
# lets time pass: for dumpcap's last packets (it shows no sign of having them; the
# listener drains its socket on SIGTERM).
sleep 1
kill -TERM $DUMPCAP $LISTEN; wait $DUMPCAP $LISTEN 2>/dev/null
check "the agent logged no error" test -z "$(grep -i error "$W/agent.log")"

python3 - "$REPO" "$W" >"$W/records.txt" 2>&1 <<'PY'
import subprocess, sys
sys.path.insert(0, sys.argv[1] + "/tests/lib")
from ipfix_decoders import ipfixdump_records
W = sys.argv[2]
res = ipfixdump_records(W + "/ipfix.ipfix")
recs, problems = res
for r in recs:
    print(r)
print("problems:", problems)
P, H = "100.64.0.2", "100.64.0.1"	# addr() gives normalized strings
fails = []

def expect(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)

# The capture's count of the SYNs the peer sent to 23 while A was in force: every SYN to
# 23 in the capture, less those of E (metering off), which come after the last of A.
out = subprocess.run(["tshark", "-r", W + "/tap0.pcap", "-T", "fields", "-e", "frame.time_epoch",
                      "-e", "tcp.srcport", "-Y", "ip.src==100.64.0.2 && tcp.dstport==23"],
                     capture_output=True, text=True).stdout.split("\n")
syns = [l.split("\t") for l in out if l.strip()]
a_port = syns[0][1] if syns else None
a_syns = [s for s in syns if s[1] == a_port]
print("capture: SYNs to 23:", syns)
d23 = [r for r in recs if r["fwd"] == 129 and r["dport"] == 23 and r["proto"] == 6]
expect(len(d23) == 1, "A: exactly one exported flow of the refused SYNs to 23 (got %d)" % len(d23))
if d23:
    r = d23[0]
    expect(r["direction"] == 0, "A: its direction is ingress (0), got %s" % r["direction"])
    expect(r["src"] == P and r["dst"] == H, "A: from the peer to us")
    expect(r["packets"] == len(a_syns) and r["packets"] >= 2,
           "A: its packet count is the capture's (%s vs %d)" % (r["packets"], len(a_syns)))
    expect(str(r["sport"]) == a_port, "A: the refused connection's source port")
    expect(r["firewall_event"] == 3 and r["acl_rule"] == 0,
           "A: firewallEvent 3 (Flow Denied), by the Default (rule 0): %s, %s"
           % (r["firewall_event"], r["acl_rule"]))
# Direction SendingToPeer: no forwarded ingress flow of A (its 22 connection).
a22_in = [r for r in recs if r["fwd"] == 64 and r["direction"] == 0 and r["dport"] == 22]
expect(not a22_in, "A: Direction SendingToPeer exported no forwarded ingress flow")
a22_out = [r for r in recs if r["fwd"] == 64 and r["direction"] == 1 and r["sport"] == 22]
expect(len(a22_out) >= 1, "A: the allowed connection's egress flow is exported (fwd 64: forwarded, RFC 7270)")

b = [r for r in recs if r["fwd"] == 129 and r["dport"] == 5353]
expect(len(b) == 1, "B: one flow of the refused datagrams (got %d)" % len(b))
if b:
    expect(b[0]["direction"] == 1 and b[0]["packets"] == 5 and b[0]["dst"] == P,
           "B: egress, 5 packets, to the peer: %s" % b[0])
    expect(b[0]["acl_rule"] == 1, "B: denied by rule 1: %s" % b[0]["acl_rule"])
rows = res.options["rules"]
expect(any(r[1] == 1 and r[2] == "no mDNS to the peer" for r in rows)
       and any(r[1] == 0 and r[2] == "Default Deny" for r in rows),
       "A/B: the rule table names rule 1 by its Description and the Default: %s" % rows)

c = [r for r in recs if r["fwd"] == 129 and r["proto"] == 1 and r["icmp_type"] == 8]
expect(len(c) == 1, "C: one flow of the refused echo requests (got %d)" % len(c))
if c:
    expect(c[0]["direction"] == 0 and c[0]["packets"] == 3 and c[0]["src"] == P,
           "C: ingress, 3 packets, from the peer: %s" % c[0])
    expect(c[0]["acl_rule"] == 1, "C: denied by rule 1: %s" % c[0]["acl_rule"])
replies = [r for r in recs if r["fwd"] == 64 and r["proto"] == 1 and r["icmp_type"] == 0
           and r["direction"] == 0]
expect(replies, "C/D: echo replies to our pings were forwarded (fwd 64: forwarded, RFC 7270)")

d = [r for r in recs if r["fwd"] == 129 and r["dport"] == 22 and r["proto"] == 6]
expect(len(d) == 1 and d[0]["direction"] == 0 and d[0]["acl_rule"] == 0,
       "D: one ingress flow of the peer's refused connection to 22, by the Default (got %s)"
       % [(r["direction"], r["acl_rule"]) for r in d])
expect(not [r for r in recs if r["fwd"] == 129 and r["proto"] == 6 and r["sport"] == 5001],
       "D: no reply of our connection was dropped")
# AllowedFlowRule in D only: its allowed flows, replies included, name rule 1.
d_tcp = [r for r in recs if r["fwd"] == 64 and r["proto"] == 6 and 5001 in (r["sport"], r["dport"])]
expect(len({r["direction"] for r in d_tcp}) == 2
       and all(r["acl_rule"] == 1 and r["tid"] in (275, 276) and r["firewall_event"] is None
               for r in d_tcp),
       "D: our connection to 5001 and its replies name rule 1 (aclRuleIndex, template 275,"
       " no firewallEvent): %s" % [(r["direction"], r["tid"], r["acl_rule"]) for r in d_tcp])
d_udp = [r for r in recs if r["fwd"] == 64 and r["proto"] == 17 and 5002 in (r["sport"], r["dport"])
         and r["acl_rule"] is not None]
expect(len({r["direction"] for r in d_udp}) == 2 and all(r["acl_rule"] == 1 for r in d_udp),
       "D: our UDP query and its answer name rule 1: %s" % [(r["direction"], r["acl_rule"]) for r in d_udp])
expect(not [r for r in a22_out if r["acl_rule"] is not None],
       "A (no AllowedFlowRule): the allowed flows name no rule, in the templates of before")
expect(any(r[1] == 1 and r[2] == "all we send" for r in rows),
       "D: the rule table names the Allow rule 1 by its Description: %s" % rows)
expect(not [r for r in recs if r["fwd"] not in (64, 129)], "every record is 64 (forwarded) or 129 (dropped: ACL deny)")
expect(not problems, "ipfixDump decoded the stream without problems")
print("FAIL" if fails else "PASS")
PY
check "exported flows: drops as forwardingStatus 129 with the rule that decided, as the capture shows them" \
	sh -c "grep -E '^(ok|FAIL) ' '$W/records.txt'; tail -n 1 '$W/records.txt' | grep -q PASS"

cleanup
PIDS=()
check "topology down" topo_down
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
