#!/usr/bin/env bash
# tools/dcsim_plot.py: the four charts of a run (a year at 15-minute steps) and the heat map of
# a small sweep are PNG files of some substance; bad input (an unknown metric or site, a
# missing file, a file of the other kind) exits 2 and writes nothing. Needs matplotlib (CI
# installs python3-matplotlib).
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
"$PLOT" run -q "$run_h5" -o "$TMP_DIR/img" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "dcsim_plot.py run"
for chart in supply duration pue monthly; do
    expect_png "$TMP_DIR/img/abilene-$chart.png" "dcsim_plot.py run ($chart)"
done
left=$(dir_list "$TMP_DIR/img")
[ "$left" = "abilene-duration.png abilene-monthly.png abilene-pue.png abilene-supply.png " ] ||
    fail "dcsim_plot.py run -o: the directory holds '$left'"

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
    >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "dcsim_plot.py sweep --metric unserved_energy_mwh"
expect_png "$TMP_DIR/heat.png" "dcsim_plot.py sweep"

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
