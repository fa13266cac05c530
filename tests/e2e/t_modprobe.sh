#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_modprobe: the module is used by name, as on a real host.
#  A. The freshly built enclave_ipfix.ko, installed into lib/modules/$(uname -r)/updates
#     with depmod (of a private root: see below), loads with `modprobe enclave_ipfix`;
#     its version equals userctl's, dkms.conf's and the Makefile's; `modprobe -r`
#     unloads it cleanly.
#  B. The README's host install, in the guest's tmpfs: `make install DESTDIR=...
#     DKMS=no MODULE_KO=...` (userctl, man page, unit, modules-load.d, profile, the
#     module into updates/), depmod, modprobe by the modules-load.d entry, `userctl
#     push-config` of the installed profile, the agent started exactly as the systemd
#     unit's ExecStart says (no systemd in the guest), ExecReload, then `make uninstall`.
. "$(dirname "$0")/lib.sh"
KREL=$(uname -r)
AGENT=
trap '[ -n "$AGENT" ] && kill $AGENT 2>/dev/null' EXIT

VERSION=$(sed -n 's/^VERSION := //p' "$REPO/Makefile")
DKMS_VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$REPO/dkms.conf")
UC_VERSION=$("$EIPFIX_USERCTL" --version | awk '{print $NF}')

# --- A. modprobe by name --------------------------------------------------------------
# `depmod -a` over the ~4000 modules of /lib/modules, read over 9p under TCG, takes minutes.
# So the module tree used here is a private root (depmod -b / modprobe -d) holding the
# kernel's module metadata and our module in updates/: the same lookup by name, fast.
MR=/var/tmp/modroot
mkmodroot() {
	rm -rf "$MR"; mkdir -p "$MR/lib/modules/$KREL/updates" &&
	cp /lib/modules/"$KREL"/modules.builtin* /lib/modules/"$KREL"/modules.order "$MR/lib/modules/$KREL/" &&
	mod_deps_copy "$MR"
}
check "module file exists ($EIPFIX_KO)" test -f "$EIPFIX_KO" || bail "no module to test"
check "install into updates/ and depmod (private root $MR)" \
	bash -c "$(declare -f mkmodroot mod_deps mod_deps_copy); MR=$MR KREL=$KREL EIPFIX_KO='$EIPFIX_KO'; mkmodroot && cp '$EIPFIX_KO' $MR/lib/modules/$KREL/updates/ && depmod -b $MR -a $KREL"
KREL_RE=$(sed 's/[.+]/\\&/g' <<<"$KREL")
check_match "modinfo finds enclave_ipfix by name in updates/" "^$MR/lib/modules/$KREL_RE/updates/enclave_ipfix\.ko$" \
	modinfo -b "$MR" -F filename enclave_ipfix
check "modprobe enclave_ipfix" modprobe -d "$MR" enclave_ipfix
check "the module is loaded" mod_loaded
MOD_VERSION=$(modinfo -b "$MR" -F version enclave_ipfix)
check "modinfo version ($MOD_VERSION) = userctl --version ($UC_VERSION)" test "$MOD_VERSION" = "$UC_VERSION"
check "modinfo version ($MOD_VERSION) = dkms.conf PACKAGE_VERSION ($DKMS_VERSION)" test "$MOD_VERSION" = "$DKMS_VERSION"
check "modinfo version ($MOD_VERSION) = Makefile VERSION ($VERSION)" test "$MOD_VERSION" = "$VERSION"
check "/sys/module/enclave_ipfix/version = $VERSION" test "$(cat /sys/module/enclave_ipfix/version 2>/dev/null)" = "$VERSION"
check "userctl talks to it (userctl status)" "$EIPFIX_USERCTL" status
check "modprobe -r enclave_ipfix" modprobe -d "$MR" -r enclave_ipfix
check_fail "the module is gone" mod_loaded

