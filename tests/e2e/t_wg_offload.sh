#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_wg_offload: t_wireguard with the offloads ON on the metered side, as a host runs it.
# wg0 keeps TSO/GSO/GRO (WireGuard's defaults): the module meters super-packets leaving
# (TSO, UDP GSO) and GRO-merged packets arriving, and datagrams the stack fragments after
# the egress hook. The truth is a capture on the FAR side, wg1 in netns peer with its
# offloads off, where one frame is one packet as it crossed the tunnel:
#   - TCP, 2 MB each way, IPv4 and IPv6
#   - UDP GSO (UDP_SEGMENT) from the host: 20 segments of 1000 octets, IPv4 and IPv6
#   - a 4000-octet UDP datagram each way, IPv4 and IPv6 (3 fragments at WireGuard's
#     MTU of 1420; leaving, the stack cuts it after the hook)
# plus flows_traffic's mix, all compared flow by flow by ipfixDump, tshark, nfdump and
# nfacctd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flows_lib.sh"

check "insmod" mod_load || bail "module does not load"
check "WireGuard overlay wg0 <-> wg1 over a veth underlay" wg_topo_up || bail "no WireGuard"
ethtool -K wg0 tso on gso on gro on >/dev/null 2>&1
check_match "wg0 offloads on (TSO, GSO, GRO)" \
	'tcp-segmentation-offload: on.*generic-segmentation-offload: on.*generic-receive-offload: on' \
	sh -c "ethtool -k wg0 | grep -E '^(tcp-segmentation|generic-segmentation|generic-receive)-offload' | tr '\n' ' '"
in_peer ethtool -K wg1 tso off gso off gro off >/dev/null 2>&1
check_match "wg1 (the capture's side) offloads off" \
	'tcp-segmentation-offload: off.*generic-segmentation-offload: off.*generic-receive-offload: off' \
	sh -c "ip netns exec peer ethtool -k wg1 | grep -E '^(tcp-segmentation|generic-segmentation|generic-receive)-offload' | tr '\n' ' '"

FLOWS_CAPTURE_NS=peer FLOWS_CAPTURE_IF=wg1 flows_begin "$W" wg0
flows_traffic

# The traffic's programs, run on either side (python3 FILE ARGS).
cat >"$W/sink.py" <<'PY'
# sink.py ADDR PORT: a TCP sink that answers each connection with "got N"
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(4)
while True:
    c, _ = s.accept()
    n = 0
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        n += len(b)
    c.sendall(b"got %d" % n); c.close()
PY
cat >"$W/send_tcp.py" <<'PY'
# send_tcp.py ADDR: 2 MB to ADDR:5010, the sink's answer checked
import socket, sys
c = socket.create_connection((sys.argv[1], 5010), timeout=30)
c.sendall(b"t" * 2000000); c.shutdown(socket.SHUT_WR)
assert c.recv(100) == b"got 2000000"
c.close()
PY
cat >"$W/big_udp.py" <<'PY'
# big_udp.py SPORT ADDR...: one 4000-octet UDP datagram to each ADDR:5012
import socket, sys
for dst in sys.argv[2:]:
    s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("::" if ":" in dst else "0.0.0.0", int(sys.argv[1])))
    s.sendto(b"b" * 4000, (dst, 5012))
PY
for a in "$TAP0_V4" "$TAP0_V6"; do python3 "$W/sink.py" "$a" 5010 & FLOWS_PIDS+=($!); done
for a in "$PEER_V4" "$PEER_V6"; do in_peer python3 "$W/sink.py" "$a" 5010 & FLOWS_PIDS+=($!); done
for _ in $(seq 100); do
	[ "$(in_peer ss -ltnH | grep -c ':5010 ')" = 2 ] && [ "$(ss -ltnH | grep -c ':5010 ')" = 2 ] && break
	sleep 0.1
done

check "TCP 2 MB to the peer, IPv4 (TSO/GSO leaving wg0)" python3 "$W/send_tcp.py" "$PEER_V4"
check "TCP 2 MB to the peer, IPv6" python3 "$W/send_tcp.py" "$PEER_V6"
check "TCP 2 MB from the peer, IPv4 (GRO arriving on wg0)" in_peer python3 "$W/send_tcp.py" "$TAP0_V4"
check "TCP 2 MB from the peer, IPv6" in_peer python3 "$W/send_tcp.py" "$TAP0_V6"
check "UDP GSO (UDP_SEGMENT 1000) to the peer: 20 segments in one send, IPv4 and IPv6" \
	python3 - "$PEER_V4" "$PEER_V6" <<'PY'
import socket, sys
UDP_SEGMENT = 103
for dst in sys.argv[1:]:
    s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_UDP, UDP_SEGMENT, 1000)
    s.sendto(b"s" * 20000, (dst, 5011))
PY
check "a 4000-octet UDP datagram to the peer, IPv4 and IPv6 (fragmented after the hook)" \
	python3 "$W/big_udp.py" 6000 "$PEER_V4" "$PEER_V6"
check "a 4000-octet UDP datagram from the peer, IPv4 and IPv6 (reassembled before the hook)" \
	in_peer python3 "$W/big_udp.py" 6001 "$TAP0_V4" "$TAP0_V6"

flows_end

ip link del wg0
ip netns del peer
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
