#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# e2e-init: systemd
# t_systemd: the README's host install under a real systemd (the host's, as PID 1 of the
# guest: tests/e2e/run.sh boots it in a VM of its own with EIPFIX_VM_INIT=systemd).
#  preboot (before systemd starts, as a package would have been installed before a
#     reboot): run.sh's `make install DESTDIR=` of the module it built and depmod of the
#     kernel's module tree with ours (/results/install), unpacked into the guest's root.
#  run (as a service once basic.target is up):
#     systemd-modules-load loaded the module at boot from modules-load.d; `systemctl
#     enable --now enclave-ipfix-agent` starts the agent (Type=notify: READY=1 once
#     registered); records reach the profile's collector; an edited profile takes effect
#     with `systemctl reload`; SIGSTOP hangs the agent and the watchdog (WatchdogSec=30s)
#     has systemd kill and restart it; `journalctl -p warning` shows the agent's warnings
#     and none of its info lines; `systemctl disable --now` stops it.
. "$(dirname "$0")/lib.sh"
PHASE=${1:-}
UNIT=enclave-ipfix-agent.service
PROFILE=/etc/enclave/profiles/Universe.profile
KREL=$(uname -r)

if [ "$PHASE" = preboot ]; then
	[ "$(cat /proc/1/comm)" != systemd ] || bail "preboot must run before systemd"
	check "the staged install unpacks into /" \
		bash -c "tar -C '$EIPFIX_RESULTS/install' -cf - . | tar -C / -xf - --keep-directory-symlink"
	check_match "modules.dep has enclave_ipfix in updates/" '^updates/enclave_ipfix\.ko:' \
		grep '^updates/enclave_ipfix' "/lib/modules/$KREL/modules.dep"
	check "modules-load.d entry installed" test -f /usr/lib/modules-load.d/enclave_ipfix.conf
	check "unit installed" test -f /usr/lib/systemd/system/$UNIT
	check "module installed in updates/" test -f "/lib/modules/$KREL/updates/enclave_ipfix.ko"
	check "userctl installed" test -x /usr/sbin/userctl
	check_fail "the module is not loaded before the boot" mod_loaded
	exit $((_eipfix_fail > 0))
fi
[ "$PHASE" = run ] || bail "usage: t_systemd.sh preboot|run (under tests/e2e/run.sh's systemd boot)"

# --- the boot --------------------------------------------------------------------
check_match "PID 1 is systemd" '^systemd$' cat /proc/1/comm
check "systemd-modules-load.service ran" systemctl is-active --quiet systemd-modules-load.service
check "enclave_ipfix loaded at boot by modules-load.d" mod_loaded
check_match "systemd-modules-load logged it" "Inserted module 'enclave_ipfix'" \
	journalctl -b --no-pager -o cat -t systemd-modules-load
check_fail "the agent is not running before it is enabled" systemctl is-active --quiet $UNIT

# --- enable --now: records reach the profile's collector ---------------------------------
check "topology: tap0 <-> peer" topo_up
collector() {	# collector NAME PORT: the listener writes $W/NAME.ipfix
	python3 "$DEC" listen 127.0.0.1 "$2" "$W/$1" >"$W/$1.log" 2>&1 &
	for _ in $(seq 200); do [ -e "$W/$1.ready" ] && return 0; sleep 0.1; done
	return 1
}
check "collector on 127.0.0.1:4739 (the installed profile's)" collector c4739 4739
check "systemctl enable --now $UNIT" systemctl enable --now $UNIT
check "the unit is active (READY=1 received)" systemctl is-active --quiet $UNIT
check "the unit is enabled" systemctl is-enabled --quiet $UNIT
PID=$(systemctl show -P MainPID $UNIT)
check_match "userctl status names the unit's main process ($PID) as the agent" "\"pid\": $PID\b" \
	"$USERCTL" status --json
gen=$("$USERCTL" status --json | jq -r .config.generation)
note "configuration generation $gen"

# The installed profile: IdleTimeout 15 s. A new profile (the operator's edit): a second
# collector that never resolves (its warning goes to the journal) and a 1 s idle timeout.
records_at() {	# records_at NAME: flow records ipfixDump decodes from $W/NAME.ipfix
	python3 "$DEC" ipfixdump "$W/$1.ipfix" 2>/dev/null | grep -c '^{"src"' || true
}
check "ping IPv4 across tap0" ping -c 3 -i 0.2 -W 2 "$PEER_V4"
sed -e 's|"IdleTimeout": 15000|"IdleTimeout": 1000|' \
	-e 's|"IpFixCollectors": \["Udp/127.0.0.1:4739"\]|"IpFixCollectors": ["Udp/127.0.0.1:4739", "Udp/collector.invalid:4739"]|' \
	"$PROFILE" >"$W/edited.profile"
