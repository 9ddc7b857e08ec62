#!/bin/bash
# Background load (lib/load) on a veth lab (root): three UDP streams at
# 50 Mbit/s for 3 s between the lab's namespaces reach their rate; IPv6; an
# early stop reports what was sent; a client killed with -9 is reported and the
# rest goes on; addresses outside the documentation ranges are refused; and
# after each run no iperf3 is left in the lab.
# Usage: bash load_veth.sh /path/to/vnetlat   (env VNL_LOAD_CTL: the test driver)
set -uo pipefail
VNL=${1:?usage: load_veth.sh /path/to/vnetlat}
CTL=${VNL_LOAD_CTL:?VNL_LOAD_CTL: path to the load_ctl test driver}
L=jl$$            # lab names are at most 10 characters
A=$L-a B=$L-b     # the lab's namespaces: A 192.0.2.1 (clients), B 192.0.2.2 (servers)
TMP=$(mktemp -d)
BG=()
failed=0

cleanup() {
	local p
	for p in "${BG[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	for ns in "$A" "$B"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	done
	"$VNL" lab down --name "$L" >/dev/null 2>&1
	for ns in "$A" "$B"; do [ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failed=1; }

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (network namespaces)"
	exit 77
fi
command -v iperf3 >/dev/null || { echo "FAIL: iperf3 is not installed (scripts/deps.sh)"; exit 1; }

if ! "$VNL" lab up veth --name "$L" >"$TMP/lab.log" 2>&1; then
	echo "FAIL: lab up veth --name $L"; cat "$TMP/lab.log"; exit 1
fi
ip netns exec "$A" ping -q -c 1 -W 3 192.0.2.2 >/dev/null || echo "note: ping 192.0.2.2 failed"
ip netns exec "$A" ping -q -c 1 -W 3 2001:db8::2 >/dev/null || echo "note: ping 2001:db8::2 failed"

# nothing_left WHAT: no process of ours in either namespace.
nothing_left() {
	local left
	left=$(ip netns pids "$A"; ip netns pids "$B")
	if [ -z "$left" ]; then
		ok "$1: nothing left running in the lab"
	else
		fail "$1: still running in the lab: $(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)")"
	fi
}

# json_check FILE WHAT PYTHON-EXPR: d is the load result (the "json" line of load_ctl).
json_check() {
	if python3 - "$1" "$3" <<'PY'
import json, sys
line = [l for l in open(sys.argv[1]) if l.startswith("json ")][0]
d = json.loads(line[5:])
sys.exit(0 if eval(sys.argv[2], {"d": d}) else 1)
PY
	then ok "$2"; else fail "$2 ($3)"; sed 's/^/    /' "$1"; fi
}

# 1. Three UDP streams at 50 Mbit/s for 3 s: each reaches its rate at the receiver.
start=$(date +%s%N)
"$CTL" "$B" 192.0.2.2 "$A" udp 3 50000000 3 >"$TMP/udp3" 2>&1
rc=$?
took=$((($(date +%s%N) - start) / 1000000))
[ $rc = 0 ] && ok "udp3 at 50M for 3 s: every stream reported" || { fail "udp3: exit $rc"; cat "$TMP/udp3"; }
sed 's/^/    /' "$TMP/udp3" | grep -v '^    json'
json_check "$TMP/udp3" "three streams on ports 5201-5203" \
	"[s['port'] for s in d['streams']] == [5201, 5202, 5203]"
# The rate reached is the machine's: check that the rate asked was passed (nothing
# above it), that each stream moved data and that the total is the sum of the streams.
json_check "$TMP/udp3" "each stream complete, received > 0 and <= 55 Mbit/s (50M asked)" \
	"all(s['complete'] and 0 < s['received_bps'] <= 55e6 and 0 < s['sent_bps'] <= 55e6 for s in d['streams'])"
json_check "$TMP/udp3" "total = the sum of the streams' received" \
	"abs(d['total_bps'] - sum(s['received_bps'] for s in d['streams'])) < 1"
