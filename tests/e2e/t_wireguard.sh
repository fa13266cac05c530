#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_wireguard: metering a real encrypted overlay. wg0 (this namespace) and wg1 (netns
# peer) are WireGuard interfaces over a veth underlay (198.51.100.0/24). The module
# meters wg0, where traffic is still clear: the exported flows match a capture on wg0
# exactly, while the underlay carries nothing but WireGuard's UDP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flows_lib.sh"


wg_up() {
	modprobe wireguard || return 1
	ip netns add peer &&
	ip link add ul0 type veth peer name ul1 netns peer &&
	ip addr add 198.51.100.1/24 dev ul0 && ip link set ul0 up &&
	ip -n peer addr add 198.51.100.2/24 dev ul1 && ip -n peer link set ul1 up &&
	ip -n peer link set lo up || return 1
	wg genkey >"$W/k0" && wg pubkey <"$W/k0" >"$W/p0" &&
	wg genkey >"$W/k1" && wg pubkey <"$W/k1" >"$W/p1" || return 1
	ip link add wg0 type wireguard &&
	wg set wg0 private-key "$W/k0" listen-port 51820 peer "$(cat "$W/p1")" \
		endpoint 198.51.100.2:51821 allowed-ips 100.64.0.2/32,2001:db8::2/128 &&
	ip addr add 100.64.0.1/24 dev wg0 && ip addr add 2001:db8::1/64 dev wg0 nodad &&
	ip link set wg0 up || return 1
	in_peer ip link add wg1 type wireguard &&
	in_peer wg set wg1 private-key "$W/k1" listen-port 51821 peer "$(cat "$W/p0")" \
		endpoint 198.51.100.1:51820 allowed-ips 100.64.0.1/32,2001:db8::1/128 &&
	in_peer ip addr add 100.64.0.2/24 dev wg1 &&
	in_peer ip addr add 2001:db8::2/64 dev wg1 nodad &&
	in_peer ip link set wg1 up
}

check "insmod" mod_load || bail "module does not load"
check "WireGuard overlay wg0 <-> wg1 over a veth underlay" wg_up || bail "no WireGuard"
# wg0 takes GSO super-packets, which the module counts as the segments they become;
# a capture would show them whole. Offloads off: the capture shows every packet.
ethtool -K wg0 tso off gso off gro off >/dev/null 2>&1
in_peer ethtool -K wg1 tso off gso off gro off >/dev/null 2>&1
dumpcap -q -i ul0 -w "$W/underlay.pcap" >"$W/underlay.log" 2>&1 &
UNDERLAY=$!
sleep 1

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
