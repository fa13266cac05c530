#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/bench/guest.sh: runs inside the VM (tests/bench/run.sh -> tests/e2e/vm.sh).
# Measures, in ONE boot, the per-packet cost of the receive path of tap0 (and the send
# path) under configurations alternated round by round:
#
#   a      no module
#   b      enclave_ipfix loaded, Enabled false
#   c      metering (Direction Both, Interval 0, IdleTimeout 1 day, MaxFlows 2^21),
#          agent running, exporting to a UDP sink on 127.0.0.1:4739
#   d100   c + 100 Deny rules that never match the traffic (Default Allow); the module
#          is loaded with acl_state_max=1100000 (every configuration that loads it)
#   d10k   c + 10,000 such rules
#   e      ipt_NETFLOW (6.1 only, when $EIPFIX_BENCH_NETFLOW_KO exists): modprobe'd
#          module + `iptables -I PREROUTING -t raw -i tap0 -j NETFLOW` (and OUTPUT/-o)
#   c0     c with the module $EIPFIX_BENCH_BASE_KO instead (run.sh: EIPFIX_BENCH_BASE=
#          a git revision, built like the tree's module): a change's before and after
#          side by side in one boot
#   k      c + the kernel's connection tracking (and so its defragmentation) on
#          tap0's traffic, as a stateful rule set built on it would have: an nftables
#          rule `ct state established,related accept` (policy accept) in a prerouting
#          and an output chain. The cost the module's own ACL state table (d) is
#          weighed against (issue 12 point 3).
#
# Receive load: the kernel's pktgen on the peer's eth0 (one kernel thread, CPU 0),
# 60-byte UDP frames to 100.64.0.1:9 (closed) from 100.64.1.x: pktgen's veth xmit
# runs tap0's whole receive path inline (netif_rx, then the softirq at its
# local_bh_enable), so pktgen's elapsed time / packets is the per-packet cost of
# generating + receiving one packet on one CPU. Every packet must reach UDP's port
# lookup: the delta of Udp NoPorts (/proc/net/snmp) is recorded and checked against
# pktgen's count (tap0's rx_packets counts at veth enqueue, before the stack, and
# also counts what a hook drops: it is recorded but not used).
#
# Raw lines go to /results/bench-raw.txt (report.py turns them into tables):
#   RX  kernel=K flows=N cfg=C round=R phase=fill|steady pkts=N usec=U noports=D rxpk=D
#   TX  kernel=K flows=N cfg=C round=R pkts=N nsec=U
#   SLAB ..., SCAN ..., TICK ..., INFO ...
#
# Environment: EIPFIX_BENCH_ROUNDS (5), EIPFIX_BENCH_PKTS (packets per steady run,
# 300000), EIPFIX_BENCH_FLOWS ("1 10000 1000000"), EIPFIX_BENCH_CFGS ("a b c d100 d10k e"),
# EIPFIX_BENCH_SMOKE=1 (tiny counts, 1 round, no tick), EIPFIX_BENCH_TICK (1: measure the
# one-minute tick with 1M flows), EIPFIX_BENCH_TX (1: send path, for flow counts up to
# EIPFIX_BENCH_TX_MAXFLOWS, 10000), EIPFIX_BENCH_PROFILE (1:
# after each measured receive run, one more under `perf record -e cpu-clock` on CPU 0, one
# PROF line each: where the time of CPU 0, which runs the whole receive path, goes; and
# after each send run a TXPROF line, raw only).
set -u
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E=$DIR/../e2e
RES=${EIPFIX_RESULTS:-/results}

