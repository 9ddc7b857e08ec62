#!/bin/bash
# vnetlat clock status against a real ptp4l: a master (priority1 100) and a slave
# (priority1 200) with software timestamping (-S) on the veth between two
# namespaces, each with its own uds_address and 'free_running 1' (they share the
# system clock: nothing may steer it), bounded by timeout. The slave's status shows
# it following the master (UNCALIBRATED: a free-running servo never locks, or
# SLAVE), the master's clock identity as grandmaster and an offset; the master's
# shows MASTER; without ptp4l, ptp4l is absent with why; the veth's timestamping
# is software only and its PHC absent with why. Everything stopped in the trap.
# Usage: bash clock_ptp4l.sh /path/to/vnetlat
set -uo pipefail
VNL=${1:?usage: clock_ptp4l.sh /path/to/vnetlat}
. "$(dirname "$0")/lib.sh"
vnl_skip_unless_root
for p in ptp4l pmc; do
	command -v $p >/dev/null || { echo "FAIL: $p is not installed (linuxptp; scripts/deps.sh VNL_TEST_PKGS)"; exit 1; }
done
SCHEMA=${VNL_SRCDIR:-$(dirname "$0")/../..}/doc/json-schema.json
CHECK=$(dirname "$0")/json_schema_check.py
LAB=vck-p$$
LAB=${LAB:0:10}
vnl_lab_up "$LAB"
T=$VNL_TMP

# schema_ok FILE: the document matches $defs.clock_status_document
schema_ok() {
	python3 - "$SCHEMA" "$1" "$CHECK" <<'PY'
import json, subprocess, sys, tempfile
schema = json.load(open(sys.argv[1]))
sub = dict(schema["$defs"]["clock_status_document"]); sub["$defs"] = schema["$defs"]
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump(sub, f)
sys.exit(subprocess.call([sys.executable, sys.argv[3], f.name, sys.argv[2]]))
PY
}

# without ptp4l first: absent, with why; the veth's timestamping, no PHC
ip netns exec "$LAB-b" "$VNL" clock status --interface wire0 --uds "$T/slave.sock" --json >"$T/none.json" 2>"$T/none.err"
vnl_check "status without ptp4l exits 0" test $? = 0
vnl_json_check "$T/none.json" "ptp4l absent, with why" \
	"d['ptp4l'] is None and 'no ptp4l' in d['ptp4l_why'] and '$T/slave.sock' in d['ptp4l_why']"
vnl_json_check "$T/none.json" "wire0: software stamps (ETHTOOL_GET_TS_INFO), no PHC index" \
	"d['interface']['name'] == 'wire0' and 'software-receive' in d['interface']['timestamping'] and d['interface']['phc_index'] is None"
vnl_json_check "$T/none.json" "PHC absent, with why (not a zero offset)" \
	"d['phc'] is None and 'no PTP hardware clock' in d['phc_why']"
vnl_json_check "$T/none.json" "kernel, PREEMPT_RT, isolcpus, version, phc2sys present" \
	"d['kernel'] and isinstance(d['preempt_rt'], bool) and isinstance(d['isolcpus'], str) and d['vnetlat_version'] and isinstance(d['phc2sys']['running'], bool)"
check "status --json matches doc/json-schema.json (\$defs.clock_status_document)" schema_ok "$T/none.json"
ip netns exec "$LAB-b" "$VNL" clock status --interface nosuch0 --json >"$T/noif.json" 2>&1
vnl_json_check "$T/noif.json" "an interface that is not there: absent, with why" \
	"d['interface'] is None and 'no interface nosuch0' in d['interface_why']"

for role in master slave; do
	{
		echo "[global]"
		echo "priority1 $([ $role = master ] && echo 100 || echo 200)"
		echo "free_running 1"
		echo "uds_address $T/$role.sock"
		echo "logging_level 6"
		echo "[wire0]"
	} >"$T/$role.cfg"
done
ip netns exec "$LAB-a" timeout 90 ptp4l -S -f "$T/master.cfg" -m >"$T/master.log" 2>&1 &
VNL_BG+=($!)
ip netns exec "$LAB-b" timeout 90 ptp4l -S -f "$T/slave.cfg" -m >"$T/slave.log" 2>&1 &
VNL_BG+=($!)

