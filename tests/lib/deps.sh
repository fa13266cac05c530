#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/lib/deps.sh: installs every Debian package that building enclave_ipfix and
# running all its tests needs (Debian 12 "bookworm", amd64). Idempotent: only what is
# missing is installed, and `apt-get update` runs only when apt does not know a package
# (or a download from stale lists failed).
#
#   tests/lib/deps.sh            install what is missing
#   tests/lib/deps.sh --list     print the resolved package list and exit
#   tests/lib/deps.sh --check    exit 1 (listing them) if anything is missing
set -u -o pipefail

PKGS=(
	# build: module (Kbuild, sparse, W=1), userctl, dkms packaging
	build-essential bc flex bison libelf-dev libssl-dev sparse kmod cpio dkms pkg-config
	libjansson-dev libnl-3-dev libnl-genl-3-dev libsystemd-dev
	# userspace unit tests
	libcmocka-dev
	# kernels: Debian's 6.1 (via the meta packages) and 6.12 (resolved below), their
	# sources for KUnit under UML
	linux-image-amd64 linux-headers-amd64 linux-headers-rt-amd64 linux-source-6.1 linux-source-6.12
	# e2e: the VM and what runs inside it (the guest sees the host's root fs)
	qemu-system-x86 busybox-static iproute2 iputils-ping nftables python3
	tshark nfdump libfixbuf-tools pmacct wireguard-tools ethtool jq
	# make bench: ipt_NETFLOW (built from Debian's iptables-netflow-dkms sources) needs these
	iptables libxtables-dev
)

mode=install
case "${1:-}" in
--list) mode=list ;;
--check) mode=check ;;
"") ;;
*) echo "usage: $0 [--list|--check]" >&2; exit 2 ;;
esac

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps.sh: need root (or sudo) to install packages" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}
candidate() { # prints the candidate version, or nothing if apt does not know it
	LC_ALL=C apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2 }'
}

updated=0
apt_update() {
	[ "$updated" -eq 1 ] && return 0
	echo "deps.sh: apt-get update" >&2
	$SUDO apt-get update -qq || { echo "deps.sh: apt-get update failed" >&2; exit 1; }
	updated=1
}

# The 6.12 kernel packages are versioned (linux-image-6.12.117+deb12-amd64): take the
# one that matches the candidate of linux-source-6.12, so image, headers and the source
# used by KUnit are the same kernel.
resolve_612() {
	local v up name
	v=$(candidate linux-source-6.12)
	if [ -z "$v" ]; then
		apt_update
		v=$(candidate linux-source-6.12)
	fi
	[ -n "$v" ] || { echo "deps.sh: apt knows no linux-source-6.12 (is bookworm-security or bookworm-backports enabled?)" >&2; return 1; }
	up=${v%%-*}                                   # 6.12.117-1~deb12u1 -> 6.12.117
	name="linux-image-${up}+deb12-amd64"
	if [ -z "$(candidate "$name")" ]; then
		# Naming scheme differs: newest linux-image-6.12.*+deb12-amd64 apt knows.
		name=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' 2>/dev/null |
			awk '{print $1}' | sort -V | tail -n1)
		[ -n "$name" ] || { echo "deps.sh: no linux-image-6.12.*+deb12-amd64 for linux-source-6.12 $v" >&2; return 1; }
		up=${name#linux-image-}; up=${up%+deb12-amd64}
	fi
	PKGS+=("linux-image-${up}+deb12-amd64" "linux-headers-${up}+deb12-amd64"
	       "linux-headers-${up}+deb12-rt-amd64")
}

missing=()
for p in "${PKGS[@]}"; do
	installed "$p" || missing+=("$p")
done
# The 6.12 image/headers: resolving needs apt's lists, so only do it when something
# 6.12 might be missing (no 6.12 image+headers installed at all, or source missing).
have612=0
for d in /usr/src/linux-headers-6.12.*+deb12-amd64; do
	[ -f "$d/Makefile" ] && ls /boot/vmlinuz-6.12.*+deb12-amd64 >/dev/null 2>&1 &&
		ls -d /usr/src/linux-headers-6.12.*+deb12-rt-amd64 >/dev/null 2>&1 && have612=1
done
if [ "$mode" = list ] || [ "$have612" -eq 0 ] || [ ${#missing[@]} -gt 0 ]; then
	n=${#PKGS[@]}
	resolve_612 || exit 1
	for p in "${PKGS[@]:$n}"; do installed "$p" || missing+=("$p"); done
fi

if [ "$mode" = list ]; then
	printf '%s\n' "${PKGS[@]}"
	exit 0
fi
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps.sh: all ${#PKGS[@]} packages installed" >&2
	exit 0
fi
if [ "$mode" = check ]; then
	echo "deps.sh: missing: ${missing[*]}" >&2
	exit 1
fi

echo "deps.sh: installing: ${missing[*]}" >&2
# tshark asks whether non-root users may capture; answer no, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections

# Lists are needed if apt has no candidate for a missing package.
for p in "${missing[@]}"; do
	if [ -z "$(candidate "$p")" ]; then apt_update; break; fi
done
install() {
	$SUDO apt-get install -y -q --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}
if ! install "${missing[@]}"; then
	# Stale lists (a 404 for a superseded version): refresh once and retry.
	[ "$updated" -eq 0 ] || exit 1
	apt_update
	install "${missing[@]}" || exit 1
fi
echo "deps.sh: done" >&2
