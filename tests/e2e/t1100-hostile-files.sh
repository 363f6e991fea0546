#!/usr/bin/env bash
# Hostile result files (issue 11): compare and sweep --resume on files that claim huge row
# counts, lack columns, have wrong types or shapes, or link to other files give exit 2 and a
# message naming the file, never a signal; a symlink planted where the sweep writes its
# temporary files keeps its target; two identical runs and sweeps give identical bytes.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

SC=$E2E/sweepcheck.py
"$PY" "$SC" write "$TMP_DIR" || fail "sweepcheck.py write"
cd "$TMP_DIR" || exit 1
"$DCSIM" run base.yaml -o A.h5 -q >/dev/null
expect_status 0 $? "run A"
"$PY" "$E2E/hostile.py" "$TMP_DIR" A.h5 || fail "hostile.py"

# compare: exit 2 (or 0 where the file is odd but harmless), never a signal
for f in nostatus strstatus twod floats group extcases; do
    timeout 60 "$DCSIM" compare A.h5 "$f.h5:case=0" >out.txt 2>err.txt
    expect_status 2 $? "compare A.h5 $f.h5:case=0"
    expect_grep "^$f\.h5: error: " err.txt "compare $f.h5:case=0: a message naming the file"
done
expect_grep "external link: refused" err.txt "compare extcases.h5: the external link refused"
for f in extsummary softsummary; do
    "$DCSIM" compare A.h5 "$f.h5" >out.txt 2>err.txt
    expect_status 2 $? "compare A.h5 $f.h5"
    expect_grep "^$f\.h5: error: .*link: refused" err.txt "compare $f.h5: the link refused"
done
# a /cases whose row type puts columns outside the row (found by fuzz_h5read: HDF5 read
# freed memory converting it)
timeout 60 "$DCSIM" compare A.h5 "$REPO/tests/fuzz/corpus-h5/damaged-row-type.h5seed:case=0" >out.txt 2>err.txt
expect_status 2 $? "compare with a damaged row type"
expect_grep "damaged-row-type\.h5seed: error: /cases has a damaged row type" err.txt "damaged row type"

# a file on which HDF5 1.10.8 itself dereferences NULL (found by fuzz_h5read): every read runs
# first in a child process, so the crash becomes exit 2 with a message, for a result, a sweep
# case and sweep --resume alike
crash=$REPO/tests/fuzz/hdf5-crashes/btree2-header-null-deref.h5seed
cp "$crash" crash.h5
for arg in crash.h5 crash.h5:case=0; do
    timeout 60 "$DCSIM" compare A.h5 "$arg" >out.txt 2>err.txt
    expect_status 2 $? "compare A.h5 $arg (HDF5 crashes on it)"
    expect_grep "^crash\.h5: error: .*the file is damaged: the HDF5 library crashed" err.txt \
        "compare $arg: the crash reported as a damaged file"
done
cp crash.h5 r-crash.h5
timeout 60 "$DCSIM" sweep grid.yaml -o r-crash.h5 --resume -q >out.txt 2>err.txt
expect_status 2 $? "sweep --resume onto a file HDF5 crashes on"
expect_grep "^r-crash\.h5: error: .*the file is damaged" err.txt "sweep --resume: the crash reported"
cmp -s crash.h5 r-crash.h5 || fail "sweep --resume onto crash.h5 changed it"

# declared-but-empty huge tables: one row is read, not 1e7 or 2^60 (fill values: status 0)
for f in huge wrap; do
    timeout 60 "$DCSIM" compare A.h5 "$f.h5:case=0" >out.txt 2>err.txt
    expect_status 0 $? "compare A.h5 $f.h5:case=0 (one fill row)"
    timeout 60 "$DCSIM" compare A.h5 "$f.h5:case=9999999" >out.txt 2>err.txt
    expect_status 0 $? "compare A.h5 $f.h5:case=9999999"
done
"$DCSIM" compare A.h5 arrays.h5 >out.txt 2>err.txt
expect_status 0 $? "compare A.h5 arrays.h5 (array attribute skipped)"
expect_grep "^pue " out.txt "compare arrays.h5: the scalar metric read"
# metrics a sweep file lacks print as nan, not heap garbage
"$DCSIM" compare partial.h5:case=0 partial.h5:case=0 >out.txt 2>err.txt
expect_status 0 $? "compare partial.h5:case=0"
expect_grep "^it_energy_mwh +5 " out.txt "compare partial.h5: the metric it has"
[ "$(grep -c . out.txt)" = 2 ] || fail "compare partial.h5: only its one metric printed: $(cat out.txt)"

# sweep --resume onto the hostile tables: exit 2 before any case runs
for f in huge wrap nostatus strstatus twod floats group extcases; do
    cp "$f.h5" "r-$f.h5"
    timeout 60 "$DCSIM" sweep grid.yaml -o "r-$f.h5" --resume -q >out.txt 2>err.txt
    expect_status 2 $? "sweep --resume onto $f.h5"
    expect_grep "r-$f\.h5: error: " err.txt "sweep --resume onto $f.h5: a message naming the file"
    cmp -s "$f.h5" "r-$f.h5" || fail "sweep --resume onto $f.h5 changed it"
done

# a symlink planted at the old temporary names (OUT.tmp.<pid>: the exec keeps the shell's
# pid) keeps its target
echo precious >target.txt
# shellcheck disable=SC2016  # $$ expands in the inner shell, whose pid dcsim keeps
bash -c 'ln -s target.txt S.h5.tmp.$$; ln -s target.txt S.csv.tmp.$$; exec "$0" "$@"' \
    "$DCSIM" sweep grid.yaml -o S.h5 --csv S.csv -q >/dev/null 2>err.txt
expect_status 0 $? "sweep with planted symlinks"
[ "$(cat target.txt)" = precious ] || fail "sweep: a planted symlink's target was overwritten"
[ -L S.h5 ] && fail "sweep: S.h5 is a link"
rm -f S.h5.tmp.[0-9]* S.csv.tmp.[0-9]*
left=$(ls -d S.h5.tmp.?????? S.csv.tmp.?????? 2>/dev/null)
[ -z "$left" ] || fail "sweep: private directories left: $left"

# identical inputs, identical bytes: trials >= 2 (the /trials table) and sweeps
sed -e 's/^trials: 1/trials: 3/' base.yaml >trials.yaml
grep -q '^trials: 3' trials.yaml || fail "trials.yaml: no trials: 3 line"
"$DCSIM" run trials.yaml -o T1.h5 -q >/dev/null
"$DCSIM" run trials.yaml -o T2.h5 -q >/dev/null
sleep 1.1
"$DCSIM" run trials.yaml -o T3.h5 -q >/dev/null
cmp -s T1.h5 T2.h5 && cmp -s T1.h5 T3.h5 || fail "run trials: 3: identical runs differ in bytes"
"$DCSIM" sweep grid.yaml -o S2.h5 --csv S2.csv -q >/dev/null
sleep 1.1
"$DCSIM" sweep grid.yaml -o S3.h5 -q >/dev/null
cmp -s S.h5 S2.h5 && cmp -s S.h5 S3.h5 || fail "sweep: identical sweeps differ in bytes"
cmp -s S.csv S2.csv || fail "sweep: identical CSVs differ"
finish
