# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# tests/e2e/lib.sh: sourced by every tests/e2e/t_*.sh inside the guest VM.
#
# Results: TAP-ish lines ("ok - desc", "not ok - desc", "# detail") go to stdout and to
# $EIPFIX_TEST_LOG (default /results/<test>.log); the host counts them.
#
#   check "desc" cmd...             ok if cmd exits 0; on failure its output is logged
#   check_fail "desc" cmd...        ok if cmd exits non-zero
#   check_match "desc" REGEX cmd... ok if cmd exits 0 and its output matches REGEX (grep -E)
#   skip "desc" "reason"            ok - desc # SKIP reason
#   note "text"                     a "# text" line
#   bail "desc"                     not ok - desc, then finish (stops the test)
#   finish                          exit 0 if nothing failed, else 1 (call at the end)
#
# Environment (from tests/e2e/run.sh through vm.sh): EIPFIX_KO (the module built for this
# kernel), EIPFIX_USERCTL (userctl binary, empty if it did not build), EIPFIX_REPO,
# EIPFIX_KREL, EIPFIX_VERSION, EIPFIX_RESULTS (/results).
#
# Topology (topo_up / topo_down): namespace "peer" joined to the guest's root namespace
# by a veth pair: tap0 (root ns) 100.64.0.1/24 2001:db8::1/64  <->  eth0 (in "peer")
# 100.64.0.2/24 2001:db8::2/64. The root namespace plays the overlay host, tap0 its
# overlay interface.

EIPFIX_TEST_NAME=${EIPFIX_TEST_NAME:-$(basename "$0" .sh)}
EIPFIX_RESULTS=${EIPFIX_RESULTS:-/results}
EIPFIX_TEST_LOG=${EIPFIX_TEST_LOG:-$EIPFIX_RESULTS/$EIPFIX_TEST_NAME.log}
EIPFIX_MODULE=enclave_ipfix
EIPFIX_REPO=${EIPFIX_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
EIPFIX_USERCTL=${EIPFIX_USERCTL:-$EIPFIX_REPO/userctl/build/userctl}
# What every test uses: the repo, userctl, our decoders, and its own work directory.
REPO=$EIPFIX_REPO
USERCTL=$EIPFIX_USERCTL
DEC=$EIPFIX_REPO/tests/lib/ipfix_decoders.py
W=$EIPFIX_RESULTS/$EIPFIX_TEST_NAME
mkdir -p "$W"
_eipfix_pass=0
_eipfix_fail=0

TAP0_V4=100.64.0.1 PEER_V4=100.64.0.2
TAP0_V6=2001:db8::1 PEER_V6=2001:db8::2

_emit() { printf '%s\n' "$*" | tee -a "$EIPFIX_TEST_LOG"; }
note() { _emit "# $*"; }
_detail() { sed 's/^/#   /' | head -n 60 | tee -a "$EIPFIX_TEST_LOG"; }

# Mark the kernel log so dmesg_clean looks only at what this test caused.
printf '<6>eipfix-test: start %s\n' "$EIPFIX_TEST_NAME" >/dev/kmsg 2>/dev/null

check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1); rc=$?
	if [ $rc -eq 0 ]; then
		_eipfix_pass=$((_eipfix_pass + 1)); _emit "ok - $desc"
	else
		_eipfix_fail=$((_eipfix_fail + 1)); _emit "not ok - $desc"
		note "command: $* (exit $rc)"
		[ -n "$out" ] && printf '%s\n' "$out" | _detail
	fi
	return $rc
}

check_fail() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1); rc=$?
	if [ $rc -ne 0 ]; then
		_eipfix_pass=$((_eipfix_pass + 1)); _emit "ok - $desc"; return 0
	fi
	_eipfix_fail=$((_eipfix_fail + 1)); _emit "not ok - $desc"
	note "command: $* (expected failure, got exit 0)"
	[ -n "$out" ] && printf '%s\n' "$out" | _detail
	return 1
}

check_match() {
	local desc=$1 re=$2 out rc
	shift 2
	out=$("$@" 2>&1); rc=$?
	if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -qE -- "$re"; then
		_eipfix_pass=$((_eipfix_pass + 1)); _emit "ok - $desc"; return 0
	fi
	_eipfix_fail=$((_eipfix_fail + 1)); _emit "not ok - $desc"
	note "command: $* (exit $rc), expected output matching: $re"
	[ -n "$out" ] && printf '%s\n' "$out" | _detail
	return 1
}

