#!/usr/bin/env bash
# dcsim sweep (contract section 4): grid and zip expansion over id paths (ids with '.'),
# {from, to, step} ranges, string columns, errors in the sweep file (exit 2 with
# file:line:col), cases that fail validation reported in their rows, each ok case equal to a
# direct `dcsim run` of its scenario, --csv, -j independence, and --resume after SIGINT and
# after SIGKILL (the periodic checkpoint), refused for another sweep's file.
# The sweep files and the expected tables are in sweepcheck.py.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

SC=$E2E/sweepcheck.py
"$PY" "$SC" write "$TMP_DIR" || fail "sweepcheck.py write"
cd "$TMP_DIR" || exit 1

# --- tables: expansion, types, statuses; each ok case against a direct run; CSV ---
for s in grid ids zip range invalid; do
    "$DCSIM" sweep "$s.yaml" -o "$s.h5" --csv "$s.csv" -j 2 -q >"$s.out" 2>"$s.err"
    rc=$? want=0
    [ "$s" = invalid ] && want=2   # issue 10: a sweep with invalid cases is not exit 0
    expect_status $want $rc "sweep $s"
    [ -s "$s.err" ] && { fail "sweep $s -q wrote to stderr:"; sed 's/^/    | /' "$s.err"; }
    [ -f "$s.h5" ] || { fail "sweep $s: no $s.h5"; continue; }
    py_check "sweep $s: /cases" "$SC" table "$s" "$s.h5"
    py_check "sweep $s: each ok case = a direct run" "$SC" direct "$s" "$s.h5" "$DCSIM" "$TMP_DIR"
    py_check "sweep $s: --csv" "$SC" csv "$s.h5" "$s.csv"
done
expect_grep "^invalid.yaml: 4 cases, 1 ok, 3 invalid, 0 failed" invalid.out "sweep invalid: summary line"

# -j 1 and -j 2 give the same table
"$DCSIM" sweep ids.yaml -o ids-j1.h5 -j 1 -q >/dev/null
expect_status 0 $? "sweep ids -j 1"
py_check "sweep ids: -j 1 = -j 2" "$SC" same ids-j1.h5 ids.h5

# series: true: each case's series file beside the table
"$DCSIM" sweep series.yaml -o ser.h5 -q >/dev/null
expect_status 0 $? "sweep series"
py_check "sweep series: /cases" "$SC" table series ser.h5
py_check "sweep series: OUT-cases/case-NNNNNN.h5" "$SC" series series ser.h5

# --resume runs the pending rows only and keeps the finished ones (row 0 carries a marker)
"$PY" "$SC" unfinish ids.h5 ids-partial.h5
py_check "unfinish: a partial table" "$SC" partial ids-partial.h5 12
"$DCSIM" sweep ids.yaml -o ids-partial.h5 --resume -j 2 -q >/dev/null
expect_status 0 $? "sweep ids --resume (half done)"
py_check "sweep ids --resume: the finished rows kept, the rest run" "$SC" same ids-partial.h5 ids.h5 --kept

# Varying the top-level `trials` (a path like any other). Regression: up to c9c75bb this
# exited 3 ("cannot write the sweep table (HDF5 write failed)", nothing written) because the
# varied column 'trials' clashed with the metric column 'trials' (now n_trials).
"$DCSIM" sweep vary-trials.yaml -o vt.h5 -q >/dev/null 2>vt.err
expect_status 0 $? "sweep varying 'trials' (the column name of a metric too)"
[ -f vt.h5 ] || fail "sweep varying 'trials': no table written"

# An id that starts with another id and a '.': supply 'utility' and supply 'utility.b'; the
# values must land in 'utility.b': the least margin grows by 1 and 2 MW from the base's
# (contract 30 MW), as it would not if 'utility' (9 MW) got them. Regression: at 124f019
# this exited 2 ("'sites.west.tx.supply.utility' has no key 'b'"): the path walker took the
# shortest matching id and never tried the longer one.
sed 's/      - {id: bess, type: battery, power_mw: 1, energy_mwh: 2}/      - {id: utility.b, type: grid, contract_mw: 30}/' \
    base.yaml >amb.yaml
grep -q "id: utility.b" amb.yaml || fail "amb.yaml: the substitution changed nothing"
printf 'base: amb.yaml\nvary:\n  sites.west.tx.supply.utility.b.contract_mw: [31, 32]\n' >amb-sweep.yaml
"$DCSIM" sweep amb-sweep.yaml -o amb.h5 -q >/dev/null 2>amb.err
if expect_status 0 $? "sweep over supply 'utility.b' beside supply 'utility'"; then
    "$DCSIM" run amb.yaml -o amb-base.h5 -q >/dev/null
    "$PY" -c 'import sys, h5py
c = h5py.File(sys.argv[1], "r")["cases"][:]
m = float(h5py.File(sys.argv[2], "r")["summary"].attrs["margin_min_mw"])
sys.exit(any(abs(c[k]["margin_min_mw"] - m - (k + 1)) > 1e-9 for k in (0, 1)))' amb.h5 amb-base.h5 ||
        fail "sweep over 'utility.b': the least margin does not follow its contract"
fi

