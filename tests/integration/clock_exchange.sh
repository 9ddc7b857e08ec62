#!/bin/bash
# vnetlat clock answer / ask between two namespaces joined by a veth (192.0.2.0/24).
# Both share one system clock, so the true offset is 0: the measured offset must
# lie within its stated uncertainty, every exchange answered. The answerer prints
# 'ready PORT', ends on standard input's end (as over a dropped ssh), on --timeout,
# --count and SIGTERM, ignores /dev/null as standard input, and refuses malformed
# datagrams; ask against nothing is exit 1 with a message.
# Usage: bash clock_exchange.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: clock_exchange.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
SCHEMA=${VNL_SRCDIR:-$(dirname "$0")/../..}/doc/json-schema.json
CHECK=$(dirname "$0")/json_schema_check.py
LAB=vck-e$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP

# ready_port FILE: wait (up to 5 s) for the answerer's 'ready PORT' line; print PORT.
ready_port() {
	local i
	for i in $(seq 50); do
		if grep -qE '^ready [0-9]+$' "$1" 2>/dev/null; then
			awk '{ print $2 }' "$1"
			return 0
		fi
		sleep 0.1
	done
	echo "FAIL: no 'ready PORT' line in $1 within 5 s: $(cat "$1")" >&2
	return 1
}

# 1. an answerer whose standard input is a FIFO this script holds open (as ssh's pipe)
mkfifo "$T/in"
ip netns exec "$LAB-a" "$VNL" clock answer --bind 192.0.2.1 <"$T/in" >"$T/ans.out" 2>"$T/ans.err" &
AP=$!; VNL_BG+=("$AP")
exec 7>"$T/in"
PORT=$(ready_port "$T/ans.out") || exit 1
vnl_check "answer prints exactly one line 'ready 4301'" test "$(cat "$T/ans.out")" = "ready 4301"

N=200
ip netns exec "$LAB-b" "$VNL" clock ask 192.0.2.1 --count $N --interval 1ms --json >"$T/ask.json" 2>"$T/ask.err"
vnl_check "ask exits 0" test $? = 0
cat "$T/ask.err"
vnl_json_check "$T/ask.json" "method exchanges, $N sent, $N answered" \
	"d['method'] == 'exchanges' and d['exchanges'] == $N and d['answered'] == $N"
vnl_json_check "$T/ask.json" "one clock: |offset| <= uncertainty (offset $(vnl_json_get "$T/ask.json" "d['offset_ns']") ns, uncertainty $(vnl_json_get "$T/ask.json" "d['uncertainty_ns']") ns, min RTT $(vnl_json_get "$T/ask.json" "d['min_rtt_ns']") ns)" \
	"abs(d['offset_ns']) <= d['uncertainty_ns'] and d['uncertainty_ns'] > 0"
vnl_json_check "$T/ask.json" "the uncertainty is half the kept round trip plus both resolutions" \
	"d['uncertainty_ns'] >= (d['min_rtt_ns'] + 1) // 2 + d['resolution_ns']['local'] + d['resolution_ns']['remote']"
vnl_json_check "$T/ask.json" "every receive stamp (t2 there, t4 here) is the kernel's" \
	"d['kernel_rx_stamps'] == {'local': $N, 'remote': $N}"
check "ask --json matches doc/json-schema.json (\$defs.clock_ask_document)" python3 - "$SCHEMA" "$T/ask.json" "$CHECK" <<'PY'
import json, subprocess, sys, tempfile
schema = json.load(open(sys.argv[1]))
sub = dict(schema["$defs"]["clock_ask_document"]); sub["$defs"] = schema["$defs"]
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump(sub, f)
sys.exit(subprocess.call([sys.executable, sys.argv[3], f.name, sys.argv[2]]))
PY
ip netns exec "$LAB-b" "$VNL" clock ask 192.0.2.1 --count 5 >"$T/ask.txt" 2>&1
grep -q "offset *-\?[0-9]* ns" "$T/ask.txt" && grep -q "uncertainty  +- [0-9]* ns" "$T/ask.txt" &&
	grep -q "min RTT" "$T/ask.txt" && grep -q "5 sent, 5 answered" "$T/ask.txt" &&
	ok "ask as text: offset, uncertainty, min RTT, 5 sent and answered" ||
	fail "ask as text: $(cat "$T/ask.txt")"