skip() { _emit "ok - $1 # SKIP ${2:-}"; }	# counted as skipped by run.sh, not passed

bail() {
	_eipfix_fail=$((_eipfix_fail + 1)); _emit "not ok - $*"
	finish
}

finish() {
	note "$EIPFIX_TEST_NAME: $_eipfix_pass passed, $_eipfix_fail failed"
	[ "$_eipfix_fail" -eq 0 ] && exit 0
	exit 1
}

# --- kernel log -----------------------------------------------------------------
EIPFIX_SPLAT_RE='WARNING:|BUG:|Oops|KASAN|possible circular locking|possible recursive locking|RCU stall|rcu_sched self-detected stall|general protection fault|Call Trace:|UBSAN:|kernel BUG'

# The kernel log since this test started.
dmesg_since_start() {
	dmesg | awk -v m="eipfix-test: start $EIPFIX_TEST_NAME" 'index($0, m) { buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", buf }'
}

# Fails (printing the lines) if the kernel logged a splat since this test started.
dmesg_clean() {
	local bad
	bad=$(dmesg_since_start | grep -E -A12 "$EIPFIX_SPLAT_RE")
	[ -z "$bad" ] && return 0
	printf '%s\n' "$bad"
	return 1
}

# --- the module ------------------------------------------------------------------
mod_loaded() { grep -q "^$EIPFIX_MODULE " /proc/modules; }

# The kernel's modules enclave_ipfix.ko needs (nf_defrag_ipv4/6), as modinfo names them.
mod_deps() { modinfo -F depends "$EIPFIX_KO" | tr ',' ' '; }

# mod_deps_copy ROOT: the kernel's modules ours needs, into ROOT's lib/modules tree (for a
# private depmod/modprobe root, which has only what a test puts there).
mod_deps_copy() {
	local m f k=${KREL:-$EIPFIX_KREL}
	for m in $(mod_deps); do
		f=$(modinfo -n "$m") || return 1
		install -D -m 0644 "$f" "$1/lib/modules/$k/kernel/${f#/lib/modules/"$k"/kernel/}" || return 1
	done
}

mod_load() {
	[ -n "${EIPFIX_KO:-}" ] && [ -f "$EIPFIX_KO" ] || { echo "EIPFIX_KO not set or missing: '${EIPFIX_KO:-}'"; return 1; }
	# insmod does not load what the module depends on.
	local deps
	deps=$(mod_deps)
	[ -z "$deps" ] || modprobe -a $deps || return 1
	insmod "$EIPFIX_KO" "$@"
}

mod_unload() { rmmod "$EIPFIX_MODULE"; }

# wait_log FILE REGEX SECONDS: until a line of FILE matches (else prints FILE, fails)
wait_log() {
	local i
	for i in $(seq $(($3 * 10))); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	cat "$1"; return 1
}

# --- the product's counters, with jq --------------------------------------------------
# These use $W (the test's work dir) and $EIPFIX_USERCTL.
# status NAME: userctl status --json in $W/NAME.json
status() { "$EIPFIX_USERCTL" status --json >"$W/$1.json"; }
# jtest NAME EXPR: the jq expression EXPR over $k (kernel counters) and $a (the agent's)
# of $W/NAME.json holds; else prints it with the values. (jq, not python: a python start
# costs about a second under TCG.)
_jq() { jq "$1" ".kernel as \$k | (.agent // {}) as \$a | $2" "$W/$3.json"; }
jtest() {
	_jq -e "$2" "$1" >/dev/null && return 0
	echo "false: $2"
	jq -c '.kernel, .agent' "$W/$1.json"
	return 1
}
jget() { _jq -r "$1" "$2"; }
# wait_for EXPR SECS NAME: polls status until EXPR holds (last status in $W/NAME.json)
wait_for() {
	local end=$((SECONDS + $2))
	while :; do
		status "$3" && jtest "$3" "$1" >/dev/null && return 0
		[ $SECONDS -ge $end ] && { jtest "$3" "$1"; return 1; }
		sleep 1
	done
}

