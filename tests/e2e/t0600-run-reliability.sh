#!/usr/bin/env bash
# Trials, thermal mass and scripted events end to end (contract sections 1-3; model.md "Random
# events", "Reliability and fit"; README "Reliability"):
#  1. the same seed gives bit-identical files for -j 1 and -j 2, and twice with -j 2: every
#     dataset (series, /time, /scenario, /trials) and every attribute (tests/e2e/reliability.py
#     same); another --seed gives other trials (reliability.py reseeded);
#  2. with trials > 1: /trials has a row per trial, `trial` = 0..N-1, and /summary's
#     lole_h_per_year, eue_mwh_per_year and unserved_energy_mwh_p50/p95/p99 are the rows' mean
#     per year and numpy.quantile(method='linear') (reliability.py trials);
#  3. scenarios/outage-ride-through.yaml: the grid outage (grid 0 exactly in its window, the
#     battery at once, the gensets start_s later), then the loop warms each step by
#     Q·Δt/(ρ·c_p·V) until 45 °C and ride_through_s is when the heat put in reaches
#     (45 − 35)·ρ·c_p·V; the same without training swings against (45 − 35)·ρ·c_p·V/Q;
#  4. bad events (unknown supply, a supply of the wrong type, unknown site, more units tripped
#     than the reactor has, a generator event on a grid, a cooling loss of a loop the site does
#     not have): `dcsim check` and `dcsim run` exit 2 with FILE:LINE:COL for each, run writes
#     nothing.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
REL=$E2E/reliability.py

# run_ok WHAT ARGS...: dcsim run -q ARGS, which must succeed silently on stderr.
run_ok() {
    local what=$1
    shift
    "$DCSIM" run -q --summary "$@" >"$TMP_DIR/run.out" 2>"$TMP_DIR/run.err"
    expect_status 0 $? "$what"
    [ -s "$TMP_DIR/run.err" ] && { fail "$what wrote to stderr:"; head -5 "$TMP_DIR/run.err"; }
}

# ---- 1 + 2: determinism and the trial statistics (smr-greenfield, 40 trials of a year) ----
scen=scenarios/smr-greenfield.yaml
run_ok "run -j 1" -o "$TMP_DIR/j1.h5" --trials 40 -j 1 "$scen"
run_ok "run -j 2" -o "$TMP_DIR/j2.h5" --trials 40 -j 2 "$scen"
run_ok "run -j 2 again" -o "$TMP_DIR/j2b.h5" --trials 40 -j 2 "$scen"
run_ok "run --seed 4" -o "$TMP_DIR/s4.h5" --trials 40 --seed 4 -j 2 "$scen"
expect_grep 'LOLE' "$TMP_DIR/run.out" "run --trials 40 prints LOLE"
py_check "-j 1 vs -j 2" "$REL" same "$TMP_DIR/j1.h5" "$TMP_DIR/j2.h5"
py_check "-j 2 twice" "$REL" same "$TMP_DIR/j2.h5" "$TMP_DIR/j2b.h5"
py_check "--seed 3 vs --seed 4" "$REL" reseeded "$TMP_DIR/j1.h5" "$TMP_DIR/s4.h5" 4
py_check "/trials and the trial statistics" "$REL" trials "$TMP_DIR/j1.h5" 40
rm -f "$TMP_DIR"/j1.h5 "$TMP_DIR"/j2.h5 "$TMP_DIR"/j2b.h5 "$TMP_DIR"/s4.h5

# ---- 3: outage-ride-through, as bundled and without training swings ----
scen=scenarios/outage-ride-through.yaml
rack=models/racks/gb300-nvl72.yaml
run_ok "run outage-ride-through" -o "$TMP_DIR/ride.h5" "$scen"
py_check "outage-ride-through" "$REL" ride "$TMP_DIR/ride.h5" "$scen" "$rack"
sed -e '/utilization: 0\.85,$/{N;s/,\n[[:space:]]*swing: {[^}]*}}/}/}' "$scen" >"$TMP_DIR/ride-const.yaml"
grep -q 'swing:' "$TMP_DIR/ride-const.yaml" && fail "test bug: swing still in ride-const.yaml"
cmp -s "$scen" "$TMP_DIR/ride-const.yaml" && fail "test bug: ride-const.yaml is the bundled file"
run_ok "run outage-ride-through without swings" -o "$TMP_DIR/ride-const.h5" "$TMP_DIR/ride-const.yaml"
py_check "outage-ride-through without swings" "$REL" ride "$TMP_DIR/ride-const.h5" \
    "$TMP_DIR/ride-const.yaml" "$rack" const

