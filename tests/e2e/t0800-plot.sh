#!/usr/bin/env bash
# tools/dcsim_plot.py: the four charts of a run (a year at 15-minute steps) and the heat map of
# a small sweep are PNG files of some substance; bad input (an unknown metric or site, a
# missing file, a file of the other kind) exits 2 and writes nothing. Needs matplotlib (CI
# installs python3-matplotlib).
# Plots that do not mislead (issue 10), checked on the numbers the tool draws (--dump-json,
# tests/e2e/plotcheck.py): the supply chart pools served, demand, unserved, shed and
# throttled power the same way (means over the same bins, each the mean of its rows), so
# demand equals served where nothing is short and exceeds it by the unserved power where it
# is; the pooled energies are the summary's. Rendered from a case with a known shortfall
# (outage-ride-through: unserved and throttled) and one with none (the hand check), both
# pooled (--max-points). The heat map's labels tell neighbouring cells apart.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
PLOT=$REPO/tools/dcsim_plot.py

if ! "$PY" -c 'import matplotlib, h5py, numpy' 2>"$TMP_DIR/imp"; then
    fail "matplotlib (or h5py/numpy) is not importable by $PY: install python3-matplotlib" \
        "python3-h5py python3-numpy (Debian) — $(tail -1 "$TMP_DIR/imp")"
    finish
fi

# expect_png FILE WHAT: FILE exists, starts with the PNG signature and is over 5 KB.
expect_png() {
    if [ ! -f "$1" ]; then fail "$2: no $1"; return; fi
    local magic size
    magic=$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')
    [ "$magic" = 89504e470d0a1a0a ] || fail "$2: $1 is not a PNG (starts with $magic)"
    size=$(wc -c <"$1")
    [ "$size" -gt 5120 ] || fail "$2: $1 is only $size bytes"
}

# --- run: four PNGs into -o DIR (created), named <stem>-<chart>.png
run_h5=$TMP_DIR/abilene.h5
"$DCSIM" run -q scenarios/abilene-conversion.yaml -o "$run_h5" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "dcsim run abilene-conversion"
"$PLOT" run -q "$run_h5" -o "$TMP_DIR/img" --dump-json "$TMP_DIR/abilene.json" \
    >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "dcsim_plot.py run"
for chart in supply duration pue monthly; do
    expect_png "$TMP_DIR/img/abilene-$chart.png" "dcsim_plot.py run ($chart)"
done
left=$(dir_list "$TMP_DIR/img")
[ "$left" = "abilene-duration.png abilene-monthly.png abilene-pue.png abilene-supply.png " ] ||
    fail "dcsim_plot.py run -o: the directory holds '$left'"

# the year: 35,040 rows pooled to daily means; flexible IT is shed in the curtailed hours
py_check "supply chart of abilene-conversion (shed, nothing unserved)" "$E2E/plotcheck.py" \
    supply "$TMP_DIR/abilene.json" "$run_h5" abilene any
"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1]))["supply"]
sys.exit(not (d["rows_per_bin"] == 96 and len(d["served_mw"]) == 365 and max(d["shed_mw"]) > 0))' \
    "$TMP_DIR/abilene.json" || fail "abilene supply chart: not 365 daily bins with some shed"

# a known shortfall: 30 min at 1 s (1,800 rows) pooled to 60 bins of 30 s
"$DCSIM" run -q scenarios/outage-ride-through.yaml -o "$TMP_DIR/ride.h5" >"$TMP_DIR/out" 2>&1
expect_status 0 $? "dcsim run outage-ride-through"
"$PLOT" run -q "$TMP_DIR/ride.h5" -o "$TMP_DIR/ride" --max-points 100 \
    --dump-json "$TMP_DIR/ride.json" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "dcsim_plot.py run (outage-ride-through)"
for chart in supply duration pue monthly; do
    expect_png "$TMP_DIR/ride/ride-$chart.png" "dcsim_plot.py run outage-ride-through ($chart)"
done
py_check "supply chart with a shortfall (outage-ride-through)" "$E2E/plotcheck.py" supply \
    "$TMP_DIR/ride.json" "$TMP_DIR/ride.h5" abilene some
"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1]))["supply"]
sys.exit(not (d["rows_per_bin"] == 30 and len(d["served_mw"]) == 60))' "$TMP_DIR/ride.json" ||
    fail "outage-ride-through supply chart: not 60 bins of 30 rows"
