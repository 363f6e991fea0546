#!/usr/bin/env bash
# Runaway inputs (issue 11): outage rates and durations that would make the event draw
# unbounded (grid per_year above 1000, mean_h below 1 s, reactor FOR/MTTR above 10,000 cycles
# a year per unit, refuelling more often than that), huge counts that once overflowed a float
# to int conversion (gpus, units): `check` refuses each with FILE:LINE:COL and exit 2, in a
# second; values at the caps pass.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
cd "$TMP_DIR" || exit 1

cat >good.yaml <<'YAML'
name: runaway
start: 2030-01-01
duration: 1d
timestep: 1h
sites:
  - id: s1
    weather: {constant: {drybulb_c: 30, wetbulb_c: 22}}
    supply:
      - id: g
        type: grid
        contract_mw: 10
        outages: {per_year: 0.5, mean_h: 2}
      - id: smr
        type: reactor
        model: bwrx-300
        units: 1
    it:
      - id: p1
        rack: gb300-nvl72
        count: 10
        workload: constant
        utilization: 0.5
    cooling:
      liquid: {capacity_mw: 5, rejection: hybrid}
      air: {capacity_mw: 1}
models:
  racks:
    - {id: my-rack, gpus: 8, power_max_kw: 14.3, power_idle_kw: 3, liquid_fraction: 0}
YAML

# bad NAME SED LINE:COL REGEX: check of good.yaml edited by SED exits 2 within 10 s with
# 'NAME.yaml:LINE:COL: error: ...' matching REGEX
bad() {
    sed "$2" good.yaml >"$1.yaml"
    cmp -s good.yaml "$1.yaml" && fail "$1: the edit '$2' changed nothing"
    timeout 10 "$DCSIM" check "$1.yaml" >out.txt 2>err.txt
    expect_status 2 $? "check $1.yaml"
    expect_grep "^$1\.yaml:$3: error: .*($4)" err.txt "check $1.yaml"
}
# ok NAME SED: the edit passes check
ok() {
    sed "$2" good.yaml >"$1.yaml"
    timeout 10 "$DCSIM" check "$1.yaml" >out.txt 2>err.txt
    expect_status 0 $? "check $1.yaml"
}

"$DCSIM" check good.yaml >out.txt 2>err.txt
expect_status 0 $? "check good.yaml"
bad grid-rate 's/per_year: 0.5/per_year: 1e308/' 12:29 "'per_year'.*at most 1000"
bad grid-short 's/mean_h: 2/mean_h: 1e-12/' 12:42 "'mean_h'.*at least 1 s"
ok grid-caps 's/per_year: 0.5, mean_h: 2/per_year: 1000, mean_h: 0.000278/'
bad mttr 's/units: 1$/units: 1\n        mean_repair_h: 1e-12/' 17:24 "outages a year per unit.*at most 10000"
bad for 's/units: 1$/units: 1\n        forced_outage_rate: 0.999\n        mean_repair_h: 0.5/' 18:24 \
    "outages a year per unit"
ok for-mttr 's/units: 1$/units: 1\n        forced_outage_rate: 0.5\n        mean_repair_h: 1/'
bad refuel 's/units: 1$/units: 1\n        refuel_interval_d: 1e-9\n        refuel_outage_d: 0/' \
    17:28 "'refuel_interval_d'.*at least"
bad catalog-mttr 's/^  racks:/  reactors:\n    - {id: bwrx-300, mean_repair_h: 1e-9}\n  racks:/' \
    28:37 "outages a year per unit"
bad units 's/units: 1$/units: 1e12/' 16:16 "'units'.*at most 1000"
bad gpus 's/gpus: 8,/gpus: 1e12,/' 28:27 "'gpus'.*at most"
bad trials 's/^duration: 1d/duration: 1d\ntrials: 1e12\nseed: 1e300/; s/^timestep: 1h/timestep: 7min/' 4:9 "'trials' must be at most 1000000"
expect_grep "^trials\.yaml:5:7: error: 'seed' .*must be a whole number" err.txt "check trials.yaml: seed"
bad event-units 's/^sites:/events:\n  - {type: reactor_trip, at: 2030-01-01, duration: 1h, site: s1, supply: smr, units: 1e12}\nsites:/' \
    6:86 "has only 1 units"
finish
