#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/pkg/run.sh: packaging, on the host (this machine builds modules, it cannot load
# them; tests/e2e/t_modprobe.sh loads the installed module in the VM).
#
#   - the version agrees everywhere: Makefile VERSION, dkms.conf, userctl --version
#   - the README's example profile is userctl/Universe.profile, and it validates
#   - every relative link of README.md and docs/*.md names a file (and heading) that exists
#   - `make install DESTDIR=...` lays out every file where docs/install.md says, keeps an
#     edited profile, and `make uninstall DESTDIR=...` removes all it installed
#   - the man page formats without warnings and names every command and option that
#     `userctl <cmd> --help` has; the systemd unit passes systemd-analyze verify
#   - DKMS: `dkms add .`, `dkms build`, `dkms install` for Debian's 6.1 and 6.12 headers
#     (module built, vermagic right, found by name via depmod), `dkms remove` cleans up
#
# Last line: "pkg: N passed, N failed". Needs root (dkms) and `make deps`.
set -u -o pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO" || exit 2
# shellcheck source=../lib/kernels.sh
. "$REPO/tests/lib/kernels.sh"

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
# check DESC CMD...: ok if CMD exits 0; else its output, indented.
check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1); rc=$?
	if [ $rc -eq 0 ]; then ok "$desc"; return 0; fi
	not_ok "$desc"
	echo "#   command: $* (exit $rc)"
	[ -n "$out" ] && printf '%s\n' "$out" | head -n 40 | sed 's/^/#   /'
	return 1
}
finish() {
	echo "pkg: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

T=$(mktemp -d /var/tmp/eipfix-pkg.XXXXXX) || exit 2
NAME=enclave_ipfix
cleanup() {
	dkms remove -m $NAME -v "${VERSION:-0}" --all >/dev/null 2>&1
	rm -rf "/usr/src/$NAME-${VERSION:-0}" "$T"
}
trap cleanup EXIT

# --- the version ------------------------------------------------------------------------
VERSION=$(sed -n 's/^VERSION := //p' Makefile)
DKMS_VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
check "userctl builds" make -s userctl
UC_VERSION=$(userctl/build/userctl --version | awk '{print $NF}')
check "dkms.conf PACKAGE_VERSION ($DKMS_VERSION) = Makefile VERSION ($VERSION)" test "$DKMS_VERSION" = "$VERSION"
check "userctl --version ($UC_VERSION) = Makefile VERSION ($VERSION)" test "$UC_VERSION" = "$VERSION"
check "dkms.conf names the module" grep -q "^PACKAGE_NAME=\"$NAME\"" dkms.conf

# --- the README's example profile ---------------------------------------------------------
# The first ```json block after the "<!-- example-profile -->" marker.
awk '/<!-- example-profile -->/ { m = 1; next } m && /^```json/ { p = 1; next }
	p && /^```/ { exit } p' README.md >"$T/readme.profile"
check "README's example profile is userctl/Universe.profile" diff -u userctl/Universe.profile "$T/readme.profile"
check "userctl check-config accepts it" userctl/build/userctl check-config userctl/Universe.profile
check "README.md and docs/*.md: every relative link resolves (file and #heading)" \
	python3 tests/lib/mdlinks.py README.md docs/*.md

# --- make install DESTDIR=... -----------------------------------------------------------
D=$T/root
check "make install DESTDIR=$D DKMS=yes" make -s install DESTDIR="$D" DKMS=yes
for f in usr/sbin/userctl usr/share/man/man8/userctl.8 \
	usr/lib/systemd/system/enclave-ipfix-agent.service \
	usr/lib/modules-load.d/enclave_ipfix.conf etc/enclave/profiles/Universe.profile \
	usr/src/$NAME-$VERSION/dkms.conf usr/src/$NAME-$VERSION/Kbuild \
	usr/src/$NAME-$VERSION/Makefile usr/src/$NAME-$VERSION/kmod/main.c \
	usr/src/$NAME-$VERSION/include/uapi/linux/enclave_ipfix.h; do
	check "installed /$f" test -f "$D/$f"
done
check "userctl is executable and runs" "$D/usr/sbin/userctl" --version
check "every kmod source is in the DKMS tree" diff -rq kmod "$D/usr/src/$NAME-$VERSION/kmod" -x '*.o' -x '.*.cmd'
check "the unit starts /usr/sbin/userctl agent" grep -q '^ExecStart=/usr/sbin/userctl agent ' \
	"$D/usr/lib/systemd/system/enclave-ipfix-agent.service"
check "modules-load.d entry loads enclave_ipfix" grep -qx "$NAME" "$D/usr/lib/modules-load.d/enclave_ipfix.conf"
check "a staged install ran no dkms" test ! -e "/usr/src/$NAME-$VERSION"
echo '{ "FlowMetadata": { "Enabled": false } }' >"$D/etc/enclave/profiles/Universe.profile"
make -s install DESTDIR="$D" DKMS=yes >"$T/reinstall.log" 2>&1
check "make install again keeps an edited profile" grep -q '"Enabled": false' "$D/etc/enclave/profiles/Universe.profile"
check "make uninstall DESTDIR=$D" make -s uninstall DESTDIR="$D"
check "uninstall keeps the edited profile and removes the rest" \
	test "$(cd "$D" && find . -type f)" = "./etc/enclave/profiles/Universe.profile"
rm -rf "$D"
make -s install DESTDIR="$D" DKMS=yes PREFIX=/usr/local >/dev/null 2>&1
check "PREFIX=/usr/local: userctl in /usr/local/sbin, the unit runs it" \
	grep -q '^ExecStart=/usr/local/sbin/userctl agent' "$D/usr/local/lib/systemd/system/enclave-ipfix-agent.service"
make -s uninstall DESTDIR="$D" PREFIX=/usr/local >/dev/null 2>&1
check "uninstall of an unedited install leaves no file" test -z "$(cd "$D" && find . -type f)"

# --- man page and unit --------------------------------------------------------------------
check "userctl.8 formats without warnings (groff -ww)" \
	test -z "$(groff -man -ww -z userctl/userctl.8 2>&1)"
man_text=$(MANWIDTH=200 man -l userctl/userctl.8 2>/dev/null | col -b)
missing=
for cmd in check-config push-config agent status flows; do
	grep -qF -- "$cmd" <<<"$man_text" || missing+=" $cmd"
	for opt in $(userctl/build/userctl "$cmd" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		grep -qF -- "$opt" <<<"$man_text" || missing+=" $cmd:$opt"
	done
done
for key in $(grep -oE '"[A-Z][A-Za-z]+"' userctl/Universe.profile | tr -d '"' | sort -u) \
	IdleTimeout ObservationDomainId TemplateRefresh MessageSize MaxFlows AllowedFlowRule Peer Ports; do
	grep -qF -- "$key" <<<"$man_text" || missing+=" key:$key"
done
check "the man page covers every command, option and config key${missing:+ (missing:$missing)}" test -z "$missing"
D=$T/unit
make -s install DESTDIR="$D" DKMS=yes >/dev/null 2>&1
# Verified against this system's units, with ExecStart pointing at the staged userctl.
mkdir -p "$T/verify"
sed "s|/usr/sbin/userctl|$D/usr/sbin/userctl|g" "$D/usr/lib/systemd/system/enclave-ipfix-agent.service" \
	>"$T/verify/enclave-ipfix-agent.service"
check "systemd-analyze verify accepts the unit" \
	systemd-analyze verify --man=no "$T/verify/enclave-ipfix-agent.service"

# --- DKMS against Debian's 6.1 and 6.12 headers -----------------------------------------
if ! command -v dkms >/dev/null || [ "$(id -u)" -ne 0 ]; then
	not_ok "dkms: needs root and the dkms package (make deps)"
	finish
fi
if dkms status -m $NAME -v "$VERSION" | grep -q . || [ -e "/usr/src/$NAME-$VERSION" ]; then
	echo "# $NAME $VERSION was already in DKMS on this host: removing it for the test"
	dkms remove -m $NAME -v "$VERSION" --all >/dev/null 2>&1
	rm -rf "/usr/src/$NAME-$VERSION"
fi
check "dkms add . (from the repo)" dkms add "$REPO"
check "dkms status lists $NAME/$VERSION as added" \
	bash -c "dkms status -m $NAME -v $VERSION | grep -q 'added'"
kernels=()
for v in 6.1 6.12; do
	k=$(kernel_release "$v") && kernel_headers_dir "$v" >/dev/null || { not_ok "Debian $v kernel and headers installed (make deps)"; continue; }
	kernels+=("$k")
	start=$(date +%s)
	if check "dkms build -k $k" dkms build -m $NAME -v "$VERSION" -k "$k"; then
		log=/var/lib/dkms/$NAME/$VERSION/build/make.log
		note_w=$(grep -E 'warning:|error:' "$log" 2>/dev/null)
		check "$v: the DKMS build has no compiler warning" test -z "$note_w" || printf '%s\n' "$note_w" | head | sed 's/^/#   /'
	fi
	echo "# dkms build for $k: $(( $(date +%s) - start )) s"
	check "dkms install -k $k" dkms install -m $NAME -v "$VERSION" -k "$k"
	path=$(modinfo -k "$k" -F filename $NAME 2>/dev/null)
	check "$v: depmod finds $NAME by name in updates/dkms ($path)" \
		bash -c "[[ '$path' == /lib/modules/$k/updates/dkms/$NAME.ko* ]]"
	check "$v: modinfo version = $VERSION" test "$(modinfo -k "$k" -F version $NAME 2>/dev/null)" = "$VERSION"
	check "$v: vermagic is $k" bash -c "modinfo -k '$k' -F vermagic $NAME | grep -q '^$k '"
done
check "dkms status shows installed for every kernel" \
	test "$(dkms status -m $NAME -v "$VERSION" | grep -c ': installed')" -eq "${#kernels[@]}"
check "dkms remove --all" dkms remove -m $NAME -v "$VERSION" --all
check "dkms status is empty afterwards" test -z "$(dkms status -m $NAME -v "$VERSION")"
for k in "${kernels[@]}"; do
	check "$k: no $NAME module left, depmod forgot it" \
		bash -c "! ls /lib/modules/$k/updates/dkms/$NAME.ko* 2>/dev/null && ! modinfo -k $k $NAME >/dev/null 2>&1"
done
rm -rf "/usr/src/$NAME-$VERSION"
finish
