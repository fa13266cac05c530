#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_offload: offloads on, as a host has them. A peer behind a tap opened with a virtio-net
# header (IFF_VNET_HDR + TUNSETOFFLOAD: Tailscale, wireguard-go with offloads, VM taps)
# writes one TSO super-frame of 3 x 1000 octets of TCP payload (vnet_tso.py). The kernel
# receives it as one SKB_GSO_DODGY packet whose gso_segs is 0; on the wire it is 3
# packets of 1040 IP octets. The flow must say 3 packets, 3120 octets.
. "$(dirname "$0")/lib.sh"

trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; ip link del tapv0 2>/dev/null' EXIT

check "insmod" mod_load || bail "module does not load"
check "modprobe tun" sh -c 'modprobe tun && { [ -c /dev/net/tun ] || { mkdir -p /dev/net && mknod /dev/net/tun c 10 200; }; }'
python3 "$REPO/tests/e2e/vnet_tso.py" tapv0 "$W/ready" "$W/go" 3 1000 >"$W/vnet.log" 2>&1 &
VNET=$!
check "a tap with a virtio-net header and TSO offload (tapv0)" wait_log "$W/ready" . 20
ip addr add 100.64.9.1/24 dev tapv0
ip link set tapv0 up
cat >"$W/p.json" <<JSON
{ "FlowMetadata": { "IpFixCollectors": ["Udp/127.0.0.1:4739"], "Interfaces": ["tapv0"],
  "IdleTimeout": 600000 } }
JSON
check "push-config (metering tapv0)" "$USERCTL" push-config "$W/p.json"
echo "go $(cat /sys/class/net/tapv0/address) 100.64.9.2 100.64.9.1 7" >"$W/go.tmp" && mv "$W/go.tmp" "$W/go"
check "the peer wrote one TSO frame of 3 x 1000 octets" wait_log "$W/vnet.log" '^sent$' 20
flow_of() {
	"$USERCTL" flows --json >"$W/flows.json" || return 1
	python3 -c '
import json, sys
f = [x for x in json.load(open(sys.argv[1]))
     if x["src"] == "100.64.9.2" and x.get("dst_port") == 7 and x["direction"] == "ReceivedFromPeer"]
print(f)
assert len(f) == 1 and f[0]["packets"] == 3 and f[0]["octets"] == 3 * 1040, f
' "$W/flows.json"
}
poll() { local i; for i in $(seq 50); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; "$@"; }
check "metered as on the wire: 3 packets, 3120 octets (not 1 super-packet)" poll flow_of
kill $VNET 2>/dev/null; wait $VNET 2>/dev/null
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
