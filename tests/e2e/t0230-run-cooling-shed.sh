#!/usr/bin/env bash
# Cooling shortfalls shed flexible load first (issue 9 item 4; docs/model.md section 3):
# a dry-cooler loop shared by firm GPUs (27 MW, all liquid) and miners (38 MW, all liquid)
# that can reject 50 MW at the constant 36 °C ambient (design 50 MW at a 10 K approach from a
# 46 °C supply): the 15 MW of heat over capacity throttle the miners only — 15 MW of their IT
# a step, none of the GPUs' — and the summary table prints the firm part separately.
# Then a site whose loop rejects nothing at that ambient: `fit` finds no load that fits and
# exits 1.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
cat >"$TMP_DIR/shared.yaml" <<'YAML'
name: shared-loop
start: 2027-07-01
duration: 1d
timestep: 1h
sites:
  - id: s
    weather: {constant: {drybulb_c: 36, wetbulb_c: 20}}
    supply:
      - {id: grid, type: grid, contract_mw: 200}
    it:
      - {id: gpus, rack: gpu-liq, count: 27, workload: constant, utilization: 1}
      - {id: miners, rack: miner-liq, count: 38, workload: mining}
    cooling:
      liquid: {supply_c: 46, rejection: dry_cooler, capacity_mw: 50, approach_k: 10}
models:
  racks:
    - {id: gpu-liq, power_max_kw: 1000, power_idle_kw: 0, liquid_fraction: 1, coolant_max_c: 50}
    - {id: miner-liq, power_max_kw: 1000, power_idle_kw: 0, liquid_fraction: 1, coolant_max_c: 50}
YAML
"$DCSIM" run "$TMP_DIR/shared.yaml" -o "$TMP_DIR/shared.h5" >"$TMP_DIR/out.txt" 2>"$TMP_DIR/err.txt"
expect_status 0 $? "run shared loop"
py_check "miners throttled before GPUs" - "$TMP_DIR/shared.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
s = f["/sites/s/series"]
problems = []
if not np.allclose(s["throttle_mw"][:], 15.0, atol=1e-9):
    problems.append("throttle_mw %r, expected 15 (65 − 50 MW)" % s["throttle_mw"][:3])
if not np.all(s["throttle_firm_mw"][:] == 0):
    problems.append("firm GPUs throttled: %r" % s["throttle_firm_mw"][:3])
if not np.allclose(s["it_served_mw"][:], 50.0, atol=1e-9):
    problems.append("it_served_mw %r, expected 50" % s["it_served_mw"][:3])
m = f["/summary"].attrs
if abs(m["throttle_energy_mwh"] - 15 * 24) > 1e-6 or m["throttle_firm_energy_mwh"] != 0:
    problems.append("summary throttle %r, firm %r" % (m["throttle_energy_mwh"],
                                                        m["throttle_firm_energy_mwh"]))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY
expect_grep "^IT throttled \(MWh\) +360\.0$" "$TMP_DIR/out.txt" "summary table: IT throttled"
expect_grep "^  of it firm \(MWh\) +0\.0$" "$TMP_DIR/out.txt" "summary table: the firm part"

# a loop that rejects nothing at 36 °C (supply 35 °C): no firm load fits, fit exits 1
sed -e 's/supply_c: 46/supply_c: 35/' -e 's/coolant_max_c: 50/coolant_max_c: 45/g' \
    "$TMP_DIR/shared.yaml" >"$TMP_DIR/none.yaml"
"$DCSIM" fit "$TMP_DIR/none.yaml" -q >"$TMP_DIR/fit.txt" 2>&1
expect_status 1 $? "fit where nothing fits"
expect_grep "^no firm IT load fits" "$TMP_DIR/fit.txt" "fit says no load fits"
finish
