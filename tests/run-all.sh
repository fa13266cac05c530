#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/run-all.sh: `make check`. Installs what is missing (Debian packages only), runs
# every suite, prints how long each took, and ends with one line summing them all:
#   N passed, N failed[, N skipped]
# Exits non-zero if anything failed or a suite could not run (no result line), and
# counts a suite as failed when it ran fewer checks (passed + failed + skipped) than
# tests/checks.txt says it has: raise the number there when you add checks.
#
#   EIPFIX_SUITES="static unit kunit-6.1 ..."   run only these suites ("a+b": side by side)
set -u -o pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1
LOGDIR=${EIPFIX_LOGDIR:-$REPO/results}
mkdir -p "$LOGDIR"

ALL="static unit unit-san fuzz interop flowcheck kunit-6.1 kunit-6.12 kunit-smp-6.1 e2e-6.1+e2e-6.12 pkg demo bench-smoke"
SUITES=${EIPFIX_SUITES:-$ALL}

suite_cmd() {
	case "$1" in
	static) echo "tests/static/run.sh" ;;
	unit) echo "make -s -C tests/unit run" ;;
	unit-san) echo "make -s -C tests/unit run SAN=1" ;;
	fuzz) echo "tests/fuzz/run.sh" ;;
	interop) echo "tests/unit/ipfix_interop.sh" ;;
	flowcheck) echo "tests/unit/flowcheck_selftest.sh" ;;
	kunit-debug-*) echo "tests/kunit/run.sh ${1#kunit-debug-} debug" ;;
	kunit-smp-*) echo "tests/kunit/run.sh ${1#kunit-smp-} smp" ;;
	kunit-*) echo "tests/kunit/run.sh ${1#kunit-}" ;;
	e2e-*) echo "tests/e2e/run.sh ${1#e2e-}" ;;
	pkg) echo "tests/pkg/run.sh" ;;
	demo) echo "make --no-print-directory demo DEMO_ARGS=--check" ;;
	bench-smoke) echo "tests/bench/bench.sh --smoke" ;;
	*) return 1 ;;
	esac
}

echo "== installing what is missing (tests/lib/deps.sh)"
tests/lib/deps.sh || { echo "deps: cannot install the packages the tests need"; echo "0 passed, 1 failed"; exit 1; }

total_pass=0 total_fail=0 total_skip=0
summary=()

# result SUITE RC SECS: reads the suite's log, adds its counts to the totals and its
# line to the summary.
result() {
	local s=$1 rc=$2 secs=$3 line p f k min n
	# The suite's last "NAME: N passed, N failed[, N skipped]" line is its result.
	line=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$LOGDIR/$s.log" | tail -n 1)
	if [ -z "$line" ]; then
		p=0 f=1 k=0
		line="$s: no result line (exit $rc) - counted as 1 failed"
	else
		p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
		k=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || echo 0)
		# A suite that exits non-zero has failed, whatever it counted; so has one that
		# ran no check at all.
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1 && line="$line (but exit $rc: counted as 1 failed)"
		[ "$p" -eq 0 ] && [ "$f" -eq 0 ] && f=1 && line="$line (no check ran: counted as 1 failed)"
		# Fewer checks than the suite is known to have: one stopped early, or a
		# test (KUnit case, e2e test) stopped running without failing.
		min=$(awk -v s="$s" '$1 == s { print $2 }' tests/checks.txt 2>/dev/null)
		n=$((p + f + k))
		if [ -n "$min" ] && [ "$n" -lt "$min" ]; then
			f=$((f + 1))
			line="$line (only $n checks of at least $min: counted as 1 failed)"
		fi
	fi
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + k))
	summary+=("$(printf '%-12s %4ss  %s' "$s" "$secs" "$line")")
}

# A group "a+b" runs its suites at the same time, each into its own log, printed whole
# when it ends: the e2e suites, whose guests wait (timeouts, idle expiry, ticks) about
# half the time and keep one of the two cores busy on average, take half the time side
# by side. Everything else runs alone: the compilers use both cores.
for g in $SUITES; do
	IFS=+ read -r -a group <<<"$g"
	started=()
	for s in "${group[@]}"; do
		[ -n "$s" ] || continue
		cmd=$(suite_cmd "$s") || { echo "unknown suite $s"; total_fail=$((total_fail + 1)); continue; }
		echo "== $s: $cmd"
		start=$(date +%s)
		if [ ${#group[@]} -eq 1 ]; then
			$cmd 2>&1 | tee "$LOGDIR/$s.log"
			result "$s" "${PIPESTATUS[0]}" $(( $(date +%s) - start ))
			continue
		fi
		rm -f "$LOGDIR/$s.end"
		{ $cmd >"$LOGDIR/$s.log" 2>&1; echo "$? $(( $(date +%s) - start ))" >"$LOGDIR/$s.end"; } &
		started+=("$s")
	done
	# A line a minute while they run, so that a log watcher sees progress.
	i=0
	while jobs -r | grep -q .; do
		sleep 5
		i=$((i + 1))
		[ $((i % 12)) -eq 0 ] || continue
		for s in "${started[@]}"; do
			printf '%s: %s passed, %s failed so far; ' "$s" \
				"$(grep -c '^ok ' "$LOGDIR/$s.log")" "$(grep -c '^not ok ' "$LOGDIR/$s.log")"
		done
		echo
	done
	wait
	for s in "${started[@]}"; do
		echo "== $s (ran beside the others of ${g}): its log"
		cat "$LOGDIR/$s.log"
		{ read -r rc secs <"$LOGDIR/$s.end"; } 2>/dev/null || { rc=1 secs=0; }
		rm -f "$LOGDIR/$s.end"
		result "$s" "$rc" "$secs"
	done
done

echo
echo "== summary (logs in $LOGDIR)"
printf '%s\n' "${summary[@]}"
if [ "$total_skip" -gt 0 ]; then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
	echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" -eq 0 ]
