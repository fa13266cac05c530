#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_wireguard: metering a real encrypted overlay. wg0 (this namespace) and wg1 (netns
# peer) are WireGuard interfaces over a veth underlay (198.51.100.0/24). The module
# meters wg0, where traffic is still clear: the exported flows match a capture on wg0
# exactly, while the underlay carries nothing but WireGuard's UDP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flows_lib.sh"

check "insmod" mod_load || bail "module does not load"
check "WireGuard overlay wg0 <-> wg1 over a veth underlay" wg_topo_up || bail "no WireGuard"
# wg0 takes GSO super-packets, which the module counts as the segments they become;
# a capture would show them whole. Offloads off: the capture shows every packet.
ethtool -K wg0 tso off gso off gro off >/dev/null 2>&1
in_peer ethtool -K wg1 tso off gso off gro off >/dev/null 2>&1
dumpcap -q -i ul0 -w "$W/underlay.pcap" >"$W/underlay.log" 2>&1 &
UNDERLAY=$!
for _ in $(seq 300); do grep -q "File:" "$W/underlay.log" 2>/dev/null && break; sleep 0.1; done

flows_begin "$W" wg0
flows_traffic
flows_end
kill "$UNDERLAY"; wait "$UNDERLAY" 2>/dev/null

check_match "the underlay carried WireGuard UDP" '^[1-9]' \
	sh -c "tshark -n -r '$W/underlay.pcap' -Y 'udp.port == 51820' 2>/dev/null | wc -l"
check_match "the underlay carried no clear test traffic (only UDP to/from 5182x)" '^0$' \
	sh -c "tshark -n -r '$W/underlay.pcap' -Y 'ip and !(udp.port == 51820)' 2>/dev/null | wc -l"
check "the handshake happened" sh -c "wg show wg0 latest-handshakes | awk '{ exit !(\$2 > 0) }'"

ip link del wg0
ip netns del peer
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