# a malformed datagram is refused, the next exchanges still answered
ip netns exec "$LAB-b" bash -c 'printf junk >/dev/udp/192.0.2.1/4301; printf "VNLC\002%43s" x >/dev/udp/192.0.2.1/4301'
ip netns exec "$LAB-b" "$VNL" clock ask 192.0.2.1 --count 3 --json >"$T/ask3.json" 2>&1
vnl_json_check "$T/ask3.json" "answers go on after malformed datagrams" "d['answered'] == 3"
# the end of standard input (the ssh connection dropped) ends the answerer
exec 7>&-
vnl_wait_pid "$AP" 3; arc=$?
vnl_check "answer ends on standard input's end, exit 0" test "$arc" = 0
cat "$T/ans.err"
vnl_check "it says why it ended and what it refused" \
	grep -q "answered $((N + 5 + 3)) exchanges.*refused 2 (last: unknown version); ended: standard input closed" "$T/ans.err"

# 2. --timeout, on a free port (--port 0); /dev/null as standard input is not an end
ip netns exec "$LAB-a" "$VNL" clock answer --port 0 --timeout 3s </dev/null >"$T/ans2.out" 2>"$T/ans2.err" &
AP=$!; VNL_BG+=("$AP")
P2=$(ready_port "$T/ans2.out") || exit 1
vnl_check "--port 0: a free port named ($P2)" test "$P2" -gt 0 -a "$P2" != 4301
ip netns exec "$LAB-b" "$VNL" clock ask 192.0.2.1 --port "$P2" --count 20 --json >"$T/ask2.json" 2>&1
vnl_json_check "$T/ask2.json" "ask on that port: 20 answered, |offset| <= uncertainty" \
	"d['answered'] == 20 and abs(d['offset_ns']) <= d['uncertainty_ns']"
ip netns exec "$LAB-b" "$VNL" clock ask 2001:db8::1 --port "$P2" --count 20 --json >"$T/ask6.json" 2>&1
vnl_json_check "$T/ask6.json" "over IPv6 too (it listens on every address): 20 answered, |offset| <= uncertainty" \
	"d['answered'] == 20 and abs(d['offset_ns']) <= d['uncertainty_ns'] and d['peer'] == '2001:db8::1'"
sleep 1
vnl_check "with /dev/null as standard input it still runs after 1 s" kill -0 "$AP"
vnl_wait_pid "$AP" 6; arc=$?
vnl_check "answer ends at --timeout, exit 0" test "$arc" = 0
vnl_check "it says: --timeout passed" grep -q "ended: --timeout passed" "$T/ans2.err"

# 3. --count, piped into the asker as the man page's ssh example does; and SIGTERM
ip netns exec "$LAB-a" "$VNL" clock answer --port 0 --count 4 --timeout 20s </dev/null 2>"$T/ans3.err" |
	{ read -r word port && [ "$word" = ready ] &&
		ip netns exec "$LAB-b" "$VNL" clock ask 192.0.2.1 --port "$port" --count 4 --json >"$T/ask4.json" 2>&1; } &
PP=$!; VNL_BG+=("$PP")
vnl_wait_pid "$PP" 10; prc=$?
vnl_check "answer --count 4 piped into ask: both end, exit 0" test "$prc" = 0 -a -n "$(grep 'answered 4 .*ended: --count answered' "$T/ans3.err")"
vnl_json_check "$T/ask4.json" "...and ask had its 4 answers" "d['answered'] == 4"
ip netns exec "$LAB-a" "$VNL" clock answer </dev/null >"$T/ans4.out" 2>"$T/ans4.err" &
AP=$!; VNL_BG+=("$AP")
ready_port "$T/ans4.out" >/dev/null || exit 1
kill -TERM "$AP"
vnl_wait_pid "$AP" 3; arc=$?
vnl_check "SIGTERM ends the answerer, exit 0" test "$arc" = 0 -a -n "$(grep 'ended: a signal' "$T/ans4.err")"

# 4. nobody answers: refused port, and an address where nothing replies at all
ip netns exec "$LAB-b" "$VNL" clock ask 192.0.2.1 --port 4399 >"$T/none.out" 2>"$T/none.err"
rc=$?
vnl_check "ask a port nobody listens on: exit 1" test "$rc" = 1
vnl_check "...saying so (connection refused)" grep -q "no answer from 192.0.2.1 port 4399.*connection refused" "$T/none.err"
start=$(date +%s)
ip netns exec "$LAB-b" "$VNL" clock ask 192.0.2.77 --count 10 >"$T/none2.out" 2>"$T/none2.err"
rc=$? took=$(( $(date +%s) - start ))
vnl_check "ask an address where nothing answers: exit 1 after the first 3 exchanges (${took}s)" \
	test "$rc" = 1 -a "$took" -le 6
vnl_check "...saying so" grep -q "no answer from 192.0.2.77 port 4301 to 3 exchanges" "$T/none2.err"
vnl_check "nothing printed on standard output without an answer" test ! -s "$T/none.out" -a ! -s "$T/none2.out"
ip netns exec "$LAB-b" "$VNL" clock ask >/dev/null 2>&1
vnl_check "ask without ADDR: exit 2" test $? = 2
vnl_finish
