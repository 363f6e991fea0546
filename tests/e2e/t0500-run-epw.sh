#!/usr/bin/env bash
# weather: {epw: FILE}: the dry bulb series is the file's field 7 laid on the calendar in the
# file's local standard time (hour-ending rows, linear between them, the year repeated), on a
# small EPW written here and, when present, on the real Chicago O'Hare TMY3 file. The EPW path
# is relative to the scenario; a broken EPW is bad input (exit 2, FILE:LINE: error).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
EPWCHECK=$E2E/epwcheck.py

# scenario NAME EPW START DURATION TIMESTEP: writes $TMP_DIR/scen/NAME.yaml
scenario() {
    cat >"$TMP_DIR/scen/$1.yaml" <<YAML
name: $1
start: $3
duration: $4
timestep: $5
sites:
  - id: w
    weather: {epw: $2}
    supply:
      - {id: g, type: grid, contract_mw: 10}
    it:
      - {id: p, rack: gb300-nvl72, count: 10, workload: constant, utilization: 0.5}
    cooling:
      liquid: {capacity_mw: 2, rejection: hybrid}
      air: {capacity_mw: 1}
YAML
}

mkdir -p "$TMP_DIR/scen/weather" "$TMP_DIR/elsewhere"
"$PY" "$EPWCHECK" write "$TMP_DIR/scen/weather/tiny.epw" -5.0

# Hourly across the new year (row 8759 wraps to row 0), run from another directory: the EPW
# path is relative to the scenario file.
scenario tiny-hourly weather/tiny.epw 2027-12-30 3d 1h
(cd "$TMP_DIR/elsewhere" && "$DCSIM" run -q -o tiny-hourly.h5 ../scen/tiny-hourly.yaml) \
    >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "run tiny-hourly (EPW path relative to the scenario)"
h5=$TMP_DIR/elsewhere/tiny-hourly.h5
if [ -f "$h5" ]; then
    py_check "tiny EPW, hourly over the new year" "$EPWCHECK" series "$h5" w \
        "$TMP_DIR/scen/weather/tiny.epw" 2027-12-30T00:00:00Z
    # By hand: 2027-12-30T00:00Z is 19:00 local (UTC-5) on Dec 29, day 362 (0-based): the
    # row of the hour ending 19:00 is 362·24 + 18 = 8706, dry bulb -20 + (8706 mod 500)/10.
    got=$("$PY" "$H5CHECK" get "$h5" /sites/w/series/ambient_drybulb_c 0)
    expect_num "$got" 0.6 1e-9 "tiny EPW step 0 dry bulb (row 8706)"
    # Step 53 = 2028-01-01T05:00Z = 00:00 local Jan 1: the hour ending 24:00 Dec 31, row 8759.
    got=$("$PY" "$H5CHECK" get "$h5" /sites/w/series/ambient_drybulb_c 53)
    expect_num "$got" 5.9 1e-9 "tiny EPW step 53 dry bulb (row 8759)"
    # Step 54 = 01:00 local Jan 1: row 0 again (the year repeats).
    got=$("$PY" "$H5CHECK" get "$h5" /sites/w/series/ambient_drybulb_c 54)
    expect_num "$got" -20 1e-9 "tiny EPW step 54 dry bulb (row 0)"
else
    fail "run tiny-hourly wrote no file"; sed 's/^/    /' "$TMP_DIR/err"
fi

# 15-minute steps: linear between the hourly rows.
scenario tiny-15min weather/tiny.epw 2027-03-10 1d 15min
"$DCSIM" run -q -o "$TMP_DIR/tiny-15min.h5" "$TMP_DIR/scen/tiny-15min.yaml" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "run tiny-15min"
[ -f "$TMP_DIR/tiny-15min.h5" ] && py_check "tiny EPW, 15 min steps" "$EPWCHECK" series \
    "$TMP_DIR/tiny-15min.h5" w "$TMP_DIR/scen/weather/tiny.epw" 2027-03-10T00:00:00Z

# A truncated EPW (8000 rows) and a bad field are bad input: exit 2, FILE:LINE error, no file.
"$PY" "$EPWCHECK" write "$TMP_DIR/scen/weather/short.epw" -5.0 8000
scenario short weather/short.epw 2027-01-01 1d 1h
"$DCSIM" run -q -o "$TMP_DIR/short.h5" "$TMP_DIR/scen/short.yaml" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "run with a truncated EPW"
expect_grep "short.epw:[0-9]+(:[0-9]+)?: error: .*(rows|8000)" "$TMP_DIR/err" "truncated EPW"
[ -e "$TMP_DIR/short.h5" ] && fail "run with a truncated EPW wrote a file"
sed '20s/^\(\([^,]*,\)\{6\}\)[^,]*/\1warm/' "$TMP_DIR/scen/weather/tiny.epw" >"$TMP_DIR/scen/weather/bad.epw"
scenario bad weather/bad.epw 2027-01-01 1d 1h
"$DCSIM" run -q -o "$TMP_DIR/bad.h5" "$TMP_DIR/scen/bad.yaml" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "run with a non-numeric dry bulb in the EPW"
col=$(sed -n 20p "$TMP_DIR/scen/weather/bad.epw" | awk -F, '{print length($1 $2 $3 $4 $5 $6) + 7}')
expect_grep "bad.epw:20:$col: error: .*warm" "$TMP_DIR/err" "non-numeric EPW dry bulb at 20:$col"
[ -e "$TMP_DIR/bad.h5" ] && fail "run with a bad EPW wrote a file"

# The real Chicago O'Hare TMY3 file (UTC-6), a whole year at 1 h, when the data are here.
chicago=
for d in /work/shared/data/weather ../shared/data/weather; do
    f=$d/USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw
    [ -f "$f" ] && { chicago=$(cd "$(dirname "$f")" && pwd)/$(basename "$f"); break; }
done
if [ -n "$chicago" ]; then
    scenario chicago "$chicago" 2027-01-01 1y 1h
    "$DCSIM" run -q -o "$TMP_DIR/chicago.h5" "$TMP_DIR/scen/chicago.yaml" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
    expect_status 0 $? "run chicago (EPW by absolute path)"
    if [ -f "$TMP_DIR/chicago.h5" ]; then
        py_check "Chicago EPW, 8760 hours" "$EPWCHECK" series "$TMP_DIR/chicago.h5" w \
            "$chicago" 2027-01-01T00:00:00Z
        # By hand: step h (UTC) is local hour h - 6, i.e. the row of the hour ending at h - 6,
        # row h - 7 (mod 8760), on file line 9 + that row; field 7 is the dry bulb.
        for h in 0 7 4000 8759; do
            row=$(( (h - 7 + 8760) % 8760 ))
            want=$(sed -n "$((9 + row))p" "$chicago" | cut -d, -f7)
            got=$("$PY" "$H5CHECK" get "$TMP_DIR/chicago.h5" /sites/w/series/ambient_drybulb_c "$h")
            expect_num "$got" "$want" 1e-9 "Chicago step $h dry bulb (file line $((9 + row)), field 7)"
        done
        py_check "Chicago run: HDF5 layout and balances" "$H5CHECK" bundle \
            "$TMP_DIR/scen/chicago.yaml" "$TMP_DIR/chicago.h5" "$("$DCSIM" --version | awk '{print $2}')"
    fi
fi
finish
