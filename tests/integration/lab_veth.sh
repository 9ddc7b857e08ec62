#!/bin/bash
# vnetlat lab, veth topology (root): up, show (text + JSON), ping both ways over
# IPv4 and IPv6 via `lab exec`, double up, --dry-run run by hand, kill -9 of a
# lab user and of `lab up` itself, then down: nothing may be left behind, and
# nothing that is not the lab's may be touched.
# Usage: bash lab_veth.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: lab_veth.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
STATE_DIR=$VNL_STATE_DIR TMP=$VNL_TMP
# Names unique to this run (lab names are at most 10 characters).
L=lv$$ D=ld$$ K=lk$$ F=lf$$
VNL_LABS=("$L" "$D" "$K" "$F")

# expect_rc RC DESCRIPTION COMMAND...: exit status must be RC.
expect_rc() {
	local want=$1 what=$2 rc; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
	if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else
		fail "$what: exit $rc, wanted $want"; sed 's/^/    /' "$TMP/out" "$TMP/err"; fi
}
netns_of() { ip netns list | awk '{print $1}' | grep -E "^$1-(a|b)\$" | sort | tr '\n' ' '; }
nothing_left() {
	local lab=$1 what=$2
	[ -z "$(netns_of "$lab")" ] && ok "$what: no namespace of $lab" || fail "$what: namespaces left: $(netns_of "$lab")"
	[ ! -e "$STATE_DIR/$lab.state" ] && ok "$what: no state file" || fail "$what: state file $STATE_DIR/$lab.state left"
	[ ! -e "$STATE_DIR/$lab.info" ] && [ ! -e "$STATE_DIR/$lab.tmp" ] && ok "$what: no lab info file" \
		|| fail "$what: lab info file left"
}

echo "== usage"
expect_rc 0 "lab --help" "$VNL" lab --help
for sub in up down show exec; do
	grep -q "vnetlat lab $sub" "$TMP/out" || fail "--help does not show 'lab $sub'"
done
expect_rc 0 "lab up --help" "$VNL" lab up --help
expect_rc 2 "bad lab name" "$VNL" lab up veth --name Bad_Name
grep -q "bad lab name" "$TMP/err" && ok "bad name message: $(head -1 "$TMP/err")" || fail "no bad name message"
expect_rc 2 "name longer than 10" "$VNL" lab up veth --name abcdefghijk
expect_rc 2 "unknown topology" "$VNL" lab up warp --name "$L"
expect_rc 2 "no topology" "$VNL" lab up --name "$L"
expect_rc 2 "exec without --" "$VNL" lab exec a --name "$L"
expect_rc 2 "not root" setpriv --reuid=65534 --regid=65534 --clear-groups "$VNL" lab up veth --name "$L"
grep -q "needs root" "$TMP/err" && ok "not root message: $(head -1 "$TMP/err")" || fail "no 'needs root' message"
[ -z "$(netns_of "$L")" ] && [ ! -e "$STATE_DIR/$L.state" ] && ok "bad usage changed nothing" || fail "bad usage changed something"

echo "== up, show, exec"
expect_rc 0 "lab up veth --name $L" "$VNL" lab up veth --name "$L"
[ "$(netns_of "$L")" = "$L-a $L-b " ] && ok "ip netns list shows $L-a and $L-b" || fail "ip netns list: '$(netns_of "$L")'"
expect_rc 0 "lab show --name $L" "$VNL" lab show --name "$L"
for want in "node a (remote): netns $L-a" "node b (local): netns $L-b" 192.0.2.1/24 2001:db8::1/64 \
	192.0.2.2/24 2001:db8::2/64 "wire0    up"; do
	grep -qF "$want" "$TMP/out" || fail "show text lacks '$want'"
done
ok "show text: $(grep -c wire0 "$TMP/out") wire0 lines with addresses"
expect_rc 0 "lab show (all labs) lists $L" "$VNL" lab show
grep -q "^lab $L: veth" "$TMP/out" || fail "show without --name does not list $L"
expect_rc 0 "lab show --json --name $L" "$VNL" lab show --json --name "$L"
cp "$TMP/out" "$TMP/show.json"
check "show JSON: nodes, wire0 up, addresses, locally administered MACs" python3 - "$TMP/show.json" "$L" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1])); lab = sys.argv[2]
(l,) = doc["labs"]
assert l["name"] == lab and l["topology"] == "veth" and l["complete"], l
want = {"a": ("remote", "192.0.2.1/24", "2001:db8::1/64"), "b": ("local", "192.0.2.2/24", "2001:db8::2/64")}
macs = set()
for n in l["nodes"]:
    role, v4, v6 = want.pop(n["node"])
    assert n["role"] == role and n["netns"] == lab + "-" + n["node"] and n["present"], n
    (w,) = [i for i in n["interfaces"] if i["name"] == "wire0"]
    assert w["up"] and w["kind"] == "veth" and v4 in w["addresses"] and v6 in w["addresses"], w
    first = int(w["mac"].split(":")[0], 16)
    assert first & 2 and not first & 1, w["mac"]
    macs.add(w["mac"])
    (lo,) = [i for i in n["interfaces"] if i["name"] == "lo"]
    assert lo["up"], lo