# --- mode: pktgen driver, run in the peer namespace ----------------------------------
# guest.sh --pktgen COUNT NSRC NPORTS DSTMAC
if [ "${1:-}" = --pktgen ]; then
	count=$2 nsrc=$3 nports=$4 mac=$5
	pg() { echo "$2" >"/proc/net/pktgen/$1" || { echo "pktgen: '$2' -> $1 failed" >&2; exit 1; }; }
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device eth0"
	pg eth0 "count $count"
	pg eth0 "clone_skb 0"
	pg eth0 "burst 1"
	pg eth0 "pkt_size 60"
	pg eth0 "delay 0"
	pg eth0 "dst 100.64.0.1"
	pg eth0 "dst_mac $mac"
	pg eth0 "src_min 100.64.1.0"
	pg eth0 "src_max 100.64.1.$((nsrc - 1))"
	pg eth0 "udp_dst_min 9"
	pg eth0 "udp_dst_max 9"
	pg eth0 "udp_src_min 1024"
	# exclusive: nports ports; a single port when min == max
	if [ "$nports" -gt 1 ]; then pg eth0 "udp_src_max $((1024 + nports))"; else pg eth0 "udp_src_max 1024"; fi
	echo start >/proc/net/pktgen/pgctrl
	# "Result: OK: 1234(c1200+d34) usec, 100000 (60byte,0frags)"
	sed -n 's/^Result: OK: \([0-9]*\)(.*usec, \([0-9]*\) .*/\1 \2/p' /proc/net/pktgen/eth0
	exit 0
fi

export EIPFIX_TEST_NAME=bench EIPFIX_TEST_LOG=$RES/bench.log
# shellcheck source=../e2e/lib.sh
. "$E2E/lib.sh"
RAW=$RES/bench-raw.txt
: >"$RAW"
raw() { echo "$*" >>"$RAW"; echo "$*"; }

SMOKE=${EIPFIX_BENCH_SMOKE:-0}
if [ "$SMOKE" = 1 ]; then
	ROUNDS=${EIPFIX_BENCH_ROUNDS:-1}
	PKTS=${EIPFIX_BENCH_PKTS:-20000}
	FLOWS=${EIPFIX_BENCH_FLOWS:-1 10000}
	CFGS=${EIPFIX_BENCH_CFGS:-a b c d100 k}
	TICK=${EIPFIX_BENCH_TICK:-0}
	TX=${EIPFIX_BENCH_TX:-1}
	SLABN=10000
else
	ROUNDS=${EIPFIX_BENCH_ROUNDS:-5}
	PKTS=${EIPFIX_BENCH_PKTS:-300000}
	FLOWS=${EIPFIX_BENCH_FLOWS:-1 10000 1000000}
	CFGS=${EIPFIX_BENCH_CFGS:-a b c d100 d10k k e}
	# The tick needs the agent on a CPU of its own: not in an instruction-clock
	# guest (run.sh's default), which has one.
	TICK=${EIPFIX_BENCH_TICK:-$([ "$(nproc)" -gt 1 ] && echo 1 || echo 0)}
	TX=${EIPFIX_BENCH_TX:-1}
	SLABN=100000
fi
PROFILE=${EIPFIX_BENCH_PROFILE:-0}
# The send path's warm-up sends one datagram per flow: at 1M flows minutes per
# configuration and round under TCG, so only when asked.
TX_MAXFLOWS=${EIPFIX_BENCH_TX_MAXFLOWS:-10000}
if [ "$PROFILE" = 1 ] && ! command -v perf >/dev/null; then
	echo "EIPFIX_BENCH_PROFILE=1 needs perf (apt-get install linux-perf)" >&2
	exit 1
fi
K=$EIPFIX_VERSION
UC=$EIPFIX_USERCTL
WORK=/tmp/bench
mkdir -p "$WORK"

raw "INFO kernel=$EIPFIX_KREL cpus=$(nproc) mem_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo) rounds=$ROUNDS pkts=$PKTS flows=\"$FLOWS\" cfgs=\"$CFGS\" smoke=$SMOKE"

