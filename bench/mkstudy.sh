#!/bin/bash
# mkstudy.sh MKRECORD DIR PACKETS [SCALE_CASE FACTOR]: a synthetic study
# results directory (doc/study-results.md) for the report tests and the
# benchmark: topologies veth and bridge x loads none and udp3, two
# repetitions each, plus a passthrough case skipped with its reason. Records
# come from bench/mkrecord (seeded, so reproducible); the loaded cases are
# 30% slower with 0.1% loss; SCALE_CASE (a case name) is made FACTOR x slower.
set -euo pipefail
MKRECORD=$1 DIR=$2 PACKETS=$3 SCALE_CASE=${4:-} FACTOR=${5:-1}
BASE=1700000000000000000 # fixed, so two studies made alike are byte-identical

mkdir -p "$DIR/cases"
cat >"$DIR/job.ini" <<INI
[global]
interval = 1ms
count = $PACKETS
repetitions = 2
window = 1s-4s
[cases]
topology = veth,bridge,passthrough
load = none,udp3
INI
cat >"$DIR/host.json" <<JSON
{"kernel": "$(uname -r)", "cpu": "synthetic", "cores": 2, "accel": "none", "vhost": true,
 "isolcpus": "", "preempt_rt": false, "vnetlat_version": "test",
 "started": "2024-01-01T00:00:00Z", "finished": "2024-01-01T00:10:00Z"}
JSON

cases_json=""
seed=1
for topo in veth bridge; do
	for load in none udp3; do
		name="$topo-$load"
		reps=""
		for rep in 1 2; do
			d="cases/$name/rep$rep"
			mkdir -p "$DIR/$d"
			scale=1
			loss=0
			[ "$load" = udp3 ] && scale=1.3 loss=0.001
			[ "$name" = "$SCALE_CASE" ] && scale=$(awk "BEGIN{print $scale * $FACTOR}")
			"$MKRECORD" --seed "$seed" --base "$BASE" --scale "$scale" --loss "$loss" \
				"$DIR/$d/in.vnlrec" "$PACKETS"
			seed=$((seed + 1))
			if [ "$load" = udp3 ]; then
				echo '{"streams":[{"proto":"udp","target_bps":100000000,"achieved_bps":99000000}]}' \
					>"$DIR/$d/load.json"
			fi
			reps+="${reps:+,}{\"rep\":$rep,\"dir\":\"$d\",\"status\":\"done\"}"
		done
		cases_json+="${cases_json:+,}{\"name\":\"$name\",\"topology\":\"$topo\",\"load\":\"$load\",\"direction\":\"in\",\"settings\":{\"interval\":\"1ms\"},\"status\":\"done\",\"reason\":null,\"repetitions\":[$reps]}"
	done
done
cases_json+=",{\"name\":\"passthrough-none\",\"topology\":\"passthrough\",\"load\":\"none\",\"direction\":\"in\",\"settings\":{},\"status\":\"skipped\",\"reason\":\"no IOMMU on this host: passthrough needs VT-d/AMD-Vi enabled (intel_iommu=on)\",\"repetitions\":[]}"
cat >"$DIR/study.json" <<JSON
{"vnetlat_study": 1, "window": {"from_ns": 1000000000, "to_ns": 4000000000},
 "reference": "veth-none", "cases": [$cases_json]}
JSON
