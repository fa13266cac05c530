#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_attack: the Access Control Rules against a hostile peer, and what the host itself
# sends on the overlay, IPv4 and IPv6.
#   A  Default Allow + Deny Tcp 23 ReceivedFromPeer: a SYN to 23 gets no SYN-ACK however
#      it is cut (whole, 8 or 16 octets of TCP header in the first fragment, fragments
#      reversed, overlapping, duplicated: attack.py); the same SYNs to 24 (no rule) are
#      answered, so the attack really reaches the host (a control that can fail).
#   B  Default Deny + Allow Udp 5353 ReceivedFromPeer: a 4000-octet datagram to 5353 (three
#      fragments on the wire) arrives whole, and is metered as one flow of its ports with
#      the packets and octets that crossed the interface (no port-0 flow).
#   C  broadcast (IPv4, 255.255.255.255) and multicast (IPv6 ping ff02::1) sent by the host on tap0: each
#      packet metered once, as sent; no "received" flow from the host's own address.
#   E  Default Deny + Allow SendingToPeer: the peer's ICMP errors about our traffic pass
#      (related: port unreachable), and IPv6 neighbour discovery works after the
#      neighbour caches are flushed.
#   D  an unprivileged user with a user and network namespace of its own (unshare -Urn)
#      and a tap0 there cannot configure the module.
. "$(dirname "$0")/lib.sh"

trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT

profile() {	# profile FILE DEFAULT RULES-JSON
	cat >"$1" <<JSON
{ "FlowMetadata": { "IpFixCollectors": ["Udp/127.0.0.1:4739"], "Interfaces": ["tap0"],
  "Direction": "Both", "IdleTimeout": 600000 },
  "AccessControl": { "Default": "$2", "Rules": [ $3 ] } }
JSON
}
# flows_py FILE PYTHON-ASSERTIONS: runs them with f = the flows of `userctl flows --json`.
flows_py() {
	"$USERCTL" flows --json >"$W/$1.json" || return 1
	python3 -c "import json, sys
f = json.load(open(sys.argv[1]))
$2" "$W/$1.json"
}

check "insmod" mod_load || bail "module does not load"
check "topology up" topo_up || bail "no topology"
# The host's listeners: TCP 23 and 24 (v4 and v6), UDP 5353 (v4 and v6) that logs sizes.
python3 - "$W/udp.txt" <<'PY' &
import select, socket, sys
socks = []
for fam, host in ((socket.AF_INET, "100.64.0.1"), (socket.AF_INET6, "2001:db8::1")):
    for port in (23, 24):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port)); s.listen(64); socks.append(s)
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind((host, 5353)); socks.append(u)
out = open(sys.argv[1], "a", buffering=1)
while True:
    for s in select.select(socks, [], [])[0]:
        if s.type == socket.SOCK_DGRAM:
            d, a = s.recvfrom(65535); out.write("%s %d\n" % (a[0], len(d)))
        else:
            s.accept()[0].close()
PY
for _ in $(seq 100); do ss -ltn | grep -q '100.64.0.1:24 ' && break; sleep 0.1; done
check "the host listens on 23 and 24" sh -c "ss -ltn | grep -q '100.64.0.1:23 ' && ss -ltn | grep -q '100.64.0.1:24 '"

# --- A ---------------------------------------------------------------------------------
DENY23='{ "Action": "Deny", "Direction": "ReceivedFromPeer", "Protocol": "Tcp", "Ports": "23" }'
profile "$W/a.json" Allow "$DENY23"
check "push-config A (Default Allow, Deny Tcp 23 ReceivedFromPeer)" "$USERCTL" push-config "$W/a.json"
attack() { in_peer python3 "$REPO/tests/e2e/attack.py" syn "$@"; }
# The controls: IPv6 refuses a first fragment without the whole TCP header (RFC 7112,
# the kernel's ipv6frag_thdr_truncated) whatever the rules say, so only IPv4 tries
# those cuts against an open port.
for fam in 4 6; do
	if [ $fam = 4 ]; then dst=$TAP0_V4 ctl="whole frag8 frag16 frag24 reverse reverse24 dup"
	else dst=$TAP0_V6 ctl="whole frag24 reverse24"; fi
	for mode in whole frag8 frag16 frag24 reverse reverse24 overlap dup; do
		check_match "A: IPv$fam SYN to 23 ($mode): no SYN-ACK" '^none$' attack $fam $dst 23 $mode
	done
	for mode in $ctl; do
		check_match "A: IPv$fam SYN to 24, no rule ($mode): answered (the attack reaches the host)" \
			'^synack from port 24$' attack $fam $dst 24 $mode
	done
done
check "A: the refused SYNs are metered as dropped flows to port 23, IPv4 and IPv6, none of port 0" flows_py a '
d = [x for x in f if x["status"] == "dropped"]
print(d)
assert {x["dst"] for x in d if x.get("dst_port") == 23} == {"100.64.0.1", "2001:db8::1"}, d
assert not [x for x in f if x["protocol"] == 6 and x.get("dst_port") == 0], "port-0 TCP flow"'

