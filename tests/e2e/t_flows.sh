#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_flows: ping, a TCP transfer, UDP datagrams, a raw IP protocol and ICMPv6 across tap0
# (a veth pair) give exactly the flows a capture on tap0 shows, as four collectors we
# did not write (ipfixDump, tshark, nfcapd/nfdump, pmacct's nfacctd on the fields it
# keeps) decode them from the agent's IPFIX stream; and `userctl flows` shows live
# flows while they run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flows_lib.sh"

flows_veth_up

flows_begin "$EIPFIX_RESULTS/t_flows" tap0
flows_traffic
check_match "userctl flows shows the live raw-IP flow on tap0" \
	'tap0 +out +253 +100.64.0.1 +100.64.0.2 +3 +252 +forwarded' "$USERCTL" flows
"$USERCTL" flows --json >"$FLOWS_DIR/flows.json" 2>&1
flows_end

check "topology down" topo_down
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
