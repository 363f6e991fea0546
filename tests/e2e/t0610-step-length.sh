#!/usr/bin/env bash
# Answers that do not depend on choices that should not matter (issue 8; docs/model.md
# "Event-exact steps", "Trials"):
#  1. two scripted grid outages (95 min from 01:07:30, 5 min from 04:10:20) with 80 MW of
#     gensets (10-s start), a 20 MW battery and a cooling loss on a loop with thermal mass:
#     unserved energy and hours, throttled energy, generator energy and ride-through agree
#     within 1 % at 1 s, 1 min, 15 min and 1 h steps;
#  2. random grid outages of 3 min on average over 30 trials: LOLE and EUE agree within 1 %
#     at 1 min, 15 min and 1 h steps;
#  3. a synthetic climate draws a weather year per trial: the trials' throttled energy
#     spreads (p50 != p95), standard errors are the trials' std/sqrt(n);
#  4. a site's results are the same alone, among others, in any order (streams keyed by ids).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
SL=$E2E/steplen.py
files=$("$PY" "$SL" write "$TMP_DIR") || fail "steplen.py write"
path() { awk -v c="$1" '$1 == c {print $2}' <<<"$files"; }
run_to() {
    "$DCSIM" run -q "$(path "$1")" -o "$TMP_DIR/$1.h5" -j 2 >/dev/null 2>"$TMP_DIR/$1.err"
    expect_status 0 $? "run $1"
}
for dt in 1s 1min 15min 1h; do run_to "outages-$dt"; done
py_check "scripted outages at 1 s, 1 min, 15 min, 1 h" "$SL" same \
    "$TMP_DIR"/outages-{1s,1min,15min,1h}.h5
for dt in 1min 15min 1h; do run_to "random-$dt"; done
py_check "random outages over 30 trials at 1 min, 15 min, 1 h" "$SL" same \
    "$TMP_DIR"/random-{1min,15min,1h}.h5
for n in weather-ab weather-ba weather-b weather-bca; do run_to "$n"; done
py_check "weather trials spread" "$SL" spread "$TMP_DIR/weather-ab.h5"
py_check "site bravo: order of sites" "$SL" site "$TMP_DIR/weather-ab.h5" "$TMP_DIR/weather-ba.h5" bravo
py_check "site bravo: alone" "$SL" site "$TMP_DIR/weather-ab.h5" "$TMP_DIR/weather-b.h5" bravo
py_check "site alpha: a site added before it" "$SL" site "$TMP_DIR/weather-ab.h5" \
    "$TMP_DIR/weather-bca.h5" alpha
finish
