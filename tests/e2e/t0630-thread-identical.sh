#!/usr/bin/env bash
# Results do not depend on the thread count (issue 12): every bundled scenario written with
# -j 1 and -j 2 gives byte-identical HDF5 files (series, summaries, /models; track_times off),
# and so do runs with trials (trials spread over threads) and the national example (sites in
# parallel; shortened to a day here). Compression threads follow -j, so they are covered too.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

same_bytes() {   # WHAT ARGS...: runs with -j 1 and -j 2, compares the files
    local what=$1
    shift
    "$DCSIM" run -q "$@" -j 1 -o "$TMP_DIR/j1.h5" >"$TMP_DIR/out1" 2>&1
    local rc1=$?
    "$DCSIM" run -q "$@" -j 2 -o "$TMP_DIR/j2.h5" >"$TMP_DIR/out2" 2>&1
    local rc2=$?
    if [ "$rc1" != 0 ] || [ "$rc2" != 0 ]; then
        fail "$what: exit $rc1 (-j 1) / $rc2 (-j 2): $(head -3 "$TMP_DIR/out1" "$TMP_DIR/out2")"
        return
    fi
    cmp -s "$TMP_DIR/j1.h5" "$TMP_DIR/j2.h5" || fail "$what: -j 1 and -j 2 files differ in bytes"
    rm -f "$TMP_DIR/j1.h5" "$TMP_DIR/j2.h5"
}

for f in scenarios/*.yaml; do
    same_bytes "$f" "$f"
done
same_bytes "campus-590mw.yaml --trials 4" scenarios/campus-590mw.yaml --trials 4
same_bytes "smr-greenfield.yaml --trials 3" scenarios/smr-greenfield.yaml --trials 3
sed -e 's/^duration: .*/duration: 1d/' scenarios/national/national-100gw.yaml >"$TMP_DIR/national-1d.yaml"
grep -q '^duration: 1d' "$TMP_DIR/national-1d.yaml" || fail "national-1d.yaml: no duration line replaced"
same_bytes "national-100gw.yaml over 1 day" "$TMP_DIR/national-1d.yaml"
finish
