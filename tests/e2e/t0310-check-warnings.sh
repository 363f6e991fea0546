#!/usr/bin/env bash
# Warnings for legal but suspect input (issue 10): `FILE:LINE:COL: warning: ...` at the key,
# exit status 0, printed once by check and once by run, with -q too (warnings are not
# errors; run prints them before simulating); a scripted event wholly before or after the
# run, a supply or pool whose online date is at/after the run's end or whose offline date
# is at/before its start, a rack (scenario's own or a catalog's) ten times outside the
# catalog's power_max_kw range. Events that overlap the run by any amount, dates inside it
# and racks in range give none; the bundled scenarios give none.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

cd "$TMP_DIR" || exit 1
# the run is [2027-01-01, 2027-01-03); the catalog's racks span 10.2 (hgx-h100) to 803.88 kW
# (s21-hydro-container), so 10x out of range is above 8038.8 kW or below 1.02 kW
cat >w.yaml <<'YAML'
name: warnings
start: 2027-01-01
duration: 2d
timestep: 1h
models:
  racks:
    - id: huge
      gpus: 72
      power_max_kw: 142000
      power_idle_kw: 20
      liquid_fraction: 0.8
    - id: tiny
      gpus: 8
      power_max_kw: 0.01
      power_idle_kw: 0.001
      liquid_fraction: 0.8
    - id: big-ok
      gpus: 72
      power_max_kw: 8000
      power_idle_kw: 100
      liquid_fraction: 0.8
sites:
  - id: s
    weather: {constant: {drybulb_c: 20, wetbulb_c: 12}}
    supply:
      - id: grid
        type: grid
        contract_mw: 500
      - id: late
        type: grid
        contract_mw: 5
        online: 2027-01-03
      - id: gone
        type: grid
        contract_mw: 5
        offline: 2027-01-01
      - id: inside
        type: grid
        contract_mw: 5
        online: 2027-01-02T23:00:00Z
        offline: 2027-01-03T01:00:00Z
    it:
      - id: a
        rack: huge
        count: 1
        workload: constant
      - id: b
        rack: tiny
        count: 10
        workload: constant
      - id: c
        rack: big-ok
        count: 1
        workload: constant
        online: 2027-01-05
      - id: d
        rack: gb300-nvl72
        count: 10
        workload: constant
        offline: 2026-06-01
    cooling:
      liquid: {supply_c: 30, rejection: dry_cooler, capacity_mw: 400}
      air: {supply_c: 24, capacity_mw: 100}
events:
  - type: grid_outage
    site: s
    supply: grid
    at: 2026-12-01
    duration: 1h
  - type: grid_outage
    site: s
    supply: grid
    at: 2027-01-03
    duration: 1h
  - type: grid_outage
    site: s
    supply: grid
    at: 2026-12-31T23:00:00Z
    duration: 1h
  - type: grid_outage
    site: s
    supply: grid
    at: 2026-12-31T23:00:00Z
    duration: 61min
  - type: grid_outage
    site: s
    supply: grid
    at: 2027-01-02T23:59:00Z
    duration: 1h
YAML
# line_of TEXT [N]: the line number of the N-th (default first) line containing TEXT
line_of() { grep -nF -- "$1" w.yaml | sed -n "${2:-1}p" | cut -d: -f1; }
L_huge=$(line_of "power_max_kw: 142000")
L_tiny=$(line_of "power_max_kw: 0.01")
L_late=$(line_of "online: 2027-01-03")
L_gone=$(line_of "offline: 2027-01-01")
L_c=$(line_of "online: 2027-01-05")
L_d=$(line_of "offline: 2026-06-01")
L_ev1=$(line_of "at: 2026-12-01")
L_ev2=$(line_of "at: 2027-01-03")
L_ev3=$(line_of "at: 2026-12-31T23:00:00Z" 1)

