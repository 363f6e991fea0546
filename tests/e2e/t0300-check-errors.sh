#!/usr/bin/env bash
# Bad scenarios: `dcsim check` and `dcsim run` exit 2 and report each problem like a compiler,
# FILE:LINE:COL: error: ..., at the right place; `run` writes nothing (no file at -o, no
# temporary file beside it). Hostile inputs (alias bomb, binary junk, deep nesting) fail fast.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
cd "$TMP_DIR" || exit 1

# A valid scenario in block style, one key per line, so each line:col below is easy to count.
cat >good.yaml <<'YAML'
name: bad
start: 2027-01-01
duration: 1d
timestep: 1h
sites:
  - id: s1
    weather: {constant: {drybulb_c: 30, wetbulb_c: 22}}
    electrical:
      ups_efficiency: 0.96
    supply:
      - id: g
        type: grid
        contract_mw: 10
    it:
      - id: p1
        rack: gb300-nvl72
        count: 10
        workload: constant
        utilization: 0.5
    cooling:
      liquid: {capacity_mw: 5, rejection: hybrid}
      air: {capacity_mw: 1}
YAML

# expect_bad FILE LINE:COL REGEX: check and run fail with exit 2 and an error line
# 'FILE:LINE:COL: error: ...' matching REGEX; run leaves nothing in its (empty) -o directory.
expect_bad() {
    local f=$1 pos=$2 re=$3 what="${1%.yaml}"
    timeout 10 "$DCSIM" check "$f" >check.out 2>check.err
    expect_status 2 $? "check $f"
    expect_grep "^$f:$pos: error: .*($re)" check.err "check $f"
    rm -rf "out-$what" && mkdir "out-$what"
    timeout 10 "$DCSIM" run -q -o "out-$what/x.h5" "$f" >run.out 2>run.err
    expect_status 2 $? "run $f"
    expect_grep "^$f:$pos: error: .*($re)" run.err "run $f"
    expect_empty_dir "out-$what" "run $f"
    rm -rf "out-$what"
}

# mk NAME SED-SCRIPT: NAME.yaml = good.yaml edited by SED-SCRIPT (which must change it).
mk() {
    sed "$2" good.yaml >"$1.yaml"
    cmp -s good.yaml "$1.yaml" && fail "mk $1: the edit '$2' changed nothing"
}

"$DCSIM" check good.yaml >check.out 2>check.err
expect_status 0 $? "check good.yaml (the base of the bad ones)"

mk unknown-key 's/^        utilization: 0.5/        utilisation: 0.5/'
expect_bad unknown-key.yaml 19:9 "unknown key 'utilisation'.*did you mean 'utilization'"

mk unknown-rack 's/gb300-nvl72/gb300-nv72/'
expect_bad unknown-rack.yaml 16:15 "unknown rack 'gb300-nv72'.*did you mean 'gb300-nvl72'"

mk bad-span 's/^duration: 1d/duration: 2x/'
expect_bad bad-span.yaml 3:11 "'duration'.*span"

mk bad-timestep 's/^timestep: 1h/timestep: 7min/'
expect_bad bad-timestep.yaml 4:11 "'timestep'.*divide"

mk bad-date 's/^start: 2027-01-01/start: 2027-02-30/'
expect_bad bad-date.yaml 2:8 "'start'.*date"

mk dup-id '19a\      - id: p1\n        rack: gb300-nvl72\n        count: 1\n        workload: constant'
expect_bad dup-id.yaml 20:13 "duplicate id 'p1'"

mk neg-count 's/^        count: 10/        count: -3/'
expect_bad neg-count.yaml 17:16 "'count'.*(greater|positive)"

mk bad-efficiency 's/ups_efficiency: 0.96/ups_efficiency: 1.5/'
expect_bad bad-efficiency.yaml 9:23 "'ups_efficiency'.*1.5"

mk nan 's/contract_mw: 10/contract_mw: .nan/'
expect_bad nan.yaml 13:22 "'contract_mw'.*(finite|nan|NaN)"

mk list-number 's/contract_mw: 10/contract_mw: [1, 2]/'
expect_bad list-number.yaml 13:22 "'contract_mw'.*(list|single|number)"

mk malformed 's/^        utilization: 0.5/        utilization: 0.5: 3/'
expect_bad malformed.yaml 19:25 "YAML|mapping values"

mk dup-key '4a\timestep: 2h'
expect_bad dup-key.yaml 5:1 "duplicate key 'timestep'"

: >empty.yaml
# an empty file's message need not carry a line: 'empty.yaml: error:' will do
timeout 10 "$DCSIM" check empty.yaml >check.out 2>check.err
expect_status 2 $? "check empty.yaml"
expect_grep "^empty.yaml(:[0-9]+:[0-9]+)?: error: .*(mapping|empty)" check.err "check empty.yaml"
mkdir out-empty && timeout 10 "$DCSIM" run -q -o out-empty/x.h5 empty.yaml >run.out 2>run.err
expect_status 2 $? "run empty.yaml"
expect_empty_dir out-empty "run empty.yaml"
rm -rf out-empty

