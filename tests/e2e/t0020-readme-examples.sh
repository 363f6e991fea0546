#!/usr/bin/env bash
# The README's examples run (issue 10), so that it cannot drift from the program: every
# fenced block marked `sh run`, `console run` (with the output it shows checked line by line)
# or `python run` runs in a copy of the repository's inputs with this dcsim on PATH
# (tests/e2e/readme_examples.py; README "Building and testing"). Blocks marked `run-slow`
# (the fits of 100 trials) run only with README_EXAMPLES=all.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

if ! "$PY" -c 'import h5py, matplotlib, xarray, h5netcdf' 2>"$TMP_DIR/imp"; then
    fail "the README's python examples need python3-h5py, python3-matplotlib, python3-xarray" \
        "and python3-h5netcdf — $(tail -1 "$TMP_DIR/imp")"
    finish
fi
W=$TMP_DIR/work
mkdir -p "$W/bin" "$W/results" "$W/docs/img"
cp -R scenarios tools models "$W/"
ln -s "$DCSIM" "$W/dcsim"
ln -s "$DCSIM" "$W/bin/dcsim"
all=
[ "${README_EXAMPLES:-}" = all ] && all=--all
PATH=$W/bin:$PATH "$PY" "$E2E/readme_examples.py" README.md "$W" $all >"$TMP_DIR/log" 2>&1
rc=$?
cat "$TMP_DIR/log"
expect_status 0 $rc "README examples"
# what the Plots section draws, and the sweep table it writes
for f in docs/img/abilene-conversion-supply.png docs/img/abilene-sweep-unserved.png \
         results/my-sweep.h5 results/my-sweep.csv results/ride.h5; do
    [ -s "$W/$f" ] || fail "README examples: no $f"
done
finish
