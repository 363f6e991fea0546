#!/usr/bin/python3
"""plotcheck.py — checks what tools/dcsim_plot.py draws, from the numbers it dumps
(--dump-json) and the result file they came from (t0800).

  plotcheck.py supply DUMP.json RESULT.h5 SITE SHORT
      the supply chart's pooled series: each bin's value is the mean of the rows it covers
      (read here from the file, the pooling done again by reshaping); served + unserved =
      demand and demand + shed + throttled = the top of the stack in every bin; where no row
      of a bin is short, demand equals served; the pooled energies equal the summary's
      (unserved_energy_mwh, shed_energy_mwh, throttle_energy_mwh, facility_energy_mwh).
      SHORT: "none" (nothing may be short anywhere), "some" (some bin is unserved and
      some bin throttled) or "any" (no more than the checks above).
  plotcheck.py heatmap DUMP.json
      the heat map's labels: every two neighbouring cells whose values differ (beyond 1e-9
      relative, rounding noise) have different labels, and each label reads back as its cell's value rounded to the label's digits.
  plotcheck.py labels
      tools/dcsim_plot.py's cell_labels on grids whose labels are fixed by hand.

Prints one line per problem and exits 1 when there is any.
"""
import json
import os
import sys

import h5py
import numpy as np

REL = 1e-9


def close(a, b, scale):
    return abs(a - b) <= REL * max(1.0, abs(scale))


