#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_hostile: hostile packets across tap0 with metering on (hostile.py).
#  - from the peer namespace, raw Ethernet frames (AF_PACKET on its eth0) into tap0:
#    truncated, malformed, bogus-length, option-laden IPv4, IPv6 extension-header chains
#    (long, cut short, lying), fragments (tiny, overlapping, past 64 KiB), random bytes;
#  - from the host, the same through IPPROTO_RAW sockets, across the egress hook;
#  - no crash: the kernel log stays clean, the module unloads;
#  - every frame that reaches the hook with a header cut short is counted in
#    kernel.parse_errors (at least as many as hostile.py says must be);
#  - valid traffic is still metered exactly afterwards (packets and IP octets).
. "$(dirname "$0")/lib.sh"

trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT

ctr() {	# ctr NAME: a kernel counter from userctl status --json
	"$USERCTL" status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['kernel']['$1'])"
}

check "insmod" mod_load || bail "module does not load"
check "topology up" topo_up || bail "no topology"
cat >"$W/profile.json" <<JSON
{ "FlowMetadata": { "IpFixCollectors": ["Udp/127.0.0.1:4739"], "Interfaces": ["tap0"],
  "IdleTimeout": 60000 } }
JSON
check "push-config (metering tap0)" "$USERCTL" push-config "$W/profile.json"
"$USERCTL" agent --verbose >"$W/agent.log" 2>&1 &
AGENT=$!
wait_log "$W/agent.log" 'running \(pid' 30 >/dev/null
before=$(ctr parse_errors)
MAC=$(cat /sys/class/net/tap0/address)

check_match "ingress: hostile frames from the peer (AF_PACKET)" '^hostile: [0-9]+ frames' \
	sh -c "ip netns exec peer python3 '$REPO/tests/e2e/hostile.py' ingress eth0 $MAC --rounds 3 | tee '$W/ingress.txt'"
sure=$(sed -n 's/.* \([0-9]*\) must count.*/\1/p' "$W/ingress.txt")
wait_for "\$k.parse_errors - $before >= ${sure:-1}" 30 ingress >/dev/null
after=$(ctr parse_errors)
note "parse_errors $before -> $after; at least ${sure:-?} expected"
check "parse_errors rose by at least what must count ($before -> $after, >= ${sure:-?})" \
	test -n "$sure" -a "$sure" -gt 0 -a $((after - before)) -ge "${sure:-1}"
check_match "egress: hostile packets from the host (IPPROTO_RAW)" '^hostile: [0-9]+ frames' \
	python3 "$REPO/tests/e2e/hostile.py" egress --rounds 3
check "the agent survives the hostile flows" kill -0 "$AGENT"
check "kernel log clean after the hostile packets" dmesg_clean

# Valid traffic is still metered exactly: a new flow per family (fresh ports).
check "valid UDP from the peer: 20 IPv4 and 20 IPv6 datagrams of 100 bytes" \
	ip netns exec peer python3 -c '
import socket, time
for fam, dst in ((socket.AF_INET, "100.64.0.1"), (socket.AF_INET6, "2001:db8::1")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(("", 45678))
    for i in range(20):
        s.sendto(b"v" * 100, (dst, 7777))
        time.sleep(0.01)
'
# Until both flows have their 20 packets (the checks below want exactly 20).
for _ in $(seq 300); do
	"$USERCTL" flows --json >"$W/flows.json"
	jq -e '[.[] | select(.dst_port == 7777 and .packets >= 20)] | length >= 2' "$W/flows.json" >/dev/null && break
	sleep 0.1
done
check "IPv4 flow metered exactly: 20 packets, 20 x 128 octets" python3 -c '
import json, sys
f = [f for f in json.load(open(sys.argv[1])) if f.get("dst_port") == 7777 and f["src"] == "100.64.0.2"]
assert len(f) == 1 and f[0]["packets"] == 20 and f[0]["octets"] == 20 * 128, f
' "$W/flows.json"
check "IPv6 flow metered exactly: 20 packets, 20 x 148 octets" python3 -c '
import json, sys
f = [f for f in json.load(open(sys.argv[1])) if f.get("dst_port") == 7777 and f["src"] == "2001:db8::2"]
assert len(f) == 1 and f[0]["packets"] == 20 and f[0]["octets"] == 20 * 148, f
' "$W/flows.json"

kill "$AGENT"; wait "$AGENT" 2>/dev/null
check "topology down" topo_down
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
