#!/usr/bin/env bash
# Design-day check (sim/physics/design_day.c) and a PUE peak that means something (sim/physics/results.c):
# `check` warns of a plant that cannot reject its nameplate heat at the 0.4 % design
# conditions (exit still 0), with the shortfall and the fixes worked out by hand; sound plants
# (every bundled scenario) print no warning; `run` prints the warning once; and the West Texas
# dry-cooler conversion, which throttles on hot afternoons, reports a PUE peak below 1.6.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

for s in scenarios/*.yaml "$DATA/handcheck.yaml"; do
    "$DCSIM" check "$s" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
    expect_status 0 $? "check $s"
    expect_no_grep "warning:" "$TMP_DIR/err" "check $s (a sound plant)"
done

# A tower under constant weather 35/25 °C: capacity 10·(35 − 25)/5 = 20 MW against liquid heat
# 200·142 kW·0.95 = 26.98 MW: 6.98 MW short. Fixes: supply_c >= 25 + 5·26.98/10 = 38.49 °C,
# approach_k <= 10·10/26.98 = 3.71 K, capacity_mw >= 26.98·5/10 = 13.49 MW. Air: 200·142 kW·
# 0.05 = 1.42 MW against 1 MW: 0.42 MW short (printed to 0.1 MW, approach to 0.01 K).
cat >"$TMP_DIR/tower.yaml" <<'YAML'
name: tower-short
start: 2027-01-01
duration: 1d
timestep: 1h
sites:
  - id: s1
    weather: {constant: {drybulb_c: 35, wetbulb_c: 25}}
    supply: [{id: g, type: grid, contract_mw: 100}]
    it: [{id: p, rack: gb300-nvl72, count: 200, workload: constant, utilization: 0.5}]
    cooling:
      liquid: {supply_c: 35, rejection: cooling_tower, capacity_mw: 10, approach_k: 5}
      air: {capacity_mw: 1}
YAML
"$DCSIM" check "$TMP_DIR/tower.yaml" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "check tower-short"
expect_grep "^ok$" "$TMP_DIR/out" "check tower-short"
expect_grep "warning: site 's1': liquid loop \(cooling_tower\) rejects 20\.0 MW .* against 27\.0 MW .*: 7\.0 MW short; fix: supply_c >= 38\.5 °C, approach_k <= 3\.71 K or capacity_mw >= 13\.5 MW" \
    "$TMP_DIR/err" "check tower-short: liquid warning"
expect_grep "warning: site 's1': air side rejects 1\.0 MW against 1\.4 MW .*: 0\.4 MW short; fix: capacity_mw >= 1\.4 MW" \
    "$TMP_DIR/err" "check tower-short: air warning"

# The West Texas conversion on dry coolers at 35 °C: the design day (≈38 °C) leaves the dry
# coolers nothing; check warns, run warns once and throttles, and pue_peak stays < 1.6.
"$DCSIM" check "$DATA/west-texas-dry.yaml" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "check west-texas-dry"
expect_grep "warning: site 'abilene': liquid loop \(dry_cooler\) rejects 0\.0 MW at the design day .* MW short; fix: supply_c .*rejection: hybrid" \
    "$TMP_DIR/err" "check west-texas-dry"
"$DCSIM" run -q "$DATA/west-texas-dry.yaml" -o "$TMP_DIR/wt.h5" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "run west-texas-dry"
n=$(grep -c "warning:" "$TMP_DIR/err")
[ "$n" = 1 ] || fail "run west-texas-dry: $n warning lines, expected 1"
peak=$("$PY" -c 'import h5py, sys; a = h5py.File(sys.argv[1])["summary"].attrs
print(a["pue_peak"], a["pue_p99"], a["throttle_energy_mwh"])' "$TMP_DIR/wt.h5")
read -r pue_peak pue_p99 throttle <<<"$peak"
"$PY" -c 'import sys; p, q, t = map(float, sys.argv[1:4]); sys.exit(not (1 < q <= p < 1.6 and t > 0))' \
    "$pue_peak" "$pue_p99" "$throttle" ||
    fail "run west-texas-dry: pue_peak $pue_peak, pue_p99 $pue_p99, throttled $throttle MWh"
finish