# --- set-up -----------------------------------------------------------------------
check "modprobe pktgen" modprobe pktgen
check "topology up" topo_up || bail "no topology"
sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.tap0.rp_filter=0 net.ipv4.conf.default.rp_filter=0
# The kernel's own ICMP replies would go nowhere (no route to 100.64.1.0/24); keep
# them from costing anything anyway.
sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=0 net.ipv4.icmp_msgs_burst=0 2>/dev/null
TAPMAC=$(cat /sys/class/net/tap0/address)
PEERMAC=$(in_peer cat /sys/class/net/eth0/address)
# Send path: 16 addresses in 100.64.0.0/24 that nobody owns, their neighbour entries
# pointing at the peer, which drops what it receives for them (not forwarding).
for i in $(seq 0 15); do ip neigh replace 100.64.0.$((100 + i)) lladdr "$PEERMAC" nud permanent dev tap0; done

# pktgen measures on CPU 0 (kpktgend_0; in a host-time run vm.sh's EIPFIX_VM_PIN gives
# that vCPU a host CPU of its own): whatever else runs in the guest runs on the other CPU.
OTHERCPU=$(( $(nproc) > 1 ? 1 : 0 ))
# Collector sink for the agent (counts what it receives).
taskset -c "$OTHERCPU" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind(("127.0.0.1", 4739))
n = b = 0
while True:
    d = s.recv(65536); n += 1; b += len(d)
    if n % 256 == 0:
        open("/tmp/bench/sink.count", "w").write("%d %d\n" % (n, b))
' &
SINKPID=$!

# --- configurations ------------------------------------------------------------------
# profile NAME ENABLED NRULES [MAXFLOWS] [INTERVAL]
profile() {
	local name=$1 en=$2 nrules=$3 maxf=${4:-2097152} ival=${5:-0}
	python3 - "$en" "$nrules" "$maxf" "$ival" >"$WORK/$name.profile" <<'EOF'
import json, sys
en, n, maxf, ival = sys.argv[1] == "1", int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rules = []
for i in range(n):
    # Deny TCP from peers in 198.51.100.0/24 (never seen here) to some port: every
    # packet of the benchmark is checked against all of them and allowed by Default.
    rules.append({"Action": "Deny", "Direction": "ReceivedFromPeer", "Protocol": "Tcp",
                  "Peer": "198.51.%d.%d/32" % (100 + i // 256 % 100, i % 256),
                  "Ports": str(1 + i % 65535), "Description": "bench %d" % i})
print(json.dumps({
    "FlowMetadata": {"IpFixCollectors": ["Udp/127.0.0.1:4739"], "Direction": "Both",
                     "Interval": ival, "Enabled": en, "Interfaces": ["tap0"],
                     "IdleTimeout": 86400000, "MaxFlows": maxf},
    "AccessControl": {"Default": "Allow", "Rules": rules}}))
EOF
}
profile off 0 0
profile meter 1 0
profile d100 1 100
profile d10k 1 10000
profile tick 1 0 1100000 60000

# The kernel's counters (every one, zeros too) and the agent's, on one line.
status_line() {
	"$UC" status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join("%s=%s" % kv for kv in d["kernel"].items()),
      "agent=" + json.dumps(d.get("agent"), separators=(",", ":")))'
}

AGENTPID=
agent_start() {
	[ -n "$AGENTPID" ] && return 0
	# No --config: the agent follows what was pushed (with --config it would push
	# its profile over the one being measured).
	taskset -c "$OTHERCPU" "$UC" agent --quiet >>"$WORK/agent.log" 2>&1 &
	AGENTPID=$!
}
agent_stop() {
	[ -n "$AGENTPID" ] || return 0
	kill "$AGENTPID" 2>/dev/null; wait "$AGENTPID" 2>/dev/null
	AGENTPID=
}

NFKO=${EIPFIX_BENCH_NETFLOW_KO:-}
if [[ " $CFGS " == *" e "* ]]; then
	if [ -z "$NFKO" ] || [ ! -f "$NFKO" ] || ! command -v iptables-legacy >/dev/null; then
		raw "INFO cfg=e skipped: no ipt_NETFLOW module for this kernel or no iptables (EIPFIX_BENCH_NETFLOW_KO='$NFKO')"
		CFGS=$(tr ' ' '\n' <<<"$CFGS" | grep -vx e | xargs)
	fi