timeout 10 "$DCSIM" check no-such-file.yaml >check.out 2>check.err
expect_status 2 $? "check no-such-file.yaml"
expect_grep "no-such-file.yaml.*error: .*(cannot open|No such file)" check.err "check no-such-file.yaml"
mkdir out-missing && timeout 10 "$DCSIM" run -q -o out-missing/x.h5 no-such-file.yaml >run.out 2>run.err
expect_status 2 $? "run no-such-file.yaml"
expect_empty_dir out-missing "run no-such-file.yaml"
rm -rf out-missing

# Billion laughs: 9^9 nodes once expanded. Must be refused at once, and the error must point
# at an alias (the one whose expansion goes over the budget: with 200000 nodes, 6:11).
cat >bomb.yaml <<'YAML'
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
YAML
t0=$SECONDS
timeout 5 "$DCSIM" check bomb.yaml >check.out 2>check.err
rc=$?
expect_status 2 "$rc" "check bomb.yaml (alias bomb)"
[ $((SECONDS - t0)) -le 2 ] || fail "check bomb.yaml took $((SECONDS - t0)) s (limit 2 s)"
expect_grep "^bomb.yaml:[0-9]+:[0-9]+: error: .*(too large|alias)" check.err "check bomb.yaml"
# (A copied node keeps its source position: the error once pointed into line 1's list, 1:20.)
pos=$(sed -n 's/^bomb.yaml:\([0-9]*:[0-9]*\): error: .*/\1/p' check.err | head -1)
at=$(sed -n "${pos%:*}p" bomb.yaml | cut -c"${pos#*:}-" | cut -c1-2)
case $at in '*'?) ;; *) fail "check bomb.yaml: the error at $pos points at '$at', not at an alias" ;; esac
mkdir out-bomb && timeout 5 "$DCSIM" run -q -o out-bomb/x.h5 bomb.yaml >run.out 2>run.err
expect_status 2 $? "run bomb.yaml"
expect_empty_dir out-bomb "run bomb.yaml"
rm -rf out-bomb

head -c 4096 /dev/urandom >junk.yaml
timeout 5 "$DCSIM" check junk.yaml >check.out 2>check.err
expect_status 2 $? "check junk.yaml (random bytes)"
expect_grep "^junk.yaml:[0-9]+:[0-9]+: error: " check.err "check junk.yaml"
mkdir out-junk && timeout 5 "$DCSIM" run -q -o out-junk/x.h5 junk.yaml >run.out 2>run.err
expect_status 2 $? "run junk.yaml"
expect_empty_dir out-junk "run junk.yaml"
rm -rf out-junk

"$PY" -c "import sys; sys.stdout.write('[' * 100000 + '\n')" >deep.yaml
t0=$SECONDS
timeout 5 "$DCSIM" check deep.yaml >check.out 2>check.err
expect_status 2 $? "check deep.yaml (100000 '[')"
[ $((SECONDS - t0)) -le 2 ] || fail "check deep.yaml took $((SECONDS - t0)) s (limit 2 s)"
expect_grep "^deep.yaml:1:[0-9]+: error: .*(nest|deep)" check.err "check deep.yaml"
mkdir out-deep && timeout 5 "$DCSIM" run -q -o out-deep/x.h5 deep.yaml >run.out 2>run.err
expect_status 2 $? "run deep.yaml"
expect_empty_dir out-deep "run deep.yaml"
rm -rf out-deep

# Several errors in one file: every one is reported, each at its place.
sed -e 's/^        utilization: 0.5/        utilisation: 0.5/' \
    -e 's/gb300-nvl72/gb300-nv72/' \
    -e 's/ups_efficiency: 0.96/ups_efficiency: 1.5/' \
    -e 's/contract_mw: 10/contract_mw: -10/' good.yaml >several.yaml
timeout 10 "$DCSIM" check several.yaml >check.out 2>check.err
expect_status 2 $? "check several.yaml"
n=$(grep -Ec '^several.yaml:[0-9]+:[0-9]+: error: ' check.err)
[ "$n" -eq 4 ] || { fail "check several.yaml: $n error lines, expected 4:"; sed 's/^/    | /' check.err; }
for pos in 9:23 13:22 16:15 19:9; do
    expect_grep "^several.yaml:$pos: error: " check.err "check several.yaml: error at $pos"
done

# Nothing stray in the scenario directory either (no results/, no temporary files).
stray=
for f in * .[!.]*; do
    case $f in *.yaml | check.out | check.err | run.out | run.err | '.[!.]*') ;; *) stray="$stray $f" ;; esac
done
[ -z "$stray" ] || fail "files left in the scenario directory:$stray"
finish
