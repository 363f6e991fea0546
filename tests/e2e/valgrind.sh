#!/usr/bin/env bash
# valgrind.sh — every command of dcsim on small inputs under valgrind's memcheck, with leak
# checking: any invalid access, use of uninitialised memory or definite/indirect leak fails.
# ("Still reachable" is HDF5's own, kept on purpose: see H5dont_atexit in sim/commands/main.c.)
# Usage: DCSIM=./dcsim bash tests/e2e/valgrind.sh
set -u
cd "$(dirname "$0")/../.."
DCSIM=${DCSIM:-./dcsim}
TMP_DIR=$(mktemp -d)
trap 'rm -rf "$TMP_DIR"' EXIT
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --track-origins=yes)
passed=0 failed=0

# vg EXPECTED_STATUS NAME ARGS...: runs dcsim ARGS under memcheck
vg() {
    local want=$1 name=$2
    shift 2
    "${VG[@]}" "$DCSIM" "$@" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
    local rc=$?
    if [ "$rc" -eq "$want" ] && ! grep -q "==[0-9]*==" "$TMP_DIR/err"; then
        passed=$((passed + 1))
        echo "ok   valgrind $name"
    else
        failed=$((failed + 1))
        echo "FAIL valgrind $name (exit $rc, expected $want)"
        sed 's/^/    | /' "$TMP_DIR/err" | head -n 40
    fi
}

# small variants of the bundled scenarios: two days, hourly
# the bundled scenarios name files beside them (scenarios/data): copy those along
cp -R scenarios/data "$TMP_DIR/data"
for s in scenarios/*.yaml; do
    n=$(basename "$s" .yaml)
    sed -E 's/^duration: .*/duration: 2d/; s/^timestep: .*/timestep: 1h/' "$s" > "$TMP_DIR/$n.yaml"
    vg 0 "check $n" check "$s"
done
sed -E 's/^duration: .*/duration: 20min/' scenarios/outage-ride-through.yaml > "$TMP_DIR/ride.yaml"
sed -i 's/duration: 10min, site/duration: 5min, site/' "$TMP_DIR/ride.yaml"
vg 0 "run abilene (2 days)" run -q "$TMP_DIR/abilene-conversion.yaml" -o "$TMP_DIR/a.h5"
vg 0 "run 590 MW (2 days, 8 trials on 2 threads)" run -q "$TMP_DIR/campus-590mw.yaml" \
    --trials 8 -j 2 -o "$TMP_DIR/c.h5"
vg 0 "run smr (2 days)" run -q "$TMP_DIR/smr-greenfield.yaml" -o "$TMP_DIR/s.h5"
vg 0 "run ride-through (1-s steps, events, thermal mass)" run -q "$TMP_DIR/ride.yaml" \
    -o "$TMP_DIR/r.h5"
vg 0 "run hand check" run -q tests/data/handcheck.yaml -o "$TMP_DIR/h.h5"
vg 1 "fit 590 MW (2 days, 2 trials, asking 5000 MW)" fit "$TMP_DIR/campus-590mw.yaml" --it-mw 5000 --trials 2 \
    -o "$TMP_DIR/f.h5"
cat > "$TMP_DIR/sweep.yaml" <<YAML
base: $TMP_DIR/abilene-conversion.yaml
mode: grid
vary:
  sites.abilene.it.phase1.count: [400, 800]
  sites.abilene.cooling.liquid.rejection: [hybrid, bogus]
YAML
vg 2 "sweep (4 cases, one invalid: exit 2)" sweep -q "$TMP_DIR/sweep.yaml" -o "$TMP_DIR/sw.h5" \
    --csv "$TMP_DIR/sw.csv" -j 2
vg 2 "sweep --resume (the invalid case again: exit 2)" sweep -q "$TMP_DIR/sweep.yaml" -o "$TMP_DIR/sw.h5" --resume
# cases that share their first steps: phase 1 online on day 2 (of 2), two counts of it in
# each of two units (the state saved, taken by the other case, freed)
cat > "$TMP_DIR/share.yaml" <<YAML
base: $TMP_DIR/abilene-conversion.yaml
mode: grid
vary:
  sites.abilene.it.phase1.online: [2027-01-02T05:00:00Z]
  sites.abilene.supply.oncor.contract_mw: [150, 200]
  sites.abilene.it.phase1.count: [400, 800]
YAML
vg 0 "sweep sharing first steps (2 units of 2 cases)" sweep "$TMP_DIR/share.yaml" \
    -o "$TMP_DIR/share.h5" -j 2
grep -q "(2 went on from another case's first steps)" "$TMP_DIR/err" ||
    { failed=$((failed + 1)); echo "FAIL valgrind sweep sharing: no case went on"; }
vg 0 "compare" compare "$TMP_DIR/a.h5" "$TMP_DIR/sw.h5:case=1"
# legal but suspect input: warnings (a rack of 142,000 kW, a supply and a pool never online,
# an event before the run), exit 0
cat > "$TMP_DIR/warn.yaml" <<YAML
name: w
start: 2027-01-01
duration: 1d
timestep: 1h
models:
  racks:
    - {id: huge, gpus: 8, power_max_kw: 142000, power_idle_kw: 20, liquid_fraction: 0.8}
sites:
  - id: s
    weather: {constant: {drybulb_c: 20, wetbulb_c: 12}}
    supply:
      - {id: grid, type: grid, contract_mw: 500}
      - {id: old, type: grid, contract_mw: 5, offline: 2026-01-01}
    it:
      - {id: a, rack: gb300-nvl72, count: 10, workload: constant}
      - {id: b, rack: huge, count: 1, workload: constant, online: 2028-01-01}
    cooling:
      liquid: {supply_c: 30, rejection: dry_cooler, capacity_mw: 400}
      air: {supply_c: 24, capacity_mw: 100}
events:
  - {type: grid_outage, site: s, supply: grid, at: 2026-12-01, duration: 1h}
YAML
vg 0 "run with warnings" run -q "$TMP_DIR/warn.yaml" -o "$TMP_DIR/w.h5"
vg 0 "report (4 sites, 8 trials)" report "$TMP_DIR/c.h5"
vg 2 "report of a sweep table" report "$TMP_DIR/sw.h5"
vg 2 "report of a YAML file" report "$TMP_DIR/ride.yaml"
vg 0 "models" models
printf 'name: x\nstart: 2027-02-30\nduration: 1d\nsites:\n  - {id: a, climat: west-texas}\n' \
    > "$TMP_DIR/bad.yaml"
vg 2 "check a bad scenario" check "$TMP_DIR/bad.yaml"
vg 2 "run a bad scenario" run "$TMP_DIR/bad.yaml" -o "$TMP_DIR/bad.h5"
vg 2 "check a missing file" check "$TMP_DIR/missing.yaml"
vg 3 "run into a missing directory" run -q "$TMP_DIR/abilene-conversion.yaml" \
    -o /nonexistent-dir/x.h5
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
