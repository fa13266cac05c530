#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/bench/profile-guest.sh: where the module's share of the receive path goes, for
# two builds of the module in one boot. Runs in the VM (not part of `make bench`):
#
#   EIPFIX_KO=new.ko EIPFIX_PROF_BASE_KO=base.ko EIPFIX_USERCTL=userctl/build/userctl \
#   EIPFIX_VM_PIN=1 EIPFIX_RESULTS_DIR=DIR tests/e2e/vm.sh 6.1 tests/bench/profile-guest.sh
#
# For each round and build: metering of one flow (tap0, as bench configuration c),
# `perf record -e cpu-clock` on CPU 0 (pktgen's, where the whole receive path runs)
# over EIPFIX_PROF_PKTS packets, then one line in DIR/share.txt:
#   round=R v=base|new busy=N module=N clock=N nf_hook_slow=N pg="USEC PKTS"
# busy: CPU 0's samples outside the idle loop; module: samples in eipfix_* functions;
# clock: in ktime_get_with_offset / ktime_get_coarse_with_offset. Shares of busy
# samples stand up to a noisy host better than the packet rate does: the host's
# stalls stretch every function of the guest alike. DIR/prof-V-R.txt: the symbols.
set -u
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RES=${EIPFIX_RESULTS:-/results}
export EIPFIX_TEST_NAME=profile EIPFIX_TEST_LOG=$RES/profile.log
# shellcheck source=../e2e/lib.sh
. "$DIR/../e2e/lib.sh"
ROUNDS=${EIPFIX_PROF_ROUNDS:-4} PKTS=${EIPFIX_PROF_PKTS:-200000}
NEW_KO=$EIPFIX_KO BASE_KO=${EIPFIX_PROF_BASE_KO:-}

modprobe pktgen && topo_up || { echo 1 >"$RES/rc"; exit 1; }
sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.tap0.rp_filter=0 \
	net.ipv4.icmp_msgs_per_sec=0 net.ipv4.icmp_msgs_burst=0
mac=$(cat /sys/class/net/tap0/address)
W=$(mktemp -d)
cat >"$W/meter.json" <<'JSON'
{ "FlowMetadata": { "IpFixCollectors": ["Udp/127.0.0.1:4739"], "Direction": "Both",
  "Interval": 0, "Enabled": true, "Interfaces": ["tap0"], "IdleTimeout": 86400000,
  "MaxFlows": 2097152 } }
JSON
# (a command line, not a function: perf record runs it)
pktgen=(ip netns exec peer bash "$DIR/guest.sh" --pktgen)
for r in $(seq "$ROUNDS"); do
	for v in ${BASE_KO:+base} new; do
		ko=$NEW_KO; [ "$v" = base ] && ko=$BASE_KO
		EIPFIX_KO=$ko mod_load && "$EIPFIX_USERCTL" push-config "$W/meter.json" >/dev/null || break 2
		"${pktgen[@]}" 50000 1 1 "$mac" >/dev/null
		sleep 2
		perf record -q -C 0 -e cpu-clock -F 4000 -o "$W/p.data" -- \
			"${pktgen[@]}" "$PKTS" 1 1 "$mac" >"$W/pg.txt"
		perf script -i "$W/p.data" -F ip,sym 2>/dev/null >"$W/s.txt"
		perf report -i "$W/p.data" --no-children -n --sort symbol --stdio 2>/dev/null |
			grep -v '^#' | grep -v '^$' | head -60 >"$RES/prof-$v-$r.txt"
		echo "round=$r v=$v busy=$(grep -vcE 'safe_halt|default_idle|cpuidle' "$W/s.txt")" \
			"module=$(grep -c ' eipfix_' "$W/s.txt")" \
			"clock=$(grep -cE 'ktime_get_with_offset|ktime_get_coarse' "$W/s.txt")" \
			"nf_hook_slow=$(grep -c nf_hook_slow "$W/s.txt") pg=\"$(cat "$W/pg.txt")\"" >>"$RES/share.txt"
		mod_unload
	done
done
echo 0 >"$RES/rc"