fi

# Which build of the module is loaded: "" (the tree's) or "base" (c0's).
LOADED_BUILD=
# Goes to configuration $1 from whatever is in force.
set_cfg() {
	local want=$1 build='' ko
	[ "$want" = c0 ] && build=base
	case "$want" in
	a)
		agent_stop
		mod_loaded && { rmmod enclave_ipfix || return 1; }
		LOADED_BUILD=
		netflow_off; kernel_ct_off
		;;
	b|c|c0|d100|d10k|k)
		netflow_off
		[ "$want" = k ] || kernel_ct_off
		if mod_loaded && [ "$LOADED_BUILD" != "$build" ]; then
			agent_stop; rmmod enclave_ipfix || return 1
		fi
		if ! mod_loaded; then
			ko=$EIPFIX_KO
			[ -n "$build" ] && ko=${EIPFIX_BENCH_BASE_KO:-}
			# A million connections remembered (the 1M-flow send path under (d)),
			# as a host with that many raises the bound (default 65,536).
			EIPFIX_KO=$ko mod_load acl_state_max=1100000 || return 1
			LOADED_BUILD=$build
		fi
		case "$want" in
		b) agent_stop; "$UC" push-config "$WORK/off.profile" >/dev/null || return 1 ;;
		c|c0) "$UC" push-config "$WORK/meter.profile" >/dev/null || return 1; agent_start ;;
		k) "$UC" push-config "$WORK/meter.profile" >/dev/null || return 1; agent_start
		   kernel_ct_on || return 1 ;;
		*) "$UC" push-config "$WORK/$want.profile" >/dev/null || return 1; agent_start ;;
		esac
		;;
	e)
		agent_stop
		mod_loaded && { rmmod enclave_ipfix || return 1; }
		LOADED_BUILD=
		kernel_ct_off
		netflow_on || return 1
		;;
	esac
}

# Configuration k. Conntrack's table is sized for the 1M-flow runs (its default
# bound, from the guest's 1 GiB, would drop new flows), and UDP entries live 180 s,
# as the module's own ACL state does for non-TCP connections. Deleting the table
# unhooks conntrack; the entries left expire on their own.
CT_ON=0
kernel_ct_on() {
	[ "$CT_ON" = 1 ] && return 0
	modprobe -a nf_conntrack nft_ct 2>/dev/null
	sysctl -qw net.netfilter.nf_conntrack_buckets=262144 net.netfilter.nf_conntrack_max=1200000 \
		net.netfilter.nf_conntrack_udp_timeout=180 || return 1
	nft -f - <<'NFT' || return 1
table inet eipfix_bench_ct {
	chain pre { type filter hook prerouting priority 0; policy accept; iifname "tap0" ct state established,related accept; }
	chain out { type filter hook output priority 0; policy accept; oifname "tap0" ct state established,related accept; }
}
NFT
	CT_ON=1
}
kernel_ct_off() {
	[ "$CT_ON" = 1 ] || return 0
	nft delete table inet eipfix_bench_ct
	CT_ON=0
}

NF_ON=0
# The iptables extension (libipt_NETFLOW.so) comes from the package's .deb, unpacked.
ipt() { XTABLES_LIBDIR=${EIPFIX_BENCH_XTABLES:-}:/usr/lib/x86_64-linux-gnu/xtables iptables-legacy "$@"; }
netflow_on() {
	[ "$NF_ON" = 1 ] && return 0
	modprobe -a x_tables iptable_raw nf_conntrack 2>/dev/null
	insmod "$NFKO" destination=127.0.0.1:4739 protocol=10 || return 1
	ipt -t raw -I PREROUTING -i tap0 -j NETFLOW || return 1
	ipt -t raw -I OUTPUT -o tap0 -j NETFLOW || return 1
	NF_ON=1
}
# The raw table's hooks stay registered, empty or not, for as long as iptable_raw is
# loaded: every configuration after (e) would walk it (seen in the profiles: (a) spent
# 3.5% of CPU 0 in ipt_do_table from its second round on).
netflow_off() {
	[ "$NF_ON" = 1 ] || return 0
	ipt -t raw -F PREROUTING; ipt -t raw -F OUTPUT
	rmmod ipt_NETFLOW iptable_raw
	NF_ON=0
}

