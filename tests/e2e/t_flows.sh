#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_flows: ping, a TCP transfer, UDP datagrams, a raw IP protocol and ICMPv6 across tap0
# give exactly the flows a capture on tap0 shows, as three collectors we did not write
# (ipfixDump, tshark, nfcapd/nfdump) decode them from the agent's IPFIX stream; and
# `userctl flows` shows live flows while they run.
. "$(dirname "$0")/lib.sh"

W=$EIPFIX_RESULTS/t_flows
mkdir -p "$W"
REPO=${EIPFIX_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
USERCTL=${EIPFIX_USERCTL:-$REPO/userctl/build/userctl}
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

check "insmod" mod_load || bail "module does not load"
check "topology up" topo_up || bail "no topology"
# Offloads off, so that the capture shows packets as they are on the wire (the module
# counts GSO/GRO segments as wire packets; a capture would show super-packets).
ethtool -K tap0 tso off gso off gro off tx off rx off >/dev/null 2>&1
in_peer ethtool -K eth0 tso off gso off gro off tx off rx off >/dev/null 2>&1

cat >"$W/profile.json" <<JSON
{
  "Name": "e2e",
  "FlowMetadata": {
    "IpFixCollectors": ["Udp/127.0.0.1:4739", "Udp/127.0.0.1:4740"],
    "Direction": "Both",
    "Interval": 0,
    "Enabled": true,
    "Interfaces": ["tap0"],
    "IdleTimeout": 2000,
    "MessageSize": 1400
  }
}
JSON

# Collectors first, then the capture, then the config: every metered packet is captured.
mkdir -p "$W/nfcapd"
nfcapd -b 127.0.0.1 -p 4739 -w "$W/nfcapd" >"$W/nfcapd.log" 2>&1 &
PIDS+=($!)
python3 "$REPO/tests/lib/ipfix_decoders.py" listen 127.0.0.1 4740 "$W/ipfix" >"$W/listen.log" 2>&1 &
LISTEN=$!
PIDS+=($LISTEN)
dumpcap -q -i tap0 -w "$W/tap0.pcap" >"$W/dumpcap.log" 2>&1 &
DUMPCAP=$!
PIDS+=($DUMPCAP)
# Wait until the listener is bound and dumpcap writes.
for _ in $(seq 100); do
	[ -e "$W/ipfix.ready" ] && grep -q "File:" "$W/dumpcap.log" 2>/dev/null && break
	sleep 0.1
done
check "IPFIX listener ready" test -e "$W/ipfix.ready"
sleep 1

check "userctl push-config" "$USERCTL" push-config "$W/profile.json"
"$USERCTL" agent --verbose >"$W/agent.log" 2>&1 &
AGENT=$!
PIDS+=($AGENT)
sleep 1
check "agent is running" kill -0 $AGENT

# --- traffic ---------------------------------------------------------------------
check "ping IPv4 (ICMP echo out, replies in)" ping -c 4 -i 0.2 -W 2 "$PEER_V4"
check "ping IPv6 (ICMPv6)" ping -6 -c 3 -i 0.2 -W 2 "$PEER_V6"
in_peer python3 - <<'PY' &
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("100.64.0.2", 5001)); s.listen(1)
c, _ = s.accept()
n = 0
while True:
    b = c.recv(65536)
    if not b:
        break
    n += len(b)
c.sendall(b"got %d" % n); c.close()
PY
PIDS+=($!)
sleep 0.5
check "TCP transfer of 200000 bytes to the peer" python3 - <<'PY'
import socket
c = socket.create_connection(("100.64.0.2", 5001), timeout=5)
c.sendall(b"x" * 200000); c.shutdown(socket.SHUT_WR)
assert c.recv(100) == b"got 200000"
c.close()
PY
check "UDP datagrams to the peer (v4 and v6)" python3 - <<'PY'
import socket
for fam, dst in ((socket.AF_INET, "100.64.0.2"), (socket.AF_INET6, "2001:db8::2")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for i in range(7):
        s.sendto(b"u" * (100 + i), (dst, 5002))
PY
check "raw IP protocol 253 to the peer" python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 253)
for i in range(3):
    s.sendto(b"r" * 64, ("100.64.0.2", 0))
PY

check_match "userctl flows shows the live raw-IP flow on tap0" 'tap0 +out +253 +100.64.0.1 +100.64.0.2 +3 +252 +forwarded' "$USERCTL" flows
"$USERCTL" flows --json >"$W/flows.json" 2>&1

# Idle timeout 2 s (+ FIN grace) and a scan every second: 5 s ends every flow.
sleep 5
check "agent still running" kill -0 $AGENT
"$USERCTL" status --json >"$W/status.json" 2>&1
kill -TERM $AGENT; wait $AGENT; echo "agent exit $?" >>"$W/agent.log"
sleep 1
kill -TERM $DUMPCAP $LISTEN; wait $DUMPCAP $LISTEN 2>/dev/null
kill -TERM "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null
PIDS=()

check_match "kernel counted records delivered to the agent" '"records_delivered": [1-9]' cat "$W/status.json"
check_match "no record lost in the kernel" '"records_dropped_queue_full": 0' cat "$W/status.json"
check "the agent logged no error" test -z "$(grep -i error "$W/agent.log")"
check "exported flows match the capture exactly (ipfixDump, tshark, nfdump)" \
	python3 "$REPO/tests/e2e/flowcheck.py" "$W/tap0.pcap" --ipfixdump "$W/ipfix.ipfix" \
	--tshark "$W/ipfix.pcap" --port 4740 --nfdump "$W/nfcapd"
python3 "$REPO/tests/e2e/flowcheck.py" "$W/tap0.pcap" --ipfixdump "$W/ipfix.ipfix" \
	--tshark "$W/ipfix.pcap" --port 4740 --nfdump "$W/nfcapd" >"$W/flowcheck.txt" 2>&1

check "topology down" topo_down
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
