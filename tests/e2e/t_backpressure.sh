#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_backpressure: while an agent takes records, none is dropped however many flows end
# at once: the flow table is the buffer, not the record queue (record_queue_len=256).
#   A  3000 live flows, then a push-config that changes Interfaces: every flow ends with
#      a forced-end record, and all 3000 reach the collector; none is dropped.
#   B  meanwhile `userctl status` and push-config answer at once (no lock is held while
#      the kernel waits for the agent).
#   C  with no agent at all, the same reconfiguration drops what does not fit, counted.
# The truth: the 3000 source ports the peer sent from, and the records the collector got
# (our stream walk: no sequence gap), not the product's own counters alone.
. "$(dirname "$0")/lib.sh"

trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; ip link del dummy7 2>/dev/null' EXIT
QLEN=256 N=3000

check "insmod record_queue_len=$QLEN" mod_load record_queue_len=$QLEN || bail "module does not load"
check "topology up" topo_up || bail "no topology"
forced_end_scene
"$USERCTL" agent >"$W/agent.log" 2>&1 &
AGENT=$!
check "agent running" wait_log "$W/agent.log" 'running \(pid' 20

# --- A, B --------------------------------------------------------------------------------
check "the peer opens $N flows (one datagram each)" peer_flood 30000 $N
check "$N flows live" wait_for "\$k.flows_active >= $N" 60 live
t0=$(date +%s%N)
check "push-config that changes Interfaces (every flow ends: $N records, queue $QLEN)" \
	"$USERCTL" push-config "$W/b.json"
push_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
t1=$(date +%s%N)
check "B: userctl status answers while the records drain" status during
status_ms=$(( ($(date +%s%N) - t1) / 1000000 ))
note "push-config took $push_ms ms, the status during the drain $status_ms ms; at that status: $(jget '"queue \($k.records_in_queue), delivered \($k.records_delivered), dropped \($k.records_dropped_queue_full)"' during)"
check "A: every forced-end record delivered, none dropped (records_dropped_queue_full 0)" \
	wait_for "\$k.records_in_queue == 0 and \$k.records_delivered >= $N and \$k.records_dropped_queue_full == 0 and \$a.records_sent >= \$k.records_delivered" 120 drained
kill "$AGENT"; wait "$AGENT" 2>/dev/null
# The agent is gone: the listener writes what its socket holds, then exits.
kill "$SCENE_LISTEN"; wait "$SCENE_LISTEN" 2>/dev/null
python3 "$DEC" stats "$W/c.ipfix" >"$W/stats.json"
check "A: the collector got a record of every one of the $N flows, no sequence gap (our walk)" \
	jq -e ".flow_records >= $N and (.seq_errors | length) == 0 and .listener_drops == 0" "$W/stats.json"
check "A: ... each of the $N source ports the peer sent from, in a forced-end record (ipfixDump)" \
	collector_ports 30000 $N 4

# --- C -------------------------------------------------------------------------------------
check "push-config (tap0 only) with no agent" "$USERCTL" push-config "$W/a.json"
status c0
d0=$(jget '$k.records_dropped_queue_full' c0)
check "C: the peer opens $N flows again" peer_flood 40000 $N
check "C: $N flows live" wait_for "\$k.flows_active >= $N" 60 c1
check "C: push-config that changes Interfaces, no agent" "$USERCTL" push-config "$W/b.json"
check "C: with no agent, the queue fills ($QLEN) and the rest is dropped and counted" \
	wait_for "\$k.records_in_queue == $QLEN and \$k.records_dropped_queue_full - $d0 >= $N - $QLEN" 60 c2

check "topology down" topo_down
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