# Waits (at most 15 s) until CPU 0, where pktgen measures, was idle for 95% of a
# second: what a configuration change left running (RCU callbacks freeing a million
# flows after an rmmod, conntrack's cleanup, the agent starting) must not be measured
# as part of the next configuration. (Seen before this: (b), which registers no hook,
# measured up to 1.35 times (a), which follows the teardown of the 1M-flow tables.)
cpu0_ticks() { awk '$1 == "cpu0" { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
settle() {
	local i t0 t1
	for i in $(seq 1 15); do
		t0=$(cpu0_ticks); sleep 1; t1=$(cpu0_ticks)
		awk -v a="$t0" -v b="$t1" 'BEGIN { split(a, x, " "); split(b, y, " ");
			exit !(y[1] - x[1] >= 0.95 * (y[2] - x[2])) }' && return 0
	done
	raw "INFO settle: CPU 0 still busy after 15 s (before cfg=$1)"
}

noports() { awk '/^Udp: [0-9]/ { print $3 }' /proc/net/snmp; }

# flows -> "NSRC NPORTS": pktgen moves source address and port by one each packet,
# so NSRC x NPORTS (coprime) distinct flows repeat every NSRC * NPORTS packets.
flow_shape() {
	case "$1" in
	1) echo "1 1" ;;
	1000000) echo "16 62501" ;;	# coprime: 16 x 62501 = 1,000,016 flows
	*) echo "1 $1" ;;
	esac
}

# pktgen_run FLOWS COUNT [PERFDATA] -> "usec pkts noports_delta rx_delta"
# With PERFDATA: CPU 0 sampled meanwhile (timer-based: under TCG a sample lands where
# the next translation block starts, so only sums per function mean anything).
pktgen_run() {
	local nsrc nports n0 r0 out perf=()
	read -r nsrc nports <<<"$(flow_shape "$1")"
	[ -n "${3:-}" ] && perf=(perf record -q -C 0 -e cpu-clock -F 20000 -o "$3" --)
	n0=$(noports); r0=$(cat /sys/class/net/tap0/statistics/rx_packets)
	out=$("${perf[@]}" ip netns exec peer bash "$DIR/guest.sh" --pktgen "$2" "$nsrc" "$nports" "$TAPMAC")
	echo "$out $(( $(noports) - n0 )) $(( $(cat /sys/class/net/tap0/statistics/rx_packets) - r0 ))"
}

# prof_counts PERFDATA -> "samples=N syms=SYM:N,SYM:N,..." CPU 0's samples and the 80
# functions with the most of them (the idle loop too: report.py leaves it out).
prof_counts() {
	perf script -i "$1" -F ip,sym 2>/dev/null | awk '
		{ all++; n[$2 == "" ? "?" : $2]++ }
		END { printf "samples=%d syms=\n", all; for (k in n) print n[k], k }' |
		{ read -r head; sort -rn | head -n 80 | awk -v h="$head" '{ l = l (NR > 1 ? "," : "") $2 ":" $1 } END { print h l }'; }
}

