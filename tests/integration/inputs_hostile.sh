#!/bin/bash
# Issue 9 items 6-12, 14, 15: inputs that must not hurt, and data that must not
# be lost or misstated. Run as root, as vnetlat is:
#  - symlinks planted where vnetlat writes (recv --record, send --record,
#    recv --status-file's temporary, report DIR's files and folders) are never
#    written through: the victim files keep their bytes;
#  - a FIFO, /dev/zero, a directory or an oversized file given as a job file,
#    record or study.json is refused at once (no hang, no growth);
#  - run takes a lab name, not a path; lab up --dry-run refuses what lab up
#    refuses (a loopback uplink, --pci zz, a CPU this host has not);
#  - control characters in study.json's case names do not reach summary.md;
#  - files are 0644 under umask 000 (lab info, the report);
#  - report DIR with a missing, truncated or one-packet record names each one,
#    marks its case "damaged" and exits 1 (and gnuplot does not fail);
#  - output to /dev/full fails with exit 1 (report, lab show, study --dry-run);
#  - study --resume refuses an edited job.ini (exit 2) and removes a lab a
#    killed run left up;
#  - consistent limits: send --priority 0..15, report --deadline > 0, --worst
#    up to 10000 in both, too-large numbers said so, guest boot addresses
#    checked, fe80:: without a scope id explained, study --out unmakeable exit 2.
# Usage: bash inputs_hostile.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: inputs_hostile.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
SRC=${VNL_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MKRECORD=${VNL_MKRECORD:-$(dirname "$VNL")/../bench/mkrecord}
[ -x "$MKRECORD" ] || { echo "FAIL: $MKRECORD is not built"; exit 1; }
LAB=hos$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP
IN_A=(ip netns exec "$LAB-a") IN_B=(ip netns exec "$LAB-b")

# expect_rc RC WHAT CMD...: CMD exits RC within 20 s (124: it hung); its stderr in $T/err.
expect_rc() {
	local want=$1 what=$2 rc; shift 2
	timeout 20 "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else
		fail "$what: exit $rc, expected $want"; sed 's/^/    /' "$T/err" | tail -5; fi
}
said() { grep -q -- "$1" "$T/err" && ok "... says '$1'" || { fail "... does not say '$1'"; sed 's/^/    /' "$T/err" | tail -3; }; }
victim_intact() { [ "$(cat "$T/victim")" = precious ] && ok "$1: the victim file is untouched" || fail "$1: the victim file was written"; }

# ---- item 6: symlinks are not written through
echo precious >"$T/victim"
ln -s "$T/victim" "$T/rec.lnk"
expect_rc 2 "recv --record SYMLINK refused" "${IN_B[@]}" "$VNL" recv --bind 192.0.2.2 --record "$T/rec.lnk" -c 1
said "symbolic link"
victim_intact "recv --record"
expect_rc 2 "send --record SYMLINK refused" "${IN_A[@]}" "$VNL" send 192.0.2.2 -c 1 --record "$T/rec.lnk"
victim_intact "send --record"

# A status file's temporary used to be F.tmp: plant it, and every name like it.
for s in tmp XXXXXX; do ln -sf "$T/victim" "$T/status.$s"; done
"${IN_B[@]}" "$VNL" recv --bind 192.0.2.2 -c 1500 --status-file "$T/status" --quiet >/dev/null 2>"$T/recv.err" &
VNL_BG+=($!)
vnl_wait_udp "$LAB-b" 4300
"${IN_A[@]}" "$VNL" send 192.0.2.2 -c 1500 --interval 1ms --quiet >/dev/null 2>&1
vnl_wait_pid "${VNL_BG[-1]}" 10
victim_intact "recv --status-file with STATUS.tmp planted"
[ -z "$(find "$T" -maxdepth 1 -name 'status.??????' ! -name status.XXXXXX)" ] &&
	ok "no status temporaries left behind" || fail "status temporaries left: $(ls "$T")"

S=$T/study
bash "$SRC/bench/mkstudy.sh" "$MKRECORD" "$S" 400 >/dev/null || { fail "mkstudy.sh"; vnl_finish; }
mkdir -p "$S/report/figures" "$T/victimdir"
ln -s "$T/victim" "$S/report/index.html"
ln -s "$T/victim" "$S/report/summary.md"
ln -s "$T/victim" "$S/report/figures/case1-latency.svg"
ln -s "$T/victimdir" "$S/report/plot"
expect_rc 0 "report DIR with symlinks planted under report/" "$VNL" report "$S"
victim_intact "report DIR"
[ -z "$(ls -A "$T/victimdir")" ] && ok "nothing written into a directory symlinked as report/plot" ||
	fail "files written through report/plot: $(ls "$T/victimdir")"
[ -f "$S/report/index.html" ] && [ ! -L "$S/report/index.html" ] && [ ! -L "$S/report/plot" ] &&
	ok "report/index.html and report/plot are vnetlat's own" || fail "report/ still has the planted links"
[ -z "$(find "$S" -maxdepth 1 -name '.report-*')" ] && ok "no staging directories left" ||
	fail "staging directories left: $(ls -a "$S")"

# ---- item 7: FIFOs, devices, directories, oversized files
mkfifo "$T/fifo"
expect_rc 1 "report FIFO refused at once" "$VNL" report "$T/fifo"
said "a FIFO, not a regular file"
expect_rc 2 "study FIFO --dry-run refused at once" "$VNL" study "$T/fifo" --dry-run
expect_rc 2 "study /dev/zero --dry-run refused at once" "$VNL" study /dev/zero --dry-run
said "a device, not a regular file"
expect_rc 2 "a directory as the job file" "$VNL" study "$T" --dry-run
said "a directory, not a regular file"
{ echo "[global]"; head -c 1100000 /dev/zero | tr '\0' '#' | fold -w 100; } >"$T/big.ini"
expect_rc 2 "a 1.1 MB job file" "$VNL" study "$T/big.ini" --dry-run
said "at most 1.0 MiB"
cp -r "$S" "$T/fifostudy" && rm "$T/fifostudy/study.json" && mkfifo "$T/fifostudy/study.json"
expect_rc 1 "report DIR whose study.json is a FIFO" "$VNL" report "$T/fifostudy"

# ---- item 8: run takes a lab name; dry runs refuse what up refuses
mkdir -p "$T/x" && cp "/run/vnetlat/labs/$LAB.info" "$T/x/fake.info"
expect_rc 2 "run ../../..$T/x/fake refused" "$VNL" run "../../..$T/x/fake" -c 10
said "bad lab name"
expect_rc 1 "lab up bridge --dry-run --uplink lo refused" "$VNL" lab up bridge --name hosd --dry-run --uplink lo
said "loopback"
expect_rc 1 "lab up passthrough --dry-run --pci zz refused" "$VNL" lab up passthrough --name hosd --dry-run --pci zz
said "not a PCI address"
expect_rc 1 "lab up bridge --dry-run --pin-vcpu 99 refused" "$VNL" lab up bridge --name hosd --dry-run --pin-vcpu 99
said "CPU 99 is not one of them"
expect_rc 1 "lab up bridge --dry-run --pin-vcpu 0,1 for 1 vCPU refused" "$VNL" lab up bridge --name hosd --dry-run --pin-vcpu 0,1
said "lists 2 CPUs for a guest of 1 vCPU"
expect_rc 1 "lab up bridge --dry-run --emulator-cpus without --pin-vcpu refused" "$VNL" lab up bridge --name hosd --dry-run --emulator-cpus 0
said "goes with --pin-vcpu"
expect_rc 2 "lab up bridge --pin-vcpu 1-x refused" "$VNL" lab up bridge --name hosd --dry-run --pin-vcpu 1-x
said "not a CPU list"
if [ -e /dev/vhost-net ]; then
	expect_rc 1 "lab up bridge --vhost-fifo 50 --vhost off refused" "$VNL" lab up bridge --name hosd --dry-run --vhost-fifo 50 --vhost off
	said "with --vhost off the guest has no vhost-net worker"
else
	expect_rc 1 "lab up bridge --vhost-fifo 50 refused without /dev/vhost-net" "$VNL" lab up bridge --name hosd --dry-run --vhost-fifo 50
	said "this host has no vhost-net (/dev/vhost-net"
fi
expect_rc 1 "lab up bridge --irq-cpus without --uplink refused" "$VNL" lab up bridge --name hosd --dry-run --irq-cpus 0
said "the lab's own wire is a veth, which has no IRQs"
expect_rc 1 "lab up bridge --uplink wire0 (a veth) --irq-cpus refused" "${IN_A[@]}" "$VNL" lab up bridge --name hosd --dry-run --uplink wire0 --irq-cpus 0
said "wire0 has no IRQs of its own"
expect_rc 2 "lab up bridge --vhost-fifo 100 refused" "$VNL" lab up bridge --name hosd --dry-run --vhost-fifo 100
said "1 to 99"

# ---- item 9: control characters from study.json
E=$T/escstudy
cp -r "$S" "$E" && rm -rf "$E/report"
python3 - "$E/study.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["cases"][0]["name"] = "veth\x1b[2J\x1b]0;owned\x07\nrow"
json.dump(d, open(sys.argv[1], "w"))
PY
expect_rc 0 "report DIR with escapes in a case name" "$VNL" report "$E"
if grep -q $'\x1b' "$E/report/summary.md" "$E/report/summary.csv"; then fail "ESC reached summary.md/csv"; else ok "no ESC in summary.md or summary.csv"; fi
rows=$(grep -c '^| veth\|^| bridge\|^| passthrough' "$E/report/summary.md")
[ "$rows" = 5 ] && ok "summary.md keeps one row per case (5)" || fail "summary.md has $rows case rows, not 5"

# ---- item 10: 0644 whatever the umask
(umask 000; "$VNL" lab up veth --name "${LAB}u" >/dev/null 2>&1)
VNL_LABS+=("${LAB}u")
m=$(stat -c %a "/run/vnetlat/labs/${LAB}u.info" 2>/dev/null)
[ "$m" = 644 ] && ok "lab info is 0644 under umask 000" || fail "lab info mode $m under umask 000"
"$VNL" lab down --name "${LAB}u" >/dev/null 2>&1
(umask 000; "$VNL" report "$S" >/dev/null 2>&1)
modes=$(find "$S/report" -type f -printf '%m\n' | sort -u | tr '\n' ' ')
dmodes=$(find "$S/report" -type d -printf '%m\n' | sort -u | tr '\n' ' ')
[ "$modes" = "644 " ] && [ "$dmodes" = "755 " ] && ok "report files 0644, folders 0755 under umask 000" ||
	fail "report modes under umask 000: files $modes folders $dmodes"
(umask 000; "${IN_A[@]}" "$VNL" send 192.0.2.2 -c 1 --record "$T/u.rec" >/dev/null 2>&1)
[ "$(stat -c %a "$T/u.rec")" = 644 ] && ok "a record is 0644 under umask 000" || fail "record mode $(stat -c %a "$T/u.rec")"

# ---- item 11: damaged records in a study
D=$T/damaged
cp -r "$S" "$D" && rm -rf "$D/report"
head -c 100 "$S/cases/veth-none/rep1/in.vnlrec" >"$D/cases/veth-none/rep1/in.vnlrec"
rm "$D/cases/veth-udp3/rep2/in.vnlrec"
"$MKRECORD" "$D/cases/bridge-none/rep1/in.vnlrec" 1 >/dev/null
expect_rc 1 "report DIR with a truncated, a missing and a one-packet record" "$VNL" report "$D"
said "case veth-none, repetition 1"
said "case veth-udp3, repetition 2"
grep -q "x range is invalid\|gnuplot" "$T/err" && fail "gnuplot failed: $(grep -m1 gnuplot "$T/err")" ||
	ok "figures made for the one-packet record"
vnl_json_check "$D/report/summary.json" "summary.json marks the damaged cases, not the whole ones" \
	"{c['name']: c['status'] for c in d['cases']} == {'veth-none': 'damaged', 'veth-udp3': 'damaged', 'bridge-none': 'done', 'bridge-udp3': 'done', 'passthrough-none': 'skipped'}"

# ---- item 12: a full disk is a failure
expect_rc 1 "report FILE --json >/dev/full" sh -c "'$VNL' report '$S/cases/veth-none/rep1/in.vnlrec' --json >/dev/full"
said "cannot write the output"
expect_rc 1 "lab show --json >/dev/full" sh -c "'$VNL' lab show --json >/dev/full"
cat >"$T/job.ini" <<'INI'
[global]
count = 10
[a]
topology = veth
INI
expect_rc 1 "study --dry-run >/dev/full" sh -c "'$VNL' study '$T/job.ini' --dry-run >/dev/full"

# ---- item 14: --resume and an edited job.ini; a lab left by kill -9
R=$T/resume
mkdir -p "$R/cases/a/rep1"
cp "$T/job.ini" "$R/job.ini"
fp=$(python3 -c '
import sys
h = 14695981039346656037
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 1099511628211) % 2**64
print("fnv1a64:%016x" % h)' "$R/job.ini")
LEFT=${LAB:0:8}lf
"$VNL" lab up veth --name "$LEFT" >/dev/null 2>&1 && VNL_LABS+=("$LEFT")
cat >"$R/study.json" <<JSON
{"vnetlat_study": 1, "job_fingerprint": "$fp", "window": null, "reference": null,
 "cases": [{"name": "global", "topology": "veth", "load": "none", "direction": "in",
  "status": "partial", "settings": {}, "repetitions": [{"rep": 1, "dir": "cases/a/rep1",
  "status": "not run", "lab": "$LEFT"}]}]}
JSON
echo "# edited after the study started" >>"$R/job.ini"
expect_rc 2 "study --resume with an edited job.ini refused" "$VNL" study --resume "$R"
said "was changed since the study started"
said "left lab $LEFT up; removing it"
[ ! -e "/run/vnetlat/labs/$LEFT.state" ] && ! ip netns list | grep -q "^$LEFT-" &&
	ok "the lab a killed study left is gone" || fail "lab $LEFT is still up"

# ---- item 15: consistent limits and messages
expect_rc 2 "send --priority 16 refused (0..15, as the job file)" "${IN_A[@]}" "$VNL" send 192.0.2.2 -c 1 --priority 16
expect_rc 2 "report --deadline 0 refused, as recv" "$VNL" report "$S/cases/veth-none/rep1/in.vnlrec" --deadline 0
expect_rc 0 "report --worst 10000 accepted, as recv" "$VNL" report "$S/cases/veth-none/rep1/in.vnlrec" --worst 10000
expect_rc 2 "a number past 2^64 is 'too large'" "${IN_A[@]}" "$VNL" send 192.0.2.2 -c 18446744073709551616
said "too large"
expect_rc 2 "guest boot --ip 192.0.2.9/99 refused" "$VNL" guest boot --ip 192.0.2.9/99 --name hos
said "prefix length"
expect_rc 2 "guest boot --gateway notanip refused" "$VNL" guest boot --ip 192.0.2.9/24 --gateway notanip --name hos
expect_rc 2 "fe80::1 without a scope id explained" "${IN_A[@]}" "$VNL" send fe80::1 -c 1
said "link-local address: name the interface"
expect_rc 2 "study --out /proc/foo is a usage error" "$VNL" study "$T/job.ini" --out /proc/foo/bar
vnl_finish