assert not want and len(macs) == 2
PY
check "ping a -> b (IPv4)" "$VNL" lab exec a --name "$L" -- ping -c 2 -i 0.2 -W 2 192.0.2.2
check "ping b -> a (IPv4)" "$VNL" lab exec b --name "$L" -- ping -c 2 -i 0.2 -W 2 192.0.2.1
check "ping a -> b (IPv6)" "$VNL" lab exec remote --name "$L" -- ping -6 -c 2 -i 0.2 -W 2 2001:db8::2
check "ping b -> a (IPv6)" "$VNL" lab exec "$L-b" -- ping -6 -c 2 -i 0.2 -W 2 2001:db8::1
expect_rc 7 "exec returns the command's status" "$VNL" lab exec a --name "$L" -- sh -c 'exit 7'
expect_rc 127 "exec of a missing command" "$VNL" lab exec a --name "$L" -- /nonexistent/cmd
check "exec sees the lab's interfaces in /sys" bash -c \
	"'$VNL' lab exec a --name '$L' -- ls /sys/class/net | grep -qx wire0"
if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ]; then
	check "exec keeps the BPF filesystem on /sys/fs/bpf" bash -c \
		"[ \"\$('$VNL' lab exec a --name '$L' -- stat -f -c %T /sys/fs/bpf)\" = bpf_fs ]"
fi
expect_rc 2 "exec on an unknown node" "$VNL" lab exec zz --name "$L" -- true

echo "== double up"
sum_before=$(md5sum "$STATE_DIR/$L.state")
links_before=$(ip -n "$L-a" -o link; ip -n "$L-b" -o link)
expect_rc 1 "second lab up $L fails" "$VNL" lab up veth --name "$L"
grep -q "exists already" "$TMP/err" && ok "message: $(head -1 "$TMP/err")" || fail "no 'exists already' message"
[ "$sum_before" = "$(md5sum "$STATE_DIR/$L.state")" ] && ok "state file unchanged" || fail "state file changed"
[ "$links_before" = "$(ip -n "$L-a" -o link; ip -n "$L-b" -o link)" ] && ok "links unchanged" || fail "links changed"
check "lab still works after the failed up" "$VNL" lab exec a --name "$L" -- ping -c 1 -W 2 192.0.2.2

echo "== down --dry-run, then kill -9 of lab users, then down"
expect_rc 0 "lab down --dry-run" "$VNL" lab down --name "$L" --dry-run
for want in "ip netns del $L-a" "ip netns del $L-b" "ip -n $L-a link del wire0"; do
	grep -qF "$want" "$TMP/out" || fail "down --dry-run lacks '$want'"
done
[ "$(netns_of "$L")" = "$L-a $L-b " ] && [ -e "$STATE_DIR/$L.state" ] && ok "down --dry-run changed nothing" \
	|| fail "down --dry-run changed something"
