#!/usr/bin/env bash
# Sweeps share weather (issue 12): each case borrows its weather years — a synthetic
# climate's per trial, keyed by (seed + trial, site id), or an EPW file's — and the hours'
# ranking of its curtailment calendar from one cache; every case must still equal a direct
# `dcsim run` of its scenario in every metric, with several trials, two sites on the same
# climate (their own years), a curtailed grid, an EPW list, and -j 1 = -j 2.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
cd "$TMP_DIR" || exit 1

"$PY" "$E2E/epwcheck.py" write a.epw -6.0 || fail "epwcheck.py write a.epw"
"$PY" "$E2E/epwcheck.py" write b.epw -5.0 || fail "epwcheck.py write b.epw"
# base: two sites on west-texas and one on a list of two EPW files; 3 trials
cat >base.yaml <<'YAML'
name: shared
start: 2027-01-01
duration: 40d
timestep: 15min
seed: 7
trials: 3
sites:
  - id: a
    climate: west-texas
    supply:
      - {id: g, type: grid, contract_mw: 30,
         curtailment: {hours_per_year: 300, rule: hottest, level_mw: 12}}
      - {id: bess, type: battery, power_mw: 5, energy_mwh: 20}
    it:
      - {id: p, rack: gb300-nvl72, count: 150, workload: inference, utilization: 0.7}
    cooling: {liquid: {capacity_mw: 40, rejection: hybrid}, air: {capacity_mw: 6}}
  - id: b
    climate: west-texas
    supply:
      - {id: g, type: grid, contract_mw: 25,
         curtailment: {hours_per_year: 100, rule: hottest, level_mw: 10}}
    it:
      - {id: p, rack: gb300-nvl72, count: 120, workload: constant, utilization: 0.8}
    cooling: {liquid: {capacity_mw: 40, rejection: dry_cooler, supply_c: 45}, air: {capacity_mw: 6}}
  - id: e
    weather: {epw: [a.epw, b.epw]}
    supply:
      - {id: g, type: grid, contract_mw: 20,
         curtailment: {hours_per_year: 200, rule: hottest, level_mw: 8}}
    it:
      - {id: p, rack: gb300-nvl72, count: 100, workload: constant, utilization: 0.6}
    cooling: {liquid: {capacity_mw: 30, rejection: hybrid}, air: {capacity_mw: 6}}
YAML
cat >sweep.yaml <<'YAML'
base: base.yaml
mode: grid
vary:
  sites.a.supply.g.contract_mw: [24, 30]
  sites.b.it.p.count: [100, 140]
YAML
"$DCSIM" sweep -q -j 2 sweep.yaml -o s2.h5 >out.txt 2>err.txt
expect_status 0 $? "sweep with shared weather (-j 2)"
"$DCSIM" sweep -q -j 1 sweep.yaml -o s1.h5 >/dev/null 2>&1
expect_status 0 $? "sweep with shared weather (-j 1)"
"$PY" - "$DCSIM" <<'PY' || fail "shared weather: a sweep case differs from a direct run"
import math, subprocess, sys
import h5py
dcsim = sys.argv[1]
base = open("base.yaml").read()
bad = 0
with h5py.File("s2.h5", "r") as f, h5py.File("s1.h5", "r") as g:
    c, c1 = f["cases"][:], g["cases"][:]
names = [n for n in c.dtype.names if c.dtype[n].kind == "f"]
for i, (contract, count) in enumerate([(24, 100), (24, 140), (30, 100), (30, 140)]):
    if int(c[i]["status"]) != 0:
        print("case %d: status %d" % (i, c[i]["status"])); bad += 1; continue
    text = base.replace("contract_mw: 30,", "contract_mw: %d," % contract, 1)
    text = text.replace("count: 120,", "count: %d," % count, 1)
    open("case.yaml", "w").write(text)
    subprocess.run([dcsim, "run", "-q", "case.yaml", "-o", "case.h5"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with h5py.File("case.h5", "r") as h:
        summ = dict(h["summary"].attrs)
    for m in names:
        for label, tab in (("-j 2", c), ("-j 1", c1)):
            if m in summ:
                a, b = float(tab[i][m]), float(summ[m])
                if not (a == b or (math.isnan(a) and math.isnan(b))):
                    print("case %d %s: %s = %r in the sweep, %r in a direct run" % (i, label, m, a, b))
                    bad += 1
sys.exit(1 if bad else 0)
PY
finish
