#!/usr/bin/env bash
# tests/data/handcheck.yaml and its variants (hybrid, dry cooler, tower, chiller, throttling,
# shedding, firm curtailment, battery then generator): every summary metric and the main
# series against a hand calculation of ../shared/model.md (handcheck.py, within 0.1 %, zeros
# exactly), then the generic layout and balance checks on the same files.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

py_check "hand calculation" "$E2E/handcheck.py" run "$DCSIM" "$TMP_DIR"
version=$("$DCSIM" --version | awk '{print $2}')
n=0 all_parts=
for h5 in "$TMP_DIR"/*.h5; do
    [ -e "$h5" ] || continue
    name=$(basename "$h5" .h5)
    scen=$TMP_DIR/$name.yaml
    [ "$name" = handcheck-hybrid ] && scen=$DATA/handcheck.yaml
    py_check "$name: HDF5 layout and balances" "$H5CHECK" bundle "$scen" "$h5" "$version"
    all_parts="$all_parts $h5"
    n=$((n + 1))
done
[ "$n" -ge 8 ] || fail "only $n hand-check result files"
# issue 10: per-supply and per-pool series add up to the site's in every case, and the
# cases shed, throttle and use the battery (the sums are not 0 = 0)
# shellcheck disable=SC2086
py_check "per-supply and per-pool series" "$E2E/partscheck.py" $all_parts \
    --require-nonzero shed throttle battery
finish