rx_measure() {
	local flows=$1 cfg=$2 round=$3 fill usec pk np rx
	fill=$flows
	[ "$fill" -lt 20000 ] && fill=20000
	[ "$SMOKE" = 1 ] && [ "$fill" -gt "$PKTS" ] && fill=$PKTS
	read -r usec pk np rx <<<"$(pktgen_run "$flows" "$fill")"
	raw "RX kernel=$K flows=$flows cfg=$cfg round=$round phase=fill pkts=$pk usec=$usec noports=$np rxpk=$rx"
	read -r usec pk np rx <<<"$(pktgen_run "$flows" "$PKTS")"
	raw "RX kernel=$K flows=$flows cfg=$cfg round=$round phase=steady pkts=$pk usec=$usec noports=$np rxpk=$rx"
	[ -n "$pk" ] && [ "$np" = "$pk" ] || return 1
	# A run of its own: the sampling's own cost stays out of the measured one.
	if [ "$PROFILE" = 1 ]; then
		read -r usec pk np rx <<<"$(pktgen_run "$flows" "$PKTS" "$WORK/perf.data")"
		raw "PROF kernel=$K flows=$flows cfg=$cfg round=$round pkts=$pk usec=$usec $(prof_counts "$WORK/perf.data")"
	fi
}

tx_measure() {
	local flows=$1 cfg=$2 round=$3 out
	# warm (creates the flows), then measured: PKTS datagrams to the first PKTS
	# of them (all of them when fewer), every one a flow already in the table
	taskset -c 0 "$BENCHBIN/udpsend" "$flows" "$flows" >/dev/null || return 1
	out=$(taskset -c 0 "$BENCHBIN/udpsend" "$PKTS" "$flows") || return 1
	raw "TX kernel=$K flows=$flows cfg=$cfg round=$round $out"
	# As rx_measure's PROF: one more run, sampled (raw lines only, not in report.py's tables)
	if [ "$PROFILE" = 1 ]; then
		out=$(perf record -q -C 0 -e cpu-clock -F 20000 -o "$WORK/perf.data" -- \
			taskset -c 0 "$BENCHBIN/udpsend" "$PKTS" "$flows") || return 1
		raw "TXPROF kernel=$K flows=$flows cfg=$cfg round=$round $out $(prof_counts "$WORK/perf.data")"
	fi
}
BENCHBIN=${EIPFIX_BENCH_BIN:-$DIR/build}

# --- the alternating loop ---------------------------------------------------------------
fails=0
raw "INFO loadavg_start=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
for flows in $FLOWS; do
	for round in $(seq 1 "$ROUNDS"); do
		for cfg in $CFGS; do
			if ! set_cfg "$cfg"; then
				raw "ERROR cfg=$cfg could not be set"
				fails=$((fails + 1)); continue
			fi
			[ "$SMOKE" = 1 ] || settle "$cfg"
			rx_measure "$flows" "$cfg" "$round" || { raw "ERROR rx flows=$flows cfg=$cfg round=$round: NoPorts != sent"; fails=$((fails + 1)); }
			if [ "$TX" = 1 ] && [ "$flows" -le "$TX_MAXFLOWS" ]; then
				tx_measure "$flows" "$cfg" "$round" || { raw "ERROR tx flows=$flows cfg=$cfg"; fails=$((fails + 1)); }
			fi
			if [ "$cfg" = c ] && [ "$round" = 1 ] && mod_loaded; then
				raw "STATUS flows=$flows $(status_line)"
			fi
			[ "$cfg" = k ] && [ "$round" = 1 ] &&
				raw "STATUS flows=$flows cfg=k nf_conntrack_count=$(cat /proc/sys/net/netfilter/nf_conntrack_count)"
		done
	done
done
set_cfg a

