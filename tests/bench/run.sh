#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/bench/run.sh [--smoke] VERSION    (VERSION: 6.1 or 6.12)
#
# The VM benchmark for one kernel: builds enclave_ipfix.ko against Debian's VERSION
# headers (the same per-version cache copy as tests/e2e/run.sh), userctl, and the
# send-path load (tests/bench/build/udpsend); on 6.1 also ipt_NETFLOW from Debian's
# iptables-netflow-dkms sources (configuration e: the .deb is fetched with
# `apt-get download` and unpacked into the cache, its module built with the package's
# own dkms.conf recipe (configure --from-dkms-conf + make ipt_NETFLOW.ko) against the
# 6.1 headers: nothing is installed into dpkg or DKMS, so the 6.12 DKMS failure of
# DESIGN §8 cannot leave dpkg half-configured). Then boots ONE VM running
# tests/bench/guest.sh and turns its raw lines into tables (report.py).
#
#   --smoke                  seconds-scale variant (1 round, 20k packets, no tick)
#   EIPFIX_BENCH_*           passed to the guest (see guest.sh)
#   EIPFIX_BENCH_NETFLOW=0   do not try ipt_NETFLOW
#   EIPFIX_BENCH_OUT=DIR     where raw output and the report go
#                            (default tests/bench/results/VERSION[-smoke])
#
# Last line: "bench-VERSION: N passed, N failed".
set -u -o pipefail
SMOKE=0
[ "${1:-}" = --smoke ] && { SMOKE=1; shift; }
VERSION=${1:-}
case "$VERSION" in
6.1|6.12) ;;
*) echo "usage: $0 [--smoke] 6.1|6.12" >&2; exit 2 ;;
esac
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH=$REPO/tests/bench
# shellcheck source=../lib/kernels.sh
. "$REPO/tests/lib/kernels.sh"
TAG=bench-$VERSION
[ "$SMOKE" = 1 ] && TAG=bench-smoke-$VERSION
KDIR=$(kernel_headers_dir "$VERSION") || exit 2
KREL=$(kernel_release "$VERSION") || exit 2
CACHE=$(eipfix_cache "$VERSION") || exit 2
mkdir -p "$CACHE/bench"
fatal() { echo "$TAG: $*" >&2; echo "$TAG: 0 passed, 1 failed"; exit 1; }

# --- the module (tests/e2e/run.sh's recipe, in a build dir of its own: the e2e one is
# locked for the whole of an e2e run) -------------------------------------------------
B=$CACHE/bench/kmod-build
echo "$TAG: building enclave_ipfix.ko against $KDIR" >&2
module_build "$VERSION" "$B" >/dev/null || fatal "module build failed"
cp "$B/enclave_ipfix.ko" "$CACHE/bench/enclave_ipfix.ko"
export EIPFIX_KO=$CACHE/bench/enclave_ipfix.ko

# EIPFIX_BENCH_BASE=REV: configuration c0 meters with the module of git revision REV
# (built by that revision's own recipe), c with the tree's: a change's before and after
# in one boot. Adds c0 to the configurations unless EIPFIX_BENCH_CFGS names them.
if [ -n "${EIPFIX_BENCH_BASE:-}" ]; then
	base_src=$CACHE/bench/base-src
	rm -rf "$base_src"; mkdir -p "$base_src"
	git -C "$REPO" archive "$EIPFIX_BENCH_BASE" | tar -x -C "$base_src" ||
		fatal "cannot check out $EIPFIX_BENCH_BASE"
	bash -c '. "$1/tests/lib/kernels.sh" && module_build "$2" "$3"' _ \
		"$base_src" "$VERSION" "$CACHE/bench/base-build" >/dev/null ||
		fatal "the module of $EIPFIX_BENCH_BASE does not build"
	cp "$CACHE/bench/base-build/enclave_ipfix.ko" "$CACHE/bench/enclave_ipfix-base.ko"
	export EIPFIX_BENCH_BASE_KO=$CACHE/bench/enclave_ipfix-base.ko
	[ -n "${EIPFIX_BENCH_CFGS:-}" ] || export EIPFIX_BENCH_CFGS="a b c0 c e"