# --- B. the README's host install ------------------------------------------------------
# Under TCG every make/Kbuild run takes minutes, so the module is not built again here:
# `make install DKMS=no MODULE_KO=...` installs the one run.sh built for this kernel, and
# userctl comes built from the host. It installs into DESTDIR=$R (the guest's tmpfs),
# whose lib/modules gets the private depmod of part A; the installed userctl, unit and
# profile are then used from there exactly as on a host. The DKMS add/build/install
# cycle and `make install` itself are proven on the host by tests/pkg/run.sh.
SRC=/var/tmp/enclave_ipfix-src R=/var/tmp/hostroot
rm -rf "$SRC" "$R"; mkdir -p "$SRC/userctl"
cp -a "$REPO/Makefile" "$REPO/dkms.conf" "$SRC/" &&
	cp -a "$REPO"/userctl/*.[ch] "$REPO"/userctl/Makefile "$REPO"/userctl/userctl.8 \
		"$REPO"/userctl/enclave-ipfix-agent.service "$REPO"/userctl/enclave_ipfix.conf \
		"$REPO"/userctl/Universe.profile "$REPO"/userctl/build "$SRC/userctl/" &&
	cp -a "$REPO/include" "$SRC/" || bail "cannot prepare the source tree in $SRC"
# Newer than the sources they were built from.
touch "$SRC"/userctl/build/*.o && touch "$SRC/userctl/build/libuserctl.a" && touch "$SRC/userctl/build/userctl"
start=$SECONDS
check "make install DESTDIR=$R DKMS=no MODULE_KO=(the module built for $KREL)" \
	bash -c "make -C '$SRC' install DESTDIR=$R DKMS=no MODULE_KO='$EIPFIX_KO' >'$W/install.log' 2>&1" ||
	tail -n 30 "$W/install.log" | sed 's/^/#   /'
note "make install took $((SECONDS - start)) s"
for f in /usr/sbin/userctl /usr/share/man/man8/userctl.8 /usr/lib/systemd/system/enclave-ipfix-agent.service \
	/usr/lib/modules-load.d/enclave_ipfix.conf /etc/enclave/profiles/Universe.profile \
	/lib/modules/$KREL/updates/enclave_ipfix.ko; do
	check "installed $f" test -f "$R$f"
done
cp /lib/modules/"$KREL"/modules.builtin* /lib/modules/"$KREL"/modules.order "$R/lib/modules/$KREL/"
mod_deps_copy "$R"
check "depmod of the installed module" depmod -b "$R" -a "$KREL"
# What systemd-modules-load does at boot with the installed entry.
check "modprobe each module of modules-load.d/enclave_ipfix.conf" \
	bash -c "grep -v '^#' $R/usr/lib/modules-load.d/enclave_ipfix.conf | xargs -r -n1 modprobe -d $R"
check "enclave_ipfix is loaded" mod_loaded
check "topology: tap0 <-> peer" topo_up
# The installed profile, at the path the unit and userctl's default use.
mkdir -p /etc/enclave/profiles
cp "$R/etc/enclave/profiles/Universe.profile" /etc/enclave/profiles/Universe.profile
UC=$R/usr/sbin/userctl
check "userctl check-config (default profile)" "$UC" check-config
check "userctl push-config (default profile: the README example)" "$UC" push-config
UNIT=$R/usr/lib/systemd/system/enclave-ipfix-agent.service
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT" | sed "s|^/usr/sbin/userctl|$UC|")
exec_reload=$(sed -n 's/^ExecReload=//p' "$UNIT" | sed "s|^/usr/sbin/userctl|$UC|")
note "ExecStart=$exec_start"
read -ra cmd <<<"$exec_start"
"${cmd[@]}" >"$W/agent.log" 2>&1 &
AGENT=$!
wait_log "$W/agent.log" 'running \(pid' 30 >/dev/null
check "the agent runs as the unit starts it" kill -0 $AGENT
check "ping IPv4 across tap0" ping -c 3 -i 0.2 -W 2 "$PEER_V4"
check_match "userctl status sees the agent" '"pid": '"$AGENT" "$UC" status --json
gen=$("$UC" status --json | grep -oE '"generation": [0-9]+' | grep -oE '[0-9]+$')
read -ra cmd <<<"$exec_reload"
check "ExecReload ($exec_reload)" "${cmd[@]}"
check_match "reload pushed a new configuration generation (was $gen)" "\"generation\": $((gen + 1))" \
	"$UC" status --json
kill -TERM $AGENT; wait $AGENT; arc=$?; AGENT=
check "the agent exits 0 on SIGTERM (exit $arc)" test $arc -eq 0
check "the agent logged no error" test -z "$(grep -i error "$W/agent.log")"
check "topology down" topo_down
check "modprobe -r enclave_ipfix" modprobe -d "$R" -r enclave_ipfix
rm -f /etc/enclave/profiles/Universe.profile
check "make uninstall DESTDIR=$R" bash -c "make -C '$SRC' uninstall DESTDIR=$R >'$W/uninstall.log' 2>&1" ||
	tail -n 20 "$W/uninstall.log" | sed 's/^/#   /'
# (The kernel's own modules put there for depmod, lib/modules/*/kernel/, are the
# kernel's, not installed by us.)
check "uninstall removed every installed file" \
	test -z "$(cd "$R" && find . -type f ! -name 'modules.*' ! -path './lib/modules/*/kernel/*')"
check "kernel log clean" dmesg_clean
finish