# --- memory per flow: slab accounting, before/after SLABN flows -----------------------
# SLUB may merge eipfix_flow into another 128-byte cache (then /proc/slabinfo has no
# line of its own): read the cache's sysfs directory, which follows the alias.
# "objects total_objects slabs" (of the cache eipfix_flow is, merged or not).
SL=/sys/kernel/slab/eipfix_flow
slab() { [ -d $SL ] && echo "$(cut -d' ' -f1 $SL/objects) $(cut -d' ' -f1 $SL/total_objects) $(cut -d' ' -f1 $SL/slabs)"; }
slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
mod_load && "$UC" push-config "$WORK/meter.profile" >/dev/null && {
	s0=$(slab); k0=$(slab_kb)
	read -r usec pk np rx <<<"$(pktgen_run 1000000 "$SLABN")"
	sleep 1
	s1=$(slab); k1=$(slab_kb)
	nflows=$("$UC" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["kernel"].get("flows_active", -1))' 2>/dev/null)
	raw "SLAB kernel=$K flows_sent=$SLABN flows_active=$nflows objs_total_slabs_before=\"$s0\" objs_total_slabs_after=\"$s1\" slab_kb_before=$k0 slab_kb_after=$k1 insert_usec=$usec insert_pkts=$pk"
	[ -d /sys/kernel/slab/eipfix_flow ] && raw "SLAB kernel=$K sysfs object_size=$(cat /sys/kernel/slab/eipfix_flow/object_size) slab_size=$(cat /sys/kernel/slab/eipfix_flow/slab_size) objs_per_slab=$(cat /sys/kernel/slab/eipfix_flow/objs_per_slab) order=$(cat /sys/kernel/slab/eipfix_flow/order) aliases=$(cat /sys/kernel/slab/eipfix_flow/aliases 2>/dev/null) link=$(readlink /sys/kernel/slab/eipfix_flow)"
}
set_cfg a

# --- the one-minute tick and the 1 s expiry scan with 1M flows --------------------------
# From 15 s before the tick until every record it queued is delivered: `userctl status`
# once a second and a push-config of the same profile every 5 s, each timed (neither may
# wait for the scan or the agent). Lines "UPTIME STATUS_MS PUSH_MS|- QUEUED DELIVERED
# DROPPED IN_QUEUE" in $WORK/tick.samples.
tick_sampler() {
	local n=0 st ms push
	while :; do
		st=$(date +%s%N)
		j=$("$UC" status --json)
		ms=$(( ($(date +%s%N) - st) / 1000000 ))
		push=-
		if [ $((n % 5)) = 4 ]; then
			st=$(date +%s%N)
			"$UC" push-config "$WORK/tick.profile" >/dev/null
			push=$(( ($(date +%s%N) - st) / 1000000 ))
		fi
		echo "$(cut -d' ' -f1 /proc/uptime) $ms $push $(python3 -c 'import json, sys
k = json.loads(sys.argv[1])["kernel"]
print(k["records_queued"], k["records_delivered"],
      k["records_dropped_queue_full"] + k["records_dropped_nomem"], k["records_in_queue"])' "$j")" \
			>>"$WORK/tick.samples"
		n=$((n + 1))
		sleep 1
	done
}

