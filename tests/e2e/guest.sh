#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/e2e/guest.sh: runs inside the VM (started by tests/e2e/run.sh through vm.sh).
# Runs every tests/e2e/t_*.sh (or those named in $EIPFIX_TESTS, space-separated) in
# sequence, each in its own bash with a timeout ($EIPFIX_TEST_TIMEOUT, default 300 s),
# writing /results/<test>.log, then /results/summary ("N passed, N failed").
# Exits non-zero if any test failed.
set -u
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RES=${EIPFIX_RESULTS:-/results}
TMO=${EIPFIX_TEST_TIMEOUT:-300}

if [ -n "${EIPFIX_TESTS:-}" ]; then
	tests=()
	for t in $EIPFIX_TESTS; do tests+=("$DIR/$(basename "${t%.sh}").sh"); done
else
	tests=("$DIR"/t_*.sh)
fi

pass=0 fail=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	log=$RES/$name.log
	: >"$log"
	echo "# --- $name"
	if [ ! -f "$t" ]; then
		echo "not ok - $name: no such test" | tee -a "$log"
	else
		start=$(date +%s)
		# Each test in its own cgroup, so whatever it left running (agents, collectors,
		# captures) is killed before the next one starts.
		cg=/sys/fs/cgroup/eipfix-$name
		mkdir -p "$cg" 2>/dev/null
		(echo "$BASHPID" >"$cg/cgroup.procs" 2>/dev/null
		 cd "$DIR" && EIPFIX_TEST_NAME=$name EIPFIX_TEST_LOG=$log \
			timeout -k 10 "$TMO" bash "$t")
		rc=$?
		if [ -f "$cg/cgroup.kill" ]; then
			echo 1 >"$cg/cgroup.kill"
			for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$cg" 2>/dev/null && break; sleep 0.2; done
		fi
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			echo "not ok - $name: timed out after ${TMO}s" | tee -a "$log"
		elif [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
			echo "not ok - $name: exited $rc" | tee -a "$log"
		fi
		echo "# $name: $(( $(date +%s) - start )) s" | tee -a "$log"
		# Whatever the test left behind must not break the next one.
		(. "$DIR/lib.sh" >/dev/null 2>&1; eipfix_cleanup) </dev/null >/dev/null 2>&1
	fi
	p=$(grep -c '^ok' "$log"); f=$(grep -c '^not ok' "$log")
	pass=$((pass + p)) fail=$((fail + f))
done
echo "$pass passed, $fail failed" | tee "$RES/summary"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
