#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/static/run.sh: the static checks that fail the build.
#   - checkpatch.pl --strict (from Debian's 6.12 kernel source) on kmod/, include/ and
#     the KUnit suites;
#   - the module built with W=1 and sparse (C=1) against Debian's 6.1 and 6.12 headers,
#     where any warning is a failure;
#   - userctl built with -Wall -Wextra -Werror (its Makefile's flags).
# Last line: "static: N passed, N failed".
set -u -o pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib/kernels.sh
. "$REPO/tests/lib/kernels.sh"
pass=0 fail=0
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

result() {	# result NAME RC LOGFILE
	if [ "$2" -eq 0 ]; then
		pass=$((pass + 1)); echo "ok - $1"
	else
		fail=$((fail + 1)); echo "not ok - $1"; sed 's/^/#   /' "$3" | head -40
	fi
}

# checkpatch.pl comes from the kernel source tree KUnit also uses (extracted once).
SRC=$(kernel_source_tree 6.12)
if [ -n "$SRC" ] && [ -x "$SRC/scripts/checkpatch.pl" ]; then
	"$SRC/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f \
		"$REPO"/kmod/*.[ch] "$REPO"/include/uapi/linux/*.h "$REPO"/tests/kunit/*.c \
		>"$OUT/checkpatch" 2>&1
	# --terse prints one line per finding and a total line; any finding fails.
	grep -v '^total:' "$OUT/checkpatch" | grep -q . && rc=1 || rc=0
	result "checkpatch.pl --strict: kmod/, include/, tests/kunit/" $rc "$OUT/checkpatch"
else
	echo "# no kernel source tree for checkpatch.pl" >"$OUT/checkpatch"
	result "checkpatch.pl available" 1 "$OUT/checkpatch"
fi

# Module: W=1 and sparse, in a copy per kernel so the repo stays clean; also for
# Debian's PREEMPT_RT flavours (linux-headers-*-rt-amd64), which DKMS builds for -rt users.
for v in 6.1 6.12 6.1-rt 6.12-rt; do
	KDIR=$(kernel_headers_dir "${v%-rt}") || { result "headers for $v" 1 /dev/null; continue; }
	if [ "${v%-rt}" != "$v" ]; then
		KDIR=${KDIR%-amd64}-rt-amd64
		[ -f "$KDIR/Makefile" ] || { result "headers for $v ($KDIR)" 1 /dev/null; continue; }
	fi
	B=$OUT/build-$v
	mkdir -p "$B"
	cp -r "$REPO/Kbuild" "$REPO/Makefile" "$REPO/kmod" "$REPO/include" "$B/"
	make -C "$KDIR" M="$B" W=1 C=2 modules >"$OUT/kbuild-$v" 2>&1
	rc=$?
	# Any compiler or sparse diagnostic about our sources is a failure.
	grep -E "^$B/.*(warning|error):" "$OUT/kbuild-$v" >"$OUT/diag-$v"
	[ $rc -eq 0 ] && [ ! -s "$OUT/diag-$v" ] && rc=0 || rc=1
	[ -s "$OUT/diag-$v" ] || cp "$OUT/kbuild-$v" "$OUT/diag-$v"
	result "module builds warning-free with W=1 and sparse (C=2) on $v ($(basename "$KDIR"))" \
		$rc "$OUT/diag-$v"
done

# userctl: its Makefile has -Wall -Wextra -Werror; build it from scratch.
make -C "$REPO/userctl" clean >/dev/null 2>&1
make -C "$REPO/userctl" >"$OUT/userctl" 2>&1
result "userctl builds with -Wall -Wextra -Werror" $? "$OUT/userctl"

echo "static: $pass passed, $fail failed"
[ $fail -eq 0 ]