# ---- 4: bad events ----
cd "$TMP_DIR" || exit 1
cat >events.yaml <<'YAML'
name: bad-events
start: 2027-01-01
duration: 1d
timestep: 1h
sites:
  - id: s
    weather: {constant: {drybulb_c: 10, wetbulb_c: 5}}
    supply:
      - {id: g, type: grid, contract_mw: 100}
      - {id: r, type: reactor, model: bwrx-300, units: 2}
      - {id: gen, type: generator, capacity_mw: 10}
    it:
      - {id: p, rack: hgx-h100, count: 10, workload: constant, utilization: 1}
    cooling:
      air: {capacity_mw: 10}
events:
  - {type: grid_outage, at: 2027-01-01T01:00:00Z, duration: 1h, site: s, supply: g}
  - {type: reactor_trip, at: 2027-01-01T02:00:00Z, duration: 1h, site: s, supply: r, units: 2}
  - {type: generator_fail_to_start, at: 2027-01-01T01:00:00Z, duration: 1h, site: s, supply: gen}
YAML
"$DCSIM" check events.yaml >check.out 2>check.err
expect_status 0 $? "check events.yaml (valid events)"
# bad lines, appended one at a time and all together: line 20 is the first bad event
bad_lines=(
    "  - {type: grid_outage, at: 2027-01-01T01:00:00Z, duration: 1h, site: s, supply: gg}|supply: |gg|no supply 'gg'.*did you mean 'g'"
    "  - {type: grid_outage, at: 2027-01-01T01:00:00Z, duration: 1h, site: s, supply: r}|supply: |r}|'r' is a reactor, not a grid"
    "  - {type: grid_outage, at: 2027-01-01T01:00:00Z, duration: 1h, site: x, supply: g}|site: |x,|no site 'x'"
    "  - {type: reactor_trip, at: 2027-01-01T01:00:00Z, duration: 1h, site: s, supply: r, units: 3}|units: |3}|only 2 units"
    "  - {type: generator_fail_to_start, at: 2027-01-01T01:00:00Z, duration: 1h, site: s, supply: g}|supply: |g}|'g' is a grid, not a generator"
    "  - {type: cooling_loss, at: 2027-01-01T01:00:00Z, duration: 1h, site: s, loop: liquid}|{|{|no liquid cooling"
)
# cols LINE KEY VALUE: the 1-based columns where KEY and VALUE start in LINE, as "K|V".
cols() {
    local pre=${1%%"$2"*} vpre=${1%%"$3"*}
    echo "$(( ${#pre} + 1 ))|$(( ${#vpre} + 1 ))"
}
cp events.yaml all.yaml
i=0
for spec in "${bad_lines[@]}"; do
    IFS='|' read -r line key val re <<<"$spec"
    i=$((i + 1))
    c=$(cols "$line" "$key" "$val")
    { cat events.yaml; echo "$line"; } >"bad$i.yaml"
    echo "$line" >>all.yaml
    "$DCSIM" check "bad$i.yaml" >check.out 2>check.err
    expect_status 2 $? "check bad$i.yaml"
    expect_grep "^bad$i\\.yaml:20:($c): error: .*$re" check.err "check bad$i.yaml"
    mkdir -p "out$i"
    "$DCSIM" run -q -o "out$i/x.h5" "bad$i.yaml" >run.out 2>run.err
    expect_status 2 $? "run bad$i.yaml"
    expect_grep "^bad$i\\.yaml:20:($c): error: .*$re" run.err "run bad$i.yaml"
    expect_empty_dir "out$i" "run bad$i.yaml"
    # all of them at once: each at its own line
    printf '%s\n' "$((19 + i))|$c|$re" >>all.expect
done
"$DCSIM" check all.yaml >check.out 2>check.err
expect_status 2 $? "check all.yaml (every bad event)"
while IFS='|' read -r ln k v re; do
    expect_grep "^all\\.yaml:$ln:($k|$v): error: .*$re" check.err "check all.yaml, line $ln"
done <all.expect
finish
