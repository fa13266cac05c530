#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/e2e/demo_guest.sh: the guest half of `make demo` (tests/e2e/demo.sh boots the VM).
# Loads the module, builds an overlay (tap0 <-> a peer namespace), pushes the README's
# example profile (userctl/Universe.profile: collector Udp/127.0.0.1:4739, an ACL rule
# denying telnet from peers), runs nfcapd and the agent, sends a short mix of traffic,
# and prints the flows as nfdump decoded them. Its output is what the newcomer reads:
# everything it claims comes from the module, the agent or a decoder, never assumed.
# demo.sh (on the host) then decodes the captured IPFIX stream with tshark for the ACL
# verdict, explains, and with --check checks the "--- nfdump flows" ... "--- end" block.
. "$(dirname "$0")/lib.sh"
PROFILE=$REPO/userctl/Universe.profile
W=$EIPFIX_RESULTS/demo
mkdir -p "$W/nfcapd"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null' EXIT

say() { printf '\n=== %s   [%ss]\n' "$*" "$SECONDS"; }
run() { printf '$ %s\n' "$*"; "$@"; }
die() { echo "demo: $*"; exit 1; }

say "1. Load enclave_ipfix into Debian's $(uname -r) kernel"
run modprobe -a $(modinfo -F depends "$EIPFIX_KO" | tr ',' ' ') || die "the kernel's defragmentation modules did not load"
run insmod "$EIPFIX_KO" || die "the module did not load"
echo "loaded: enclave_ipfix $(modinfo -F version "$EIPFIX_KO"), $(dmesg | grep -o 'enclave_ipfix [0-9.]* loaded' | tail -n1)"

say "2. An overlay: tap0 (this host: 100.64.0.1, 2001:db8::1) <-> namespace \"peer\" (100.64.0.2, 2001:db8::2)"
topo_up || die "could not create tap0 and the peer namespace"
# Offloads off: every packet counted is a packet on the wire.
ethtool -K tap0 tso off gso off gro off >/dev/null 2>&1
in_peer ethtool -K eth0 tso off gso off gro off >/dev/null 2>&1
ip -br addr show tap0

say "3. A collector: nfcapd (from nfdump) listening on 127.0.0.1:4739"
nfcapd -b 127.0.0.1 -p 4739 -w "$W/nfcapd" >"$W/nfcapd.log" 2>&1 &
PIDS+=($!); NFCAPD=$!
# The same IPFIX stream, captured for tshark (nfdump 1.7 drops forwardingStatus).
dumpcap -q -i lo -f 'udp port 4739' -w "$W/ipfix.pcap" >"$W/dumpcap.log" 2>&1 &
PIDS+=($!); DUMPCAP=$!
for _ in $(seq 50); do grep -q "File:" "$W/dumpcap.log" 2>/dev/null && break; sleep 0.1; done
sleep 1

say "4. The README's example profile, pushed into the kernel; the agent started"
cat "$PROFILE"
run "$USERCTL" push-config "$PROFILE" || die "push-config failed"
"$USERCTL" agent >"$W/agent.log" 2>&1 &
AGENT=$!; PIDS+=($AGENT)
echo "\$ userctl agent &     (pid $AGENT; the systemd unit runs the same)"
sleep 1
kill -0 $AGENT 2>/dev/null || { cat "$W/agent.log"; die "the agent exited"; }

say "5. Traffic across tap0"
run ping -c 3 -i 0.3 -W 2 100.64.0.2 | tail -n 2
in_peer python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("100.64.0.2", 8080)); s.listen(1)
c, _ = s.accept(); n = 0
while True:
    b = c.recv(65536)
    if not b: break
    n += len(b)
c.sendall(b"received %d bytes" % n); c.close()' &
PIDS+=($!)
sleep 0.5
echo "\$ (TCP) send 100000 bytes to 100.64.0.2:8080"
python3 -c '
import socket
c = socket.create_connection(("100.64.0.2", 8080), timeout=5)
c.sendall(b"x" * 100000); c.shutdown(socket.SHUT_WR)
print("  peer says:", c.recv(100).decode()); c.close()'
echo "\$ (UDP) send 5 datagrams of 200 bytes to 100.64.0.2:5353"
python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5): s.sendto(b"u" * 200, ("100.64.0.2", 5353))'
run ping -6 -c 3 -i 0.3 -W 2 2001:db8::2 | tail -n 2
# The ACL: the profile's rule denies TCP port 23 received from peers.
python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("100.64.0.1", 23)); s.listen(1); s.settimeout(10)
try:
    c, _ = s.accept(); c.sendall(b"login: "); c.close()
except OSError: pass' &
PIDS+=($!)
sleep 0.5
echo "\$ (from the peer) telnet 100.64.0.1 23   -- the profile's rule says: Deny"
in_peer python3 -c '
import socket
try:
    c = socket.create_connection(("100.64.0.1", 23), timeout=3)
    print("  CONNECTED: the connection was not blocked (got %r)" % c.recv(20))
except OSError as e:
    print("  no connection:", e)' | tee "$W/telnet.txt"
echo "\$ userctl flows     (the live flow table in the kernel)"
"$USERCTL" flows

say "6. Waiting for the flows to end (IdleTimeout 15 s) and reach the collector"
sleep 18
"$USERCTL" status --json >"$W/status.json" 2>&1
kill -TERM $AGENT; wait $AGENT 2>/dev/null
sleep 1
kill -TERM $DUMPCAP $NFCAPD; wait $DUMPCAP $NFCAPD 2>/dev/null
PIDS=()
ctr() { grep -oE "\"$1\": [0-9]+" "$W/status.json" | grep -oE '[0-9]+$'; }
echo "acl_dropped_packets $(ctr acl_dropped_packets)" >"$W/acl_counter.txt"
echo "kernel: $(ctr flows_created) flows metered, $(ctr records_delivered) records to the agent," \
	"$(ctr records_dropped_queue_full) lost; agent log: $(grep -ci error "$W/agent.log") errors"

echo
echo "--- nfdump flows (nfdump -R $W/nfcapd -o fmt:...)"
echo "    (IPv6 link-local and multicast records - neighbour discovery, router solicitations -"
echo "     are left out by the filter; nfdump -R $W/nfcapd without it shows them too)"
nfdump -q -R "$W/nfcapd" -O tstart -o 'fmt:%ts %pr %sap -> %dap %dir %in %out %pkt %byt' \
	'not (src net fe80::/10 or dst net fe80::/10 or dst net ff00::/8)' 2>&1 | tee "$W/nfdump.txt"
echo "--- end"

dmesg_clean >/dev/null || { echo "demo: the kernel logged a warning:"; dmesg_clean; exit 1; }
topo_down
rmmod enclave_ipfix
exit 0
