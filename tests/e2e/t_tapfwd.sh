#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_tapfwd: metering a TAP device driven by a userspace forwarder (tapfwd.py), the way
# Enclave's own agent moves frames: tap0 here, tapp in netns peer, frames copied between
# them by a process. The exported flows match a capture on tap0 exactly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flows_lib.sh"

tap_up() {
	modprobe tun || return 1
	[ -c /dev/net/tun ] || { mkdir -p /dev/net && mknod /dev/net/tun c 10 200; } || return 1
	python3 "$(dirname "$0")/tapfwd.py" tap0 tapp "$W/tapfwd.ready" >"$W/tapfwd.log" 2>&1 &
	TAPFWD=$!
	for _ in $(seq 50); do [ -e "$W/tapfwd.ready" ] && break; sleep 0.1; done
	[ -e "$W/tapfwd.ready" ] || return 1
	ip netns add peer &&
	ip link set tapp netns peer &&
	ip addr add 100.64.0.1/24 dev tap0 && ip addr add 2001:db8::1/64 dev tap0 nodad &&
	ip link set tap0 up &&
	in_peer ip link set lo up &&
	in_peer ip addr add 100.64.0.2/24 dev tapp &&
	in_peer ip addr add 2001:db8::2/64 dev tapp nodad &&
	in_peer ip link set tapp up
}

check "insmod" mod_load || bail "module does not load"
check "TAP devices tap0 <-> tapp joined by a userspace forwarder" tap_up || bail "no TAP pair"
check "the forwarder moves frames (ping)" ping -c 2 -W 3 "$PEER_V4"

flows_begin "$W" tap0
flows_traffic
flows_end

kill "$(cat "$W/tapfwd.ready")" 2>/dev/null
ip netns del peer
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