fi

# --- userctl and the bench binaries ------------------------------------------------
make -s -C "$REPO/userctl" >"$CACHE/bench/userctl-build.log" 2>&1 || fatal "userctl does not build"
cp "$REPO/userctl/build/userctl" "$CACHE/bench/userctl"
make -s -C "$BENCH" >"$CACHE/bench/bench-build.log" 2>&1 || { cat "$CACHE/bench/bench-build.log" >&2; fatal "tests/bench does not build"; }
export EIPFIX_USERCTL=$CACHE/bench/userctl
export EIPFIX_BENCH_BIN=$BENCH/build

# --- ipt_NETFLOW (6.1 only) -----------------------------------------------------------
netflow_build() {
	local nf=$EIPFIX_CACHE/netflow b=$EIPFIX_CACHE/netflow/build-$KREL deb
	mkdir -p "$nf"
	deb=$(ls "$nf"/iptables-netflow-dkms_*.deb 2>/dev/null | tail -n1)
	if [ -z "$deb" ]; then
		(cd "$nf" && apt-get download iptables-netflow-dkms >/dev/null 2>&1) || return 1
		deb=$(ls "$nf"/iptables-netflow-dkms_*.deb | tail -n1)
	fi
	[ -d "$nf/x" ] || dpkg-deb -x "$deb" "$nf/x" || return 1
	if [ ! -f "$b/ipt_NETFLOW.ko" ]; then
		command -v iptables-legacy >/dev/null && [ -f /usr/include/xtables.h ] ||
			{ echo "$TAG: ipt_NETFLOW needs iptables and libxtables-dev (apt-get install iptables libxtables-dev)" >&2; return 1; }
		rm -rf "$b"; cp -r "$nf"/x/usr/src/ipt-netflow-* "$b" || return 1
		(cd "$b" && ./configure --from-dkms-conf="$KDIR" --ipt-bin=/usr/sbin/iptables-legacy \
			--enable-direction --enable-macaddress && make ipt_NETFLOW.ko) >"$nf/build-$KREL.log" 2>&1 ||
			{ tail -n 5 "$nf/build-$KREL.log" >&2; return 1; }
	fi
	export EIPFIX_BENCH_NETFLOW_KO=$b/ipt_NETFLOW.ko
	export EIPFIX_BENCH_XTABLES=$nf/x/usr/lib/x86_64-linux-gnu/xtables
}
if [ "$VERSION" = 6.1 ] && [ "$SMOKE" = 0 ] && [ "${EIPFIX_BENCH_NETFLOW:-1}" != 0 ]; then
	netflow_build || echo "$TAG: ipt_NETFLOW could not be built: configuration e skipped" >&2
fi

# --- one VM -----------------------------------------------------------------------------
OUT=${EIPFIX_BENCH_OUT:-$BENCH/results/$VERSION$([ "$SMOKE" = 1 ] && echo -smoke)}
mkdir -p "$OUT"
mkdir -p "$EIPFIX_CACHE/results"
RES=$(mktemp -d "$EIPFIX_CACHE/results/bench-$VERSION-$(date +%Y%m%d-%H%M%S)-XXXX") || exit 2
export EIPFIX_RESULTS_DIR=$RES EIPFIX_BENCH_SMOKE=$SMOKE
export EIPFIX_VM_TIMEOUT=${EIPFIX_VM_TIMEOUT:-$([ "$SMOKE" = 1 ] && echo 600 || echo 5400)}
# A full run measures by default in instructions (EIPFIX_BENCH_ICOUNT=1: the guest's
# clock counts the instructions it executes, one per ns, on its one vCPU): the same
# figures on a quiet or a loaded host, so its vCPU is not pinned (runs side by side
# would all be pinned to the same host CPU). EIPFIX_BENCH_ICOUNT=0: host time on two
# vCPUs, as a host would see it, host noise and all: vCPU 0 gets a host CPU of its own.
if [ "$SMOKE" = 0 ]; then
	if [ "${EIPFIX_BENCH_ICOUNT:-1}" = 1 ]; then
		export EIPFIX_VM_ICOUNT=0
	else
		export EIPFIX_VM_PIN=${EIPFIX_VM_PIN:-$(($(nproc) - 1))}
	fi
