#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_privilege: namespaces are isolated and only CAP_NET_ADMIN may act.
#  - each network namespace has its own config, flows and counters: traffic metered in
#    one is invisible in the other, and an agent in one gets none of the other's records;
#  - a process without CAP_NET_ADMIN can neither change the config nor read flows,
#    counters or records (EPERM), and cannot register as the agent;
#  - one agent per namespace: a second is refused, --takeover displaces the first.
. "$(dirname "$0")/lib.sh"

trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; ip netns del other 2>/dev/null' EXIT

check "insmod" mod_load || bail "module does not load"
check "topology up" topo_up || bail "no topology"
ip netns add other
ip -n other link set lo up

profile() {	# profile FILE IFACE PORT
	cat >"$1" <<JSON
{ "FlowMetadata": { "IpFixCollectors": ["Udp/127.0.0.1:$3"], "Interfaces": ["$2"],
  "IdleTimeout": 1000 } }
JSON
}
profile "$W/root.json" tap0 4739
profile "$W/other.json" tap0 4741

check "push-config in the root namespace" "$USERCTL" push-config "$W/root.json"
check_match "the other namespace still has its default config (no collector)" \
	'"IpFixCollectors": \[\]' ip netns exec other "$USERCTL" status --json
check "push-config in the other namespace" ip netns exec other "$USERCTL" push-config "$W/other.json"
check_match "the root namespace keeps its own config" \
	'Udp/127.0.0.1:4739' "$USERCTL" status --json

# An agent in "other" must see nothing of the root namespace's traffic.
ip netns exec other "$USERCTL" agent --verbose >"$W/other-agent.log" 2>&1 &
OTHER_AGENT=$!
wait_log "$W/other-agent.log" 'running \(pid' 30 >/dev/null
check "ping across tap0 in the root namespace" ping -c 3 -i 0.2 -W 2 "$PEER_V4"
check_match "root namespace has the ICMP flows" 'tap0 +out +icmp' "$USERCTL" flows
check "the other namespace has no flow" test -z "$(ip netns exec other "$USERCTL" flows --json | grep -v '^\[\]$')"
check_match "the other namespace counted no packet" '"packets_seen": 0,' \
	ip netns exec other "$USERCTL" status --json
# lets time pass: that no record comes to the other agent is shown only by waiting.
sleep 3
check "the other namespace's agent got no record" test -z "$(grep 'record:' "$W/other-agent.log")"

# Without CAP_NET_ADMIN (an unprivileged user, no capabilities).
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"
# The other namespace's profile: were the push applied, "config unchanged" below sees it.
check_match "unprivileged push-config is refused" 'permission denied|Operation not permitted' \
	sh -c "$NOBODY $USERCTL push-config $W/other.json 2>&1; test \$? -ne 0"
check_match "unprivileged flows is refused" 'permission denied|Operation not permitted' \
	sh -c "$NOBODY $USERCTL flows 2>&1; test \$? -ne 0"
check_match "unprivileged status is refused" 'permission denied|Operation not permitted' \
	sh -c "$NOBODY $USERCTL status 2>&1; test \$? -ne 0"
check_match "unprivileged agent cannot register" 'permission denied|Operation not permitted' \
	sh -c "$NOBODY timeout 5 $USERCTL agent 2>&1; test \$? -ne 0"
check_match "config unchanged by the refused push" 'Udp/127.0.0.1:4739' "$USERCTL" status --json

kill "$OTHER_AGENT"; wait "$OTHER_AGENT" 2>/dev/null

# One agent per namespace: a second is refused, --takeover displaces the first, which
# exits saying why (no two exporters taking turns with the records).
"$USERCTL" agent >"$W/agent1.log" 2>&1 &
A1=$!
check "agent 1 runs" wait_log "$W/agent1.log" 'running \(pid' 20
check_match "a second agent is refused, saying why (exit 1)" 'another agent is running in this network namespace' \
	sh -c "timeout 20 $USERCTL agent 2>&1; test \$? -eq 1"
check "agent 1 still runs" kill -0 $A1
"$USERCTL" agent --takeover >"$W/agent3.log" 2>&1 &
A3=$!
check "agent 3 (--takeover) runs" wait_log "$W/agent3.log" 'running \(pid' 20
check "agent 1 says it was displaced" wait_log "$W/agent1.log" 'another agent took over' 20
for _ in $(seq 100); do kill -0 $A1 2>/dev/null || break; sleep 0.1; done
wait $A1 2>/dev/null
a1rc=$?
check "... and exits 1 (exit $a1rc)" test "$a1rc" -eq 1
check "agent 3 still runs" kill -0 $A3
kill $A3; wait $A3 2>/dev/null
check "namespace other deletes with its config" ip netns del other
check "topology down" topo_down
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
