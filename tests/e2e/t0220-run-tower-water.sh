#!/usr/bin/env bash
# Tower water from the air (docs/model.md §3, "tower water"): the same tower plant and load for
# a year in Arizona, North Dakota and Louisiana. Hot, dry Arizona air evaporates more water per
# kWh than North Dakota's (by at least 5 %), and every site stays under the all-latent bound:
# liquid heat per IT kWh 0.95 × 3.6 MJ / 2.43 MJ/kg × c/(c − 1) = 4/3 -> 1.8765 L/kWh.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

{
    printf 'name: tower-water\nstart: 2027-01-01\nduration: 1y\ntimestep: 1h\nsites:\n'
    for c in arizona north-dakota louisiana; do
        cat <<YAML
  - id: $c
    climate: $c
    supply: [{id: g, type: grid, contract_mw: 100}]
    it: [{id: p, rack: gb300-nvl72, count: 200, workload: constant, utilization: 0.8}]
    cooling:
      liquid: {supply_c: 35, rejection: cooling_tower, capacity_mw: 30, cycles: 4}
      air: {capacity_mw: 5}
YAML
    done
} >"$TMP_DIR/tower.yaml"
"$DCSIM" run -q "$TMP_DIR/tower.yaml" -o "$TMP_DIR/t.h5" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "run tower-water"
py_check "tower WUE by climate" - "$TMP_DIR/t.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
wue = {s: float(f["sites/%s/summary" % s].attrs["wue_l_per_kwh"])
       for s in ("arizona", "north-dakota", "louisiana")}
bound = 0.95 * 3.6 / 2.43 * 4 / 3
for s, w in wue.items():
    if not 0 < w < bound:
        print("%s: WUE %.4f L/kWh outside (0, %.4f)" % (s, w, bound))
if not wue["arizona"] >= 1.05 * wue["north-dakota"]:
    print("WUE Arizona %.4f not 5 %% above North Dakota %.4f" % (wue["arizona"], wue["north-dakota"]))
PY
finish
