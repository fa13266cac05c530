# SPDX-License-Identifier: GPL-2.0
# tests/e2e/flows_lib.sh: sourced (after lib.sh) by the tests that compare what the
# agent exports with a capture: t_flows (veth), t_direction, t_interim, t_wireguard,
# t_wg_offload, t_tapfwd. One place for the collectors, the capture, the agent, the
# traffic mix and the final comparison.
#
#   flows_begin DIR IFACE      collectors (nfcapd :4739, IPFIX listener :4740, nfacctd
#                              :4741: $FLOWS_COLLECTORS), a capture on IFACE,
#                              push-config metering IFACE, the agent
#   flows_traffic              ping v4/v6, a TCP transfer, UDP v4/v6, raw IP 253 to the
#                              peer ($PEER_V4, $PEER_V6; TCP/UDP listeners in netns peer)
#   flows_end                  waits for every flow to end, stops everything, and checks
#                              the exported flows against the capture (flowcheck.py)
# Knobs: FLOWS_DIRECTION, FLOWS_INTERVAL, FLOWS_IDLE (profile keys), FLOWCHECK_ARGS,
# FLOWS_CAPTURE_NS / FLOWS_CAPTURE_IF (where the capture runs; default IFACE here).

FLOWS_PIDS=()
# The profile's IpFixCollectors (JSON list items), for a test that pushes its own.
FLOWS_COLLECTORS='"Udp/127.0.0.1:4739", "Udp/127.0.0.1:4740", "Udp/127.0.0.1:4741"'

# insmod, the veth topology of lib.sh, and offloads off, so that the capture shows
# packets as they are on the wire (the module counts GSO/GRO segments as wire packets;
# a capture would show super-packets).
flows_veth_up() {
	check "insmod" mod_load || bail "module does not load"
	check "topology up" topo_up || bail "no topology"
	ethtool -K tap0 tso off gso off gro off tx off rx off >/dev/null 2>&1
	in_peer ethtool -K eth0 tso off gso off gro off tx off rx off >/dev/null 2>&1
}

flows_cleanup() {
	local p
	for p in "${FLOWS_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}

flows_begin() {
	FLOWS_DIR=$1
	local iface=$2
	mkdir -p "$FLOWS_DIR/nfcapd"
	trap flows_cleanup EXIT
	cat >"$FLOWS_DIR/profile.json" <<JSON
{
  "Name": "e2e",
  "FlowMetadata": {
    "IpFixCollectors": [$FLOWS_COLLECTORS],
    "Direction": "${FLOWS_DIRECTION:-Both}",
    "Interval": ${FLOWS_INTERVAL:-0},
    "Enabled": true,
    "Interfaces": ["$iface"],
    "IdleTimeout": ${FLOWS_IDLE:-2000},
    "MessageSize": 1400
  }
}
JSON
	# Collectors first, then the capture, then the config: every metered packet is
	# captured and every record collected.
	nfcapd -b 127.0.0.1 -p 4739 -w "$FLOWS_DIR/nfcapd" >"$FLOWS_DIR/nfcapd.log" 2>&1 &
	FLOWS_NFCAPD=$!
	python3 "$REPO/tests/lib/ipfix_decoders.py" listen 127.0.0.1 4740 "$FLOWS_DIR/ipfix" \
		>"$FLOWS_DIR/listen.log" 2>&1 &
	FLOWS_LISTEN=$!
	# nfacctd (pmacct) keeps its flows in its print plugin's cache and writes them as
	# JSON lines when it exits on SIGINT. Its configuration is written by python,
	# whose start costs about a second under TCG: in the background, with the rest.
	(python3 -c 'import sys; sys.dont_write_bytecode = True; sys.path.insert(0, sys.argv[1])
import ipfix_decoders as d; print(d.nfacctd_config("127.0.0.1", 4741, sys.argv[2]), end="")' \
		"$REPO/tests/lib" "$FLOWS_DIR/nfacctd.json" >"$FLOWS_DIR/nfacctd.conf" &&
		exec nfacctd -f "$FLOWS_DIR/nfacctd.conf") >"$FLOWS_DIR/nfacctd.log" 2>&1 &
	FLOWS_NFACCTD=$!
	# The truth is a capture where one frame is one packet: on $iface, or (offloads on)
	# on the far side, FLOWS_CAPTURE_IF in netns FLOWS_CAPTURE_NS, with its offloads off.
	# -B: a 64 MiB kernel buffer; the default 2 MiB overflowed (356 of 7955 frames lost
	# on 6.12 under load) and the truth was then short, not the export.
	${FLOWS_CAPTURE_NS:+ip netns exec "$FLOWS_CAPTURE_NS"} \
		dumpcap -q -B 64 -i "${FLOWS_CAPTURE_IF:-$iface}" -w "$FLOWS_DIR/capture.pcap" \
		>"$FLOWS_DIR/dumpcap.log" 2>&1 &
	FLOWS_DUMPCAP=$!
	FLOWS_PIDS+=("$FLOWS_NFCAPD" "$FLOWS_LISTEN" "$FLOWS_NFACCTD" "$FLOWS_DUMPCAP")
	for _ in $(seq 100); do
		[ -e "$FLOWS_DIR/ipfix.ready" ] && grep -q "File:" "$FLOWS_DIR/dumpcap.log" 2>/dev/null && break
		sleep 0.1
	done
	check "IPFIX listener ready" test -e "$FLOWS_DIR/ipfix.ready"
	check "nfacctd ready (127.0.0.1:4741)" \
		wait_log "$FLOWS_DIR/nfacctd.log" 'waiting for NetFlow/IPFIX data' 60
	for _ in $(seq 100); do ss -lun | grep -q '127.0.0.1:4739 ' && break; sleep 0.1; done
	check "userctl push-config (metering $iface)" "$USERCTL" push-config "$FLOWS_DIR/profile.json"
	"$USERCTL" agent --verbose >"$FLOWS_DIR/agent.log" 2>&1 &
	FLOWS_AGENT=$!
	FLOWS_PIDS+=("$FLOWS_AGENT")
	check "agent is running" wait_log "$FLOWS_DIR/agent.log" 'running \(pid' 20
}

flows_traffic() {
	check "ping IPv4 (ICMP echo out, replies in)" ping -c 4 -i 0.2 -W 2 "$PEER_V4"
	check "ping IPv6 (ICMPv6)" ping -6 -c 3 -i 0.2 -W 2 "$PEER_V6"
	PEER_V4=$PEER_V4 in_peer python3 - <<'PY' &
import os, socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((os.environ["PEER_V4"], 5001)); s.listen(1)
c, _ = s.accept()
n = 0
while True:
    b = c.recv(65536)
    if not b:
        break
    n += len(b)
c.sendall(b"got %d" % n); c.close()
PY
	FLOWS_PIDS+=($!)
	for _ in $(seq 100); do in_peer ss -ltn | grep -q ":5001 " && break; sleep 0.1; done
	check "TCP transfer of 200000 bytes to the peer" env PEER_V4="$PEER_V4" python3 - <<'PY'
import os, socket
c = socket.create_connection((os.environ["PEER_V4"], 5001), timeout=5)
c.sendall(b"x" * 200000); c.shutdown(socket.SHUT_WR)
assert c.recv(100) == b"got 200000"
c.close()
PY
	check "UDP datagrams to the peer (v4 and v6)" env PEER_V4="$PEER_V4" PEER_V6="$PEER_V6" python3 - <<'PY'
import os, socket
for fam, dst in ((socket.AF_INET, os.environ["PEER_V4"]), (socket.AF_INET6, os.environ["PEER_V6"])):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for i in range(7):
        s.sendto(b"u" * (100 + i), (dst, 5002))
PY
	check "raw IP protocol 253 to the peer" env PEER_V4="$PEER_V4" python3 - <<'PY'
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 253)
for i in range(3):
    s.sendto(b"r" * 64, (os.environ["PEER_V4"], 0))
PY
}