# --- errors in the sweep file: exit 2, the position of the offending entry, nothing written ---
# line_of SWEEP TEXT: the line of the sweep file where TEXT (a path) is
line_of() { grep -nF -- "  $2:" "$1" | head -1 | cut -d: -f1; }
for s in zip-unequal:supply.utility.contract_mw bad-pool:it.nosuch.count \
         bad-key:cooling.liquid bad-site:sites.east.supply.utility.contract_mw; do
    name=${s%%:*} what=${s#*:}
    case $what in sites.*) ;; *) what=sites.west.tx.$what ;; esac
    "$DCSIM" sweep "$name.yaml" -o "$name.h5" >/dev/null 2>"$name.err"
    expect_status 2 $? "sweep $name"
    line=$(line_of "$name.yaml" "$what")
    expect_grep "^$name\.yaml:${line:-?}:3: error: .*$what" "$name.err" "sweep $name: error position"
    [ ! -e "$name.h5" ] || fail "sweep $name wrote $name.h5"
done
expect_grep "zip.*(3|2) values" zip-unequal.err "sweep zip-unequal: says the lengths"

# --- resume ---
# Three sweeps of the same n cases side by side (one thread each): the reference runs
# through; SIGINT to one and SIGKILL to the other after their first checkpoint (at 5 s).
# n is calibrated so that the interrupted two would run ~6.5 s with three sweeps sharing
# the cores: per-case time from sweeps of 8 and 40 cases (startup cancels out); if a sweep
# still ends before its checkpoint (a machine faster than it was while calibrating), try again
# with twice the cases.
# sweep_time N: seconds for a sweep of N cases of the 1-year base, one thread
sweep_time() {
    rm -rf cal && mkdir cal && "$PY" "$SC" write cal "$1" || return 1
    local t0=$EPOCHREALTIME
    "$DCSIM" sweep cal/resume.yaml -o cal/cal.h5 -j 1 -q >/dev/null || fail "sweep (calibration, $1 cases)"
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {print b - a}'
}
t8=$(sweep_time 8)
t40=$(sweep_time 40)
cores=$(nproc 2>/dev/null || echo 1)
n=$(awk -v a="$t8" -v b="$t40" -v k="$cores" 'BEGIN {c = (b - a) / 32; s = k < 3 ? k / 3 : 1;
    n = int(6.5 * s / (c > 1e-4 ? c : 1e-4)); print (n < 40 ? 40 : n > 20000 ? 20000 : n)}')
interrupted=0
for attempt in 1 2 3; do
    "$PY" "$SC" write "$TMP_DIR" "$n"
    rm -f ref.h5 int.h5 kill.h5
    "$DCSIM" sweep resume.yaml -o ref.h5 -j 1 -q >ref.out 2>&1 &
    pid_ref=$!
    "$DCSIM" sweep resume.yaml -o int.h5 -j 1 >int.out 2>int.err &
    pid_int=$!
    "$DCSIM" sweep resume.yaml -o kill.h5 -j 1 >kill.out 2>kill.err &
    pid_kill=$!
    for _ in $(seq 1 900); do
        [ -e int.h5 ] && [ -e kill.h5 ] && break
        sleep 0.1
    done
    kill -INT "$pid_int" 2>/dev/null
    kill -KILL "$pid_kill" 2>/dev/null
    # (bash reports the killed job on stderr when it notices: hidden)
    { wait "$pid_int"; st_int=$?; wait "$pid_kill"; st_kill=$?; } 2>/dev/null
    if [ "$st_int" != 0 ] && [ "$st_kill" = 137 ]; then
        interrupted=1
        break
    fi
    echo "note: attempt $attempt: a sweep of $n cases ended before its first checkpoint ($st_int, $st_kill)"
    kill -KILL "$pid_ref" 2>/dev/null
    wait "$pid_ref" 2>/dev/null
    n=$((2 * n))
done
[ "$interrupted" = 1 ] || fail "resume: the sweeps could not be interrupted after a checkpoint"
expect_status 3 "$st_int" "sweep interrupted by SIGINT"
expect_grep "^dcsim: interrupted: [0-9]+ of $n cases done, saved in int.h5.*--resume" int.err \
    "SIGINT: the interrupted message"
py_check "SIGINT: a partial table" "$SC" partial int.h5 "$n"
py_check "SIGKILL: the last checkpoint is a valid partial table" "$SC" partial kill.h5 "$n"
cp int.h5 int-partial.h5

# a file from another sweep is refused (exit 2) and left as it is
for other in resume-other resume-path grid; do
    "$DCSIM" sweep "$other.yaml" -o int.h5 --resume -q >/dev/null 2>"$other.err"
    expect_status 2 $? "sweep $other --resume on resume's file"
    expect_grep "int.h5.*(cannot resume|cannot read /cases)" "$other.err" "sweep $other --resume: says why"
    cmp -s int.h5 int-partial.h5 || fail "sweep $other --resume changed int.h5"
done

# both resumed (side by side) must equal the uninterrupted run in every column
"$DCSIM" sweep resume.yaml -o int.h5 --resume -j 1 -q >int2.out 2>&1 &
pid_int=$!
"$DCSIM" sweep resume.yaml -o kill.h5 --resume -j 1 -q >kill2.out 2>&1 &
pid_kill=$!
wait "$pid_ref"
expect_status 0 $? "sweep resume.yaml (reference)"
wait "$pid_int"
expect_status 0 $? "sweep --resume after SIGINT"
wait "$pid_kill"
expect_status 0 $? "sweep --resume after SIGKILL"
py_check "resume after SIGINT = an uninterrupted run" "$SC" same int.h5 ref.h5
py_check "resume after SIGKILL = an uninterrupted run" "$SC" same kill.h5 ref.h5
n_done=$("$PY" "$SC" "done" ref.h5)
[ "$n_done" = "$n" ] || fail "reference sweep: $n_done of $n cases done"
finish
