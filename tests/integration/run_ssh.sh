#!/bin/bash
# vnetlat run --remote ssh:// (issue 11): two namespaces of a veth lab act as two
# hosts; the remote one (LAB-b, 192.0.2.2) runs its own sshd, started here with a
# host key and an authorized client key made in a temporary directory. On the
# remote no vnetlat is in PATH, so the static one is copied there and removed.
# Both namespaces share one clock, so the true offset is 0: the measured one must
# lie within its stated uncertainty. Then: the connection killed mid-stream, an
# authentication failure and an unreachable host, each a clear error (exit 1) that
# leaves nothing behind.
# Usage: bash run_ssh.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: run_ssh.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
vnl_skip_unless_guest_lab # the static vnetlat, which is what is copied
vnl_need sshd ssh ssh-keygen
SCHEMA=${VNL_SRCDIR:-$(dirname "$0")/../..}/doc/json-schema.json
CHECK=$(dirname "$0")/json_schema_check.py
LAB=vsh$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP
NS_SSHD=${VNL_SRCDIR:-$(dirname "$0")/../..}/scripts/ns-sshd
# stopped before the cleanup removes its directory, also when a check fails
trap 'rc=$?; "$NS_SSHD" stop "$T"; (exit $rc); vnl_cleanup' EXIT
mapfile -t SSH_OPTS < <("$NS_SSHD" start "$LAB-b" 192.0.2.2 "$T") || exit 1
[ ${#SSH_OPTS[@]} = 8 ] || { echo "FAIL: scripts/ns-sshd start gave no options"; exit 1; }
SSHD_PID=$(cat "$T/sshd.pid")

# What the remote side could leave: its private directories, its programs.
leftovers() {
	local d
	for d in /tmp/vnetlat.*; do [ -e "$d" ] && ! grep -qxF "$d" "$T/dirs.before" && echo "$d"; done
	pgrep -af '/tmp/vnetlat\.[A-Za-z0-9]+/vnetlat' || true
	pgrep -P "$SSHD_PID" -a || true
}
ls -d /tmp/vnetlat.* >"$T/dirs.before" 2>/dev/null
# no_leftovers WHAT: within 10 s nothing of the run is left on the remote
no_leftovers() {
	local i
	for i in $(seq 100); do
		[ -z "$(leftovers)" ] && { echo "PASS: $1: nothing left on the remote"; return; }
		sleep 0.1
	done
	echo "FAIL: $1: left on the remote: $(leftovers)"; vnl_failed=1
}

# 1. both directions, 1000 x 1 ms
ip netns exec "$LAB-a" "$VNL" run --remote ssh://root@192.0.2.2 "${SSH_OPTS[@]}" \
	--direction both --count 1000 --interval 1ms --json >"$T/run.json" 2>"$T/run.err"
vnl_check "run --remote exits 0" test $? = 0
cat "$T/run.err"
vnl_check "the static vnetlat was copied (no vnetlat in the remote's PATH)" \
	grep -q "copying the static vnetlat for x86_64" "$T/run.err"
vnl_json_check "$T/run.json" "remote: root@192.0.2.2, vnetlat copied, its arch and kernel" \
	"d['remote']['name'] == 'root@192.0.2.2' and d['remote']['vnetlat']['how'] == 'copied' and d['remote']['vnetlat']['version'].startswith('vnetlat ') and d['remote']['arch'] == '$(uname -m)' and d['remote']['kernel'] == '$(uname -r)'"
vnl_json_check "$T/run.json" "lab topology two-hosts" "d['lab']['topology'] == 'two-hosts'"
for dir in in out; do
	vnl_json_check "$T/run.json" "$dir: 1000 received, 0 lost, every stage" \
		"(lambda x: x['packets']['sent'] == 1000 and x['packets']['received'] == 1000 and x['packets']['lost'] == 0 and all(x['latency'][s]['count'] == 1000 for s in ('wakeup', 'tx_stack', 'path', 'rx_stack', 'one_way')))(d['directions']['$dir'])"
	vnl_json_check "$T/run.json" "$dir: clock method exchanges, estimated, samples before and after" \
		"(lambda c: c['method'] == 'exchanges' and c['sync'] == 'estimated' and c['samples'] >= 32)(d['directions']['$dir']['clock'])"
	vnl_json_check "$T/run.json" "$dir: one clock: |offset| <= uncertainty ($(vnl_json_get "$T/run.json" "d['directions']['$dir']['clock']['offset_ns']") ns, ± $(vnl_json_get "$T/run.json" "d['directions']['$dir']['clock']['uncertainty_ns']") ns)" \
		"(lambda c: abs(c['offset_ns']) <= c['uncertainty_ns'] and c['uncertainty_ns'] > 0)(d['directions']['$dir']['clock'])"
	vnl_json_check "$T/run.json" "$dir: path and one_way carry the clock's uncertainty, the stacks none" \
		"(lambda x: x['latency']['path']['uncertainty_ns'] == x['clock']['uncertainty_ns'] == x['latency']['one_way']['uncertainty_ns'] and x['latency']['tx_stack']['uncertainty_ns'] == 0)(d['directions']['$dir'])"
	vnl_json_check "$T/run.json" "$dir: the ends named: this host and root@192.0.2.2" \
		"(lambda r: sorted([r['local'], r['peer']]) == ['root@192.0.2.2 (192.0.2.2)', 'this host (192.0.2.1)'])(d['directions']['$dir']['run'])"
done
vnl_json_check "$T/run.json" "no ptp4l: method exchanges, and why not ptp" \
	"'ptp: ptp4l does not answer on this host' in d['directions']['in']['clock']['why'] and 'ptp' not in d['directions']['in']['clock']"
python3 "$CHECK" "$SCHEMA" "$T/run.json" '#/$defs/run_document' >"$T/schema.out" 2>&1
vnl_check "run --remote --json matches doc/json-schema.json" test $? = 0
cat "$T/schema.out"
no_leftovers "after the run"

# the text report names the method and the ends
ip netns exec "$LAB-a" "$VNL" run --remote ssh://root@192.0.2.2 "${SSH_OPTS[@]}" \
	--direction out --count 200 --interval 1ms >"$T/run.txt" 2>&1
vnl_check "text run --remote exits 0" test $? = 0
vnl_check "text: the remote clock line" grep -q "clock: remote clock estimated by UDP exchanges" "$T/run.txt"
vnl_check "text: the ends" grep -q "local this host (192.0.2.1) -> remote root@192.0.2.2 (192.0.2.2)" "$T/run.txt"
vnl_check "text: no hops between two hosts, said why" grep -q "hops: not applicable: two hosts" "$T/run.txt"
no_leftovers "after the text run"

# --check: both hosts' clock status side by side, nothing measured
ip netns exec "$LAB-a" "$VNL" run --remote ssh://root@192.0.2.2 "${SSH_OPTS[@]}" --check \
	>"$T/check.txt" 2>"$T/check.err"
vnl_check "--check exits 0" test $? = 0
cat "$T/check.txt"
vnl_check "--check: a row per fact, both hosts" bash -c "for r in vnetlat kernel PREEMPT_RT isolcpus interface PHC ptp4l phc2sys; do grep -qE \"^  \$r \" '$T/check.txt' || exit 1; done"
vnl_check "--check: each host's test interface (wire0 holds 192.0.2.1 and 192.0.2.2)" \
	grep -qE "^  interface +wire0: software stamps +wire0: software stamps" "$T/check.txt"
vnl_check "--check: no ptp4l: said, with the method run would use" \
	grep -q "clock: run --clock auto relates the two clocks by UDP exchanges (method exchanges); ptp: ptp4l does not answer on this host (no ptp4l: /var/run/ptp4l is missing" "$T/check.txt"
ip netns exec "$LAB-a" "$VNL" run --remote ssh://root@192.0.2.2 "${SSH_OPTS[@]}" --check --json \
	>"$T/check.json" 2>>"$T/check.err"
vnl_check "--check --json exits 0" test $? = 0
python3 "$CHECK" "$SCHEMA" "$T/check.json" '#/$defs/run_check_document' >"$T/schema2.out" 2>&1
vnl_check "--check --json matches doc/json-schema.json (\$defs.run_check_document)" test $? = 0
cat "$T/schema2.out"
check "--check --json: each side is a clock status document (\$defs.clock_status_document)" python3 - "$SCHEMA" "$T/check.json" "$CHECK" <<'PY'
import json, subprocess, sys, tempfile
schema, doc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for side in ("local", "remote"):
    st = dict(doc[side]); assert st.pop("address") in ("192.0.2.1", "192.0.2.2")
    assert st["interface"]["name"] == "wire0" and st["vnetlat_version"] == "0.1.0", st
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(st, f)
    if subprocess.call([sys.executable, sys.argv[3], sys.argv[1], f.name, "#/$defs/clock_status_document"]):
        sys.exit(1)
p = doc["clock"]["ptp"]
assert doc["clock"]["method"] == "exchanges" and not p["both"] and p["same_grandmaster"] is None \
    and not p["usable"] and p["offset_ns"] is None and "ptp4l does not answer on this host" in p["why"], doc["clock"]
PY
no_leftovers "after --check"

# ptp: a forced method that cannot be had is an error that says why
ip netns exec "$LAB-a" "$VNL" run --remote ssh://root@192.0.2.2 "${SSH_OPTS[@]}" --clock ptp \
	--count 10 >"$T/noptp.out" 2>"$T/noptp.err"
rc=$?
vnl_check "--clock ptp without ptp4l: exit 1 (got $rc)" test "$rc" = 1
vnl_check "--clock ptp without ptp4l: says why" grep -q "^vnetlat run: --clock ptp: ptp4l does not answer on this host" "$T/noptp.err"
no_leftovers "after --clock ptp refused"

# ptp4l on both hosts: a master here (LAB-a), a slave on the remote (LAB-b), software
# stamps, each its own uds_address, free_running 1 (the shared clock is never steered)
for role in master slave; do
	printf '[global]\npriority1 %s\nfree_running 1\nuds_address %s\nlogging_level 6\n[wire0]\n' \
		"$([ $role = master ] && echo 100 || echo 200)" "$T/$role.sock" >"$T/$role.cfg"
done
ip netns exec "$LAB-a" timeout 150 ptp4l -S -f "$T/master.cfg" -m >"$T/master.log" 2>&1 &
VNL_BG+=($!)
ip netns exec "$LAB-b" timeout 150 ptp4l -S -f "$T/slave.cfg" -m >"$T/slave.log" 2>&1 &
VNL_BG+=($!)
following=0
for i in $(seq 120); do
	ip netns exec "$LAB-b" "$VNL" clock status --uds "$T/slave.sock" --json >"$T/slave.json" 2>/dev/null
	if python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["ptp4l"]; sys.exit(0 if p and p["port_state"] in ("SLAVE","UNCALIBRATED") and (p["mean_path_delay_ns"] or 0) > 0 and p["gm_present"] else 1)' "$T/slave.json" 2>/dev/null; then
		following=1; break
	fi
	sleep 0.5
done
vnl_check "the remote's ptp4l follows this host's and measured the path ($((i / 2)) s)" test $following = 1
ip netns exec "$LAB-a" "$VNL" clock status --uds "$T/master.sock" --json >"$T/master.json"
GM=$(vnl_json_get "$T/master.json" "d['ptp4l']['clock_identity']")
PTP=(--ptp-uds "$T/master.sock" --remote-ptp-uds "$T/slave.sock")
ip netns exec "$LAB-a" "$VNL" run --remote ssh://root@192.0.2.2 "${SSH_OPTS[@]}" "${PTP[@]}" --check --json \
	>"$T/check-ptp.json" 2>>"$T/check.err"
vnl_json_check "$T/check-ptp.json" "--check with ptp4l on both: one grandmaster ($GM), usable, run would use ptp" \
	"d['clock']['method'] == 'ptp' and d['clock']['ptp']['usable'] and d['clock']['ptp']['same_grandmaster'] and d['local']['ptp4l']['port_state'] == 'MASTER' and d['remote']['ptp4l']['grandmaster_identity'] == '$GM'"
ip netns exec "$LAB-a" "$VNL" run --remote ssh://root@192.0.2.2 "${SSH_OPTS[@]}" "${PTP[@]}" \
	--direction both --count 2500 --interval 1ms --json >"$T/ptp.json" 2>"$T/ptp.err"
vnl_check "run with ptp4l on both hosts exits 0" test $? = 0
cat "$T/ptp.err"
for dir in in out; do
	vnl_json_check "$T/ptp.json" "$dir: method ptp through grandmaster $GM, read before, during and after" \
		"(lambda c: c['method'] == 'ptp' and c['ptp']['grandmaster'] == '$GM' and c['ptp']['readings'] >= 3 and c['ptp']['failed_readings'] == 0)(d['directions']['$dir']['clock'])"
	vnl_json_check "$T/ptp.json" "$dir: one clock: |ptp offset| <= its bound ($(vnl_json_get "$T/ptp.json" "d['directions']['$dir']['clock']['offset_ns']") ns ± $(vnl_json_get "$T/ptp.json" "d['directions']['$dir']['clock']['uncertainty_ns']") ns)" \
		"(lambda c: abs(c['offset_ns']) <= c['uncertainty_ns'] and c['uncertainty_ns'] > 0)(d['directions']['$dir']['clock'])"
	vnl_json_check "$T/ptp.json" "$dir: the exchanges beside it: |offset| <= bound, and they agree with ptp" \
		"(lambda x, c: abs(x['offset_ns']) <= x['uncertainty_ns'] and c['ptp']['agree'] is True)(d['directions']['$dir']['clock']['ptp']['exchanges'], d['directions']['$dir']['clock'])"
	vnl_json_check "$T/ptp.json" "$dir: 2500 received, none lost" \
		"d['directions']['$dir']['packets']['received'] == 2500 and d['directions']['$dir']['packets']['lost'] == 0"
done
python3 "$CHECK" "$SCHEMA" "$T/ptp.json" '#/$defs/run_document' >"$T/schema3.out" 2>&1
vnl_check "run with method ptp matches doc/json-schema.json" test $? = 0
cat "$T/schema3.out"
ip netns exec "$LAB-a" "$VNL" run --remote ssh://root@192.0.2.2 "${SSH_OPTS[@]}" "${PTP[@]}" \
	--clock exchanges --direction out --count 100 --json >"$T/forced.json" 2>/dev/null
vnl_json_check "$T/forced.json" "--clock exchanges with ptp4l running: exchanges, not tried said" \
	"(lambda c: c['method'] == 'exchanges' and 'not tried (--clock exchanges)' in c['why'])(d['directions']['out']['clock'])"
pkill -f "ptp4l -S -f $T/" 2>/dev/null
no_leftovers "after the ptp runs"

# 2. the connection killed mid-stream (the sshd's session processes)
ip netns exec "$LAB-a" "$VNL" run --remote ssh://root@192.0.2.2 "${SSH_OPTS[@]}" \
	--direction in --count 8000 --interval 1ms --json >"$T/kill.json" 2>"$T/kill.err" &
RP=$!; VNL_BG+=("$RP")
for i in $(seq 150); do
	pgrep -f '/tmp/vnetlat\.[A-Za-z0-9]+/vnetlat send' >/dev/null && break
	sleep 0.1
done
sleep 2
pkill -KILL -P "$SSHD_PID"
vnl_wait_pid "$RP" 60
rc=$?
vnl_check "connection killed mid-stream: exit 1 (got $rc)" test "$rc" = 1
cat "$T/kill.err"
vnl_check "connection killed: said so" grep -q "the ssh connection to root@192.0.2.2 was lost while the stream ran" "$T/kill.err"
vnl_json_check "$T/kill.json" "connection killed: what this host received is kept, marked interrupted" \
	"(lambda x: x['packets']['received'] > 100 and x['run']['interrupted'] is True)(d['directions']['in'])"
no_leftovers "after the killed connection"

# 3. an authentication failure
ip netns exec "$LAB-a" "$VNL" run --remote ssh://root@192.0.2.2 --ssh-option "IdentityFile=$T/other" \
	--ssh-option IdentitiesOnly=yes --ssh-option "UserKnownHostsFile=$T/known_hosts" \
	--count 10 >"$T/auth.out" 2>"$T/auth.err"
rc=$?
vnl_check "authentication failure: exit 1 (got $rc)" test "$rc" = 1
cat "$T/auth.err"
vnl_check "authentication failure: ssh's words and what to check" \
	grep -q "ssh to root@192.0.2.2 failed: .*Permission denied.*BatchMode" "$T/auth.err"
no_leftovers "after the authentication failure"

# 4. a host that is not reachable (nothing listens on 192.0.2.3 in this lab)
ip netns exec "$LAB-a" timeout 40 "$VNL" run --remote ssh://root@192.0.2.3 "${SSH_OPTS[@]}" \
	--ssh-option ConnectTimeout=2 --count 10 >"$T/unr.out" 2>"$T/unr.err"
rc=$?
vnl_check "unreachable host: exit 1 (got $rc)" test "$rc" = 1
cat "$T/unr.err"
vnl_check "unreachable host: said so" grep -qE "ssh to root@192.0.2.3 (failed|did not connect)" "$T/unr.err"

# 5. usage errors: exit 2 before anything runs
"$VNL" run --remote http://x >/dev/null 2>"$T/u1.err"
vnl_check "--remote http://x: exit 2" test $? = 2
vnl_check "--remote http://x: says the form" grep -q "expected ssh://\[USER@\]HOST\[:PORT\]" "$T/u1.err"
"$VNL" run --remote ssh://root@example -p 4000 --count 1 >/dev/null 2>"$T/u2.err"
vnl_check "a host name without --remote-addr: exit 2" test $? = 2
vnl_check "a host name without --remote-addr: asks for it" grep -q "give its address on the test network with --remote-addr" "$T/u2.err"
"$VNL" run somelab --remote ssh://192.0.2.2 >/dev/null 2>"$T/u3.err"
vnl_check "LAB with --remote: exit 2, not built yet said" test $? = 2
grep -q "not built yet" "$T/u3.err" || { echo "FAIL: no 'not built yet' in: $(cat "$T/u3.err")"; vnl_failed=1; }

"$NS_SSHD" stop "$T"
vnl_check "sshd stopped" bash -c "! kill -0 $SSHD_PID 2>/dev/null"
no_leftovers "at the end"
vnl_finish
