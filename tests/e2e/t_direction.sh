#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_direction: Direction ReceivedFromPeer exports ingress flows only, exactly as the
# capture shows them, and no egress flow at all (filtered in the kernel: not created).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flows_lib.sh"

flows_veth_up

FLOWS_DIRECTION=ReceivedFromPeer
flows_begin "$EIPFIX_RESULTS/t_direction" tap0
flows_traffic
check "no egress flow exists in the kernel" sh -c "! '$USERCTL' flows | grep -q ' out '"
FLOWCHECK_ARGS="--direction 0"
flows_end

check "topology down" topo_down
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
