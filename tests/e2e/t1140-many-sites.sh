#!/usr/bin/env bash
# Many sites (issue 11): the series writer's buffers are bounded by the run's length and a
# byte budget, not 4096 rows x sites x columns: a one-day run of 1500 sites fits in 2.5 GB of
# address space (it once reserved several GB for its buffers and failed with exit 3).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
cd "$TMP_DIR" || exit 1
case $DCSIM in */asan/*) skip "address-space limit not meaningful under ASan ($DCSIM)" ;; esac

"$PY" - <<'PY'
lines = ["name: many", "start: 2030-01-01", "duration: 1d", "timestep: 1h", "sites:"]
for i in range(1500):
    lines += ["  - id: s%d" % i,
              "    weather: {constant: {drybulb_c: 30, wetbulb_c: 22}}",
              "    supply: [{id: g, type: grid, contract_mw: 10}]",
              "    it: [{id: p1, rack: gb300-nvl72, count: 10, workload: constant, utilization: 0.5}]",
              "    cooling: {liquid: {capacity_mw: 5, rejection: hybrid}, air: {capacity_mw: 1}}"]
open("many.yaml", "w").write("\n".join(lines) + "\n")
PY
( ulimit -v 2500000; "$DCSIM" run many.yaml -o many.h5 -q -j 1 >out.txt 2>err.txt )
expect_status 0 $? "run of 1500 sites within 2.5 GB of address space"
[ -f many.h5 ] || fail "run of 1500 sites: no many.h5"
finish
