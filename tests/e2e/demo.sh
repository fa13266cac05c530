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
CHECK=0
[ "${1:-}" = --check ] && { CHECK=1; shift; }
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
mkdir -p "$B"
exec 9>"$CACHE/kmod-build.lock"; flock 9
srcfiles() { find kmod include -type f \( -name '*.[chS]' -o -name Kbuild -o -name Makefile \) ! -name '*.mod.c' 2>/dev/null; }
want=$(cd "$REPO" && { echo Kbuild; srcfiles; } | sort)
for f in $want; do
	mkdir -p "$B/$(dirname "$f")"
	cmp -s "$REPO/$f" "$B/$f" || cp "$REPO/$f" "$B/$f"
done
(cd "$B" && srcfiles | sort) | comm -13 <(printf '%s\n' "$want") - | (cd "$B" && xargs -r rm -f)
make -C "$KDIR" M="$B" modules >"$B/build.log" 2>&1 ||
	{ tail -n 30 "$B/build.log"; fatal "the module does not build (log: $B/build.log)"; }
exec 9>&-
echo "built $B/enclave_ipfix.ko ($(modinfo -F vermagic "$B/enclave_ipfix.ko" | cut -d' ' -f1))"

step "Booting Debian's $(kernel_release "$VERSION") kernel in QEMU; what follows runs inside the VM"
mkdir -p "$EIPFIX_CACHE/results"
RES=$(mktemp -d "$EIPFIX_CACHE/results/demo-$VERSION-$(date +%Y%m%d-%H%M%S)-XXXX") || exit 2
export EIPFIX_RESULTS_DIR=$RES EIPFIX_KO=$B/enclave_ipfix.ko EIPFIX_USERCTL=$REPO/userctl/build/userctl
"$REPO/tests/e2e/vm.sh" --timeout 400 "$VERSION" "$REPO/tests/e2e/demo_guest.sh"
rc=$?
echo
echo "Everything the VM wrote (capture, nfcapd files, logs, dmesg) is in $RES"
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
expect "ICMP echo to the peer, egress" "ICMP +${V4}1:0 +-> +${V4}2:8\.0 +egress"
expect "ICMP echo replies from the peer, ingress" "ICMP +${V4}2:0 +-> +${V4}1:0\.0 +ingress"
expect "TCP transfer to the peer, egress, >= 100000 bytes" "TCP +${V4}1:[0-9]+ +-> +${V4}2:8080 +egress +[0-9]+ +[0-9]+ +[0-9]+ +([0-9]{6,}|[0-9.]+ M)"
expect "TCP replies from the peer, ingress" "TCP +${V4}2:8080 +-> +${V4}1:[0-9]+ +ingress"
expect "UDP datagrams: 5 packets, 1140 bytes, egress" "UDP +${V4}1:[0-9]+ +-> +${V4}2:5353 +egress +[0-9]+ +[0-9]+ +5 +1140( |$)"
expect "ICMPv6 echo to the peer (IPv6), egress" "ICMP6 +2001:db8::1\.0 +-> +2001:db8::2\.128\.0 +egress"
expect "the telnet attempt from the peer is a flow, ingress" "TCP +${V4}2:[0-9]+ +-> +${V4}1:23 +ingress"
if grep -q '^ACL: ' "$RES/output.log"; then ok "the demo says what became of the ACL rule: $(grep -o '^ACL: [A-Z ]*' "$RES/output.log")"; else not_ok "no ACL verdict line"; fi
echo "$TAG: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
