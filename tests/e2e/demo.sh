#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/e2e/demo.sh [--check] [6.1|6.12]: `make demo [KERNEL=6.12]`.
#
# On a fresh Debian 12 machine: installs what is missing (tests/lib/deps.sh), builds
# userctl and enclave_ipfix.ko for Debian's 6.1 (default) or 6.12 kernel, boots that
# kernel in QEMU (tests/e2e/vm.sh: no network, the host's root read-only under a tmpfs
# overlay) and runs tests/e2e/demo_guest.sh there: module, overlay tap0 with a peer,
# the README's profile, nfcapd, the agent, traffic, and the flows as nfdump shows them.
# The guest's output appears here live.
#
# --check: afterwards, check the nfdump output has the flows the traffic must give
# (ICMP, TCP, UDP, ICMPv6, both directions) and print "demo: N passed, N failed"
# (the `demo` suite of make check).
set -u -o pipefail
CHECK=0 EXPLAIN=
[ "${1:-}" = --check ] && { CHECK=1; shift; }
# --explain RESDIR (for working on this script): only the host part, on an earlier run.
[ "${1:-}" = --explain ] && { EXPLAIN=$2; CHECK=1; shift 2; }
VERSION=${1:-6.1}
case "$VERSION" in
6.1|6.12) ;;
*) echo "usage: $0 [--check] [6.1|6.12]" >&2; exit 2 ;;
esac
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TAG=demo
fatal() {
	echo "$TAG: $*" >&2
	[ $CHECK -eq 1 ] && echo "$TAG: 0 passed, 1 failed"
	exit 1
}
step() { printf '\n### %s\n' "$*"; }

if [ -z "$EXPLAIN" ]; then
step "make demo: enclave_ipfix on Debian's $VERSION kernel, in a QEMU VM (a few minutes)"
step "Installing what is missing (Debian packages, tests/lib/deps.sh)"
"$REPO/tests/lib/deps.sh" || fatal "could not install the packages the demo needs"
# shellcheck source=../lib/kernels.sh
. "$REPO/tests/lib/kernels.sh"
KDIR=$(kernel_headers_dir "$VERSION") || fatal "no headers for $VERSION"
CACHE=$(eipfix_cache "$VERSION") || exit 2

step "Building userctl and enclave_ipfix.ko against $KDIR"
exec 8>"$EIPFIX_CACHE/userctl.lock"; flock 8
make -s -C "$REPO/userctl" >"$CACHE/userctl-build.log" 2>&1 ||
	{ tail -n 20 "$CACHE/userctl-build.log"; fatal "userctl does not build"; }
exec 8>&-
# The same per-version build copy as tests/e2e/run.sh (the repo stays clean).
B=$CACHE/kmod-build
module_build "$VERSION" "$B" >/dev/null ||
	fatal "the module does not build (log: $B/build.log)"
echo "built $B/enclave_ipfix.ko ($(modinfo -F vermagic "$B/enclave_ipfix.ko" | cut -d' ' -f1))"

step "Booting Debian's $(kernel_release "$VERSION") kernel in QEMU; what follows runs inside the VM"
mkdir -p "$EIPFIX_CACHE/results"
RES=$(mktemp -d "$EIPFIX_CACHE/results/demo-$VERSION-$(date +%Y%m%d-%H%M%S)-XXXX") || exit 2
export EIPFIX_RESULTS_DIR=$RES EIPFIX_KO=$B/enclave_ipfix.ko EIPFIX_USERCTL=$REPO/userctl/build/userctl
"$REPO/tests/e2e/vm.sh" --timeout 400 "$VERSION" "$REPO/tests/e2e/demo_guest.sh"
rc=$?
else
	RES=$EXPLAIN rc=$(cat "$EXPLAIN/rc")
