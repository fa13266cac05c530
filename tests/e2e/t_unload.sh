#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_unload: forced end and unload under load.
#  - disabling the exporter (push-config with Enabled false) ends every live flow with a
#    forced-end record (flowEndReason 4) that reaches the agent;
#  - the module unloads while traffic crosses tap0 in both directions and an agent is
#    attached, leaves no hook behind, loads again, and the kernel log stays clean.
. "$(dirname "$0")/lib.sh"

trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT

profile() {	# profile FILE ENABLED
	cat >"$1" <<JSON
{ "FlowMetadata": { "IpFixCollectors": ["Udp/127.0.0.1:4739"], "Interfaces": ["tap0"],
  "Enabled": $2, "IdleTimeout": 60000 } }
JSON
}
profile "$W/on.json" true
profile "$W/off.json" false

check "insmod" mod_load || bail "module does not load"
check "topology up" topo_up || bail "no topology"
check "push-config (enabled)" "$USERCTL" push-config "$W/on.json"
"$USERCTL" agent --verbose >"$W/agent.log" 2>&1 &
AGENT=$!
wait_log "$W/agent.log" 'running \(pid' 30 >/dev/null
check "ping makes live flows" ping -c 3 -i 0.2 -W 2 "$PEER_V4"
check_match "flows are live (idle timeout 60 s)" 'tap0 +out +icmp' "$USERCTL" flows
check "push-config (disabled)" "$USERCTL" push-config "$W/off.json"
wait_log "$W/agent.log" 'record: .* proto 1 packets 3 .* reason 4' 30 >/dev/null
check_match "the agent got forced-end records (reason 4)" 'record: .* proto 1 packets 3 .* reason 4' cat "$W/agent.log"
check "no live flow after disabling" test "$("$USERCTL" flows --json)" = "[]"

# Load in both directions while the module goes away.
check "push-config (enabled again)" "$USERCTL" push-config "$W/on.json"
ping -f -q -w 20 "$PEER_V4" >/dev/null 2>&1 &
in_peer ping -f -q -w 20 "$TAP0_V4" >/dev/null 2>&1 &
in_peer python3 -c '
import socket, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
end = time.time() + 20
i = 0
while time.time() < end:
    s.sendto(b"x" * 200, ("2001:db8::1", 9000 + i % 500)); i += 1
' &
# Until the load runs: the pings' flows and many of the UDP sender's (500 ports).
wait_for '$k.flows_active >= 100' 30 load >/dev/null
check_match "traffic is being metered" '"flows_active": [1-9]' "$USERCTL" status --json
check "rmmod under traffic with the agent attached" mod_unload
check_fail "module is gone" mod_loaded
# The agent noticed ("... will attach again").
wait_log "$W/agent.log" 'will attach again' 30 >/dev/null
check "the agent outlives the module" kill -0 "$AGENT"
check "insmod again under traffic" mod_load
check "push-config after reload" "$USERCTL" push-config "$W/on.json"
wait_log "$W/agent.log" 'attached to the kernel again' 60 >/dev/null
check_match "the agent attached to the new module by itself" 'attached to the kernel again' cat "$W/agent.log"
check "ping after reload" ping -c 2 -i 0.2 -W 2 "$PEER_V4"
check "push-config (disabled) ends the flows" "$USERCTL" push-config "$W/off.json"
for _ in $(seq 300); do
	sed -n '/attached to the kernel again/,$p' "$W/agent.log" | grep -qE 'record: .* proto 1 .* reason 4' && break
	sleep 0.1
done
check_match "records reach the re-attached agent" 'record: .* proto 1 .* reason 4' sh -c "sed -n '/attached to the kernel again/,\$p' '$W/agent.log'"
# Until it exited: its last drain is a dump, which holds the module while it runs.
kill "$AGENT"; wait "$AGENT"
check "rmmod again" mod_unload
wait
check "topology down" topo_down
check "kernel log clean" dmesg_clean
finish
