#!/usr/bin/env bash
# Issue 10, items 4 and 8: check refuses what run refuses (exit 2, FILE:LINE:COL); bad
# destinations are refused before simulating (exit 2 at once, the scenario intact); a sweep's
# vary paths are resolved before any case runs and a sweep with invalid cases is not exit 0;
# CLI conventions: --opt=value, --, -V, - for standard input, -q for every command.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
cd "$TMP_DIR" || exit 1

# a small valid scenario (a day at 1 h) to vary
cat >ok.yaml <<'YAML'
name: small
start: 2027-01-01
duration: 2d
timestep: 1h
sites:
  - id: s
    weather: {constant: {drybulb_c: 20, wetbulb_c: 12}}
    supply: [{id: g, type: grid, contract_mw: 10}]
    it: [{id: p, rack: s21-hydro-container, count: 2, workload: mining}]
    cooling:
      liquid: {supply_c: 35, rejection: dry_cooler, capacity_mw: 5, approach_k: 10}
      air: {supply_c: 24, capacity_mw: 1}
YAML
"$DCSIM" check -q ok.yaml >out 2>err
expect_status 0 $? "check ok.yaml"

# --- ids that cannot name an HDF5 group: check refuses them like run, positioned
for bad in . ..; do
    sed "s/- id: s$/- id: \"$bad\"/" ok.yaml >dot.yaml
    "$DCSIM" check dot.yaml >out 2>err
    expect_status 2 $? "check with site id '$bad'"
    expect_grep "^dot\.yaml:6:9: error: 'id' in sites\[1\] cannot be '\\$bad'" err "check: id '$bad' positioned"
    "$DCSIM" run -q -o dot.h5 dot.yaml >out 2>err
    expect_status 2 $? "run with site id '$bad'"
    [ -e dot.h5 ] && fail "run with site id '$bad' wrote dot.h5"
done
sed "s/id: p,/id: \"..\",/" ok.yaml >pool.yaml
"$DCSIM" check pool.yaml >out 2>err
expect_status 2 $? "check with pool id '..'"
expect_grep "^pool\.yaml:9:[0-9]+: error: 'id' in .*cannot be '\.\.'" err "check: pool id '..' positioned"

# --- destinations, refused at once (well under 2 s), nothing written, the scenario intact
cp ok.yaml keep.yaml
mkdir adir
t0=$(date +%s%N)
"$DCSIM" run -q -o adir ok.yaml >out 2>err
expect_status 2 $? "run -o DIRECTORY"
expect_grep "^adir: error: .*directory" err "run -o DIRECTORY says why"
expect_empty_dir adir "run -o DIRECTORY"
"$DCSIM" run -q -o ok.yaml ok.yaml >out 2>err
expect_status 2 $? "run -o SCENARIO"
expect_grep "is the input file" err "run -o SCENARIO says why"
cmp -s ok.yaml keep.yaml || fail "run -o SCENARIO changed the scenario"
ln -s ok.yaml link.yaml
"$DCSIM" run -q -o link.yaml ok.yaml >out 2>err
expect_status 2 $? "run -o LINK-TO-SCENARIO"
cmp -s ok.yaml keep.yaml || fail "run -o LINK-TO-SCENARIO changed the scenario"
"$DCSIM" run -q -o /dev/null ok.yaml >out 2>err
expect_status 2 $? "run -o /dev/null"
[ -c /dev/null ] || fail "run -o /dev/null replaced the device"
mkfifo fifo
"$DCSIM" run -q -o fifo ok.yaml >out 2>err
expect_status 2 $? "run -o FIFO"
[ -p fifo ] || fail "run -o FIFO replaced the pipe"
"$DCSIM" fit -q -o ok.yaml ok.yaml >out 2>err
expect_status 2 $? "fit -o SCENARIO"
cmp -s ok.yaml keep.yaml || fail "fit -o SCENARIO changed the scenario"
t1=$(date +%s%N)
[ $(( (t1 - t0) / 1000000 )) -lt 2000 ] || fail "refusing 7 destinations took $(( (t1 - t0) / 1000000 )) ms"

# --- sweeps: a typo'd vary path is one error at the sweep file's line, before any case
cat >typo.yaml <<'YAML'
base: ok.yaml
mode: grid
vary:
  sites.s.it.p.count: [1, 2]
  sites.s.it.p.cuont: [1, 2]
YAML
"$DCSIM" sweep -q -o typo.h5 typo.yaml >out 2>err
expect_status 2 $? "sweep with a typo'd vary path"
expect_grep "^typo\.yaml:5:3: error: vary path 'sites\.s\.it\.p\.cuont'.*did you mean 'count'" err \
    "the typo is reported at the sweep file's line"
[ -e typo.h5 ] && fail "sweep with a typo'd vary path wrote typo.h5"
# an added key the format knows is fine (not in the base, but legal)
cat >added.yaml <<'YAML'
base: ok.yaml
vary:
  sites.s.it.p.utilization: [0.5, 1]
YAML
"$DCSIM" sweep -q -o added.h5 added.yaml >out 2>err
expect_status 0 $? "sweep adding a known key"
expect_grep "2 cases, 2 ok, 0 invalid, 0 failed" out "sweep closing line counts"
# a case that is invalid (a negative count): exit 2, the table still written, counted
cat >inval.yaml <<'YAML'
base: ok.yaml
vary:
  sites.s.it.p.count: [2, -1]
YAML
"$DCSIM" sweep -q -o inval.h5 inval.yaml >out 2>err
expect_status 2 $? "sweep with an invalid case"
expect_grep "2 cases, 1 ok, 1 invalid, 0 failed" out "sweep counts the invalid case"
[ -f inval.h5 ] || fail "sweep with an invalid case wrote no table"
"$DCSIM" sweep -q -o ok.yaml inval.yaml >out 2>err
expect_status 2 $? "sweep -o SCENARIO"
cmp -s ok.yaml keep.yaml || fail "sweep -o SCENARIO changed the scenario"