check "the edit changed the profile" bash -c "! cmp -s '$W/edited.profile' '$PROFILE'"
cp "$W/edited.profile" "$PROFILE"
check "systemctl reload $UNIT" systemctl reload $UNIT
check_match "the reload pushed generation $((gen + 1))" "^$((gen + 1))\$" \
	bash -c "'$USERCTL' status --json | jq -r .config.generation"
check "the agent did not restart for the reload" test "$(systemctl show -P MainPID $UNIT)" = "$PID"
# The reconfiguration ends the ping's flow (forced end); more flows end after 1 s idle.
check "ping IPv6 across tap0" ping -6 -c 3 -i 0.2 -W 2 "$PEER_V6"
end=$((SECONDS + 30))
while [ "$(records_at c4739)" -lt 2 ] && [ $SECONDS -lt $end ]; do sleep 1; done
check_match "records of the IPv4 and IPv6 pings at the collector (ipfixDump)" '^([2-9]|[1-9][0-9]+)$' records_at c4739

# --- journald: syslog priorities -----------------------------------------------------
jn() { journalctl -b --no-pager -u $UNIT "$@"; }
check_match "journalctl -p warning has the agent's warning about the unresolved collector" \
	'collector\.invalid' jn -p warning -o cat
check_fail "journalctl -p warning has none of its info lines" \
	bash -c "journalctl -b --no-pager -u $UNIT -p warning -o cat | grep -E 'running \\(pid|configuration [0-9]+:'"
check_match "journalctl -p info has its info lines" 'running \(pid' jn -p info -o cat
check_fail "no log line kept a literal <N> priority prefix" \
	bash -c "journalctl -b --no-pager -u $UNIT -o cat | grep -E '^<[0-7]>'"
check_match "the agent's warning is stored with PRIORITY 4" '"PRIORITY":"4"' \
	bash -c "journalctl -b --no-pager -u $UNIT -o json | grep 'records are not sent to it until it resolves'"
check_match "userctl check-config of the edited profile: OK, with a warning naming the collector" \
	'warning: collector "Udp/collector.invalid:4739": cannot resolve.*' "$USERCTL" check-config

# --- the watchdog restarts a hung agent -------------------------------------------------
restarts=$(systemctl show -P NRestarts $UNIT)
check "SIGSTOP the agent (pid $PID)" kill -STOP "$PID"
start=$SECONDS
# WatchdogSec=30s, then SIGABRT, RestartSec=5s: a new main process within ~40 s.
end=$((SECONDS + 120))
while [ $SECONDS -lt $end ]; do
	npid=$(systemctl show -P MainPID $UNIT)
	[ "$npid" != 0 ] && [ "$npid" != "$PID" ] && systemctl is-active --quiet $UNIT && break
	sleep 1
done
note "a new agent after $((SECONDS - start)) s"
check "systemd restarted the agent (new pid $npid, was $PID)" \
	bash -c "[ '$npid' != 0 ] && [ '$npid' != '$PID' ] && systemctl is-active --quiet $UNIT"
check_match "NRestarts went up (was $restarts)" "^$((restarts + 1))\$" systemctl show -P NRestarts $UNIT
check_match "the journal says the watchdog fired" 'Watchdog timeout' \
	journalctl -b --no-pager -o cat -u $UNIT
check "the stopped agent is gone" bash -c "! kill -0 $PID 2>/dev/null"
check_match "userctl status names the new agent" "\"pid\": $npid\b" "$USERCTL" status --json
before=$(records_at c4739)
check "ping IPv4 across tap0 again" ping -c 3 -i 0.2 -W 2 "$PEER_V4"
end=$((SECONDS + 30))
while [ "$(records_at c4739)" -le "$before" ] && [ $SECONDS -lt $end ]; do sleep 1; done
check "the new agent exports (records at the collector: $before -> $(records_at c4739))" \
	test "$(records_at c4739)" -gt "$before"

# --- disable --now ------------------------------------------------------------------
check "systemctl disable --now $UNIT" systemctl disable --now $UNIT
check_fail "the unit is inactive" systemctl is-active --quiet $UNIT
check_fail "the unit is disabled" systemctl is-enabled --quiet $UNIT
check_match "the agent stopped cleanly (journal)" 'stopping' jn -o cat
check "topology down" topo_down
check "kernel log clean" dmesg_clean
finish
