#!/usr/bin/env bash
# Every bundled scenario checks and runs; its HDF5 file holds the contract's layout on every
# step and site, the README's per-step balances hold, and every summary metric equals its
# series aggregated (h5check.py bundle).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

version=$("$DCSIM" --version | awk '{print $2}')
[ -n "$version" ] || fail "dcsim --version printed no version"
n=0
for scen in scenarios/*.yaml; do
    base=$(basename "$scen" .yaml)
    n=$((n + 1))
    "$DCSIM" check "$scen" >"$TMP_DIR/check.out" 2>"$TMP_DIR/check.err"
    expect_status 0 $? "dcsim check $scen"
    expect_grep '^site ' "$TMP_DIR/check.out" "dcsim check $scen prints the sites"
    out=$TMP_DIR/$base/x.h5
    mkdir -p "$TMP_DIR/$base"
    "$DCSIM" run -q --summary -o "$out" "$scen" >"$TMP_DIR/run.out" 2>"$TMP_DIR/run.err"
    rc=$?
    expect_status 0 "$rc" "dcsim run -q $scen"
    [ -s "$TMP_DIR/run.err" ] && { fail "dcsim run -q $scen wrote to stderr:"; head -5 "$TMP_DIR/run.err"; }
    for row in 'energy' '^PUE ' 'peak' 'unserved energy' 'unserved hours' 'shed' 'water' 'cost'; do
        expect_grep "$row" "$TMP_DIR/run.out" "dcsim run $scen: the summary table has '$row'"
    done
    if [ ! -f "$out" ]; then
        fail "dcsim run $scen: no $out"
        continue
    fi
    left=$(dir_list "$TMP_DIR/$base")
    [ "$left" = "x.h5 " ] || fail "dcsim run $scen: the output directory holds '$left', not just x.h5"
    py_check "$scen: HDF5 contents" "$H5CHECK" bundle "$scen" "$out" "$version"
    py_check "$scen: per-supply and per-pool series" "$E2E/partscheck.py" "$out"
    # the table's PUE (last column: the total, or the only site) is the file's /summary pue
    printed=$(awk '/^PUE +[0-9]/ {print $NF}' "$TMP_DIR/run.out")
    stored=$("$PY" "$H5CHECK" get "$out" /summary/pue)
    expect_num "$printed" "$stored" 0.0005 "dcsim run $scen: printed PUE vs /summary pue"
    rm -f "$out"
done
[ "$n" -ge 4 ] || fail "only $n bundled scenarios found"
finish
