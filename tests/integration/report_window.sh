#!/bin/bash
# vnetlat report on a synthetic record (bench/mkrecord): the text report, --json
# against doc/json-schema.json, --from/--to windows, --deadline, --csv rows,
# the clock caveat, a truncated file (report + exit 1) and bad usage (exit 2).
# Needs no root and no network: it only reads files it writes in a temp dir.
set -euo pipefail
VNETLAT=${1:?usage: report_window.sh /path/to/vnetlat}
SRC=${VNL_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MKRECORD=${VNL_MKRECORD:-$(dirname "$VNETLAT")/../bench/mkrecord}
SCHEMA=$SRC/doc/json-schema.json

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$MKRECORD" ] || fail "$MKRECORD is not built (ninja -C BUILDDIR bench/mkrecord)"

# py EXPR FILE...: evaluate a python expression with j = the JSON documents.
py() { local e=$1; shift; python3 -c 'import json,sys; j=[json.load(open(f)) for f in sys.argv[2:]]; print(eval(sys.argv[1]))' "$e" "$@"; }

# A small JSON Schema checker (the subset doc/json-schema.json uses), so the
# test needs nothing beyond python3: type, required, properties,
# additionalProperties:false, items, enum, const, minimum, oneOf, allOf, $ref.
cat >"$TMP/check_schema.py" <<'EOF'
import json, sys
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
def is_type(v, t):
    if t == "integer": return isinstance(v, int) and not isinstance(v, bool)
    if t == "number": return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, TYPES[t])
def errors(v, s, at):
    if "$ref" in s:
        node = schema
        for part in s["$ref"].lstrip("#/").split("/"): node = node[part]
        yield from errors(v, node, at)
    for sub in s.get("allOf", []): yield from errors(v, sub, at)
    if "oneOf" in s:
        n = sum(1 for sub in s["oneOf"] if not list(errors(v, sub, at)))
        if n != 1: yield f"{at}: matches {n} of oneOf"
    if "type" in s:
        ts = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(is_type(v, t) for t in ts): yield f"{at}: {v!r} is not {ts}"; return
    if "const" in s and v != s["const"]: yield f"{at}: {v!r} != {s['const']!r}"
    if "enum" in s and v not in s["enum"]: yield f"{at}: {v!r} not in {s['enum']}"
    if "minimum" in s and isinstance(v, (int, float)) and not isinstance(v, bool) and v < s["minimum"]:
        yield f"{at}: {v} < {s['minimum']}"
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v: yield f"{at}: missing {k}"
        props = s.get("properties", {})
        for k, sub in props.items():
            if k in v: yield from errors(v[k], sub, f"{at}.{k}")
        if s.get("additionalProperties") is False:
            for k in v:
                if k not in props: yield f"{at}: unexpected {k}"
    if isinstance(v, list) and "items" in s:
        for i, item in enumerate(v): yield from errors(item, s["items"], f"{at}[{i}]")
errs = list(errors(doc, schema, "$"))
for e in errs: print(e, file=sys.stderr)
sys.exit(1 if errs else 0)
EOF
schema_ok() { python3 "$TMP/check_schema.py" "$SCHEMA" "$1" || fail "$1 does not match $SCHEMA"; }

# A 20 s run at 1 kHz, 1% random loss, a few foreign/malformed datagrams.
BASE=1700000000000000000
N=20000
"$MKRECORD" --base $BASE --seed 7 --loss 0.01 --foreign 3 --malformed 2 "$TMP/run.vnlrec" $N
ok "mkrecord wrote $N scheduled packets ($(stat -c %s "$TMP/run.vnlrec") bytes)"

# --- the whole run, as text
"$VNETLAT" report "$TMP/run.vnlrec" >"$TMP/whole.txt" || fail "report of a whole file exited $?"
for word in "latency (us)" wakeup tx_stack path rx_stack one_way ipdv "worst packets" \
	"stamps" "CLOCK_REALTIME" "schedule clock (realtime)" "same-host" "lost"; do
	grep -qF -- "$word" "$TMP/whole.txt" || fail "text report lacks '$word'"
done
grep -q caveat "$TMP/whole.txt" && fail "same-host record must not carry the clock caveat"
ok "text report has every stage, ipdv, worst packets, stamp clocks"

# --- the whole run, as JSON, against the schema
"$VNETLAT" report "$TMP/run.vnlrec" --json >"$TMP/whole.json"
schema_ok "$TMP/whole.json"
ok "--json matches doc/json-schema.json"
[ "$(py 'j[0]["packets"]["sent"]' "$TMP/whole.json")" = $N ] || fail "sent is not $N"
recv=$(py 'j[0]["packets"]["received"]' "$TMP/whole.json")
lost=$(py 'j[0]["packets"]["lost"]' "$TMP/whole.json")
[ $((recv + lost)) = $N ] || fail "received $recv + lost $lost != sent $N"
[ "$lost" -gt 100 ] && [ "$lost" -lt 300 ] || fail "1% loss of $N should lose ~200, not $lost"
[ "$(py '(j[0]["packets"]["foreign"], j[0]["packets"]["malformed"])' "$TMP/whole.json")" = "(3, 2)" ] \
	|| fail "foreign/malformed from the trailer are not 3/2"