# none: the hand check (5 MW on a 20 MW contract, 48 hourly rows) pooled to 8 bins of 6 h
"$DCSIM" run -q "$DATA/handcheck.yaml" -o "$TMP_DIR/hand.h5" >"$TMP_DIR/out" 2>&1
expect_status 0 $? "dcsim run handcheck"
"$PLOT" run -q "$TMP_DIR/hand.h5" -o "$TMP_DIR/hand" --max-points 10 \
    --dump-json "$TMP_DIR/hand.json" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "dcsim_plot.py run (handcheck)"
for chart in supply duration pue monthly; do
    expect_png "$TMP_DIR/hand/hand-$chart.png" "dcsim_plot.py run handcheck ($chart)"
done
py_check "supply chart without a shortfall (handcheck)" "$E2E/plotcheck.py" supply \
    "$TMP_DIR/hand.json" "$TMP_DIR/hand.h5" hc none
"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1]))["supply"]
sys.exit(not (d["rows_per_bin"] == 6 and len(d["served_mw"]) == 8))' "$TMP_DIR/hand.json" ||
    fail "handcheck supply chart: not 8 bins of 6 rows"
"$PLOT" run -q "$TMP_DIR/hand.h5" -o "$TMP_DIR/hand" --max-points 1 >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "dcsim_plot.py run --max-points 1"

# heat-map labels on grids fixed by hand (1.11 next to 1.22 is not 1 and 1)
py_check "heat-map cell labels" "$E2E/plotcheck.py" labels

# --- sweep: a 2 x 3 grid with an absolute base; the heat map
cat >"$TMP_DIR/sweep.yaml" <<EOF
base: $REPO/scenarios/abilene-conversion.yaml
mode: grid
vary:
  sites.abilene.it.phase2.count: [400, 1000]
  sites.abilene.supply.oncor.contract_mw: [150, 200, 250]
EOF
"$DCSIM" sweep -q "$TMP_DIR/sweep.yaml" -o "$TMP_DIR/sweep.h5" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "dcsim sweep (2 x 3)"
"$PLOT" sweep -q "$TMP_DIR/sweep.h5" --metric unserved_energy_mwh -o "$TMP_DIR/heat.png" \
    --dump-json "$TMP_DIR/heat.json" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "dcsim_plot.py sweep --metric unserved_energy_mwh"
expect_png "$TMP_DIR/heat.png" "dcsim_plot.py sweep"
py_check "heat map of unserved_energy_mwh: labels" "$E2E/plotcheck.py" heatmap "$TMP_DIR/heat.json"
for metric in pue_peak energy_cost_usd; do
    "$PLOT" sweep -q "$TMP_DIR/sweep.h5" --metric $metric -o "$TMP_DIR/heat-$metric.png" \
        --dump-json "$TMP_DIR/heat-$metric.json" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
    expect_status 0 $? "dcsim_plot.py sweep --metric $metric --dump-json"
    expect_png "$TMP_DIR/heat-$metric.png" "dcsim_plot.py sweep ($metric)"
    py_check "heat map of $metric: labels" "$E2E/plotcheck.py" heatmap "$TMP_DIR/heat-$metric.json"
done

# --- bad input: exit 2, a message, no PNG
"$PLOT" sweep "$TMP_DIR/sweep.h5" --metric bogus -o "$TMP_DIR/bogus.png" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "dcsim_plot.py sweep --metric bogus"
expect_grep "unknown metric 'bogus'.*shed_energy_mwh" "$TMP_DIR/err" "--metric bogus lists the metrics"
[ -e "$TMP_DIR/bogus.png" ] && fail "--metric bogus wrote a PNG"

mkdir "$TMP_DIR/none"
"$PLOT" run "$run_h5" --site bogus -o "$TMP_DIR/none" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "dcsim_plot.py run --site bogus"
expect_grep "unknown site 'bogus'.*abilene" "$TMP_DIR/err" "--site bogus names the sites"
"$PLOT" run "$TMP_DIR/missing.h5" -o "$TMP_DIR/none" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "dcsim_plot.py run MISSING"
"$PLOT" run "$TMP_DIR/sweep.h5" -o "$TMP_DIR/none" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "dcsim_plot.py run SWEEP.h5"
"$PLOT" sweep "$run_h5" --metric pue -o "$TMP_DIR/none/x.png" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "dcsim_plot.py sweep RUN.h5"
"$PLOT" run "$TMP_DIR/sweep.yaml" -o "$TMP_DIR/none" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "dcsim_plot.py run NOT-HDF5"
expect_empty_dir "$TMP_DIR/none" "dcsim_plot.py on bad input"

finish
