#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/bench/bench.sh [--smoke] [VERSION...]
#
#   make bench         tests/bench/bench.sh           (native encoder + VM 6.1 + VM 6.12)
#   make bench-smoke   tests/bench/bench.sh --smoke   (seconds-scale: tiny counts, 6.1 only)
#
# Runs the native encoder benchmark (build/encoder_bench), then tests/bench/run.sh for
# every VERSION (default: 6.1 6.12; smoke: 6.1). Raw output and reports go to
# tests/bench/results/ (full runs) or $EIPFIX_BENCH_OUT_BASE (default
# ${EIPFIX_CACHE:-~/.cache/enclave_ipfix}/bench-smoke for the smoke, so `make check`
# never rewrites the committed results).
# Last line: "bench[-smoke]: N passed, N failed".
set -u -o pipefail
SMOKE=0
[ "${1:-}" = --smoke ] && { SMOKE=1; shift; }
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH=$REPO/tests/bench
TAG=bench
if [ "$SMOKE" = 1 ]; then
	TAG=bench-smoke
	VERSIONS=${*:-6.1}
	BASE=${EIPFIX_BENCH_OUT_BASE:-${EIPFIX_CACHE:-$HOME/.cache/enclave_ipfix}/bench-smoke}
else
	VERSIONS=${*:-6.1 6.12}
	BASE=${EIPFIX_BENCH_OUT_BASE:-$BENCH/results}
fi
mkdir -p "$BASE"
pass=0 fail=0

# --- native: the encoder and the exporter --------------------------------------------
if make -s -C "$BENCH" >"$BASE/build.log" 2>&1; then
	if [ "$SMOKE" = 1 ]; then args=(-r 20000 -n 3); else args=(-r 2000000 -n 9); fi
	{
		echo "# $(date -u +%FT%TZ) on $(hostname): $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
		echo "# $BENCH/build/encoder_bench ${args[*]}"
	} >"$BASE/encoder.txt"
	if "$BENCH/build/encoder_bench" "${args[@]}" | tee -a "$BASE/encoder.txt"; then
		echo "ok - native encoder benchmark"; pass=$((pass + 1))
	else
		echo "not ok - native encoder benchmark"; fail=$((fail + 1))
	fi
	echo "# loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$BASE/encoder.txt"
else
	cat "$BASE/build.log"
	echo "not ok - tests/bench builds"; fail=$((fail + 1))
fi

# --- the VM benchmark, one boot per kernel ---------------------------------------------
for v in $VERSIONS; do
	if [ "$SMOKE" = 1 ]; then
		out=$(EIPFIX_BENCH_OUT=$BASE/$v "$BENCH/run.sh" --smoke "$v" 2>&1 | tee /dev/stderr | tail -n 1)
	else
		out=$(EIPFIX_BENCH_OUT=$BASE/$v "$BENCH/run.sh" "$v" 2>&1 | tee /dev/stderr | tail -n 1)
	fi
	p=$(sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/p' <<<"$out")
	f=$(sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/p' <<<"$out")
	[ -n "$p" ] || { p=0; f=1; }
	pass=$((pass + p)) fail=$((fail + f))
done
echo "$TAG: results in $BASE" >&2
echo "$TAG: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