[ "$(py 'all(s["count"] == '"$recv"' for s in j[0]["latency"].values())' "$TMP/whole.json")" = True ] \
	|| fail "every stage should have $recv values"
[ "$(py '(j[0]["run"]["window"], j[0]["run"]["damage"], j[0]["run"]["role"])' "$TMP/whole.json")" \
	= "(None, None, 'report')" ] || fail "whole run: window/damage should be null"
[ "$(py 'len(j[0]["worst"])' "$TMP/whole.json")" = 10 ] || fail "10 worst packets by default"
py 'all(a["one_way_ns"] >= b["one_way_ns"] for a, b in zip(j[0]["worst"], j[0]["worst"][1:]))' \
	"$TMP/whole.json" | grep -q True || fail "worst packets are not worst first"
ok "JSON: sent $N = received $recv + lost $lost, trailer counts, all stages, worst first"

# --- CSV: one row per received packet, the documented header
"$VNETLAT" report "$TMP/run.vnlrec" --csv >"$TMP/whole.csv"
head -1 "$TMP/whole.csv" | grep -qx 'seq,flags,sched,app_tx_sched,app_tx,tx_sched,tx_sw,tx_hw,rx_hw,rx_sw,app_rx,wakeup,tx_stack,path,rx_stack,one_way' \
	|| fail "CSV header differs from the documented one"
rows=$(($(wc -l <"$TMP/whole.csv") - 1))
[ "$rows" = "$recv" ] || fail "CSV has $rows rows, JSON says $recv received"
# the CSV's one_way column agrees with the JSON max and the hardware columns are empty
python3 - "$TMP/whole.csv" "$TMP/whole.json" <<'EOF' || fail "CSV values disagree with JSON"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
d = json.load(open(sys.argv[2]))
ow = [int(r["one_way"]) for r in rows]
assert max(ow) == d["latency"]["one_way"]["max_ns"], (max(ow), d["latency"]["one_way"]["max_ns"])
assert min(ow) == d["latency"]["one_way"]["min_ns"]
assert all(r["tx_hw"] == "" and r["rx_hw"] == "" for r in rows)
assert all(int(r["one_way"]) == int(r["app_rx"]) - int(r["app_tx"]) for r in rows)
EOF
ok "--csv: $rows rows, header as documented, values agree with JSON"

# --- a window: 5 s to 12 s into the run
"$VNETLAT" report "$TMP/run.vnlrec" --from 5s --to 12s --json >"$TMP/win.json"
schema_ok "$TMP/win.json"
"$VNETLAT" report "$TMP/run.vnlrec" --from 5s --to 12s --csv >"$TMP/win.csv"
wrecv=$(py 'j[0]["packets"]["received"]' "$TMP/win.json")
wsent=$(py 'j[0]["packets"]["sent"]' "$TMP/win.json")
expect=$(python3 -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if 5e9 <= int(r["sched"]) - '$BASE' < 12e9))' "$TMP/whole.csv")
[ "$wrecv" = "$expect" ] || fail "window received $wrecv, the whole CSV has $expect packets in [5s,12s)"
[ "$(($(wc -l <"$TMP/win.csv") - 1))" = "$wrecv" ] || fail "windowed CSV rows != windowed received"
[ "$wsent" -ge "$wrecv" ] && [ "$wsent" -le 7000 ] && [ "$wsent" -ge 6990 ] \
	|| fail "window sent $wsent should be ~7000 (7 s at 1 kHz) and >= received $wrecv"
[ "$(py '(j[0]["run"]["window"]["from_ns"], j[0]["run"]["window"]["to_ns"])' "$TMP/win.json")" \
	= "(5000000000, 12000000000)" ] || fail "run.window does not say 5s..12s"
[ "$(py 'j[0]["latency"]["path"]["count"]' "$TMP/win.json")" = "$wrecv" ] || fail "window path count"
"$VNETLAT" report "$TMP/run.vnlrec" --from 5s --to 12s | grep -q "window:.*5.000s to 12.000s" \
	|| fail "text report does not name the window"
"$VNETLAT" report "$TMP/run.vnlrec" --from 15s --json >"$TMP/tail.json"
trecv=$(py 'j[0]["packets"]["received"]' "$TMP/tail.json")
tsent=$(py 'j[0]["packets"]["sent"]' "$TMP/tail.json")
# sent in a window is the span of sequence numbers seen in it (to the trailer's
# last one when it is open-ended), so a loss right at its start may shave one off
[ "$tsent" -le 5000 ] && [ "$tsent" -ge 4990 ] && [ "$trecv" -lt "$tsent" ] && [ "$trecv" -gt 4900 ] \
	|| fail "--from 15s: sent $tsent (want ~5000), received $trecv"
