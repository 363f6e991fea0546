#!/usr/bin/env bash
# /models holds each catalog entry the run used once, with the numbers the run used: sites
# that share a model write it once, and where a scenario overrides an entry for one site
# (a supply's net_mw) the file holds the numbers of the last site that used the id, as it
# did when every site wrote its own (catalog bwrx-300: net_mw 300, models/reactors/).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

scenario() {   # OUT NET_MW... : one site per NET_MW ("-" keeps the catalog's)
    local out=$1
    shift
    {
        printf 'name: models\nstart: 2030-01-01\nduration: 2d\ntimestep: 1h\nsites:\n'
        local i=0
        for net in "$@"; do
            local over=""
            [ "$net" = "-" ] || over=", net_mw: $net"
            cat <<YAML
  - id: s$i
    climate: north-dakota
    supply: [{id: smr, type: reactor, model: bwrx-300, units: 1$over}]
    it: [{id: p, rack: gb300-nvl72, count: 100, workload: constant, utilization: 0.5}]
    cooling:
      liquid: {supply_c: 35, rejection: dry_cooler, capacity_mw: 20}
      air: {capacity_mw: 5}
YAML
            i=$((i + 1))
        done
    } >"$out"
}

check_net() {   # LABEL NET_MW... EXPECTED
    local label=$1
    shift
    local want=${*: -1}
    scenario "$TMP_DIR/$label.yaml" "${@:1:$#-1}"
    "$DCSIM" run -q "$TMP_DIR/$label.yaml" -o "$TMP_DIR/$label.h5" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
    expect_status 0 $? "run $label"
    py_check "$label: /models/reactors/bwrx-300 net_mw $want" - "$TMP_DIR/$label.h5" "$want" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
got = float(f["models/reactors/bwrx-300"].attrs["net_mw"])
if got != float(sys.argv[2]):
    print("net_mw %r, expected %s" % (got, sys.argv[2]))
r = f["models/racks/gb300-nvl72"].attrs
if not (r["power_max_kw"] > 0 and r["gpus"] == 72):
    print("rack attributes %r" % dict(r))
if sorted(f["models/climates"]) != ["north-dakota"]:
    print("climates %r" % sorted(f["models/climates"]))
PY
}

check_net shared - - - 300
check_net last-overrides - - 250 250
check_net override-then-catalog - 250 - 300
check_net overrides-differ 250 200 200
finish