def check_supply(dump_path, h5_path, site, short):
    problems = []
    d = json.load(open(dump_path, encoding="utf-8"))["supply"]
    k, row_s = d["rows_per_bin"], d["row_s"]
    with h5py.File(h5_path, "r") as f:
        ser = f["sites/%s/series" % site]
        raw = {n: ser[n][:] for n in ("facility_mw", "unserved_mw", "facility_demand_mw",
                                      "shed_mw", "throttle_mw", "supply_available_mw")}
        summ = {n: float(f["sites/%s/summary" % site].attrs[n])
                for n in ("unserved_energy_mwh", "shed_energy_mwh", "throttle_energy_mwh",
                          "facility_energy_mwh")}
    n = len(raw["facility_mw"])
    bins = -(-n // k)
    rows = np.array([min(k, n - b * k) for b in range(bins)], dtype=np.float64)
    for key, name in (("served_mw", "facility_mw"), ("unserved_mw", "unserved_mw"),
                      ("demand_mw", "facility_demand_mw"), ("shed_mw", "shed_mw"),
                      ("throttle_mw", "throttle_mw"), ("supply_mw", "supply_available_mw")):
        got = np.array(d[key])
        if len(got) != bins:
            problems.append("%s: %d bins, expected %d" % (key, len(got), bins))
            continue
        want = np.array([raw[name][b * k:(b + 1) * k].mean() for b in range(bins)])
        bad = np.nonzero(np.abs(got - want) > REL * np.maximum(1.0, np.abs(want)))[0]
        if len(bad):
            problems.append("%s bin %d: %r, the mean of its rows is %r"
                            % (key, bad[0], got[bad[0]], want[bad[0]]))
    smin, smax = np.array(d["supply_min_mw"]), np.array(d["supply_max_mw"])
    for b in range(bins):
        seg = raw["supply_available_mw"][b * k:(b + 1) * k]
        if smin[b] != seg.min() or smax[b] != seg.max():
            problems.append("supply band bin %d: %r..%r, rows %r..%r"
                            % (b, smin[b], smax[b], seg.min(), seg.max()))
            break
    srv, uns, dem = np.array(d["served_mw"]), np.array(d["unserved_mw"]), np.array(d["demand_mw"])
    shed, thr, top = np.array(d["shed_mw"]), np.array(d["throttle_mw"]), np.array(d["top_mw"])
    for b in range(bins):
        if not close(srv[b] + uns[b], dem[b], dem[b]):
            problems.append("bin %d: served %r + unserved %r != demand %r" % (b, srv[b], uns[b],
                                                                             dem[b]))
            break
        if not close(dem[b] + shed[b] + thr[b], top[b], top[b]):
            problems.append("bin %d: demand + shed + throttled != top %r" % (b, top[b]))
            break
        seg = slice(b * k, (b + 1) * k)
        nothing_short = not (raw["unserved_mw"][seg] > 0).any()
        if nothing_short and dem[b] != srv[b]:
            problems.append("bin %d: nothing unserved, yet demand %r != served %r"
                            % (b, dem[b], srv[b]))
            break
    # energies: a bin's mean times its rows' span, summed, is the summary's energy
    for key, metric in (("unserved_mw", "unserved_energy_mwh"), ("shed_mw", "shed_energy_mwh"),
                        ("throttle_mw", "throttle_energy_mwh"),
                        ("served_mw", "facility_energy_mwh")):
        e = float((np.array(d[key]) * rows).sum() * row_s / 3600.0)
        if abs(e - summ[metric]) > 1e-6 * max(1.0, abs(summ[metric])):
            problems.append("pooled %s: %.9g MWh, the summary's %s %.9g" % (key, e, metric,
                                                                           summ[metric]))
    if short == "none":
        for key in ("unserved_mw", "shed_mw", "throttle_mw"):
            if (np.array(d[key]) != 0).any():
                problems.append("%s: not zero, but nothing is short in this case" % key)
        if (dem != srv).any():
            problems.append("demand differs from served in a case with no shortfall")
    elif short == "some":
        if not (uns > 0).any():
            problems.append("no bin with unserved power in a case that has some")
        if not (thr > 0).any():
            problems.append("no bin with throttled power in a case that has some")
        if not (dem > srv).any():
            problems.append("demand never exceeds served in a case with a shortfall")
    return problems


def parse_label(t):
    """(value, decimals) of a label such as '1,234.5' or '30M'."""
    mult = 1e6 if t.endswith("M") else 1.0
    t = t.rstrip("M").replace(",", "")
    dec = len(t.split(".")[1]) if "." in t else 0
    return float(t) * mult, dec, mult


def check_heatmap(dump_path):
    problems = []
    d = json.load(open(dump_path, encoding="utf-8"))
    cells, labels = d["cells"], d["labels"]
    ny, nx = len(cells), len(cells[0])
    for j in range(ny):
        for i in range(nx):
            v, t = cells[j][i], labels[j][i]
            if v is None:
                if t != "":
                    problems.append("cell (%d,%d): no value, label '%s'" % (j, i, t))
                continue
            got, dec, mult = parse_label(t)
            if abs(got - v) > 0.5 * 10.0 ** -dec * mult * (1 + 1e-9):
                problems.append("cell (%d,%d): label '%s' is not %r rounded" % (j, i, t, v))
            for jj, ii in ((j, i + 1), (j + 1, i)):
                if jj < ny and ii < nx and cells[jj][ii] is not None and \
                        abs(cells[jj][ii] - v) > 1e-9 * max(abs(v), abs(cells[jj][ii])) and \
                        labels[jj][ii] == t:
                    problems.append("cells (%d,%d) and (%d,%d): %r and %r both read '%s'"
                                    % (j, i, jj, ii, v, cells[jj][ii], t))
    return problems


def check_labels():
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                    "tools"))
    import dcsim_plot
    problems = []
    cases = [
        # the example: pue_peak 1.11 next to 1.22 on a grid that reaches 44
        ([[1.11, 1.22], [44.0, 44.0]], [["1.1", "1.2"], ["44", "44"]]),
        # neighbours that differ only in the 4th digit get 4 digits; the rest keep 2
        ([[1.2341, 1.2348, 7.0]], [["1.234", "1.235", "7.0"]]),
        # whole parts are never cut; millions from ten million; NaN blank; zero is 0
        ([[1234.0, 2.5e7, float("nan"), 0.0]], [["1,234", "25M", "", "0"]]),
    ]
    for grid, want in cases:
        got = dcsim_plot.cell_labels(np.array(grid)).tolist()
        if got != want:
            problems.append("cell_labels(%r) = %r, expected %r" % (grid, got, want))
    return problems


def main(argv):
    if len(argv) == 6 and argv[1] == "supply":
        problems = check_supply(argv[2], argv[3], argv[4], argv[5])
    elif len(argv) == 3 and argv[1] == "heatmap":
        problems = check_heatmap(argv[2])
    elif len(argv) == 2 and argv[1] == "labels":
        problems = check_labels()
    else:
        sys.stderr.write(__doc__)
        return 2
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