# the slave follows the master and has measured the path within 60 s (UNCALIBRATED
# came within ~12 s here; the path delay a few exchanges later)
following=0
for i in $(seq 120); do
	ip netns exec "$LAB-b" "$VNL" clock status --uds "$T/slave.sock" --json >"$T/slave.json" 2>/dev/null
	if python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["ptp4l"]; sys.exit(0 if p and p["port_state"] in ("SLAVE","UNCALIBRATED") and p["offset_from_master_ns"] is not None and (p["mean_path_delay_ns"] or 0) > 0 and p["offset_from_master_ns"] != 0 and p["gm_present"] else 1)' "$T/slave.json" 2>/dev/null; then
		following=1; break
	fi
	sleep 0.5
done
vnl_check "the slave follows the master and measured the path within 60 s ($((i / 2)) s)" test $following = 1
ip netns exec "$LAB-a" "$VNL" clock status --uds "$T/master.sock" --json >"$T/master.json" 2>"$T/master.err"
ip netns exec "$LAB-b" "$VNL" clock status --uds "$T/slave.sock" >"$T/slave.txt" 2>&1
cat "$T/slave.txt"
MASTER_ID=$(vnl_json_get "$T/master.json" "d['ptp4l']['clock_identity']")
vnl_json_check "$T/master.json" "master: port state MASTER, itself the grandmaster ($MASTER_ID), no other" \
	"d['ptp4l']['port_state'] == 'MASTER' and d['ptp4l']['grandmaster_identity'] == d['ptp4l']['clock_identity'] and d['ptp4l']['gm_present'] is False"
vnl_json_check "$T/slave.json" "slave: port state $(vnl_json_get "$T/slave.json" "d['ptp4l']['port_state']") (free_running: the servo never locks)" \
	"d['ptp4l']['port_state'] in ('SLAVE', 'UNCALIBRATED')"
vnl_json_check "$T/slave.json" "slave: the master's clock identity is its grandmaster and parent" \
	"d['ptp4l']['grandmaster_identity'] == '$MASTER_ID' and d['ptp4l']['parent_port_identity'].startswith('$MASTER_ID-') and d['ptp4l']['clock_identity'] != '$MASTER_ID'"
vnl_json_check "$T/slave.json" "slave: an offset from master ($(vnl_json_get "$T/slave.json" "d['ptp4l']['offset_from_master_ns']") ns) and a mean path delay ($(vnl_json_get "$T/slave.json" "d['ptp4l']['mean_path_delay_ns']") ns), 1 step removed" \
	"isinstance(d['ptp4l']['offset_from_master_ns'], int) and d['ptp4l']['mean_path_delay_ns'] > 0 and d['ptp4l']['steps_removed'] == 1"
vnl_json_check "$T/slave.json" "ptp4l_why is null when ptp4l answered" "d['ptp4l_why'] is None and d['ptp4l']['uds'] == '$T/slave.sock'"
check "slave and master documents match the schema" bash -c "$(declare -f schema_ok); SCHEMA='$SCHEMA' CHECK='$CHECK'; schema_ok '$T/slave.json' && schema_ok '$T/master.json'"
vnl_check "the text shows the port state and the grandmaster" \
	grep -qE "^ptp4l +(SLAVE|UNCALIBRATED), port .*" "$T/slave.txt"
grep -q "grandmaster $MASTER_ID (present)" "$T/slave.txt" && ok "text: grandmaster $MASTER_ID (present)" ||
	fail "text: no grandmaster line"

# stop ptp4l: the status says absent again, and none of ours is left
for p in "${VNL_BG[@]}"; do kill -TERM "$p" 2>/dev/null; done
for p in "${VNL_BG[@]}"; do vnl_wait_pid "$p" 5 >/dev/null 2>&1; done
left=$(pgrep -f "ptp4l -S -f $T/" || true)
vnl_check "no ptp4l of this test is left" test -z "$left"
ip netns exec "$LAB-b" "$VNL" clock status --uds "$T/slave.sock" --json >"$T/after.json" 2>&1
vnl_json_check "$T/after.json" "after ptp4l stopped: absent, with why" "d['ptp4l'] is None and d['ptp4l_why']"
vnl_finish
