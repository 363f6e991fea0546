#!/usr/bin/env bash
# Sites in parallel (issue 12): a one-trial run of several sites steps them on -j threads
# (each thread a range of sites over a block of steps, the totals folded in site order);
# every dataset must be bit-identical to -j 1: a bundled multi-site scenario, and a 1-minute
# run with output_every (decimated series) where sites lose load at overlapping times (the
# scenario's unserved time is the union of the sites'), with more threads than sites too.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
# same A.h5 B.h5: every dataset and every attribute equal (NaN = NaN), nothing missing
cat >"$TMP_DIR/same.py" <<'PY'
import sys
import h5py
import numpy as np
bad = []
def eq(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype.names:
        return x.dtype == y.dtype and all(eq(x[n], y[n]) for n in x.dtype.names)
    return x.shape == y.shape and np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    names = []
    a.visit(names.append)
    other = []
    b.visit(other.append)
    if sorted(names) != sorted(other):
        bad.append("objects differ: %s" % sorted(set(names) ^ set(other)))
    for n in ["/"] + names:
        if n not in b:
            continue
        if isinstance(a[n], h5py.Dataset) and not eq(a[n][()], b[n][()]):
            bad.append("dataset %s differs" % n)
        for k, v in a[n].attrs.items():
            if k not in b[n].attrs or not eq(v, b[n].attrs[k]):
                if k not in ("DIMENSION_LIST", "REFERENCE_LIST"):   # object references
                    bad.append("attribute %s@%s differs" % (n, k))
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
PY
REL=$TMP_DIR/same.py

for j in 1 2 3; do
    "$DCSIM" run -q -j $j scenarios/campus-590mw.yaml --trials 1 -o "$TMP_DIR/campus-j$j.h5" >/dev/null 2>&1
    expect_status 0 $? "run campus-590mw --trials 1 -j $j"
done
py_check "campus-590mw: -j 2 = -j 1, every dataset" "$REL" "$TMP_DIR/campus-j1.h5" "$TMP_DIR/campus-j2.h5"
py_check "campus-590mw: -j 3 = -j 1, every dataset" "$REL" "$TMP_DIR/campus-j1.h5" "$TMP_DIR/campus-j3.h5"

"$PY" - "$TMP_DIR/five.yaml" <<'PY'
import sys
lines = ["name: five", "start: 2027-07-01", "duration: 2d", "timestep: 1min",
         "output_every: 1h", "seed: 5", "sites:"]
for i in range(5):
    lines += ["  - id: s%d" % i,
              "    climate: %s" % ("west-texas" if i % 2 else "arizona"),
              "    supply:",
              "      - {id: g, type: grid, contract_mw: %d, outages: {per_year: 1000, mean_h: 0.5}}" % (40 + 3 * i),
              "      - {id: b, type: battery, power_mw: 5, energy_mwh: 2}",
              "    it:",
              "      - {id: p, rack: gb300-nvl72, count: 250, workload: inference, utilization: 0.7}",
              "      - {id: m, rack: s21-hydro-container, count: 10, workload: mining}",
              "    cooling: {liquid: {capacity_mw: 60, rejection: hybrid}, air: {capacity_mw: 8}}"]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
for j in 1 2 4 8; do
    "$DCSIM" run -q -j $j "$TMP_DIR/five.yaml" -o "$TMP_DIR/five-j$j.h5" >/dev/null 2>"$TMP_DIR/five-j$j.err"
    expect_status 0 $? "run five sites -j $j"
done
for j in 2 4 8; do
    py_check "five sites, 1 min, output_every 1h: -j $j = -j 1" "$REL" "$TMP_DIR/five-j1.h5" "$TMP_DIR/five-j$j.h5"
done
"$PY" - "$TMP_DIR/five-j1.h5" <<'PY' || fail "five sites: no unserved load to fold (the test lost its point)"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    sys.exit(0 if float(f["summary"].attrs["unserved_hours"]) > 0 else 1)
PY
finish