flows_end() {
	local f=$FLOWS_DIR
	# Idle timeout 2 s (+ FIN grace) and a scan every second: every flow ends within
	# seconds; wait until the kernel holds none and the agent took every record.
	local W=$f
	wait_for '$k.flows_active == 0 and $k.records_in_queue == 0' 60 drain >/dev/null
	check "agent still running" kill -0 "$FLOWS_AGENT"
	"$USERCTL" status --json >"$f/status.json" 2>&1
	kill -TERM "$FLOWS_AGENT"; wait "$FLOWS_AGENT"; echo "agent exit $?" >>"$f/agent.log"
	# lets time pass: for nfcapd and nfacctd to read the agent's last datagrams (neither
	# shows when it has; our listener drains its socket on SIGTERM).
	sleep 1
	# SIGINT: nfacctd purges its cache to nfacctd.json, then exits.
	kill -INT "$FLOWS_NFACCTD" 2>/dev/null
	kill -TERM "$FLOWS_DUMPCAP" "$FLOWS_LISTEN" "$FLOWS_NFCAPD"
	wait "$FLOWS_DUMPCAP" "$FLOWS_LISTEN" "$FLOWS_NFCAPD" "$FLOWS_NFACCTD" 2>/dev/null
	check_match "kernel counted records delivered to the agent" '"records_delivered": [1-9]' cat "$f/status.json"
	check_match "no record lost in the kernel" '"records_dropped_queue_full": 0' cat "$f/status.json"
	check "the agent logged no error" test -z "$(grep -i error "$f/agent.log")"
	# The capture is the truth only if it holds every frame.
	check_match "the capture dropped no frame (dumpcap)" "/0 \(pcap:0/dumpcap:0/" cat "$f/dumpcap.log"
	python3 "$REPO/tests/e2e/flowcheck.py" "$f/capture.pcap" --ipfixdump "$f/ipfix.ipfix" \
		--tshark "$f/ipfix.pcap" --port 4740 --nfdump "$f/nfcapd" \
		--nfacctd "$f/nfacctd.json" --nfacctd-log "$f/nfacctd.log" \
		--peer-v4 "$PEER_V4" --peer-v6 "$PEER_V6" ${FLOWCHECK_ARGS:-} >"$f/flowcheck.txt" 2>&1
	check "exported flows match the capture exactly (ipfixDump, tshark, nfdump, nfacctd)" \
		sh -c "tail -n 1 '$f/flowcheck.txt'; grep -q 'PASS\$' '$f/flowcheck.txt'"
}
