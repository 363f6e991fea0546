#!/usr/bin/env bash
# Sweep limits checked when the sweep file is read (issue 11), before any case runs: more than
# 64 vary paths, a vary path named like a column of /cases (a metric, case, status, message),
# and trials above the scenario's limit (1000000; 3e9 once became 1) are exit 2 with
# FILE:LINE:COL, in well under a second, and nothing is written.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

"$PY" "$E2E/sweepcheck.py" write "$TMP_DIR" || fail "sweepcheck.py write"
cd "$TMP_DIR" || exit 1
mkdir out

# sweep_bad NAME LINE:COL REGEX: `sweep NAME.yaml` exits 2 at once with that message
sweep_bad() {
    timeout 20 "$DCSIM" sweep "$1.yaml" -o out/x.h5 -q >out.txt 2>err.txt
    expect_status 2 $? "sweep $1.yaml"
    expect_grep "^$1\.yaml:$2: error: .*($3)" err.txt "sweep $1.yaml"
    expect_empty_dir out "sweep $1.yaml"
}

# 70 paths (one value each: one case) — a limit, not an index past an array
{
    echo "base: base.yaml"
    echo "vary:"
    for i in $(seq 1 70); do echo "  sites.west.tx.electrical.p$i: [1]"; done
} >many.yaml
sweep_bad many 3:3 "varies 70 paths; the limit is 64"
# 64 paths is the limit: read up front, each path then checked against the base
{
    echo "base: base.yaml"
    echo "vary:"
    for i in $(seq 1 64); do echo "  sites.west.tx.electrical.p$i: [1]"; done
} >limit.yaml
timeout 20 "$DCSIM" sweep limit.yaml -o out/limit.h5 -q >out.txt 2>err.txt
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 2 ] || fail "sweep with 64 paths: exit $rc (0 or 2 expected)"
expect_no_grep "limit is 64" err.txt "sweep with 64 paths"
rm -f out/*

for col in pue status case message; do
    printf 'base: base.yaml\nvary:\n  %s: [1, 2]\n' "$col" >"col-$col.yaml"
    sweep_bad "col-$col" 3:3 "'$col' is also the name of a column"
done

printf 'base: base.yaml\ntrials: 2000000\nvary:\n  seed: [1, 2]\n' >trials-big.yaml
sweep_bad trials-big 2:9 "'trials' must be at most 1000000"
printf 'base: base.yaml\ntrials: 3e9\nvary:\n  seed: [1, 2]\n' >trials-huge.yaml
sweep_bad trials-huge 2:9 "'trials' must be at most 1000000"
printf 'base: base.yaml\ntrials: 1e12\nmode: nope\nvary:\n  seed: [1, 2]\n' >trials-two.yaml
sweep_bad trials-two 2:9 "'trials' must be at most 1000000"
finish
