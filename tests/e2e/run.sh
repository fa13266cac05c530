#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/e2e/run.sh VERSION [TEST...]   (VERSION: 6.1 or 6.12; TEST: e.g. t_load)
#
# Builds enclave_ipfix.ko against Debian's VERSION headers in a per-version copy of the
# sources (${EIPFIX_CACHE:-~/.cache/enclave_ipfix}/VERSION/kmod-build, so 6.1 and 6.12
# never clobber each other or the repo), builds userctl, then boots ONE VM (vm.sh) that
# runs tests/e2e/guest.sh: every tests/e2e/t_*.sh in sequence (or the TESTs named).
#
#   EIPFIX_KO=/path/x.ko   test that module instead of building one
#   EIPFIX_USERCTL=path    use that userctl (empty: none) instead of building it
#   EIPFIX_TEST_TIMEOUT    per-test timeout in the guest (default 300 s)
#   EIPFIX_VM_TIMEOUT      whole-VM timeout (default 120 s + tests x per-test timeout)
#   EIPFIX_RESULTS_DIR     where the artefacts go (default: a new dir under the cache)
#   EIPFIX_VM_APPEND       extra kernel command-line arguments for the VM
#
# A test that needs a kernel command-line argument says so in a line of its own,
# "# e2e-kernel-args: ARG..." (t_sustained: slab_nomerge, so that the module's slab cache
# is its own and can be counted). The VM is shared, so it boots with the arguments of
# every test it runs.
#
# Last line: "e2e-VERSION: N passed, N failed". Exit non-zero on any failed check, a
# kernel splat in the guest's dmesg, or a VM that did not finish.
set -u -o pipefail

VERSION=${1:-}
case "$VERSION" in
6.1|6.12) shift ;;
*) echo "usage: $0 6.1|6.12 [t_name...]" >&2; exit 2 ;;
esac
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib/kernels.sh
. "$REPO/tests/lib/kernels.sh"
TAG="e2e-$VERSION"
KDIR=$(kernel_headers_dir "$VERSION") || exit 2
CACHE=$(eipfix_cache "$VERSION") || exit 2

fatal() {
	echo "$TAG: $*" >&2
	echo "$TAG: 0 passed, 1 failed"
	exit 1
}

# --- the module, built out of a per-version copy -----------------------------------
if [ -z "${EIPFIX_KO:-}" ]; then
	echo "$TAG: building enclave_ipfix.ko against $KDIR" >&2
	EIPFIX_KO=$(module_build "$VERSION" "$CACHE/kmod-build") ||
		fatal "module build failed (log: $CACHE/kmod-build/build.log)"
fi
[ -f "$EIPFIX_KO" ] || fatal "no module at $EIPFIX_KO"
EIPFIX_KO=$(realpath "$EIPFIX_KO")

# --- userctl (kernel-independent, built in place) --------------------------------------
# EIPFIX_USERCTL set (even empty) in the environment: use it, build nothing.
extra_fail=0
if [ -z "${EIPFIX_USERCTL+set}" ]; then
	EIPFIX_USERCTL=
	exec 8>"$EIPFIX_CACHE/userctl.lock"; flock 8
	if make -C "$REPO/userctl" >"$CACHE/userctl-build.log" 2>&1 && [ -x "$REPO/userctl/build/userctl" ]; then
		EIPFIX_USERCTL=$REPO/userctl/build/userctl
	else
		echo "$TAG: not ok - userctl does not build (log: $CACHE/userctl-build.log); tests needing it will fail" >&2
		tail -n 10 "$CACHE/userctl-build.log" >&2
		extra_fail=1
	fi
	exec 8>&-
fi