# --- self-describing sweep cases (item 3): each case file's /scenario is the case's own
# scenario (the varied values in it), with `case` and the varied values as attributes; run
# again it gives the case's results
cat >ser.yaml <<'YAML'
base: ok.yaml
vary:
  sites.s.it.p.count: [1, 3]
  sites.s.cooling.liquid.rejection: [dry_cooler, hybrid]
series: true
YAML
"$DCSIM" sweep -q -o ser.h5 ser.yaml >out 2>err
expect_status 0 $? "sweep with series: true"
case3=ser-cases/case-000003.h5
if [ -f "$case3" ]; then
    out=$("$PY" - "$case3" <<'PYEOF'
import sys, h5py, yaml
with h5py.File(sys.argv[1], "r") as f:
    d = f["scenario"]
    t = d[()]
    t = t.decode() if isinstance(t, bytes) else t
    a = dict(d.attrs)
    y = yaml.safe_load(t)
    print(int(a["case"]), float(a["sites.s.it.p.count"]), a["sites.s.cooling.liquid.rejection"],
          y["sites"][0]["it"][0]["count"], y["sites"][0]["cooling"]["liquid"]["rejection"])
    open("case3.yaml", "w").write(t)
PYEOF
)
    [ "$out" = "3 3.0 hybrid 3 hybrid" ] || fail "case 3's /scenario and attributes: '$out'"
    "$DCSIM" run -q -o case3-again.h5 case3.yaml >out 2>err
    expect_status 0 $? "run of case 3's /scenario"
    a=$("$PY" "$H5CHECK" get "$case3" /summary/facility_energy_mwh 2>&1)
    b=$("$PY" "$H5CHECK" get case3-again.h5 /summary/facility_energy_mwh 2>&1)
    [ "$a" = "$b" ] || fail "case 3 run again: facility energy $b, the case file $a"
else
    fail "sweep with series: true wrote no $case3"
fi

# --- messages with hints (item 9)
sed 's/contract_mw: 10/contract_mw: 10 MW/; s/workload: mining}/workload: mining, utilization: 85}/' \
    ok.yaml >hint.yaml
"$DCSIM" check hint.yaml >out 2>err
expect_status 2 $? "check with '10 MW' and 'utilization: 85'"
expect_grep "^hint\.yaml:8:[0-9]+: error: .*'10 MW' \(units live in key names" err "hint: units in key names"
expect_grep "^hint\.yaml:9:[0-9]+: error: .*got 85 \(fractions are plain numbers" err "hint: fractions"
: >empty.yaml
"$DCSIM" check empty.yaml >out 2>err
expect_status 2 $? "check of an empty file"
expect_grep "^empty\.yaml:1:1: error" err "an empty file's error is positioned"
printf 'name: x\nstart: 2027-01-01 \351\n' >latin1.yaml
"$DCSIM" check latin1.yaml >out 2>err
expect_status 2 $? "check of a Latin-1 file"
expect_grep "^latin1\.yaml:2:19: error: .*UTF-8" err "a Latin-1 byte is positioned, with a UTF-8 hint"

# --- CLI conventions
"$DCSIM" -V >out 2>err
expect_status 0 $? "dcsim -V"
expect_grep "^dcsim [0-9]" out "dcsim -V prints the version"
"$DCSIM" run --trials=2 --seed=7 -q -o=eq.h5 ok.yaml >out 2>err
expect_status 2 $? "-o=FILE (a short option takes no =)"
"$DCSIM" run --trials=2 --seed=7 -j 1 -q --output=eq.h5 -- ok.yaml >out 2>err
expect_status 0 $? "run --trials=2 --seed=7 --output=eq.h5 -- ok.yaml"
got=$("$PY" "$H5CHECK" get eq.h5 //trials 2>&1)
[ "$got" = "2" ] || fail "--trials=2: /trials attribute is '$got'"
got=$("$PY" "$H5CHECK" get eq.h5 //seed 2>&1)
[ "$got" = "7" ] || fail "--seed=7: /seed attribute is '$got'"
"$DCSIM" run --trials= ok.yaml >out 2>err
expect_status 2 $? "--trials= (empty)"
"$DCSIM" run -q -o stdin.h5 - <ok.yaml >out 2>err
expect_status 0 $? "run - (standard input)"
[ -s out ] && fail "run -q printed on stdout"
[ -s err ] && fail "run -q printed on stderr"
"$DCSIM" run -q --summary -o stdin.h5 - <ok.yaml >out 2>err
expect_grep "^PUE " out "run -q --summary prints the table"
[ -f stdin.h5 ] || fail "run - wrote no file"
printf 'name: x\n\xe9bogus: 1\n' | "$DCSIM" check - >out 2>err
expect_status 2 $? "check - with a bad scenario"
expect_grep "^<stdin>:[0-9]+:[0-9]+: error" err "errors in standard input are positioned as <stdin>"
sed 's/workload: mining}/workload: mining, flexible: false}/' ok.yaml >firm.yaml
for cmd in "check ok.yaml" "models" "compare stdin.h5 eq.h5" "fit --it-mw=0.01 firm.yaml"; do
    # shellcheck disable=SC2086
    "$DCSIM" $cmd -q >out 2>err
    rc=$?
    [ "$rc" -le 1 ] || fail "dcsim $cmd -q: exit $rc"
    expect_no_grep "unknown option" err "dcsim $cmd -q"
done
"$DCSIM" compare stdin.h5 -- eq.h5 >out 2>err
expect_status 0 $? "compare A -- B"
finish
