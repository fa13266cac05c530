#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_load: the module loads, registers its IPv4 and IPv6 netfilter hooks, lets traffic
# through, and unloads cleanly with nothing in the kernel log.
. "$(dirname "$0")/lib.sh"

check "module file exists ($EIPFIX_KO)" test -f "$EIPFIX_KO" || bail "no module to test"
# Before the module is loaded (the first thing a new user may try): a sentence, exit 3.
for cmd in status flows "push-config $EIPFIX_REPO/userctl/Universe.profile" agent; do
	check_match "without the module, userctl ${cmd%% *} says so and exits 3" \
		'the enclave_ipfix kernel module is not loaded' \
		sh -c "timeout 10 $EIPFIX_USERCTL $cmd 2>&1; test \$? -eq 3"
done
hooktrace_start || note "cannot trace hook registration on this kernel"
check "insmod $(basename "$EIPFIX_KO")" mod_load || bail "module does not load"
check "module is listed in /proc/modules" mod_loaded
check "topology: namespace peer, veth tap0 <-> peer" topo_up

# The module registers its hooks in a namespace once a config there meters something.
cat >"$W/profile.json" <<'JSON'
{
  "Name": "t_load",
  "FlowMetadata": {
    "IpFixCollectors": ["Udp/127.0.0.1:4739"],
    "Direction": "Both",
    "Enabled": true,
    "Interfaces": ["tap0"]
  }
}
JSON
check "userctl is built ($EIPFIX_USERCTL)" test -x "$EIPFIX_USERCTL"
check "userctl push-config (metering tap0)" "$EIPFIX_USERCTL" push-config "$W/profile.json"

hooks=$(nf_hooks_of)
note "hooks registered by $EIPFIX_MODULE:"
printf '%s\n' "$hooks" | sed 's/^/#   /'
if nft_hooks_supported; then
	check_match "nft list hooks shows IPv4 hooks of [$EIPFIX_MODULE]" '^ip ' echo "$hooks"
	check_match "nft list hooks shows IPv6 hooks of [$EIPFIX_MODULE]" '^ip6 ' echo "$hooks"
else
	# NFPROTO_IPV4 = 2, NFPROTO_IPV6 = 10
	check_match "registered IPv4 netfilter hooks (kprobe)" '^register .* pf=2 ' echo "$hooks"
	check_match "registered IPv6 netfilter hooks (kprobe)" '^register .* pf=10 ' echo "$hooks"
fi

check "ping IPv4 tap0 -> peer" ping -c 3 -i 0.2 -W 2 "$PEER_V4"
check "ping IPv6 tap0 -> peer" ping -6 -c 3 -i 0.2 -W 2 "$PEER_V6"
check "ping IPv4 peer -> tap0" in_peer ping -c 3 -i 0.2 -W 2 "$TAP0_V4"
check "ping IPv6 peer -> tap0" in_peer ping -6 -c 3 -i 0.2 -W 2 "$TAP0_V6"
check "namespace peer deletes with the module loaded" topo_down

check "rmmod $EIPFIX_MODULE" mod_unload
check_fail "module is gone from /proc/modules" mod_loaded
if nft_hooks_supported; then
	check "no hooks of [$EIPFIX_MODULE] left (nft list hooks)" test -z "$(nf_hooks_of)"
else
	check "every registered hook was unregistered (kprobe)" test \
		"$(nf_hooks_of | grep -c '^register ')" = "$(nf_hooks_of | grep -c '^unregister ')"
fi
check "kernel log clean (no WARNING/BUG/Oops/lockdep)" dmesg_clean
finish
