#!/usr/bin/env bash
# dcsim compare (contract section 1): the summaries of result files side by side; each value,
# the difference to the first file (B − A) and the % (100·diff/|A|) against /summary read with
# h5py; a sweep case addressed as S.h5:case=N gives that row's metrics; errors exit 2.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

SC=$E2E/sweepcheck.py
"$PY" "$SC" write "$TMP_DIR" || fail "sweepcheck.py write"
cd "$TMP_DIR" || exit 1

# A: the sweep tests' base; B: the same with 140 racks instead of 100 and another grid
# contract; C: the hand-check scenario (other site, other weather)
sed -e 's/count: 100,/count: 140,/' -e 's/contract_mw: 9,/contract_mw: 12,/' base.yaml >b.yaml
cmp -s base.yaml b.yaml && fail "b.yaml: the substitution changed nothing"
"$DCSIM" run base.yaml -o A.h5 -q >/dev/null
expect_status 0 $? "run A"
"$DCSIM" run b.yaml -o B.h5 -q >/dev/null
expect_status 0 $? "run B"
"$DCSIM" run "$DATA/handcheck.yaml" -o C.h5 -q >/dev/null
expect_status 0 $? "run C"

"$DCSIM" compare A.h5 B.h5 >ab.txt 2>ab.err
expect_status 0 $? "compare A B"
py_check "compare A B" "$SC" compare ab.txt A.h5 B.h5
expect_grep "^it_energy_mwh +[0-9.]+ +[0-9.]+ +\+[0-9.]+ +\+[0-9.]+ +MWh$" ab.txt \
    "compare A B: more racks, more IT energy"
"$DCSIM" compare A.h5 B.h5 C.h5 >abc.txt 2>&1
expect_status 0 $? "compare A B C"
py_check "compare A B C" "$SC" compare abc.txt A.h5 B.h5 C.h5

# a sweep case against the direct run of the same scenario: equal in every metric
"$DCSIM" sweep grid.yaml -o S.h5 -q >/dev/null
expect_status 0 $? "sweep grid"
py_check "direct runs of the sweep's cases" "$SC" direct grid S.h5 "$DCSIM" "$TMP_DIR"
"$DCSIM" compare grid-case3.h5 S.h5:case=3 A.h5 >case.txt 2>case.err
expect_status 0 $? "compare grid-case3.h5 S.h5:case=3 A.h5"
py_check "compare with a sweep case" "$SC" compare case.txt grid-case3.h5 S.h5:case=3 A.h5
# every difference of case 3 to its own direct run is zero
awk 'NR > 1 && $4 != "+0" && $4 != "-0" && $4 != "+nan" && $4 != "-nan" {print; bad = 1}
     END {exit bad}' case.txt || fail "compare: S.h5:case=3 differs from its direct run"
"$DCSIM" compare S.h5:case=0 S.h5:case=5 >cases.txt 2>&1
expect_status 0 $? "compare S.h5:case=0 S.h5:case=5"
py_check "compare two sweep cases" "$SC" compare cases.txt S.h5:case=0 S.h5:case=5

# errors: exit 2, the file named
"$DCSIM" compare A.h5 S.h5:case=6 >out.txt 2>err.txt
expect_status 2 $? "compare with case 6 of a 6-case sweep"
expect_grep "S.h5.*no case 6" err.txt "compare: a case beyond the sweep"
"$DCSIM" compare A.h5 S.h5:case=-1 >out.txt 2>err.txt
expect_status 2 $? "compare with case -1"
"$DCSIM" compare A.h5 S.h5:case=two >out.txt 2>err.txt
expect_status 2 $? "compare with case=two"
"$DCSIM" compare A.h5 missing.h5 >out.txt 2>err.txt
expect_status 2 $? "compare with a missing file"
expect_grep "missing\.h5" err.txt "compare: the missing file is named"
"$DCSIM" compare A.h5 S.h5 >out.txt 2>err.txt
expect_status 2 $? "compare with a sweep table and no case"
expect_grep "S\.h5: error: this is a sweep's table: name a case, e\.g\. 'S\.h5:case=0'" err.txt \
    "compare: a sweep file without a case says how to name one"
# two cases of one sweep are told apart, and names are not cut
"$DCSIM" compare S.h5:case=0 S.h5:case=5 >out.txt 2>err.txt
head -1 out.txt | grep -q "S.h5:case=0 .*S.h5:case=5 " || fail "compare: cases not labelled apart"
"$DCSIM" compare A.h5 >out.txt 2>err.txt
expect_status 2 $? "compare with one file"
"$DCSIM" compare A.h5 base.yaml >out.txt 2>err.txt
expect_status 2 $? "compare with a YAML file"
finish