# --- B ---------------------------------------------------------------------------------
ALLOW5353='{ "Action": "Allow", "Direction": "ReceivedFromPeer", "Protocol": "Udp", "Ports": "5353" }'
profile "$W/b.json" Deny "$ALLOW5353"
check "push-config B (Default Deny, Allow Udp 5353 ReceivedFromPeer)" "$USERCTL" push-config "$W/b.json"
: >"$W/udp.txt"
check "B: the peer sends 4000-octet datagrams to 5353, IPv4 and IPv6 (fragmented: MTU 1500)" \
	in_peer python3 -c '
import socket
for fam, dst in ((socket.AF_INET, "100.64.0.1"), (socket.AF_INET6, "2001:db8::1")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(("", 45353))
    s.sendto(b"f" * 4000, (dst, 5353))
'
wait_udp() { for _ in $(seq 50); do [ "$(grep -c ' 4000$' "$W/udp.txt")" -ge 2 ] && return 0; sleep 0.1; done; cat "$W/udp.txt"; return 1; }
check "B: both datagrams arrived whole (4000 octets)" wait_udp
# On the wire: IPv4 3 fragments, 4008 octets of UDP + 3 x 20 of header; IPv6 3 fragments
# (1448 octets of payload each but the last), 4008 + 3 x (40 + 8).
check "B: metered as one flow each, port 5353, 3 packets, the octets on the wire; no port-0 UDP flow" flows_py b '
u = [x for x in f if x["protocol"] == 17 and x["direction"] == "ReceivedFromPeer"]
print(u)
v4 = [x for x in u if x.get("dst_port") == 5353 and x["dst"] == "100.64.0.1"]
v6 = [x for x in u if x.get("dst_port") == 5353 and x["dst"] == "2001:db8::1"]
assert len(v4) == 1 and v4[0]["packets"] == 3 and v4[0]["octets"] == 4008 + 3 * 20, v4
assert len(v6) == 1 and v6[0]["packets"] == 3 and v6[0]["octets"] == 4008 + 3 * 48, v6
assert not [x for x in u if x.get("dst_port") == 0], "port-0 UDP flow"'

# --- C ---------------------------------------------------------------------------------
profile "$W/c.json" Allow ""
check "push-config C (no rules)" "$USERCTL" push-config "$W/c.json"
check "C: the host broadcasts 3 UDP datagrams on tap0 (255.255.255.255:9999)" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"tap0")
for _ in range(3):
    s.sendto(b"b" * 50, ("255.255.255.255", 9999))
'
check "C: the host pings ff02::1 on tap0 3 times" ping -6 -c 3 -i 0.2 -W 1 -I tap0 ff02::1
LL=$(ip -6 -o addr show dev tap0 scope link | awk '{ sub("/.*", "", $4); print $4 }')
check "C: broadcast metered once (3 packets sent), multicast echo requests once (3 sent), nothing received from the host's own addresses ($TAP0_V4, $LL)" flows_py c "
b = [x for x in f if x['dst'] == '255.255.255.255']
e = [x for x in f if x['dst'] == 'ff02::1' and x['protocol'] == 58 and x.get('icmp_type') == 128]
own = [x for x in f if x['direction'] == 'ReceivedFromPeer' and x['src'] in ('$TAP0_V4', '$LL')]
print(b, e, own)
assert len(b) == 1 and b[0]['direction'] == 'SendingToPeer' and b[0]['packets'] == 3, b
assert len(e) == 1 and e[0]['direction'] == 'SendingToPeer' and e[0]['packets'] == 3, e
assert not own, own"

# --- E ---------------------------------------------------------------------------------
SENDALL='{ "Action": "Allow", "Direction": "SendingToPeer" }'
profile "$W/e.json" Deny "$SENDALL"
check "push-config E (Default Deny, Allow SendingToPeer)" "$USERCTL" push-config "$W/e.json"
# The peer's ICMP port unreachable about our datagram is related: the application is
# told at once ("connection refused") instead of waiting out its own timeout.
for dst in $PEER_V4 $PEER_V6; do
	check_match "E: UDP to a closed port of $dst: the ICMP error comes back (connection refused)" \
		'^refused$' python3 -c '
import socket, sys
dst = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((dst, 9))
s.send(b"x")
try:
    s.recv(10); print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timed out")
' "$dst"
done
# IPv6 neighbour discovery is the link's own: resolving the peer anew must work.
ip neigh flush dev tap0
in_peer ip neigh flush dev eth0
check "E: with both neighbour caches flushed, ping -6 the peer (NS/NA pass Default Deny)" \
	ping -6 -c 2 -i 0.3 -W 2 "$PEER_V6"

# --- D ---------------------------------------------------------------------------------
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
profile "$W/d.json" Allow ""
chmod 0644 "$W/d.json"
sed -i 's/"IdleTimeout": 600000/"IdleTimeout": 600000, "MaxFlows": 16777216/' "$W/d.json"
$NOBODY unshare -Urn sh -c "ip link add tap0 type dummy && echo 'tap0 made' && $USERCTL push-config $W/d.json" >"$W/d.txt" 2>&1
note "$(cat "$W/d.txt")"
check_match "D: root of its own user namespace could make tap0 there" '^tap0 made$' cat "$W/d.txt"
check_match "D: ... and is refused push-config (MaxFlows 16777216)" 'permission denied|Operation not permitted' cat "$W/d.txt"
check_fail "D: ... and nothing was loaded" grep -q ': loaded$' "$W/d.txt"

check "topology down" topo_down
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
