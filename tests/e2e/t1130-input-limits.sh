#!/usr/bin/env bash
# Input size limits (issue 11): `epw: /dev/zero` and an endless EPW stop at once with a
# message (they once read until memory ran out), and the 16 MiB scenario limit admits a file
# of exactly 16 MiB and refuses one byte more.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
cd "$TMP_DIR" || exit 1

cat >zero.yaml <<'YAML'
name: z
start: 2030-01-01
duration: 1d
timestep: 1h
sites:
  - id: s1
    weather: {epw: /dev/zero}
    supply:
      - {id: g, type: grid, contract_mw: 10}
    it:
      - {id: p1, rack: gb300-nvl72, count: 10, workload: constant, utilization: 0.5}
    cooling:
      liquid: {capacity_mw: 5, rejection: hybrid}
      air: {capacity_mw: 1}
YAML
mkdir out
# an address-space limit (not under ASan, which reserves terabytes of shadow memory) so that
# a regression fails fast instead of exhausting the machine
limit=1000000
case $DCSIM in */asan/*) limit=unlimited ;; esac
( ulimit -v "$limit"; timeout 20 "$DCSIM" run zero.yaml -o out/z.h5 -q >out.txt 2>err.txt )
expect_status 2 $? "run with epw: /dev/zero"
expect_grep "^/dev/zero:1:0: error: line longer than 65536 characters" err.txt "epw: /dev/zero"
expect_empty_dir out "run with epw: /dev/zero"
# an EPW that is only newlines, without end
sed 's|/dev/zero|blank.epw|' zero.yaml >blank.yaml
yes '' 2>/dev/null | head -c 400000 >blank.epw
timeout 20 "$DCSIM" run blank.yaml -o out/b.h5 -q >out.txt 2>err.txt
expect_status 2 $? "run with an EPW of blank lines"
expect_grep "^blank\.epw:[0-9]+:0: error: " err.txt "an EPW of blank lines"

# exactly 16 MiB passes, one byte more does not (a comment pads it)
# (constant weather: check reads weather files, and refuses a missing one)
sed 's|{epw: /dev/zero}|{constant: {drybulb_c: 20, wetbulb_c: 15}}|' zero.yaml >base.yaml
"$PY" - <<'PY'
base = open("base.yaml").read()
pad = 16 * 1024 * 1024 - len(base)
open("exact.yaml", "w").write(base + "#" * (pad - 1) + "\n")
open("over.yaml", "w").write(base + "#" * pad + "\n")
PY
"$DCSIM" check exact.yaml >out.txt 2>err.txt
expect_status 0 $? "check of exactly 16 MiB"
"$DCSIM" check over.yaml >out.txt 2>err.txt
expect_status 2 $? "check of 16 MiB + 1 byte"
expect_grep "^over\.yaml: error: file larger than 16 MiB" err.txt "16 MiB + 1 byte"
finish
