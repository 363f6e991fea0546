#!/usr/bin/env bash
# dcsim report (issue 10): a result file's summary table printed again from the file alone,
# identical to what `dcsim run` printed (the heading line and every row, one site and
# several, one trial and several); a sweep case through its case file (S.h5:case=N);
# unreadable, foreign, damaged and sweep-table files are exit 2 with a message.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

cd "$TMP_DIR" || exit 1
S=$REPO/scenarios

# report_equals NAME SCENARIO RUN-OPTIONS...: the run's table == report's, byte for byte
report_equals() {
    local name=$1 scen=$2
    shift 2
    "$DCSIM" run "$scen" -o "$name.h5" "$@" >"$name.run" 2>"$name.run.err"
    expect_status 0 $? "run $name"
    "$DCSIM" report "$name.h5" >"$name.rep" 2>"$name.rep.err"
    expect_status 0 $? "report $name"
    [ -s "$name.rep.err" ] && fail "report $name: printed on stderr: $(head -3 "$name.rep.err")"
    cmp -s "$name.run" "$name.rep" || { fail "report $name: not the table run printed:"; diff "$name.run" "$name.rep" | head -20; }
    expect_grep "^[a-z0-9-]+: [0-9]+ sites?, .* steps\)$" "$name.rep" "report $name: heading"
    expect_grep "^reliability target" "$name.rep" "report $name: reliability block"
}
# one site, 1-s steps, small values (0.00278 h) and ride-through
report_equals ort "$S/outage-ride-through.yaml"
expect_grep "^unserved hours \(h\) +0\.00278$" ort.rep "report ort: small value in digits"
expect_grep "^ride-through \(s\) +116$" ort.rep "report ort: ride-through"
# four sites and the total, three trials (per-site reliability lines), --seed
report_equals campus "$S/campus-590mw.yaml" --trials 3 --seed 7
expect_grep "^ +pecos +LOLE " campus.rep "report campus: per-site reliability line"
# -q is accepted and the table is still the output
"$DCSIM" report -q ort.h5 >ortq.rep 2>&1
expect_status 0 $? "report -q"
cmp -s ort.rep ortq.rep || fail "report -q: output differs from report"

# a sweep's case (series: true) by S.h5:case=N is its case file's table; the table alone
# (no case) and a case without series are exit 2 with a message
"$PY" "$E2E/sweepcheck.py" write . || fail "sweepcheck.py write"
"$DCSIM" sweep series.yaml -o ser.h5 -q >/dev/null 2>&1
expect_status 0 $? "sweep series"
"$DCSIM" report ser.h5:case=1 >case1.rep 2>case1.err
expect_status 0 $? "report ser.h5:case=1"
"$DCSIM" report ser-cases/case-000001.h5 >case1f.rep 2>&1
expect_status 0 $? "report ser-cases/case-000001.h5"
cmp -s case1.rep case1f.rep || fail "report S.h5:case=1 differs from its case file's report"
expect_grep "^IT energy \(MWh\) " case1.rep "report case 1: table"
"$DCSIM" report ser.h5 >tab.out 2>tab.err
expect_status 2 $? "report of a sweep table"
expect_grep "sweep's table: name a case" tab.err "report of a sweep table: message"
"$DCSIM" sweep ids.yaml -o ids.h5 -q >/dev/null 2>&1
"$DCSIM" report ids.h5:case=0 >nos.out 2>nos.err
expect_status 2 $? "report of a case without series"
expect_grep "no series file for case 0" nos.err "report of a case without series: message"
"$DCSIM" report ser.h5:case=x >/dev/null 2>bad.err
expect_status 2 $? "report S.h5:case=x"

# not a result: missing, not HDF5, HDF5 without /scenario or /summary
"$DCSIM" report missing.h5 >/dev/null 2>miss.err
expect_status 2 $? "report of a missing file"
expect_grep "^missing.h5: error: " miss.err "report of a missing file: message"
"$DCSIM" report "$S/outage-ride-through.yaml" >/dev/null 2>yaml.err
expect_status 2 $? "report of a YAML file"
expect_grep "not an HDF5 file" yaml.err "report of a YAML file: message"
"$PY" -c 'import h5py; h5py.File("empty.h5", "w").attrs["x"] = 1' || fail "h5py: empty.h5"
"$DCSIM" report empty.h5 >/dev/null 2>empty.err
expect_status 2 $? "report of an HDF5 file that is not dcsim's"
expect_grep "^empty.h5: error: .*scenario" empty.err "report of a foreign HDF5 file: message"
"$PY" - <<'PY' || fail "h5py: nosummary.h5"
import h5py, shutil
shutil.copy("ort.h5", "nosummary.h5")
with h5py.File("nosummary.h5", "a") as f:
    del f["summary"]
PY
"$DCSIM" report nosummary.h5 >/dev/null 2>nosum.err
expect_status 2 $? "report of a file without /summary"
expect_grep "^nosummary.h5: error: .*summary" nosum.err "report without /summary: message"
# a file HDF5 1.10.8 crashes on (tests/fuzz/hdf5-crashes): read in a child first, exit 2
# (under ASan the child's crash is AddressSanitizer's exit 1: "failed")
cp "$REPO/tests/fuzz/hdf5-crashes/btree2-header-null-deref.h5seed" crash.h5
timeout 60 "$DCSIM" report crash.h5 >/dev/null 2>crash.err
expect_status 2 $? "report of a file HDF5 crashes on"
expect_grep "^crash\.h5: error: .*the file is damaged: the HDF5 library (crashed|failed)" crash.err \
    "report crash.h5: the crash reported as a damaged file"
"$DCSIM" report >/dev/null 2>usage.err
expect_status 2 $? "report without a file"
expect_grep "^usage: dcsim report" usage.err "report without a file: usage"
finish