# --- netfilter hooks ----------------------------------------------------------------
# `nft list hooks` needs nfnetlink_hook (CONFIG_NETFILTER_NETLINK_HOOK): Debian's 6.12 has
# it, 6.1 does not. There, hooktrace_start (call it before loading the module) records
# nf_register_net_hook/nf_unregister_net_hook calls with a kprobe, and nf_hooks_of prints
# "register|unregister FUNCTION [MODULE] pf=N hooknum=N prio=N" lines from that record.

nft_hooks_supported() { modprobe -q nfnetlink_hook 2>/dev/null && nft list hooks >/dev/null 2>&1; }

_EIPFIX_TRACEFS=/sys/kernel/tracing
hooktrace_start() {
	nft_hooks_supported && return 0
	[ -d $_EIPFIX_TRACEFS/events ] || mount -t tracefs tracefs $_EIPFIX_TRACEFS 2>/dev/null ||
		{ echo "no tracefs"; return 1; }
	# struct nf_hook_ops: rcu_head (16 bytes), hook, dev, priv, pf @40, hooknum @44, priority @48
	local args='hook=+16(%si):symbol pf=+40(%si):u8 hooknum=+44(%si):u32 prio=+48(%si):s32'
	echo 0 >$_EIPFIX_TRACEFS/tracing_on
	echo >$_EIPFIX_TRACEFS/trace
	grep -q eipfix_nfreg $_EIPFIX_TRACEFS/kprobe_events 2>/dev/null || {
		echo "p:eipfix/eipfix_nfreg nf_register_net_hook $args" >>$_EIPFIX_TRACEFS/kprobe_events &&
		echo "p:eipfix/eipfix_nfunreg nf_unregister_net_hook $args" >>$_EIPFIX_TRACEFS/kprobe_events
	} || return 1
	echo 1 >$_EIPFIX_TRACEFS/events/eipfix/enable
	echo 1 >$_EIPFIX_TRACEFS/tracing_on
}

# Hooks currently registered by MODULE (default enclave_ipfix), one per line:
# "FAMILY HOOK PRIORITY FUNCTION" (nft) or the kprobe record (see above).
nf_hooks_of() {
	local mod=${1:-$EIPFIX_MODULE}
	if nft_hooks_supported; then
		nft list hooks 2>/dev/null | awk -v mod="[$mod]" '
			/^family / { fam = $2 } /hook [a-z_]+ \{/ { hk = $2 }
			index($0, mod) { print fam, hk, $1, $2 }'
	else
		awk '/eipfix_nf(un)?reg:/ {
			kind = ($0 ~ /eipfix_nfreg:/) ? "register" : "unregister"
			sub(/.*\) /, ""); print kind, $0 }' $_EIPFIX_TRACEFS/trace | grep -F "[$mod]"
	fi
}

# --- topology -----------------------------------------------------------------------
topo_up() {
	topo_down 2>/dev/null
	sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip netns add peer &&
	ip link add tap0 type veth peer name eth0 netns peer &&
	ip netns exec peer sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 &&
	ip addr add $TAP0_V4/24 dev tap0 &&
	ip addr add $TAP0_V6/64 dev tap0 nodad &&
	ip link set tap0 up &&
	ip -n peer link set lo up &&
	ip -n peer addr add $PEER_V4/24 dev eth0 &&
	ip -n peer addr add $PEER_V6/64 dev eth0 nodad &&
	ip -n peer link set eth0 up
}

topo_down() {
	ip link del tap0 2>/dev/null
	ip netns del peer 2>/dev/null
	return 0
}

in_peer() { ip netns exec peer "$@"; }