fi
W=$RES/demo
explain() {
	[ -s "$W/ipfix.pcap" ] || return 0
	echo
	echo "=== 7. The Access Control Rule (Deny TCP port 23 received from peers)   [host]"
	acl_pk=$(awk '{print $2}' "$W/acl_counter.txt" 2>/dev/null)
	# The port-23 records of the IPFIX stream the agent sent, as tshark decodes them,
	# one record at a time (tshark's -T fields flattens a message's records into
	# per-field lists that misalign as soon as one record lacks a field).
	# forwardingStatus (IE 89) 129 = status "dropped" (2), reason 1 "ACL deny".
	python3 - "$REPO/tests/lib" "$W/ipfix.pcap" >"$W/acl.txt" <<-'PY'
	import sys
	sys.path.insert(0, sys.argv[1])
	from ipfix_decoders import tshark_records
	for r in tshark_records(sys.argv[2]).records:
	    if r["dport"] != 23:
	        continue
	    st = {129: "129 (dropped: ACL deny)", 64: "64 (forwarded)"}.get(r["fwd"], r["fwd"])
	    print("%s:%s -> %s:%s  %s packets  forwardingStatus %s"
	          % (r["src"], r["sport"], r["dst"], r["dport"], r["packets"], st))
	PY
	if grep -q 'dropped: ACL deny' "$W/acl.txt"; then
		echo "ACL: DROPPED - the peer's telnet attempt never reached this host: the module"
		echo "     dropped ${acl_pk:-?} packet(s) and exported them as a flow with forwardingStatus"
		echo "     129. nfdump 1.7 does not keep that field; tshark decodes it from the same stream:"
	elif [ "${acl_pk:-0}" -gt 0 ]; then
		echo "ACL: DROPPED BUT NOT EXPORTED AS DROPPED - the module counted $acl_pk ACL-dropped"
		echo "     packet(s), yet no exported record of the telnet attempt says \"dropped\"."
		echo "     What the peer saw: $(sed 's/^ *//' "$W/telnet.txt" 2>/dev/null)"
		echo "     The port-23 records, as tshark decodes them:"
	else
		echo "ACL: NO DROP REPORTED - the module counted no ACL-dropped packet and no record says"
		echo "     \"dropped\": this build of the module does not enforce the rule."
		echo "     What the peer saw: $(sed 's/^ *//' "$W/telnet.txt" 2>/dev/null)"
		echo "     The port-23 records, as tshark decodes them:"
	fi
	sed 's/^/     /' "$W/acl.txt"
	cat <<'TXT'

=== What you are looking at
Each line of the nfdump table is one IPFIX flow record: the kernel module metered it on
tap0, the agent (`userctl agent`) sent it to nfcapd over UDP, and nfdump decoded it.
IPFIX records are one-way, so a ping or a TCP connection gives two records: E (egress,
"SendingToPeer": packets leaving through tap0, whose ifindex is the "out" column) and
I (ingress, "ReceivedFromPeer": the "in" column). Packets and bytes are IP packets and
IP bytes as they crossed tap0. The UDP datagrams went to a port where nothing listens,
so the peer answered each with ICMP port unreachable (type 3 code 3): a flow of its own.
ICMP flows show type.code in the destination port column (8.0 echo request, 0.0 echo
reply, 128/129 for ICMPv6). The telnet attempt from the peer is what the profile's Deny
rule is for: section 7 says what the module did with it.
No firewall rule was written: the module registers its own netfilter hooks on tap0.
On a real host the same runs from `make install` and the systemd unit: see README.md.
TXT
}
explain | tee "$RES/explain.log"
echo
echo "Everything the VM wrote (IPFIX capture, nfcapd files, logs, dmesg) is in $RES"
[ $CHECK -eq 1 ] || exit $rc

# --- --check ----------------------------------------------------------------------
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
flows=$(sed -n '/^--- nfdump flows/,/^--- end/p' "$RES/output.log" | sed '1d;$d')
# expect DESC REGEX: some nfdump line matches REGEX
expect() { if grep -qE -- "$2" <<<"$flows"; then ok "$1"; else not_ok "$1 (no line matching $2)"; fi; }
[ "$rc" -eq 0 ] && ok "the demo ran to the end (exit 0)" || not_ok "the demo exited $rc"
V4='100\.64\.0\.'
# nfdump fmt: %ts(2 fields) %pr %sap -> %dap %dir %in %out %pkt %byt
expect "ICMP echo to the peer: egress, 3 packets" "ICMP +${V4}1:0 +-> +${V4}2:8\.0 +E +0 +[0-9]+ +3 +252$"
expect "ICMP echo replies from the peer: ingress, 3 packets" "ICMP +${V4}2:0 +-> +${V4}1:0\.0 +I +[0-9]+ +0 +3 +252$"
expect "TCP transfer to the peer: egress, over 100000 bytes" "TCP +${V4}1:[0-9]+ +-> +${V4}2:8080 +E +0 +[0-9]+ +[0-9]+ +(1[0-9]{5}|[0-9.]+ M)$"
expect "TCP replies from the peer: ingress" "TCP +${V4}2:8080 +-> +${V4}1:[0-9]+ +I +[0-9]+ +0 +"
expect "UDP datagrams: egress, 5 packets, 1140 bytes" "UDP +${V4}1:[0-9]+ +-> +${V4}2:5353 +E +0 +[0-9]+ +5 +1140$"
expect "ICMPv6 echo to the peer: egress, 3 packets" "ICMP6 +2001:db8::1\.0 +-> +2001:db8::2\.128\.0 +E +0 +[0-9]+ +3 +312$"
expect "ICMPv6 echo replies: ingress, 3 packets" "ICMP6 +2001:db8::2\.0 +-> +2001:db8::1\.129\.0 +I +[0-9]+ +0 +3 +312$"
expect "the telnet attempt from the peer is a flow: ingress" "TCP +${V4}2:[0-9]+ +-> +${V4}1:23 +I +"
# The module enforces Access Control (kmod/acl.c): the demo must show the drop, exported.
verdict=$(grep -o '^ACL: [A-Z ]*[A-Z]' "$RES/explain.log" 2>/dev/null)
if [ "$verdict" = "ACL: DROPPED" ]; then ok "the telnet attempt was dropped by the ACL and exported as dropped"
else not_ok "the ACL verdict is '${verdict:-missing}', expected 'ACL: DROPPED'"; fi
echo "$TAG: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