fi
host_load() { cut -d' ' -f1-3 /proc/loadavg; }
# Anything else busy on the host is noise in every ratio: a full run says so up front
# (other QEMU guests, compilers; the load average still carries this script's own
# builds, host-load.txt has it during the run).
host_busy() {
	local vms cc
	# (ps, not pgrep: pgrep matches nothing with a pattern longer than 15 characters)
	vms=$(ps -eo comm= | grep -cx qemu-system-x86) cc=$(ps -eo comm= | grep -cxE 'cc1|cc1plus|ld|as|make')
	echo "other QEMU guests: $vms, compilers/make: $cc"
	[ "$vms" -eq 0 ] && [ "$cc" -eq 0 ]
}
quiet=yes
busy=$(host_busy) || quiet=no
# (An instruction clock does not see the host's load: only the run takes longer.)
[ "$SMOKE" = 1 ] || [ "$quiet" = yes ] || [ -n "${EIPFIX_VM_ICOUNT:-}" ] ||
	echo "$TAG: WARNING: the host is not idle ($busy): ratios will carry its noise" >&2
{
	echo "# $TAG on $(hostname): $(nproc) host CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	echo "# guest kernel $KREL (QEMU TCG, 1 GiB); started $(date -u +%FT%TZ); host loadavg at start: $(host_load)"
	echo "# host idle at start: $quiet ($busy); vCPU 0 pinned to host CPU: ${EIPFIX_VM_PIN:-no}"
	echo "# guest clock: $([ -n "${EIPFIX_VM_ICOUNT:-}" ] && echo "instructions (1 per ns, 1 vCPU: QEMU -icount)" || echo "host time")"
} >"$OUT/host.txt"
( while sleep 30; do echo "$(date -u +%T) $(host_load)"; done ) >"$OUT/host-load.txt" 2>/dev/null &
loadpid=$!
"$REPO/tests/e2e/vm.sh" "$VERSION" "$BENCH/guest.sh"
vmrc=$?
kill "$loadpid" 2>/dev/null
echo "# finished $(date -u +%FT%TZ); host loadavg at end: $(host_load)" >>"$OUT/host.txt"

cp "$RES/bench-raw.txt" "$OUT/raw.txt" 2>/dev/null
for f in bench.log output.log agent.log; do [ -f "$RES/$f" ] && tail -c 200000 "$RES/$f" >"$OUT/$f"; done
pass=0 fail=0
if [ -f "$RES/bench.log" ]; then
	pass=$(grep -c '^ok' "$RES/bench.log"); fail=$(grep -c '^not ok' "$RES/bench.log")
fi
[ -f "$RES/rc" ] || { echo "$TAG: the VM did not finish (see $RES/console.log)" >&2; fail=$((fail + 1)); }
[ -f "$RES/splat" ] && { echo "$TAG: kernel splat in the guest (see $RES/dmesg.txt)" >&2; fail=$((fail + 1)); }
if [ -s "$OUT/raw.txt" ]; then
	python3 "$BENCH/report.py" ${EIPFIX_VM_ICOUNT:+--icount} "$OUT/raw.txt" >"$OUT/report.md" && cat "$OUT/report.md" ||
		{ echo "$TAG: report.py failed" >&2; fail=$((fail + 1)); }
else
	echo "$TAG: no raw output" >&2; fail=$((fail + 1))
fi
echo "$TAG: raw output and report in $OUT (VM artefacts: $RES)" >&2
echo "$TAG: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$vmrc" -eq 0 ]