# want_warnings WHAT FILE: exactly the eight expected warnings, each once, at its key
want_warnings() {
    local what=$1 f=$2
    expect_grep "^w\.yaml:$L_huge:21: warning: models\.racks\[huge\]: power_max_kw 142000 is over 10 times the catalog's largest rack \('s21-hydro-container', 803\.88 kW\)" "$f" "$what: rack of 142,000 kW"
    expect_grep "^w\.yaml:$L_tiny:21: warning: models\.racks\[tiny\]: power_max_kw 0\.01 is under 1/10 of the catalog's smallest rack \('hgx-h100', 10\.2 kW\)" "$f" "$what: rack of 0.01 kW"
    expect_grep "^w\.yaml:$L_late:17: warning: supply 'late' of site 's' comes online at 2027-01-03T00:00:00Z, at or after the run ends \(2027-01-03T00:00:00Z\): it is never online$" "$f" "$what: supply online at the end"
    expect_grep "^w\.yaml:$L_gone:18: warning: supply 'gone' of site 's' goes offline at 2027-01-01T00:00:00Z, at or before the run starts" "$f" "$what: supply offline at the start"
    expect_grep "^w\.yaml:$L_c:17: warning: IT pool 'c' of site 's' comes online at 2027-01-05" "$f" "$what: pool online after the end"
    expect_grep "^w\.yaml:$L_d:18: warning: IT pool 'd' of site 's' goes offline at 2026-06-01" "$f" "$what: pool offline before the start"
    expect_grep "^w\.yaml:$L_ev1:9: warning: events\[1\] lies entirely before the run \(2027-01-01T00:00:00Z to 2027-01-03T00:00:00Z\): it has no effect$" "$f" "$what: event before the run"
    expect_grep "^w\.yaml:$L_ev2:9: warning: events\[2\] lies entirely after the run" "$f" "$what: event at the end"
    expect_grep "^w\.yaml:$L_ev3:9: warning: events\[3\] lies entirely before the run" "$f" "$what: event ending at the start"
    local n
    n=$(grep -c ": warning: " "$f")
    [ "$n" = 9 ] || { fail "$what: $n warnings, expected 9 (each once):"; sed 's/^/    | /' "$f"; }
    expect_no_grep ": error: |big-ok|events\[[45]\]|'inside'|pool 'a'|pool 'b'" "$f" "$what: nothing else"
}
"$DCSIM" check w.yaml >check.out 2>check.err
expect_status 0 $? "check: warnings are not errors"
expect_grep "^ok$" check.out "check: ok"
want_warnings "check" check.err
"$DCSIM" check -q w.yaml >checkq.out 2>checkq.err
expect_status 0 $? "check -q"
want_warnings "check -q" checkq.err
[ -s checkq.out ] && fail "check -q: printed on stdout"
"$DCSIM" run w.yaml -o w.h5 >run.out 2>run.err
expect_status 0 $? "run: warnings are not errors"
[ -f w.h5 ] || fail "run: no result file"
want_warnings "run" run.err
# before the run, not after it
first_warning=$(grep -n ": warning: " run.err | head -1 | cut -d: -f1)
wrote=$(grep -n "^dcsim: wrote w.h5" run.err | cut -d: -f1)
[ -n "$first_warning" ] && [ -n "$wrote" ] && [ "$first_warning" -lt "$wrote" ] ||
    fail "run: the warnings are not printed before the run (warning at line $first_warning, 'wrote' at $wrote)"
"$DCSIM" run -q w.yaml -o w2.h5 >runq.out 2>runq.err
expect_status 0 $? "run -q"
want_warnings "run -q" runq.err

# a catalog entry out of line with the others (--models DIR): at the first pool using it
cp -R "$REPO/models" cat
cat >cat/racks/mw-rack.yaml <<'YAML'
id: mw-rack
gpus: 72
power_max_kw: 142000
power_idle_kw: 20
liquid_fraction: 0.8
YAML
cat >c.yaml <<'YAML'
name: catalog-rack
start: 2027-01-01
duration: 1d
sites:
  - id: s
    weather: {constant: {drybulb_c: 20, wetbulb_c: 12}}
    supply:
      - {id: grid, type: grid, contract_mw: 500}
    it:
      - {id: a, rack: mw-rack, count: 1, workload: constant}
      - {id: b, rack: mw-rack, count: 1, workload: constant}
    cooling:
      liquid: {supply_c: 30, rejection: dry_cooler, capacity_mw: 400}
      air: {supply_c: 24, capacity_mw: 100}
YAML
"$DCSIM" check -q --models cat c.yaml >/dev/null 2>cat.err
expect_status 0 $? "check with an outlying catalog rack"
expect_grep "^c\.yaml:10:23: warning: catalog rack 'mw-rack' \(used by s\.it\[a\]\): power_max_kw 142000 is over 10 times" cat.err "catalog rack: at the first pool's rack"
[ "$(grep -c warning: cat.err)" = 1 ] || fail "catalog rack: warned more than once: $(cat cat.err)"

# the bundled scenarios: no warning at all
for s in "$REPO"/scenarios/*.yaml "$REPO"/scenarios/national/*.yaml; do
    "$DCSIM" check -q "$s" >/dev/null 2>b.err
    expect_status 0 $? "check ${s#"$REPO"/}"
    expect_no_grep "warning:" b.err "check ${s#"$REPO"/}: no warning"
done
finish