# --- one VM for all tests ---------------------------------------------------------------
if [ $# -gt 0 ]; then
	tfiles=()
	for t in "$@"; do tfiles+=("$REPO/tests/e2e/$(basename "${t%.sh}").sh"); done
else
	tfiles=("$REPO"/tests/e2e/t_*.sh)
fi
# A test with a line "# e2e-init: systemd" needs systemd as PID 1: it gets a VM of its
# own (vm.sh's EIPFIX_VM_INIT=systemd), after the shared one.
shared=() own=()
for t in "${tfiles[@]}"; do
	if grep -q '^# e2e-init: systemd' "$t" 2>/dev/null; then own+=("$t"); else shared+=("$t"); fi
done
kargs=$(sed -n 's/^# e2e-kernel-args: *//p' "${tfiles[@]}" 2>/dev/null | tr -s ' \t' '\n' | sort -u | tr '\n' ' ')
EIPFIX_VM_APPEND=$(echo "${EIPFIX_VM_APPEND:-} $kargs" | xargs)
export EIPFIX_KO EIPFIX_USERCTL EIPFIX_VM_APPEND
export EIPFIX_TESTS="${shared[*]##*/}"
# The whole VM gets the boot plus every test's timeout.
export EIPFIX_TEST_TIMEOUT=${EIPFIX_TEST_TIMEOUT:-300}
VM_TIMEOUT=${EIPFIX_VM_TIMEOUT:-$((120 + ${#shared[@]} * EIPFIX_TEST_TIMEOUT))}
if [ -z "${EIPFIX_RESULTS_DIR:-}" ]; then
	mkdir -p "$EIPFIX_CACHE/results"
	EIPFIX_RESULTS_DIR=$(mktemp -d "$EIPFIX_CACHE/results/e2e-$VERSION-$(date +%Y%m%d-%H%M%S)-XXXX") || exit 2
fi
RES=$EIPFIX_RESULTS_DIR
vmrc=0 vmdirs=()
if [ ${#shared[@]} -gt 0 ]; then
	EIPFIX_VM_TIMEOUT=$VM_TIMEOUT EIPFIX_RESULTS_DIR=$RES \
		"$REPO/tests/e2e/vm.sh" "$VERSION" "$REPO/tests/e2e/guest.sh" || vmrc=$?
	vmdirs+=("$RES")
fi
# The README's host install, staged for a systemd boot: `make install DESTDIR=` of the
# module run.sh built, and depmod of the kernel's real module tree plus ours (on this
# host: in the guest, depmod reads and decompresses ~4000 modules under TCG for
# minutes). The guest unpacks it into its root before systemd starts, as a package
# would have been installed before a reboot.
stage_install() {	# stage_install DIR
	local krel farm
	krel=$(kernel_release "$VERSION") || return 1
	rm -rf "$1"; mkdir -p "$1" &&
	# (make install builds userctl in the tree: under the lock the other e2e suite
	# takes for that, since make check runs both side by side.)
	flock "$EIPFIX_CACHE/userctl.lock" \
		make -s -C "$REPO" install DESTDIR="$1" DKMS=no MODULE_KO="$EIPFIX_KO" >"$1.log" 2>&1 || return 1
	farm=$(mktemp -d) || return 1
	mkdir -p "$farm/lib/modules" &&
	cp -as "/lib/modules/$krel" "$farm/lib/modules/" &&
	rm -f "$farm/lib/modules/$krel"/modules.{dep,alias,symbols,softdep,devname}* &&
	mkdir -p "$farm/lib/modules/$krel/updates" &&
	cp "$1/lib/modules/$krel/updates/enclave_ipfix.ko" "$farm/lib/modules/$krel/updates/" &&
	depmod -b "$farm" -a "$krel" &&
	find "$farm/lib/modules/$krel" -maxdepth 1 -name 'modules.*' -type f \
		-exec cp {} "$1/lib/modules/$krel/" \;
	local rc=$?
	rm -rf "$farm"
	return $rc
}
for t in "${own[@]}"; do
	name=$(basename "$t" .sh)
	mkdir -p "$RES/vm-$name"
	stage_install "$RES/vm-$name/install" ||
		{ echo "$TAG: $name: not ok - cannot stage the install (log: $RES/vm-$name/install.log)" >&2; extra_fail=$((extra_fail + 1)); continue; }
	EIPFIX_VM_INIT=systemd EIPFIX_TEST_NAME=$name EIPFIX_TEST_LOG=/results/$name.log \
		EIPFIX_VM_TIMEOUT=$((120 + EIPFIX_TEST_TIMEOUT)) EIPFIX_RESULTS_DIR=$RES/vm-$name \
		"$REPO/tests/e2e/vm.sh" "$VERSION" "$t" || vmrc=$((vmrc ? vmrc : $?))
	vmdirs+=("$RES/vm-$name")
done

pass=0 fail=$extra_fail skipped=0
shopt -s nullglob
for log in "$RES"/t_*.log "$RES"/vm-*/t_*.log; do
	# A skipped check is reported as skipped, never as passed.
	k=$(grep -c '^ok .*# SKIP' "$log")
	p=$(( $(grep -c '^ok' "$log") - k )); f=$(grep -c '^not ok' "$log")
	pass=$((pass + p)) fail=$((fail + f)) skipped=$((skipped + k))
	[ "$f" -gt 0 ] && grep '^not ok' "$log" | sed "s/^/$TAG: $(basename "$log" .log): /" >&2
done
for d in "${vmdirs[@]}"; do
	if [ ! -f "$d/rc" ]; then
		echo "$TAG: the VM did not finish (see $d/console.log)" >&2
		fail=$((fail + 1))
	elif [ -f "$d/splat" ]; then
		echo "$TAG: kernel splat in the guest (see $d/dmesg.txt)" >&2
		fail=$((fail + 1))
	fi
done
if [ "$vmrc" -ne 0 ] && [ "$fail" -eq 0 ]; then
	echo "$TAG: a guest script failed (rc $vmrc) without a failed check" >&2
	fail=$((fail + 1))
fi
[ $((pass + fail)) -eq 0 ] && { echo "$TAG: no test ran" >&2; fail=1; }
echo "$TAG: artefacts in $RES" >&2
if [ "$skipped" -gt 0 ]; then
	echo "$TAG: $pass passed, $fail failed, $skipped skipped"
else
	echo "$TAG: $pass passed, $fail failed"
fi
[ "$fail" -eq 0 ] && [ "$vmrc" -eq 0 ]
