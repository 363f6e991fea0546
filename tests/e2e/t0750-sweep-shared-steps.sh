#!/usr/bin/env bash
# Sweep cases share their first steps (issue 12): cases of a grid that differ only in the
# count of a pool not yet online run the same steps until it is, so one case of each unit
# runs them and the others go on from its state (sweep_units.h). Every table must be the
# bits of --no-share (each case from the start), on 1 and 2 threads, and the closing line
# must say how many cases went on from another's steps: 4 units (contract × the other
# site's count) of 3 late-pool counts × 2 of its utilizations, 20 cases. The scenario carries every kind of state a
# step hands to the next: a battery's charge, a generator, random grid outages, a hottest-
# hours curtailment calendar, a month's demand-charge peak, a liquid loop's temperature
# (thermal mass, throttled load) and a cooling tower's water, on two sites (the scenario
# totals); where the cases part, the battery recharges after a grid outage and the loop warms
# in a cooling loss. (Leaving out the supplies' state, the loop's temperature or the
# demand-charge month makes it fail.) The bundled sweeps that share steps must give the
# bits of --no-share too.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
cd "$TMP_DIR" || exit 1

cat >base.yaml <<'YAML'
name: shared-steps
start: 2027-01-01
duration: 60d
timestep: 15min
seed: 5
events:
  # before the late pool's online time (the steps shared end at 06:15): the battery is
  # recharging and the loop warming when the cases part
  - {type: grid_outage, at: 2027-02-03T04:40:00Z, duration: 1h, site: a, supply: g}
  - {type: cooling_loss, at: 2027-02-03T06:05:00Z, duration: 30min, site: a, loop: liquid,
     fraction: 1.0}
sites:
  - id: a
    climate: west-texas
    supply:
      - {id: g, type: grid, contract_mw: 40, price_usd_per_mwh: 45,
         demand_charge_usd_per_kw_month: 7,
         outages: {per_year: 150, mean_h: 2},
         curtailment: {hours_per_year: 200, rule: hottest, level_mw: 25}}
      - {id: bess, type: battery, power_mw: 6, energy_mwh: 18}
      - {id: gen, type: generator, capacity_mw: 4, start_s: 30, price_usd_per_mwh: 300}
    it:
      - {id: miners, rack: s21-hydro-container, count: 12, workload: mining}
      - {id: early, rack: gb300-nvl72, count: 120, workload: training, utilization: 0.8}
      - {id: late, rack: gb300-nvl72, count: 100, workload: inference, utilization: 0.7,
         diurnal_amplitude: 0.2, online: 2027-02-03T06:10:00Z}
    cooling:
      liquid: {supply_c: 32, rejection: cooling_tower, capacity_mw: 45, approach_k: 5,
               volume_m3: 40}
      air: {supply_c: 24, economizer: true, capacity_mw: 8}
  - id: b
    climate: north-dakota
    supply:
      - {id: g, type: grid, contract_mw: 20, outages: {per_year: 100, mean_h: 3}}
    it:
      - {id: p, rack: gb300-nvl72, count: 60, workload: training, utilization: 0.9}
    cooling:
      liquid: {supply_c: 35, rejection: hybrid, capacity_mw: 20}
      air: {supply_c: 24, capacity_mw: 4}
YAML
cat >sweep.yaml <<'YAML'
base: base.yaml
mode: grid
vary:
  sites.a.supply.g.contract_mw: [40, 52]
  sites.a.it.late.count: [20, 100, 260]
  sites.b.it.p.count: [60, 140]
  sites.a.it.late.utilization: [0.7, 0.9]
YAML

"$DCSIM" sweep -j 2 sweep.yaml -o shared2.h5 >out.txt 2>err.txt
expect_status 0 $? "sweep sharing steps (-j 2)"
expect_grep "24 cases \(24 ok, 0 invalid, 0 failed\) in [0-9.]* s \(20 went on from another case's first steps\)" err.txt \
    "the closing line of a sweep that shares steps"
