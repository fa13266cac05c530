# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced helper: where Debian's kernels for a major.minor version live.
#
#   . tests/lib/kernels.sh
#   kernel_release 6.1      -> 6.1.0-56-amd64          (newest installed in /boot)
#   kernel_release 6.12     -> 6.12.117+deb12-amd64
#   kernel_vmlinuz 6.1      -> /boot/vmlinuz-6.1.0-56-amd64
#   kernel_modules_dir 6.1  -> /lib/modules/6.1.0-56-amd64
#   kernel_headers_dir 6.1  -> /usr/src/linux-headers-6.1.0-56-amd64
#   kernel_source_tarball 6.1 -> /usr/src/linux-source-6.1.tar.xz
#   eipfix_cache 6.1        -> ${EIPFIX_CACHE:-$HOME/.cache/enclave_ipfix}/6.1 (created)
#
# Every function prints nothing and returns 1 (with a message on stderr) when the
# thing is not installed; `make deps` (tests/lib/deps.sh) installs it.

EIPFIX_CACHE=${EIPFIX_CACHE:-${HOME:-/root}/.cache/enclave_ipfix}

_kernel_check_version() {
	case "$1" in
	6.1|6.12) return 0 ;;
	*) echo "kernels.sh: unsupported kernel version '$1' (want 6.1 or 6.12)" >&2; return 1 ;;
	esac
}

# Newest installed Debian release for VERSION (e.g. 6.1 -> 6.1.0-56-amd64).
# "vmlinuz-6.1.*" does not match 6.12.x: the character after "6.1" must be a dot.
# The generic flavour only: a PREEMPT_RT image (-rt-amd64) on the host is not the one
# the tests are built and run for.
kernel_release() {
	_kernel_check_version "$1" || return 1
	local rel
	rel=$(cd /boot 2>/dev/null && ls -d vmlinuz-"$1".*-amd64 2>/dev/null |
		grep -v -- '-rt-amd64$' | sed 's/^vmlinuz-//' | sort -V | tail -n1)
	if [ -z "$rel" ]; then
		echo "kernels.sh: no /boot/vmlinuz-$1.*-amd64 installed (run: make deps)" >&2
		return 1
	fi
	printf '%s\n' "$rel"
}

kernel_vmlinuz() {
	local rel
	rel=$(kernel_release "$1") || return 1
	printf '/boot/vmlinuz-%s\n' "$rel"
}

kernel_modules_dir() {
	local rel
	rel=$(kernel_release "$1") || return 1
	if [ ! -f "/lib/modules/$rel/modules.dep" ]; then
		echo "kernels.sh: /lib/modules/$rel/modules.dep missing" >&2
		return 1
	fi
	printf '/lib/modules/%s\n' "$rel"
}

kernel_headers_dir() {
	local rel
	rel=$(kernel_release "$1") || return 1
	if [ ! -f "/usr/src/linux-headers-$rel/Makefile" ]; then
		echo "kernels.sh: /usr/src/linux-headers-$rel missing (run: make deps)" >&2
		return 1
	fi
	printf '/usr/src/linux-headers-%s\n' "$rel"
}

kernel_source_tarball() {
	_kernel_check_version "$1" || return 1
	local t=/usr/src/linux-source-$1.tar.xz
	if [ ! -f "$t" ]; then
		echo "kernels.sh: $t missing (run: make deps)" >&2
		return 1
	fi
	printf '%s\n' "$t"
}

# Per-version cache directory (created).
eipfix_cache() {
	_kernel_check_version "$1" || return 1
	mkdir -p "$EIPFIX_CACHE/$1" && printf '%s\n' "$EIPFIX_CACHE/$1"
}

# The kernel source tree of VERSION (Debian's linux-source-VERSION), extracted once
# into the cache; prints its path. Used by the KUnit runner and for checkpatch.pl.
kernel_source_tree() {
	local v=$1 cache tarball src top
	cache=$(eipfix_cache "$v") || return 1
	tarball=$(kernel_source_tarball "$v") || return 1
	src=$cache/linux-source-$v
	(
		flock 8
		if [ ! -f "$src/.eipfix-extracted" ] || [ "$tarball" -nt "$src/.eipfix-extracted" ]; then
			echo "extracting $tarball into $cache (once)" >&2
			rm -rf "$src" "$cache/extract.tmp"
			mkdir -p "$cache/extract.tmp"
			tar -xJf "$tarball" -C "$cache/extract.tmp" || exit 1
			top=$(ls "$cache/extract.tmp")
			mv "$cache/extract.tmp/$top" "$src" && rmdir "$cache/extract.tmp" || exit 1
			touch "$src/.eipfix-extracted"
		fi
	) 8>"$cache/source.lock" || return 1
	echo "$src"
}

# module_build VERSION DIR: builds enclave_ipfix.ko for VERSION's headers in DIR, a copy
# of the module's sources (so that 6.1 and 6.12 builds never clobber each other or the
# repo). Only changed files are copied, so the build stays incremental. Prints the
# module's path; on failure prints the end of DIR/build.log to stderr and returns 1.
module_build() {
	local v=$1 b=$2 repo kdir want f rc
	repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	kdir=$(kernel_headers_dir "$v") || return 1
	mkdir -p "$b"
	(
		flock 9
		_srcfiles() { find kmod include -type f \( -name '*.[chS]' -o -name Kbuild \) ! -name '*.mod.c' 2>/dev/null; }
		# The top-level Makefile holds VERSION, which Kbuild reads.
		want=$(cd "$repo" && { echo Kbuild; echo Makefile; _srcfiles; } | sort -u)
		for f in $want; do
			mkdir -p "$b/$(dirname "$f")"
			cmp -s "$repo/$f" "$b/$f" || cp "$repo/$f" "$b/$f"
		done
		(cd "$b" && _srcfiles | sort) | comm -13 <(printf '%s\n' "$want") - | (cd "$b" && xargs -r rm -f)
		make -C "$kdir" M="$b" modules >"$b/build.log" 2>&1
		rc=$?
		[ $rc -eq 0 ] || tail -n 30 "$b/build.log" >&2
		grep -E 'warning:|error:' "$b/build.log" >&2
		exit $rc
	) 9>"$b.lock" || return 1
	echo "$b/enclave_ipfix.ko"
}