# wg_topo_up: a real WireGuard overlay, wg0 (this namespace, 100.64.0.1, 2001:db8::1) and
# wg1 (netns peer, .2 / ::2), over a veth underlay ul0/ul1 (198.51.100.1/.2); keys in $W.
wg_topo_up() {
	modprobe wireguard || return 1
	ip netns add peer &&
	ip link add ul0 type veth peer name ul1 netns peer &&
	ip addr add 198.51.100.1/24 dev ul0 && ip link set ul0 up &&
	ip -n peer addr add 198.51.100.2/24 dev ul1 && ip -n peer link set ul1 up &&
	ip -n peer link set lo up || return 1
	wg genkey >"$W/k0" && wg pubkey <"$W/k0" >"$W/p0" &&
	wg genkey >"$W/k1" && wg pubkey <"$W/k1" >"$W/p1" || return 1
	ip link add wg0 type wireguard &&
	wg set wg0 private-key "$W/k0" listen-port 51820 peer "$(cat "$W/p1")" \
		endpoint 198.51.100.2:51821 allowed-ips 100.64.0.2/32,2001:db8::2/128 &&
	ip addr add 100.64.0.1/24 dev wg0 && ip addr add 2001:db8::1/64 dev wg0 nodad &&
	ip link set wg0 up || return 1
	in_peer ip link add wg1 type wireguard &&
	in_peer wg set wg1 private-key "$W/k1" listen-port 51821 peer "$(cat "$W/p0")" \
		endpoint 198.51.100.1:51820 allowed-ips 100.64.0.1/32,2001:db8::1/128 &&
	in_peer ip addr add 100.64.0.2/24 dev wg1 &&
	in_peer ip addr add 2001:db8::2/64 dev wg1 nodad &&
	in_peer ip link set wg1 up
}


# --- the forced-end scene (t_backpressure, t_redeliver) ------------------------------------
# A UDP sink on $TAP0_V4:9999 for the peer's datagrams, our IPFIX listener on
# 127.0.0.1:4740 ($W/c.ipfix), dummy7, and two profiles that differ only in Interfaces
# ($W/a.json: tap0; $W/b.json: tap0 and dummy7; IdleTimeout 600 s), so that pushing b
# over a ends every flow (forced end). Pushes a. The caller deletes dummy7. SCENE_LISTEN:
# the listener's pid (on SIGTERM it writes what its socket still holds, then exits).
forced_end_scene() {
	local f
	ip link add dummy7 type dummy
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 9999))
while True: s.recv(2048)' "$TAP0_V4" &
	python3 "$DEC" listen 127.0.0.1 4740 "$W/c" >"$W/listen.log" 2>&1 &
	# shellcheck disable=SC2034 # used by the tests that call this
	SCENE_LISTEN=$!
	for _ in $(seq 100); do [ -e "$W/c.ready" ] && break; sleep 0.1; done
	check "collector listening" test -e "$W/c.ready"
	for f in a:'["tap0"]' b:'["tap0", "dummy7"]'; do
		cat >"$W/${f%%:*}.json" <<JSON
{ "FlowMetadata": { "IpFixCollectors": ["Udp/127.0.0.1:4740"], "Interfaces": ${f#*:},
  "IdleTimeout": 600000 } }
JSON
	done
	check "push-config (tap0, IdleTimeout 600 s)" "$USERCTL" push-config "$W/a.json"
}

# peer_flood FIRST N: N UDP datagrams from the peer to the sink, one per source port
# FIRST..FIRST+N-1: N flows.
peer_flood() {
	in_peer python3 - "$1" "$2" "$TAP0_V4" <<'PY'
import socket, sys
first, n, dst = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for p in range(first, first + n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("", p))
    s.sendto(b"f" * 32, (dst, 9999))
    s.close()
PY
}

# collector_ports FIRST N [REASON]: ipfixDump finds in $W/c.ipfix exactly one record of
# each of the peer_flood source ports FIRST..FIRST+N-1 (and, given REASON, every one with
# that flowEndReason).
collector_ports() {
	python3 - "$DEC" "$W/c.ipfix" "$@" <<'PY'
import os, sys
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import ipfix_decoders as d
first, n = int(sys.argv[3]), int(sys.argv[4])
reason = int(sys.argv[5]) if len(sys.argv) > 5 else None
res = d.ipfixdump_records(sys.argv[2])
mine = [r for r in res.records if r["dport"] == 9999 and first <= (r["sport"] or 0) < first + n]
ports = {r["sport"] for r in mine}
with_reason = sum(r["end_reason"] == reason for r in mine) if reason is not None else n
print(len(ports), "ports,", len(mine), "records,", with_reason, "with the reason;", res.problems[:3])
assert len(ports) == n and len(mine) == n and with_reason == n, "missing, repeated or extra"
PY
}