"$DCSIM" sweep -q -j 1 sweep.yaml -o shared1.h5 >/dev/null 2>&1
expect_status 0 $? "sweep sharing steps (-j 1)"
"$DCSIM" sweep -j 2 --no-share sweep.yaml -o alone.h5 >/dev/null 2>err-alone.txt
expect_status 0 $? "sweep --no-share"
expect_grep "\(0 went on from another case's first steps\)" err-alone.txt \
    "the closing line of --no-share"

# --resume of a table with rows missing: a unit's pending cases share steps among themselves
"$PY" "$E2E/sweepcheck.py" unfinish alone.h5 resumed.h5 || fail "sweepcheck.py unfinish"
"$DCSIM" sweep -j 2 --resume sweep.yaml -o resumed.h5 >/dev/null 2>err-resume.txt
expect_status 0 $? "sweep --resume sharing steps"
expect_grep "\(([1-9][0-9]*) went on from another case's first steps\)" err-resume.txt \
    "the closing line of --resume"
py_check "sweep --resume sharing steps: the rows kept and the rest run" "$E2E/sweepcheck.py" \
    same resumed.h5 alone.h5 --kept

# the bundled sweeps that share steps (abilene-1000 not under the sanitizers: minutes there)
bundled="abilene-sweep abilene-1000"
case $DCSIM in */asan/*) bundled="abilene-sweep" ;; esac
for s in $bundled; do
    "$DCSIM" sweep -q "$REPO/scenarios/sweeps/$s.yaml" -o "$s.h5" >/dev/null 2>&1
    expect_status 0 $? "bundled sweep $s"
    "$DCSIM" sweep -q --no-share "$REPO/scenarios/sweeps/$s.yaml" -o "$s-alone.h5" >/dev/null 2>&1
    expect_status 0 $? "bundled sweep $s --no-share"
    py_check "bundled sweep $s: the bits of --no-share" - "$s-alone.h5" "$s.h5" <<'PY'
import sys
import h5py
import numpy as np
with h5py.File(sys.argv[1], "r") as f, h5py.File(sys.argv[2], "r") as g:
    ref, got = f["cases"][:], g["cases"][:]
for col in ref.dtype.names:
    a, b = ref[col], got[col]
    same = np.array_equal(a.view(np.uint64), b.view(np.uint64)) if a.dtype.kind == "f" \
        else np.array_equal(a, b)
    if not same:
        print("column %s differs from --no-share" % col)
        sys.exit(1)
PY
done

py_check "shared steps give the bits of runs from the start" - <<'PY'
import sys
import h5py
import numpy as np
with h5py.File("alone.h5", "r") as f:
    ref = f["cases"][:]
bad = 0
for name in ("shared2.h5", "shared1.h5"):
    with h5py.File(name, "r") as f:
        got = f["cases"][:]
    for col in ref.dtype.names:
        a, b = ref[col], got[col]
        if a.dtype.kind == "f":
            same = np.array_equal(a.view(np.uint64), b.view(np.uint64))
        else:
            same = np.array_equal(a, b)
        if not same:
            print("%s: column %s differs from --no-share" % (name, col))
            bad += 1
# the late pool's count and utilization show once it is online: the IT energy differs
# within each unit (contract × b's count; the late count's values 4 cases apart, the
# utilization's 1)
e = ref["it_energy_mwh"]
if not (ref["status"] == 0).all():
    print("expected 24 ok cases, got statuses", ref["status"])
    bad += 1
for first in (0, 2, 12, 14):
    unit = [e[first + 4 * i + u] for i in range(3) for u in range(2)]
    if len(set(unit)) != 6:
        print("the unit of case %d: IT energies %r, not 6 different" % (first, unit))
        bad += 1
sys.exit(1 if bad else 0)
PY
finish
