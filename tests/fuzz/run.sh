#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/fuzz/run.sh [SECONDS] [TARGET...]: libFuzzer on userctl's input parsers.
#
#   fuzz_profile   the profile parser, eipfix_profile_parse() (userctl/json.c, config.c,
#                  config_acl.c), seeded
#                  with tests/unit/profiles/ and a dictionary of the profile's keys
#   fuzz_netlink   the generic netlink receive path (userctl/netlink.c, through libnl's
#                  real dispatch) fed arbitrary bytes as the kernel's replies: records,
#                  flow dumps, config, counters, errors with extack, notifications
#
# Each target is built with clang-14 -fsanitize=fuzzer,address,undefined and runs for
# SECONDS (default $EIPFIX_FUZZ_SECONDS or 60) from its seed corpus; it passes if it ran
# the whole time without a crash, a sanitizer report, a leak or a timeout. A failing
# input is kept as tests/fuzz/build/artifacts/TARGET-*; replay it with
#   tests/fuzz/build/TARGET tests/fuzz/build/artifacts/TARGET-crash-...
# Installs clang-14 and libclang-rt-14-dev (libFuzzer) if they are missing.
# Last line: "fuzz: N passed, N failed".
set -u -o pipefail
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$DIR/../.." && pwd)
B=$DIR/build
SECS=${1:-${EIPFIX_FUZZ_SECONDS:-60}}
shift $(( $# > 0 ? 1 : 0 ))
TARGETS=${*:-fuzz_profile fuzz_netlink}
pass=0 fail=0

result() { echo "fuzz: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

# --- toolchain (Debian packages) ------------------------------------------------------
CC=clang-14
LIBFUZZER=/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
need=()
command -v $CC >/dev/null || need+=(clang-14)
ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
	need+=(libclang-rt-14-dev)
for p in libjansson-dev libnl-3-dev libnl-genl-3-dev pkg-config; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "fuzz: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 ||
		{ apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null; } ||
		{ echo "fuzz: cannot install ${need[*]}"; fail=1; result; }
fi

# --- build ------------------------------------------------------------------------------
mkdir -p "$B/artifacts"
PKGS="jansson libnl-genl-3.0"
CFLAGS="-std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=all -Wall -Wextra -Werror -D_GNU_SOURCE
	-I$REPO/include/uapi -I$REPO/userctl $(pkg-config --cflags $PKGS)
	-DUSERCTL_VERSION=\"fuzz\""
LIBS=$(pkg-config --libs $PKGS)
# The userctl sources are compiled here, with the sanitizers, not taken from its build.
srcs_fuzz_profile="$REPO/userctl/json.c $REPO/userctl/config.c $REPO/userctl/config_acl.c
	$REPO/userctl/collector.c"
srcs_fuzz_netlink="$srcs_fuzz_profile"

build() {	# build TARGET
	local t=$1 srcs
	eval "srcs=\$srcs_$t"
	# shellcheck disable=SC2086
	$CC $CFLAGS -o "$B/$t" "$DIR/$t.c" $srcs $LIBS >"$B/$t.build.log" 2>&1
}

seed() {	# seed TARGET CORPUS_DIR
	mkdir -p "$2"
	case $1 in
	fuzz_profile) cp "$REPO"/tests/unit/profiles/*.profile "$2"/ ;;
	fuzz_netlink) python3 "$DIR/netlink_seeds.py" "$2" ;;
	esac
}

for t in $TARGETS; do
	if ! build "$t"; then
		echo "not ok - $t: does not build"; sed 's/^/#   /' "$B/$t.build.log" | head -n 30
		fail=$((fail + 1)); continue
	fi
	corpus=$B/corpus-$t
	seeds=$B/seeds-$t
	rm -rf "$seeds"; seed "$t" "$seeds"
	mkdir -p "$corpus"
	dict=()
	[ -f "$DIR/${t#fuzz_}.dict" ] && dict=(-dict="$DIR/${t#fuzz_}.dict")
	rm -f "$B/artifacts/$t-"*
	start=$(date +%s)
	# corpus first: new inputs go there; seeds are read only.
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	"$B/$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$B/artifacts/$t-" "${dict[@]}" \
		"$corpus" "$seeds" >"$B/$t.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/$t.log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+' "$B/$t.log" | tail -n 1)
	found=$(ls "$B/artifacts/$t-"* 2>/dev/null | head -n 1)
	if [ $rc -eq 0 ] && [ -z "$found" ]; then
		echo "ok - $t: ${runs:-?} inputs in ${secs}s without a crash or leak (${cov:-cov ?})"
		pass=$((pass + 1))
	else
		echo "not ok - $t: exit $rc after ${secs}s${found:+, failing input $found}"
		grep -E -A25 'ERROR: |runtime error|SUMMARY|deadly signal' "$B/$t.log" | head -n 60 |
			sed 's/^/#   /'
		fail=$((fail + 1))
	fi
done
result