mac_a=$(ip -n "$L-a" -o link show wire0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
"$VNL" lab exec a --name "$L" -- sleep 100 & killed=$!; VNL_BG+=($!)
"$VNL" lab exec b --name "$L" -- sleep 100 & still=$!; VNL_BG+=($!)
for _ in $(seq 50); do
	[ "$(ip netns pids "$L-a" | wc -l)" -ge 1 ] && [ "$(ip netns pids "$L-b" | wc -l)" -ge 1 ] && break
	sleep 0.05
done
[ "$(ip netns pids "$L-a")" = "$killed" ] && ok "sleep runs inside $L-a (pid $killed)" || fail "sleep not in $L-a"
kill -9 "$killed"; wait "$killed" 2>/dev/null
expect_rc 0 "lab down (one user killed -9, one still running)" "$VNL" lab down --name "$L"
nothing_left "$L" "down"
kill -0 "$still" 2>/dev/null && fail "the process still inside $L-b was not stopped" || ok "down stopped the process still inside $L-b"
wait "$still" 2>/dev/null
! ip -o link | grep -q "$mac_a" && ! ip -all netns exec ip -o link 2>/dev/null | grep -q "$mac_a" \
	&& ok "no link with the lab's MAC ($mac_a) anywhere" || fail "a link with MAC $mac_a is left"
expect_rc 1 "down of an absent lab" "$VNL" lab down --name "$L"
grep -q "there is no lab $L" "$TMP/err" && ok "message: $(head -1 "$TMP/err")" || fail "no clear message"
expect_rc 1 "show of an absent lab" "$VNL" lab show --name "$L"

echo "== --dry-run, run by hand in a fresh environment"
expect_rc 0 "lab up veth --dry-run" "$VNL" lab up veth --name "$D" --dry-run
cp "$TMP/out" "$TMP/dry.sh"
sed 's/^/    /' "$TMP/dry.sh"
[ -z "$(netns_of "$D")" ] && [ ! -e "$STATE_DIR/$D.state" ] && ok "--dry-run changed nothing" || fail "--dry-run changed something"
grep -v '^#' "$TMP/dry.sh" | grep -qv '^ip ' && fail "--dry-run printed something other than ip commands"
check "the printed commands build the lab" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin bash -e "$TMP/dry.sh"
check "hand-built lab: ping a -> b (IPv4)" ip netns exec "$D-a" ping -c 1 -W 2 192.0.2.2
check "hand-built lab: ping b -> a (IPv6)" ip netns exec "$D-b" ping -6 -c 1 -W 2 2001:db8::1
check "lab exec works on the hand-built lab" "$VNL" lab exec a --name "$D" -- ping -c 1 -W 2 192.0.2.2
expect_rc 1 "down of a hand-built lab (no state file) touches nothing" "$VNL" lab down --name "$D"
[ "$(netns_of "$D")" = "$D-a $D-b " ] && ok "hand-built namespaces untouched" || fail "down removed namespaces it did not make"
check "removed by hand" bash -c "ip netns del '$D-a' && ip netns del '$D-b'"
[ -z "$(netns_of "$D")" ] && ok "hand-built lab gone" || fail "hand-built lab left"

echo "== a namespace that is not the lab's is never touched"
# up makes $F-a, then finds a foreign $F-b in its way: it must roll back $F-a only.
ip netns add "$F-b"
expect_rc 1 "up with a foreign $F-b in the way" "$VNL" lab up veth --name "$F"
grep -q "exists already" "$TMP/err" && ok "message: $(head -1 "$TMP/err")" || fail "no clear message"
grep -q "removed again" "$TMP/err" && ok "message: $(sed -n 2p "$TMP/err")" || fail "no roll-back message"
[ -e "/run/netns/$F-b" ] && ok "foreign $F-b untouched" || fail "foreign $F-b was removed"
[ ! -e "/run/netns/$F-a" ] && [ ! -e "$STATE_DIR/$F.state" ] && ok "the failed up rolled back: no $F-a, no state file" \
	|| fail "the failed up left objects"
ip netns del "$F-b"
expect_rc 0 "up $F" "$VNL" lab up veth --name "$F"
ip netns del "$F-b" && ip netns add "$F-b"   # replaced behind the lab's back by a namesake
expect_rc 0 "down $F with $F-b replaced by someone else's namesake" "$VNL" lab down --name "$F"
[ -e "/run/netns/$F-b" ] && ok "the namesake $F-b is left alone" || fail "the namesake $F-b was removed"
[ ! -e "/run/netns/$F-a" ] && [ ! -e "$STATE_DIR/$F.state" ] && ok "the lab's own $F-a and state file are gone" \
	|| fail "$F-a or the state file is left"
ip netns del "$F-b"

echo "== kill -9 of lab up mid-way, then down"
cut=0
for delay in 0.001 0.002 0.003 0.004 0.005 0.006 0.008 0.012 0.02; do
	"$VNL" lab up veth --name "$K" >/dev/null 2>&1 & up=$!
	sleep "$delay"
	kill -9 "$up" 2>/dev/null; wait "$up" 2>/dev/null
	if [ -e "$STATE_DIR/$K.state" ]; then
		objs=$(($(wc -l <"$STATE_DIR/$K.state") - 1))
		[ "$objs" -lt 3 ] || [ "$(ip -n "$K-b" -o addr 2>/dev/null | grep -c 192.0.2.2)" = 0 ] && cut=$((cut + 1))
		"$VNL" lab down --name "$K" >"$TMP/out" 2>&1 || { fail "down after kill -9 at ${delay}s"; cat "$TMP/out"; }
	fi
	nothing_left "$K" "kill -9 after ${delay}s then down" >"$TMP/left"
	grep -q FAIL "$TMP/left" && { cat "$TMP/left"; vnl_failed=1; }
done
ok "kill -9 of up at 9 delays, $cut cut mid-way: down left no namespace and no state file each time"

vnl_finish
