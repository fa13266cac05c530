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
kargs=$(sed -n 's/^# e2e-kernel-args: *//p' "${tfiles[@]}" 2>/dev/null | tr -s ' \t' '\n' | sort -u | tr '\n' ' ')
EIPFIX_VM_APPEND=$(echo "${EIPFIX_VM_APPEND:-} $kargs" | xargs)
export EIPFIX_KO EIPFIX_USERCTL EIPFIX_VM_APPEND
export EIPFIX_TESTS="$*"
# The whole VM gets the boot plus every test's timeout.
export EIPFIX_TEST_TIMEOUT=${EIPFIX_TEST_TIMEOUT:-300}
if [ -z "${EIPFIX_VM_TIMEOUT:-}" ]; then
	ntests=$#
	[ "$ntests" -gt 0 ] || ntests=$(ls "$REPO"/tests/e2e/t_*.sh 2>/dev/null | wc -l)
	export EIPFIX_VM_TIMEOUT=$((120 + ntests * EIPFIX_TEST_TIMEOUT))
fi
if [ -z "${EIPFIX_RESULTS_DIR:-}" ]; then
	mkdir -p "$EIPFIX_CACHE/results"
	EIPFIX_RESULTS_DIR=$(mktemp -d "$EIPFIX_CACHE/results/e2e-$VERSION-$(date +%Y%m%d-%H%M%S)-XXXX") || exit 2
fi
export EIPFIX_RESULTS_DIR
"$REPO/tests/e2e/vm.sh" "$VERSION" "$REPO/tests/e2e/guest.sh"
vmrc=$?

RES=$EIPFIX_RESULTS_DIR
pass=0 fail=$extra_fail skipped=0
shopt -s nullglob
for log in "$RES"/t_*.log; do
	# A skipped check is reported as skipped, never as passed.
	k=$(grep -c '^ok .*# SKIP' "$log")
	p=$(( $(grep -c '^ok' "$log") - k )); f=$(grep -c '^not ok' "$log")
	pass=$((pass + p)) fail=$((fail + f)) skipped=$((skipped + k))
	[ "$f" -gt 0 ] && grep '^not ok' "$log" | sed "s/^/$TAG: $(basename "$log" .log): /" >&2
done
if [ ! -f "$RES/rc" ]; then
	echo "$TAG: the VM did not finish (see $RES/console.log)" >&2
	fail=$((fail + 1))
elif [ -f "$RES/splat" ]; then
	echo "$TAG: kernel splat in the guest (see $RES/dmesg.txt)" >&2
	fail=$((fail + 1))
elif [ "$vmrc" -ne 0 ] && [ "$fail" -eq 0 ]; then
	echo "$TAG: guest.sh failed (rc $vmrc) without a failed check" >&2
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