ok "--from 5s --to 12s: received $recv -> $wrecv (= CSV rows in window), sent $wsent; --from 15s: $trecv of $tsent"

# --- a deadline
"$VNETLAT" report "$TMP/run.vnlrec" --deadline 40us --json >"$TMP/late.json"
late=$(py 'j[0]["packets"]["late"]' "$TMP/late.json")
expect=$(python3 -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if int(r["wakeup"]) + int(r["one_way"]) > 40000))' "$TMP/whole.csv")
[ "$late" = "$expect" ] || fail "--deadline 40us: late $late, the CSV says $expect"
[ "$(py 'j[0]["run"]["deadline_ns"]' "$TMP/late.json")" = 40000 ] || fail "run.deadline_ns"
ok "--deadline 40us: $late late, as counted from the CSV"

# --- clocks of two hosts: the caveat
"$MKRECORD" --base $BASE --clock-sync unknown "$TMP/twohost.vnlrec" 1000
"$VNETLAT" report "$TMP/twohost.vnlrec" >"$TMP/twohost.txt"
grep -q 'caveat: clock sync is "unknown"' "$TMP/twohost.txt" && grep -q PTP "$TMP/twohost.txt" \
	|| fail "no clock caveat for a record whose clocks are not same-host"
ok "clock caveat printed when clock_sync is not same-host"

# --- a truncated copy: the report of what was read, a warning, exit 1
size=$(stat -c %s "$TMP/run.vnlrec")
head -c $((size * 6 / 10)) "$TMP/run.vnlrec" >"$TMP/cut.vnlrec"
rc=0
"$VNETLAT" report "$TMP/cut.vnlrec" --json >"$TMP/cut.json" 2>"$TMP/cut.err" || rc=$?
[ $rc = 1 ] || fail "truncated file: exit $rc, want 1"
grep -q "damaged" "$TMP/cut.err" || fail "truncated file: no warning on stderr"
schema_ok "$TMP/cut.json"
crecv=$(py 'j[0]["packets"]["received"]' "$TMP/cut.json")
[ "$crecv" -gt 0 ] && [ "$crecv" -lt "$recv" ] || fail "truncated file: received $crecv of $recv"
[ "$(py 'j[0]["run"]["damage"] is not None' "$TMP/cut.json")" = True ] || fail "run.damage is null"
rc=0
"$VNETLAT" report "$TMP/cut.vnlrec" --csv >"$TMP/cut.csv" 2>/dev/null || rc=$?
[ $rc = 1 ] && [ "$(($(wc -l <"$TMP/cut.csv") - 1))" = "$crecv" ] || fail "truncated --csv: exit $rc"
ok "truncated file: exit 1, '$(head -c 120 "$TMP/cut.err")...', $crecv packets reported"

# --- bad usage: one message, exit 2
expect_usage() {
	local rc=0
	"$VNETLAT" report "$@" >/dev/null 2>"$TMP/usage.err" || rc=$?
	[ $rc = 2 ] || fail "report $*: exit $rc, want 2"
	[ "$(wc -l <"$TMP/usage.err")" = 1 ] || fail "report $*: want one line of error"
}
expect_usage
expect_usage "$TMP/missing.vnlrec"
expect_usage "$TMP/run.vnlrec" --from 5s --to 2s
expect_usage "$TMP/run.vnlrec" --from 5s --to 5s
expect_usage "$TMP/run.vnlrec" --json --csv
expect_usage "$TMP/run.vnlrec" --from 5parsecs
expect_usage "$TMP/run.vnlrec" --worst -1
expect_usage "$TMP/run.vnlrec" --bogus
expect_usage "$TMP/run.vnlrec" "$TMP/run.vnlrec"
rc=0
echo "not a record" >"$TMP/junk"
"$VNETLAT" report "$TMP/junk" >/dev/null 2>&1 || rc=$?
[ $rc = 1 ] || fail "a file that is not a record: exit $rc, want 1"
ok "bad usage exits 2 with one line; a non-record file exits 1"

# --- --help and the man page agree on the options
"$VNETLAT" report --help >"$TMP/help.txt"
for opt in $(grep -o -- '--[a-z]*' "$TMP/help.txt" | sort -u); do
	grep -qF -- "\\-\\-${opt#--}" "$SRC/doc/man/vnetlat-report.8" || fail "man page lacks $opt"
done
for opt in $(grep -o -- '\\-\\-[a-z]*' "$SRC/doc/man/vnetlat-report.8" | sed 's/\\-\\-//' | sort -u); do
	grep -qF -- "--$opt" "$TMP/help.txt" || fail "--help lacks --$opt"
done
ok "--help and vnetlat-report(8) list the same options"
echo "report_window: all checks passed"