# --- pktgen: the kernel's packet generator --------------------------------------------
# Shared by the tests that need more packets than a userspace sender makes under TCG
# (tests/bench/guest.sh drives it the same way). pktgen's /proc/net/pktgen is per network
# namespace, so these run in the sending namespace: netns_fn NETNS FUNC ARGS runs a
# shell function (with the pktgen_* helpers) there in ONE bash process, so that a round
# costs no exec. Needs `modprobe pktgen` first.
#
#   pktgen_setup DEV DSTMAC DST     one kernel thread (kpktgend_0) sends 60-byte UDP
#                                   frames on DEV to DST:9 (DSTMAC), one skb per packet
#                                   (veth cannot take shared skbs), no delay (max rate)
#   pktgen_round SMIN SMAX SPORT NPORTS COUNT
#                                   sends COUNT packets from source addresses SMIN..SMAX
#                                   and source ports SPORT..SPORT+NPORTS-1 (pktgen moves
#                                   address and port by one each packet, so the flows
#                                   repeat round-robin); prints "PKTS USEC"
_pg() { echo "$2" >"/proc/net/pktgen/$1" || { echo "pktgen: '$2' -> $1 failed" >&2; return 1; }; }
pktgen_setup() {
	_pg kpktgend_0 rem_device_all && _pg kpktgend_0 "add_device $1" &&
	_pg "$1" "clone_skb 0" && _pg "$1" "burst 1" && _pg "$1" "pkt_size 60" &&
	_pg "$1" "delay 0" && _pg "$1" "dst $3" && _pg "$1" "dst_mac $2" &&
	_pg "$1" "udp_dst_min 9" && _pg "$1" "udp_dst_max 9" && PKTGEN_DEV=$1
}
pktgen_round() {
	local d=$PKTGEN_DEV l
	_pg "$d" "count $5" && _pg "$d" "src_min $1" && _pg "$d" "src_max $2" &&
	_pg "$d" "udp_src_min $3" || return 1
	# udp_src_max is exclusive when above udp_src_min; equal means one port
	if [ "$4" -gt 1 ]; then _pg "$d" "udp_src_max $(($3 + $4))"; else _pg "$d" "udp_src_max $3"; fi || return 1
	echo start >/proc/net/pktgen/pgctrl || return 1
	# "Result: OK: 1234(c1200+d34) usec, 100000 (60byte,0frags)"
	while read -r l; do
		[[ $l =~ ^Result:\ OK:\ ([0-9]+)\(.*usec,\ ([0-9]+)\  ]] &&
			{ echo "${BASH_REMATCH[2]} ${BASH_REMATCH[1]}"; return 0; }
	done <"/proc/net/pktgen/$d"
	echo "pktgen: no result on $d" >&2
	return 1
}
netns_fn() {	# netns_fn NETNS FUNC [ARGS...]
	local ns=$1 fn=$2
	shift 2
	# shellcheck disable=SC2016 # $@ is for the inner bash
	ip netns exec "$ns" bash -c "$(declare -f _pg pktgen_setup pktgen_round "$fn"); $fn \"\$@\"" "$fn" "$@"
}

# --- slab accounting -------------------------------------------------------------------
# slab_objects CACHE...: objects in use in the named slab caches, summed, after each was
# shrunk (/sys/kernel/slab/CACHE/shrink flushes the per-CPU slabs, whose free objects
# the "objects" file would otherwise count as in use, and frees empty slabs), so the
# number is exact for a cache nothing else allocates from. A cache that SLUB merged into
# another (the default on Debian for eipfix_flow: boot with slab_nomerge) is a symlink in
# /sys/kernel/slab, and is refused.
slab_objects() {
	local c n=0 o
	for c in "$@"; do
		[ -d "/sys/kernel/slab/$c" ] || { echo "no slab cache $c" >&2; return 1; }
		[ -L "/sys/kernel/slab/$c" ] &&
			{ echo "slab cache $c is merged into $(basename "$(readlink "/sys/kernel/slab/$c")") (boot with slab_nomerge)" >&2; return 1; }
		echo 1 >"/sys/kernel/slab/$c/shrink" 2>/dev/null
		read -r o _ <"/sys/kernel/slab/$c/objects" || return 1
		n=$((n + o))
	done
	echo "$n"
}

# Leave the guest as the next test expects it: no module, no topology.
eipfix_cleanup() {
	topo_down
	mod_loaded && rmmod "$EIPFIX_MODULE" 2>/dev/null
	return 0
}
