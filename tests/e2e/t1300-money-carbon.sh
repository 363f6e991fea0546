#!/usr/bin/env bash
# Money and carbon end to end (issue 13): a price series and a demand charge, by hand; a bad
# CSV refused by check and run at FILE:LINE:COL (exit 2, nothing written); the bundled
# scenarios' /economics group and new metrics.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
cd "$TMP_DIR" || exit 1
# 10 racks of 1 MW (a lossless chain, an economizer at 15 °C: facility 10.2 MW) for 2 days at
# 1 h over a month's end; price 20 $/MWh on day 1, 80 $/MWh on day 2: energy
# 10.2·24·(20 + 80) = 24 480 $; demand charge 10 $/kW-month on two months, 10 200 kW each:
# 204 000 $; grid half clean at 400 kg/MWh: CO2 10.2·48·0.4 = 195.84 t, cfe_share 0.5.
cat >price.csv <<'CSV'
time,p
2027-01-31T00:00:00Z,20
2027-02-01T00:00:00Z,80
CSV
cat >m.yaml <<'YAML'
name: m
start: 2027-01-31
duration: 2d
timestep: 1h
sites:
  - id: s
    weather: {constant: {drybulb_c: 15, wetbulb_c: 10}}
    electrical: {ups_efficiency: 1, transformer_efficiency: 1, distribution_loss: 0, misc_fraction: 0}
    supply:
      - {id: g, type: grid, contract_mw: 50, price_usd_per_mwh: {csv: price.csv, column: p},
         demand_charge_usd_per_kw_month: 10, co2_kg_per_mwh: 400, cfe_fraction: 0.5}
    it:
      - {id: p, rack: box, count: 10, workload: constant, utilization: 1}
    cooling:
      air: {capacity_mw: 100}
models:
  racks:
    - {id: box, power_max_kw: 1000, power_idle_kw: 0, liquid_fraction: 0}
YAML
"$DCSIM" run -q m.yaml -o m.h5 >/dev/null 2>err.txt
expect_status 0 $? "run m.yaml"
py_check "price series and demand charge by hand" - m.h5 <<'PY'
import sys, h5py
m = h5py.File(sys.argv[1], "r")["/summary"].attrs
want = {"energy_cost_usd": 10.2 * 24 * (20 + 80), "demand_charge_usd": 2 * 10200 * 10,
        "total_cost_usd": 10.2 * 24 * 100 + 204000, "co2_t": 10.2 * 48 * 0.4, "cfe_share": 0.5}
bad = [f"{k} = {m[k]!r}, by hand {v!r}" for k, v in want.items() if abs(m[k] - v) > 1e-6 * max(1, abs(v))]
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
# bad CSV: a bad value on line 3, column 22
printf 'time,p\n2027-01-31T00:00:00Z,20\n2027-02-01T00:00:00Z,cheap\n' >price.csv
"$DCSIM" check m.yaml >out.txt 2>err.txt
expect_status 2 $? "check with a bad CSV row"
expect_grep "price\.csv:3:22: error: bad value 'cheap'" err.txt "check names FILE:LINE:COL"
expect_grep "m\.yaml:[0-9]+:[0-9]+: error: .*price_usd_per_mwh" err.txt "and the scenario key"
mkdir out
"$DCSIM" run -q m.yaml -o out/m.h5 >/dev/null 2>err.txt
expect_status 2 $? "run with a bad CSV row"
expect_empty_dir out "run with a bad CSV row"
# a series shorter than the run
printf 'time,p\n2027-01-31T00:00:00Z,20\n2027-01-31T12:00:00Z,30\n' >price.csv
"$DCSIM" check m.yaml >out.txt 2>err.txt
expect_status 2 $? "check with a series shorter than the run"
expect_grep "covers 2027-01-31T00:00:00Z to 2027-02-01T00:00:00Z; the run needs" err.txt \
    "the series' coverage is named"
# the bundled 590 MW campus: hosting revenue and an NPV in /economics
cd "$REPO" || exit 1
"$DCSIM" run -q scenarios/campus-590mw.yaml -o "$TMP_DIR/c.h5" >/dev/null 2>&1
expect_status 0 $? "run campus-590mw"
py_check "campus-590mw /economics" - "$TMP_DIR/c.h5" <<'PY'
import sys, h5py
e = h5py.File(sys.argv[1], "r")["/economics"].attrs
bad = []
# 117.7 $/kW-month on ~590 MW of critical IT for a year: ~833 M$/year
if not 8.0e8 < e["revenue_usd_per_year"] < 8.7e8:
    bad.append("revenue_usd_per_year %r" % e["revenue_usd_per_year"])
if not e["npv_usd"] > 0:
    bad.append("npv_usd %r" % e["npv_usd"])
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
finish
