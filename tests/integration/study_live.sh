#!/bin/bash
# Live loss and p99 in a study's progress (issue 5), root: a short study on
# veth (two repetitions of 8 s, the first after a warm-up of 6 s) with its
# progress going to a file (not a terminal). Checks that each repetition
# has "running" lines with live loss and p99 before its end line, that the
# warm-up's live line says so, that the figures are numbers, that the last
# live loss agrees with the stream's JSON, and that no live status file is
# left in the results. Then `vnetlat recv --status-file` on its own: the
# file holds one JSON line, replaced while the stream runs, and at the end
# the report's figures.
# Usage: bash study_live.sh /path/to/vnetlat
set -uo pipefail
VNL=$(realpath "${1:?usage: study_live.sh /path/to/vnetlat}")
source "$(dirname "$0")/lib.sh"
PIDS=()
failed=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failed=1; }
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

study_cleanup() {
	vnl_study_labs_down "${PIDS[@]}"
	vnl_cleanup
}
trap study_cleanup EXIT

vnl_skip_unless_root
TMP=$VNL_TMP

cat >"$TMP/job.ini" <<'INI'
[global]
interval = 1ms
duration = 8s

[veth]
topology = veth
repeat = 2
warmup = 6s
INI

# 1. The study, progress to a file.
"$VNL" study "$TMP/job.ini" --out "$TMP/r" >"$TMP/out" 2>"$TMP/progress" &
PIDS+=($!)
wait $!
rc=$?
[ $rc = 0 ] && ok "study exit 0" || { fail "study exit $rc"; cat "$TMP/progress"; }
sed 's/^/    /' "$TMP/progress"
python3 - "$TMP/progress" "$TMP/r" <<'PY' && ok "live lines before each end line, figures agree" || fail "progress lines"
import json, re, sys, os
lines = open(sys.argv[1]).read().splitlines()
study = json.load(open(os.path.join(sys.argv[2], "study.json")))
live = re.compile(r"^case (\d)/2 veth #(\d): running, (in|warm-up): loss (\d+\.\d\d)% p99 (\d+\.\d)us \[\d+:\d\d\]$")
end = re.compile(r"^case (\d)/2 veth #(\d): done, loss (\d+\.\d\d)% p99 (\d+\.\d)us \[\d+:\d\d\]$")
seen = {1: [], 2: []}
ended = set()
for ln in lines:
    m = live.match(ln)
    if m:
        i = int(m.group(1))
        assert i not in ended, f"a live line after case {i} ended: {ln}"
        assert float(m.group(5)) > 0, ln
        seen[i].append((m.group(3), float(m.group(4))))
        continue
    m = end.match(ln)
    if m:
        ended.add(int(m.group(1)))
assert ended == {1, 2}, f"end lines: {ended}"
for i in (1, 2):
    kinds = [k for k, _ in seen[i]]
    assert "in" in kinds, f"case {i}: no live line of the measured stream: {seen[i]}"
    assert "warm-up" in kinds, f"case {i}: no live line of the warm-up: {seen[i]}"
    assert kinds.index("warm-up") < kinds.index("in"), f"case {i}: order {kinds}"
    rep = study["cases"][0]["repetitions"][i - 1]
    d = json.load(open(os.path.join(sys.argv[2], rep["dir"], "in.json")))
    p = d["packets"]
    last = [l for k, l in seen[i] if k == "in"][-1]
    # live loss is of a prefix of the stream: none lost in the end, none lost then
    assert p["lost"] > 0 or last == 0.0, (last, p)
print("live lines:", {i: len(v) for i, v in seen.items()})
PY
left=$(find "$TMP/r" -name 'live.status*')
[ -z "$left" ] && ok "no live status file left" || fail "left: $left"
st=$(jq_ "$TMP/r/study.json" "' '.join(r['status'] for r in d['cases'][0]['repetitions'])")
[ "$st" = "done done" ] && ok "repetitions: $st" || fail "repetitions: $st"

# 2. recv --status-file on its own.
LAB=pgl$$
vnl_lab_up "$LAB"
S=$TMP/recv.status
ip netns exec "$LAB-b" "$VNL" recv --json --status-file "$S" >"$TMP/recv.json" 2>"$TMP/recv.err" &
VNL_BG+=($!)
rpid=$!
for _ in $(seq 1 100); do [ -s "$S" ] && break; sleep 0.05; done
[ "$(cat "$S" 2>/dev/null)" = '{"received":0,"sent":0,"lost":0,"stage":"one_way"}' ] \
	&& ok "status file written at the start: $(cat "$S")" || fail "status at the start: $(cat "$S" 2>&1)"
ip netns exec "$LAB-a" "$VNL" send 192.0.2.2 --interval 1ms --duration 4s --quiet &
VNL_BG+=($!)
spid=$!
: >"$TMP/lines"
while kill -0 $spid 2>/dev/null; do cat "$S" >>"$TMP/lines"; echo >>"$TMP/lines"; sleep 0.3; done
wait $spid
vnl_wait_pid $rpid 10 >/dev/null 2>&1 || wait $rpid
python3 - "$TMP/lines" "$S" "$TMP/recv.json" <<'PY' && ok "recv status: live lines grow, final line is the report's" || fail "recv status"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
final = open(sys.argv[2]).read()
assert final.count("\n") == 1 and final.endswith("\n"), repr(final)
final = json.loads(final)
rep = json.load(open(sys.argv[3]))
got = [l["received"] for l in lines]
assert got == sorted(got) and len(set(got)) >= 3, got
mid = [l for l in lines if 0 < l["received"] < rep["packets"]["received"]]
assert mid and all("p99_ns" in l and l["stage"] == "one_way" for l in mid), mid[:3]
for k in ("received", "sent", "lost"):
    assert final[k] == rep["packets"][k], (k, final, rep["packets"])
assert final["p99_ns"] == rep["latency"]["one_way"]["p99_ns"], (final, rep["latency"]["one_way"])
print(f"{len(lines)} samples, final {final}")
PY
[ ! -e "$S.tmp" ] && ok "nothing left beside the status file" || fail "$S.tmp left"

[ $failed = 0 ] && echo "PASS: study_live" || echo "FAIL: study_live"
exit $failed
