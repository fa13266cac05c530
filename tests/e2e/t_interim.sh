#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_interim: with Interval 60000 a long flow gives interim records (flowEndReason 2) on
# the one-minute tick, and a forced-end record (4) when the exporter is disabled; the
# deltas of all its records sum exactly to what the capture shows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flows_lib.sh"

flows_veth_up

FLOWS_INTERVAL=60000 FLOWS_IDLE=600000
flows_begin "$EIPFIX_RESULTS/t_interim" tap0
# A ping every half second across the first one-minute tick.
check "ping for 70 s (v4 and v6)" sh -c "ping -q -c 140 -i 0.5 $PEER_V4 >/dev/null & ping -6 -q -c 140 -i 0.5 $PEER_V6 >/dev/null; wait"
cat >"$FLOWS_DIR/off.json" <<JSON
{ "FlowMetadata": { "IpFixCollectors": [$FLOWS_COLLECTORS],
  "Interfaces": ["tap0"], "Enabled": false } }
JSON
check "push-config Enabled false ends the flows" "$USERCTL" push-config "$FLOWS_DIR/off.json"
# (flows_end waits until no flow is left and the agent took every record.)
FLOWCHECK_ARGS="--expect-reason 2 --expect-reason 4"
flows_end

check "topology down" topo_down
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