# TICKDRAIN: seconds from the tick until the records it queued (at least a million) were
# all delivered, none waiting (at most 900 s), the records then, and the latencies
# (ms, min/median/max) of status and push-config from 15 s before the tick on.
tick_drain() {
	local t0 line=""
	t0=$(date +%s)
	while [ $(( $(date +%s) - t0 )) -lt 900 ]; do
		line=$(awk '$4 >= 1000000 && $4 == $5 && $7 == 0' "$WORK/tick.samples" 2>/dev/null | head -n 1)
		[ -n "$line" ] && break
		sleep 2
	done
	kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null
	stats() { sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%d/%d/%d", v[1], v[int((NR + 1) / 2)], v[NR]; else printf "-" }'; }
	set -- ${line:-- - - - - - -}
	raw "TICKDRAIN kernel=$K drain_s=$(awk -v t="$t_tick" -v u="$1" 'BEGIN { if (u == "-") print "-"; else printf "%.0f", u - t }') queued=$4 delivered=$5 dropped=$6 in_queue=$7 status_ms=$(awk '{ print $2 }' "$WORK/tick.samples" | stats) push_ms=$(awk '$3 != "-" { print $3 }' "$WORK/tick.samples" | stats) samples=$(wc -l <"$WORK/tick.samples")"
}

TR=/sys/kernel/tracing
if [ "$TICK" = 1 ]; then
	mod_load && "$UC" push-config "$WORK/tick.profile" >/dev/null && agent_start
	t_push=$(cut -d' ' -f1 /proc/uptime)
	# Entry and return kprobes on eipfix_expiry_scan: scans are serialized (one
	# work item, under the namespace lock), so each return pairs with the entry
	# before it; the difference of their trace timestamps is the scan's duration.
	echo 0 >$TR/tracing_on; echo >$TR/trace
	if echo 'p:eipfix_scan_in eipfix_expiry_scan' >>$TR/kprobe_events &&
		echo 'r:eipfix_scan_out eipfix_expiry_scan' >>$TR/kprobe_events &&
		echo 1 >$TR/events/kprobes/eipfix_scan_in/enable &&
		echo 1 >$TR/events/kprobes/eipfix_scan_out/enable; then
		echo 1 >$TR/tracing_on
		traced=1
	else
		raw "INFO no kprobes on eipfix_expiry_scan: scan times not measured"
		traced=0
	fi
	read -r usec pk np rx <<<"$(pktgen_run 1000000 1000000)"
	raw "TICK kernel=$K phase=fill flows=1000000 pkts=$pk usec=$usec"
	raw "TICKSTATUS phase=fill $(status_line)"
	# Ticks come every 60 s after the push; the fill may have taken longer than
	# that under TCG, so aim at the first tick at least 15 s away and keep packets
	# coming from 15 s before it to 20 s after it (t is relative to the tick).
	t_tick=$(awk -v t="$t_push" '{ printf "%.2f", t + 60 * (int(($1 - t + 15) / 60) + 1) }' /proc/uptime)
	raw "TICK kernel=$K phase=wait flows_active=$("$UC" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["kernel"]["flows_active"])') tick_at=+$(awk -v t="$t_push" -v k="$t_tick" 'BEGIN { printf "%.1f", k - t }')s"
	while awk -v t="$t_tick" '{ exit !($1 < t - 15) }' /proc/uptime; do sleep 1; done
	rm -f "$WORK/tick.samples"
	tick_sampler &
	SAMPLER=$!
	while awk -v t="$t_tick" '{ exit !($1 < t + 20) }' /proc/uptime; do
		read -r usec pk np rx <<<"$(pktgen_run 1000000 100000)"
		raw "TICKRX kernel=$K t=$(awk -v t="$t_tick" '{ printf "%.1f", $1 - t }' /proc/uptime) pkts=$pk usec=$usec"
	done
	sleep 5
	if [ "$traced" = 1 ]; then
		echo 0 >$TR/tracing_on
		# "kworker/0:1-57 [000] ..... 1234.567890: eipfix_scan_in: (...)"
		awk -v t="$t_tick" '
			/eipfix_scan_in:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { sub(":", "", $i); t0 = $i } }
			/eipfix_scan_out:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { sub(":", "", $i);
				if (t0 != "") printf "%+.1f:%d ", t0 - t, ($i - t0) * 1e6; t0 = "" } }' $TR/trace |
			sed 's/^/SCAN kernel='"$K"' flows=1000000 t_rel_tick:us=/' | { read -r l; raw "$l"; }
		echo 0 >$TR/events/kprobes/enable
		echo >$TR/kprobe_events
	fi
	raw "TICKSTATUS phase=after $(status_line)"
	tick_drain
	[ -n "$AGENTPID" ] && raw "AGENTCPU ticks=$(awk '{ print $14 + $15 }' /proc/$AGENTPID/stat) hz=$(getconf CLK_TCK)"
	raw "SINK $(cat $WORK/sink.count 2>/dev/null)"
	set_cfg a
fi

raw "INFO loadavg_end=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
kill "$SINKPID" 2>/dev/null
cp "$WORK"/*.log "$RES/" 2>/dev/null
check "bench: no error line" test "$fails" -eq 0
check "bench: kernel log clean" dmesg_clean
finish