json_check "$TMP/udp3" "each stream sent for its 3 s (-t 3)" "all(s['seconds'] >= 2.9 for s in d['streams'])"
# bounded: the 3 s load, iperf3's start-up (~1 s, more on a loaded machine) and
# lib/load's stop grace (2 s); 20 s means it waited for something it should not
[ "$took" -lt 20000 ] && ok "bounded: start to stop in ${took} ms" || fail "took ${took} ms for a 3 s load, expected < 20000"
nothing_left "udp3"

# 2. IPv6, one stream.
"$CTL" "$B" 2001:db8::2 "$A" udp 1 10000000 1 >"$TMP/udp6" 2>&1
rc=$?
[ $rc = 0 ] && ok "udp over IPv6: reported" || { fail "udp over IPv6: exit $rc"; cat "$TMP/udp6"; }
json_check "$TMP/udp6" "IPv6 stream complete, received > 0 and <= 11 Mbit/s (10M asked)" \
	"d['streams'][0]['complete'] and 0 < d['streams'][0]['received_bps'] <= 11e6"
nothing_left "udp6"

# 3. Stopped after 1 s of a 5 s TCP load (the probe stream ended first): the
# clients report what they sent; stopping does not wait for -t.
start=$(date +%s%N)
"$CTL" --stop-after 1000 "$B" 192.0.2.2 "$A" tcp 1 0 5 >"$TMP/early" 2>&1
rc=$?
took=$((($(date +%s%N) - start) / 1000000))
[ $rc = 0 ] && ok "early stop: reported" || { fail "early stop: exit $rc"; cat "$TMP/early"; }
json_check "$TMP/early" "early stop: not complete, sent > 0 for about 1 s" \
	"not d['streams'][0]['complete'] and d['streams'][0]['sent_bps'] > 0 and d['streams'][0]['seconds'] < 3"
# stopped after 1 s: it did not wait out -t 5 (start-up and the 2 s stop grace aside)
[ "$took" -lt 5000 ] && ok "early stop took ${took} ms (< the 5 s load)" || fail "early stop took ${took} ms, expected < 5000 (the load's -t)"
nothing_left "early stop"

# 4. A client killed with -9 mid-run: reported as such, the other stream is unaffected.
"$CTL" "$B" 192.0.2.2 "$A" udp 2 10000000 3 >"$TMP/crash" 2>&1 &
BG+=($!)
ctl=$!
for _ in $(seq 50); do grep -q started "$TMP/crash" && break; sleep 0.1; done
sleep 0.5
victim=$(for p in $(ip netns pids "$A"); do
	[ "$(cat /proc/$p/comm 2>/dev/null)" = iperf3 ] && grep -q -- '-p.5201' <(tr '\0' ' ' </proc/$p/cmdline) && echo $p
done | head -1)
if [ -n "$victim" ]; then
	kill -9 "$victim"
	ok "killed client $victim (port 5201) with -9"
else
	fail "no iperf3 client for port 5201 found in $A"
fi
wait $ctl
rc=$?
[ $rc = 1 ] && ok "crash: exit 1 (a stream failed)" || { fail "crash: exit $rc, wanted 1"; cat "$TMP/crash"; }
json_check "$TMP/crash" "crash: port 5201 not ok, killed by signal 9" \
	"not d['streams'][0]['ok'] and 'signal 9' in d['streams'][0]['error']"
json_check "$TMP/crash" "crash: port 5202 complete, received > 0 and <= 11 Mbit/s (10M asked)" \
	"d['streams'][1]['complete'] and 0 < d['streams'][1]['received_bps'] <= 11e6"
nothing_left "crash"

# 5. Never outside the lab: addresses outside the documentation ranges are refused.
for addr in 10.1.2.3 8.8.8.8 2001:4860::8888 not-an-address; do
	"$CTL" "$B" "$addr" "$A" udp 1 1000000 1 >"$TMP/refused" 2>&1
	rc=$?
	if [ $rc = 2 ] && grep -q "documentation" "$TMP/refused" && ! grep -q started "$TMP/refused"; then
		ok "load to $addr refused: $(head -1 "$TMP/refused")"
	else
		fail "load to $addr: exit $rc"; cat "$TMP/refused"
	fi
done
nothing_left "refusals"

if [ $failed = 0 ]; then echo "OK: all checks passed"; exit 0; fi
echo "FAILED: see FAIL lines above"
exit 1
