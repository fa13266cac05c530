#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_redeliver: a record leaves the kernel only when the agent has it. An agent killed
# (SIGKILL) in the middle of a GET_RECORDS dump, after it read records and before it
# acknowledged them, loses nothing: the kernel counts none of them delivered, and the
# next agent gets every one (counted as requeued).
#   A  2000 flows end at once (a push-config that changes Interfaces) with no agent:
#      2000 records wait.
#   B  dying_agent.py registers, reads the first message of a dump (k records), and is
#      killed: records_delivered stays 0, records_requeued is at least k (the dump may
#      have written more messages into its socket than it read).
#   C  `userctl agent` starts: the collector gets a record of each of the 2000 source
#      ports the peer sent from (ipfixDump), and the kernel holds nothing unacknowledged.
# The truth: the source ports the peer sent from, and what ipfixDump reads at the
# collector.
. "$(dirname "$0")/lib.sh"

trap 'kill -9 $(jobs -p) 2>/dev/null; wait 2>/dev/null; ip link del dummy7 2>/dev/null' EXIT
N=2000

check "insmod" mod_load || bail "module does not load"
check "topology up" topo_up || bail "no topology"
forced_end_scene

# --- A ---------------------------------------------------------------------------------
check "the peer opens $N flows (one datagram each)" peer_flood 30000 $N
check "A: $N flows live" wait_for "\$k.flows_active >= $N" 60 live
check "A: push-config that changes Interfaces, no agent: every flow ends" \
	"$USERCTL" push-config "$W/b.json"
check "A: $N records wait, none dropped" \
	wait_for "\$k.records_in_queue >= $N and \$k.records_dropped_queue_full == 0" 60 queued

# --- B ---------------------------------------------------------------------------------
python3 "$REPO/tests/e2e/dying_agent.py" "$W/dead.n" >"$W/dying.log" 2>&1 &
DYING=$!
for _ in $(seq 200); do [ -s "$W/dead.n" ] && break; sleep 0.1; done
k=$(cat "$W/dead.n" 2>/dev/null || echo 0)
check "B: the dying agent read $k records of the dump (some, not all)" \
	test "$k" -gt 0 -a "$k" -lt "$N"
kill -9 "$DYING"; wait "$DYING" 2>/dev/null
check "B: killed before acknowledging: the kernel counts none delivered, requeues them" \
	wait_for "$k > 0 and \$k.records_delivered == 0 and \$k.records_requeued >= $k and \$k.records_unacked == 0 and \$k.records_in_queue >= $N" 20 killed

# --- C ---------------------------------------------------------------------------------
"$USERCTL" agent >"$W/agent.log" 2>&1 &
AGENT=$!
check "C: the next agent running" wait_log "$W/agent.log" 'running \(pid' 20
check "C: it takes and acknowledges every record; nothing dropped" \
	wait_for "\$k.records_in_queue == 0 and \$k.records_unacked == 0 and \$k.records_delivered >= $N and \$k.records_dropped_queue_full == 0" 120 drained
kill "$AGENT"; wait "$AGENT" 2>/dev/null
# The agent is gone: the listener writes what its socket holds, then exits.
kill "$SCENE_LISTEN"; wait "$SCENE_LISTEN" 2>/dev/null
check "C: the collector got a record of each of the $N source ports (ipfixDump)" \
	collector_ports 30000 $N

check "topology down" topo_down
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
