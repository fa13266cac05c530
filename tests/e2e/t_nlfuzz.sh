#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# t_nlfuzz: hostile generic netlink. A bounded, seeded fuzzer (nlfuzz.py) sends random
# and mutated requests to the enclave_ipfix family - every command incl. dumps, wrong
# types, lengths and nesting, lying headers, huge rule sets, out-of-range values - while
# traffic crosses tap0 and an agent is attached. Then:
#  - the kernel log is clean (no oops/WARN/KASAN/UBSAN) and the family still answers;
#  - the module still works: push-config of a valid profile, a ping is metered and
#    reaches the agent, the flow shows in `userctl flows`;
#  - a profile with 3000 rules (more than one 64 KiB nest holds) is either in force
#    with every rule or refused with nothing changed, never pushed without its rules;
#  - rmmod is clean.
# EIPFIX_NLFUZZ_ITERATIONS (default 1500) and EIPFIX_NLFUZZ_SEED (default 1) reproduce a run.
. "$(dirname "$0")/lib.sh"

trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT
ITER=${EIPFIX_NLFUZZ_ITERATIONS:-1500}
SEED=${EIPFIX_NLFUZZ_SEED:-1}

check "insmod" mod_load || bail "module does not load"
check "topology up" topo_up || bail "no topology"
cat >"$W/good.json" <<JSON
{ "FlowMetadata": { "IpFixCollectors": ["Udp/127.0.0.1:4739"], "Interfaces": ["tap0"],
  "IdleTimeout": 60000 } }
JSON
check "push-config (valid)" "$USERCTL" push-config "$W/good.json"
"$USERCTL" agent --verbose >"$W/agent.log" 2>&1 &
AGENT=$!
# Traffic during the fuzzing, so that config changes meet live flows and records.
in_peer ping -q -i 0.05 "$TAP0_V4" >/dev/null 2>&1 &
P1=$!
ping -q -i 0.05 "$PEER_V4" >/dev/null 2>&1 &
P2=$!

python3 "$REPO/tests/e2e/nlfuzz.py" --iterations "$ITER" --seed "$SEED" --report-every 250 \
	>"$W/nlfuzz.txt" 2>&1
rc=$?
check_match "fuzzer: $ITER requests (seed $SEED), and the family still answers" \
	'^nlfuzz: [0-9]+ sent' sh -c "tail -n 3 '$W/nlfuzz.txt'; exit $rc"
kill "$P1" "$P2" 2>/dev/null
check "kernel log clean after fuzzing" dmesg_clean

# The module still works.
kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null
check "push-config (valid) after fuzzing" "$USERCTL" push-config "$W/good.json"
"$USERCTL" agent --verbose >"$W/agent2.log" 2>&1 &
AGENT=$!
wait_log "$W/agent2.log" 'running \(pid' 30 >/dev/null
check "status reads the counters" "$USERCTL" status --json
check "ping across tap0" ping -c 3 -i 0.2 -W 2 "$PEER_V4"
check_match "the ping is metered (userctl flows)" 'tap0 +out +icmp' "$USERCTL" flows
check "push-config (valid) ends the flows into records" sh -c \
	"sed 's/60000/1000/' '$W/good.json' >'$W/good2.json' && '$USERCTL' push-config '$W/good2.json'"
wait_log "$W/agent2.log" 'record: .* proto 1 packets 3 ' 30 >/dev/null
check_match "the agent got the ping's record" 'record: .* proto 1 packets 3 ' cat "$W/agent2.log"

# More rules than one nest (16-bit length) holds: all in force, or refused; never truncated.
python3 - "$W/big.json" <<'PY'
import json, sys
rules = [{"Action": "Deny", "Direction": "Both", "Peer": "198.51.100.%d/32" % (i % 250),
          "Protocol": "Udp", "Ports": "%d" % (1000 + i), "Description": "rule %d" % i}
         for i in range(3000)]
json.dump({"FlowMetadata": {"IpFixCollectors": ["Udp/127.0.0.1:4799"], "Interfaces": ["tap0"]},
           "AccessControl": {"Default": "Allow", "Rules": rules}}, open(sys.argv[1], "w"))
PY
"$USERCTL" push-config "$W/big.json" >"$W/big.push.txt" 2>&1
echo "exit $?" >>"$W/big.push.txt"
"$USERCTL" status --json >"$W/big.status.json"
check "push-config of 3000 rules: all of them in force, or refused with nothing changed" \
	python3 - "$W/big.push.txt" "$W/big.status.json" <<'PY'
import json, sys
pushed = open(sys.argv[1]).read().strip().endswith("exit 0")
cfg = json.load(open(sys.argv[2]))["config"]
cols, rules = cfg["FlowMetadata"]["IpFixCollectors"], cfg["AccessControl"]["Rules"]
print("push %s; in force: collectors %s, %d rules" % ("succeeded" if pushed else "refused", cols, len(rules)))
if pushed:
    sys.exit(0 if cols == ["Udp/127.0.0.1:4799"] and len(rules) == 3000 else 1)
sys.exit(0 if cols == ["Udp/127.0.0.1:4739"] else 1)
PY

kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null
check "topology down" topo_down
check "rmmod" mod_unload
check "kernel log clean" dmesg_clean
finish
