#!/usr/bin/python3
"""sweepcheck.py — `dcsim sweep` and its /cases table (contract section 4) for the e2e tests.

The base scenario and the sweep files are rendered here from parameters (no YAML parser
needed), so the expected table of every sweep — the varied values row by row, the status of
each case and where its message points — is worked out independently of dcsim:

  sweepcheck.py write DIR [RESUME_CASES]   writes DIR/base.yaml, DIR/base-year.yaml and one
                                           DIR/<sweep>.yaml per sweep of SWEEPS
  sweepcheck.py table SWEEP OUT.h5         /cases: row count, `case`, every varied column
                                           (grid: the last path varies fastest; zip: side by
                                           side), column types, each row's status and message
  sweepcheck.py direct SWEEP OUT.h5 DCSIM DIR
                                           every ok case's metrics = /summary of a direct
                                           `dcsim run` of the base with that case's values
                                           substituted (written to DIR), exactly
  sweepcheck.py same A.h5 B.h5 [--kept]    every column of /cases equal (NaN = NaN); --kept:
                                           A was resumed from `unfinish`'s copy and kept row 0
  sweepcheck.py csv OUT.h5 OUT.csv         the CSV is the same table (values to 1e-12)
  sweepcheck.py partial OUT.h5 N           a valid, partial table of N cases: some rows pending
                                           (status -1, NaN metrics, no message), some done
  sweepcheck.py series SWEEP OUT.h5        series: true: OUT-cases/case-NNNNNN.h5 per case, its
                                           /summary equal to the row
  sweepcheck.py unfinish IN.h5 OUT.h5      a copy of a finished table with every other row made
                                           pending again (as an interrupted sweep leaves it)
  sweepcheck.py done OUT.h5                prints the number of finished rows
  sweepcheck.py compare OUT.txt A [B ...]  `dcsim compare A B ...`'s output (in OUT.txt)
                                           against the files (A: FILE.h5 or FILE.h5:case=N)

Prints one line per problem and exits 1 when there is any.
"""
import csv
import itertools
import math
import os
import re
import subprocess
import sys

import h5py
import numpy as np

SITE = "west.tx"        # ids with '.' in them: paths join the tokens until an id matches
POOL = "gb.300"
P = "sites.%s." % SITE
PATHS = {               # sweep path -> base parameter
    P + "it.%s.count" % POOL: "count",
    P + "supply.utility.contract_mw": "contract",
    P + "cooling.liquid.rejection": "rejection",
    P + "electrical.ups_efficiency": "ups",            # not in the base: the key is added
    P + "electrical.misc_fraction": "misc",
}
BASE = {"duration": "2d", "timestep": "1h", "weather": "constant", "trials": 1,
        "count": 100, "contract": 9, "rejection": "hybrid", "ups": None, "misc": 0.01}
YEAR = dict(BASE, duration="1y", timestep="15min", weather="climate")


def render(p):
    """The base scenario with parameters p (ups None: no ups_efficiency key at all)."""
    weather = ("weather: {constant: {drybulb_c: 30, wetbulb_c: 22}}" if p["weather"] == "constant"
               else "climate: west-texas")
    ups = "" if p["ups"] is None else ", ups_efficiency: %s" % p["ups"]
    return "\n".join([
        "# written by tests/e2e/sweepcheck.py",
        "name: sweep-base",
        "start: 2027-01-01",
        "duration: %s" % p["duration"],
        "timestep: %s" % p["timestep"],
        "seed: 3",
        "trials: %s" % p["trials"],
        "models:",
        "  racks:",
        "    - {id: sw-rack, gpus: 8, power_max_kw: 100, power_idle_kw: 20, liquid_fraction: 0.8,",
        "       coolant_max_c: 45}",
        "sites:",
        "  - id: %s" % SITE,
        "    %s" % weather,
        "    electrical: {transformer_efficiency: 0.98, misc_fraction: %s%s}" % (p["misc"], ups),
        "    supply:",
        "      - {id: utility, type: grid, contract_mw: %s, price_usd_per_mwh: 50," % p["contract"],
        "         outages: {per_year: 150, mean_h: 3}}",
        "      - {id: bess, type: battery, power_mw: 1, energy_mwh: 2}",
        "    it:",
        "      - {id: %s, rack: sw-rack, count: %s, workload: constant, utilization: 0.5," % (
            POOL, p["count"]),
        "         flexible: false}",
        "      - {id: miners, rack: sw-rack, count: 20, workload: mining}",
        "    cooling:",
        "      liquid: {supply_c: 35, rejection: %s, capacity_mw: 8}" % p["rejection"],
        "      air: {supply_c: 24, capacity_mw: 3}",
    ]) + "\n"


def value_pos(text, key):
    """1-based line and column of the value of the first `key:` in text."""
    for i, line in enumerate(text.split("\n")):
        m = re.search(r"\b%s: " % re.escape(key), line)
        if m:
            return i + 1, m.end() + 1
    raise KeyError(key)


# Each sweep: mode, base file, optional trials, and its vary entries in order. A value list
# is written as a YAML list; a dict as {from, to, step} with `values` the expected expansion.
SWEEPS = {
    # 3 × 2 grid, trials overridden (the base has 1): 6 cases, rejection a string column
    "grid": {"mode": "grid", "trials": 2, "vary": [
        (P + "it.%s.count" % POOL, [60, 100, 140]),
        (P + "cooling.liquid.rejection", ["dry_cooler", "hybrid"])]},
    # three paths (count × a range of contracts × rejection): 2 × 3 × 2 = 12 cases
    "ids": {"mode": "grid", "vary": [
        (P + "it.%s.count" % POOL, [80, 120]),
        (P + "supply.utility.contract_mw", {"from": 6, "to": 8, "step": 1, "values": [6, 7, 8]}),
        (P + "cooling.liquid.rejection", ["chiller", "cooling_tower"])]},
    # zip: side by side, including a key the base does not have (ups_efficiency)
    "zip": {"mode": "zip", "vary": [
        (P + "it.%s.count" % POOL, [60, 90, 120]),
        (P + "supply.utility.contract_mw", [5, 7, 9.5]),
        (P + "electrical.ups_efficiency", [0.9, 0.95, 0.97])]},
    # ranges: a step that does not land on `to`, a fractional one (0.01 + 2·0.01 = 0.03)
    "range": {"mode": "grid", "vary": [
        (P + "supply.utility.contract_mw",
         {"from": 10, "to": 20, "step": 3, "values": [10, 13, 16, 19]}),
        (P + "electrical.misc_fraction",
         {"from": 0.01, "to": 0.03, "step": 0.01, "values": [0.01, 0.02, 0.03]})]},
    # cases that fail validation: reported in their rows, the others still run
    "invalid": {"mode": "grid", "vary": [
        (P + "it.%s.count" % POOL, [100, -5]),
        (P + "cooling.liquid.rejection", ["hybrid", "dry_colder"])]},
    # series: true keeps each case's series in OUT-cases/case-NNNNNN.h5
    "series": {"mode": "grid", "series": True, "vary": [
        (P + "it.%s.count" % POOL, [60, 100]),
        (P + "cooling.liquid.rejection", ["chiller"])]},
    # a top-level key: `trials` (a metric of the same name is a column of /cases too)
    "vary-trials": {"mode": "zip", "vary": [("trials", [1, 2])]},
    # errors in the sweep file itself (exit 2): unequal zip lists; paths that do not exist
    "zip-unequal": {"mode": "zip", "vary": [
        (P + "it.%s.count" % POOL, [60, 90, 120]),
        (P + "supply.utility.contract_mw", [5, 7])]},
    "bad-pool": {"mode": "grid", "vary": [
        (P + "it.%s.count" % POOL, [60, 90]),
        (P + "it.nosuch.count", [1, 2])]},
    "bad-key": {"mode": "grid", "vary": [
        (P + "cooling.liquid.rejection", ["chiller"]),
        (P + "cooling.liquid", [1])]},     # a mapping, not a single value
    "bad-site": {"mode": "grid", "vary": [
        ("sites.east.supply.utility.contract_mw", [1])]},
    # for --resume: a 1-year 15-minute base on a climate, one contract per case, each ample
    # (so that every case costs the same; the count of cases is chosen by the test so that a
    # run takes several seconds)
    "resume": {"mode": "grid", "base": "base-year.yaml", "vary": [
        (P + "supply.utility.contract_mw", {"from": 20, "to": None, "step": 1})]},
    # the same number of cases as "resume" but other values / another path: not resumable
    "resume-other": {"mode": "grid", "base": "base-year.yaml", "vary": [
        (P + "supply.utility.contract_mw", {"from": 21, "to": None, "step": 1})]},
    "resume-path": {"mode": "grid", "base": "base-year.yaml", "vary": [
        (P + "electrical.misc_fraction", {"from": 1, "to": None, "step": 1})]},
}


def values_of(entry):
    return entry[1]["values"] if isinstance(entry[1], dict) else entry[1]


def sweep_text(name, n_resume):
    s = SWEEPS[name]
    lines = ["# written by tests/e2e/sweepcheck.py", "base: %s" % s.get("base", "base.yaml"),
             "mode: %s" % s["mode"]]
    if "trials" in s:
        lines.append("trials: %d" % s["trials"])
    lines.append("vary:")
    for path, vals in s["vary"]:
        if isinstance(vals, dict):
            to = vals["to"] if vals["to"] is not None else vals["from"] + n_resume - 1
            lines.append("  %s: {from: %s, to: %s, step: %s}" % (path, vals["from"], to,
                                                                 vals["step"]))
        else:
            lines.append("  %s: [%s]" % (path, ", ".join(str(v) for v in vals)))
    lines.append("series: %s" % ("true" if s.get("series") else "false"))
    return "\n".join(lines) + "\n"


def expected_rows(name):
    """[(value per path)] in case order, worked out from the lists."""
    s = SWEEPS[name]
    lists = [values_of(e) for e in s["vary"]]
    if s["mode"] == "zip":
        return list(zip(*lists))
    return list(itertools.product(*lists))       # the last list varies fastest


def case_params(name, row):
    p = dict(BASE)
    if "trials" in SWEEPS[name]:
        p["trials"] = SWEEPS[name]["trials"]
    for (path, _), v in zip(SWEEPS[name]["vary"], row):
        p[PATHS[path]] = v
    return p


def expected_status(row_params):
    """(status, message regex or None) of a case, with where its message must point."""
    text = render(BASE)
    if not isinstance(row_params["count"], str) and row_params["count"] <= 0:
        line, col = value_pos(text, "count")
        return 2, r"^base\.yaml:%d:%d: .*count.*-5" % (line, col)
    if row_params["rejection"] not in ("dry_cooler", "cooling_tower", "chiller", "hybrid"):
        line, col = value_pos(text, "rejection")
        return 2, r"^base\.yaml:%d:%d: .*rejection 'dry_colder'.*dry_cooler" % (line, col)
    return 0, None


def to_str(v):
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def metric_names(dtype):
    names = list(dtype.names)
    return names[names.index("message") + 1:]


def check_table(name, path):
    problems = []

    def check(ok, msg):
        if not ok:
            problems.append("%s: %s" % (name, msg))
        return ok

    s = SWEEPS[name]
    rows = expected_rows(name)
    with h5py.File(path, "r") as f:
        c = f["cases"][:]
        attrs = dict(f.attrs)
    names = list(c.dtype.names)
    want_cols = ["case"] + [p for p, _ in s["vary"]] + ["status", "message"]
    check(names[:len(want_cols)] == want_cols, "columns %r, expected %r first" % (
        names[:len(want_cols)], want_cols))
    check(len(c) == len(rows), "%d rows, expected %d" % (len(c), len(rows)))
    check(int(attrs.get("n_cases", -1)) == len(rows), "n_cases attribute %r" % attrs.get("n_cases"))
    check(to_str(attrs.get("mode", "")) == s["mode"], "mode attribute %r" % attrs.get("mode"))
    check(metric_names(c.dtype)[:3] == ["it_energy_mwh", "facility_energy_mwh", "pue"],
          "metric columns start %r" % metric_names(c.dtype)[:3])
    if problems:
        return problems
    for k, (path, _) in enumerate(s["vary"]):
        numeric = all(not isinstance(v, str) for v in values_of(s["vary"][k]))
        kind = c.dtype[path].kind
        check(kind == "f" if numeric else kind == "S",
              "column %s has type %s, expected %s" % (path, c.dtype[path],
                                                      "float64" if numeric else "a string"))
    for i, row in enumerate(rows):
        r = c[i]
        check(int(r["case"]) == i, "row %d: case %r" % (i, r["case"]))
        for (path, _), v in zip(s["vary"], row):
            got = to_str(r[path]) if isinstance(v, str) else float(r[path])
            check(got == v, "row %d: %s = %r, expected %r" % (i, path, got, v))
        st, msg_re = expected_status(case_params(name, row))
        msg = to_str(r["message"])
        check(int(r["status"]) == st, "row %d %r: status %d, expected %d (%s)" % (
            i, row, r["status"], st, msg))
        if msg_re:
            check(re.search(msg_re, msg), "row %d: message %r does not match /%s/" % (
                i, msg, msg_re))
            check(all(math.isnan(float(r[m])) for m in metric_names(c.dtype)),
                  "row %d: a failed case has metrics" % i)
        else:
            check(msg == "", "row %d: ok case with message %r" % (i, msg))
            check(not math.isnan(float(r["it_energy_mwh"])) and float(r["it_energy_mwh"]) > 0,
                  "row %d: ok case without it_energy_mwh" % i)
    return problems


def check_direct(name, path, dcsim, outdir):
    """Each ok row's metrics against a direct run of its scenario, exactly."""
    problems = []
    with h5py.File(path, "r") as f:
        c = f["cases"][:]
    metrics = metric_names(c.dtype)
    for i, row in enumerate(expected_rows(name)):
        if int(c[i]["status"]) != 0:
            continue
        scen = os.path.join(outdir, "%s-case%d.yaml" % (name, i))
        out = os.path.join(outdir, "%s-case%d.h5" % (name, i))
        with open(scen, "w", encoding="utf-8") as fh:
            fh.write(render(case_params(name, row)))
        rc = subprocess.run([dcsim, "run", scen, "-o", out, "-q"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, check=False)
        if rc.returncode != 0:
            problems.append("%s case %d: dcsim run exit %d: %s" % (
                name, i, rc.returncode, rc.stderr.decode()[:300]))
            continue
        with h5py.File(out, "r") as f:
            summ = dict(f["summary"].attrs)
        for m in metrics:
            if m not in summ:
                problems.append("%s case %d: /summary of the direct run has no %s" % (name, i, m))
                continue
            a, b = float(c[i][m]), float(summ[m])
            if not (a == b or (math.isnan(a) and math.isnan(b))):
                problems.append("%s case %d %r: %s = %r in the sweep, %r in a direct run" % (
                    name, i, row, m, a, b))
    return problems


def same_value(a, b):
    if isinstance(a, (bytes, str)):
        return a == b
    a, b = float(a), float(b)
    return a == b or (math.isnan(a) and math.isnan(b))


def check_same(pa, pb, kept=False):
    """Every column equal; with kept, row 0 of pa must hold unfinish's marker message (a
    resumed sweep keeps the finished rows it found, it does not run them again)."""
    problems = []
    with h5py.File(pa, "r") as fa, h5py.File(pb, "r") as fb:
        a, b = fa["cases"][:], fb["cases"][:]
    if a.dtype != b.dtype or len(a) != len(b):
        return ["tables differ in layout: %s × %d vs %s × %d" % (a.dtype, len(a), b.dtype, len(b))]
    if kept:
        if to_str(a[0]["message"]) != KEPT:
            problems.append("%s: row 0 was run again (message %r, not %r)" % (
                pa, to_str(a[0]["message"]), KEPT))
        a[0]["message"] = b[0]["message"]
    for col in a.dtype.names:
        bad = [i for i in range(len(a)) if not same_value(a[i][col], b[i][col])]
        if bad:
            i = bad[0]
            problems.append("column %s differs in %d row(s), first case %d: %r vs %r" % (
                col, len(bad), i, a[i][col], b[i][col]))
    return problems


def check_csv(h5_path, csv_path):
    problems = []
    with h5py.File(h5_path, "r") as f:
        c = f["cases"][:]
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows or rows[0] != list(c.dtype.names):
        return ["CSV header %r, /cases columns %r" % (rows[0] if rows else None, c.dtype.names)]
    if len(rows) - 1 != len(c):
        return ["CSV has %d rows, /cases %d" % (len(rows) - 1, len(c))]
    for i, row in enumerate(rows[1:]):
        for col, text in zip(c.dtype.names, row):
            v = c[i][col]
            if c.dtype[col].kind == "S":
                ok = text == to_str(v)
            else:
                x = float(v)
                if math.isnan(x):
                    ok = text == ""
                else:
                    y = float(text) if text else math.nan
                    ok = abs(x - y) <= 1e-12 * max(abs(x), abs(y))
            if not ok:
                problems.append("CSV row %d column %s: %r, /cases %r" % (i, col, text, v))
    return problems


def check_partial(path, n):
    with h5py.File(path, "r") as f:
        c = f["cases"][:]
        done_attr = int(f.attrs["cases_done"])
    problems = []
    if len(c) != n:
        return ["%s: %d rows, expected %d" % (path, len(c), n)]
    pending = c["status"] == -1
    done = int(np.count_nonzero(~pending))
    if not pending.any():
        problems.append("%s: no pending row: the sweep was not interrupted mid-way" % path)
    if done == 0:
        problems.append("%s: no finished row: nothing was checkpointed" % path)
    if done_attr != done:
        problems.append("%s: cases_done %d, but %d rows are finished" % (path, done_attr, done))
    for i in np.flatnonzero(pending):
        r = c[i]
        if to_str(r["message"]) != "" or not math.isnan(float(r["it_energy_mwh"])):
            problems.append("%s: pending row %d has a message or metrics" % (path, i))
            break
    for i in np.flatnonzero(~pending):
        if int(c[i]["status"]) != 0 or math.isnan(float(c[i]["pue"])):
            problems.append("%s: finished row %d: status %d, pue %r" % (
                path, i, c[i]["status"], c[i]["pue"]))
            break
    return problems


def file_metrics(spec):
    """A result file's /summary attrs, or a sweep row's metrics for FILE:case=N."""
    path, _, case = spec.partition(":case=")
    with h5py.File(path, "r") as f:
        if case:
            row = f["cases"][int(case)]
            return {m: float(row[m]) for m in metric_names(row.dtype)}
        return {k: float(v) for k, v in f["summary"].attrs.items()
                if np.ndim(v) == 0 and not isinstance(v, (bytes, str))}


def check_compare(out_path, specs):
    """`dcsim compare` output: a row per metric, each file's value, its difference to the
    first (B − A) and the % (100·diff/|A|), against the files themselves."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import h5check  # pylint: disable=import-outside-toplevel
    problems = []
    files = [file_metrics(s) for s in specs]
    with open(out_path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    if not lines:
        return ["compare printed nothing"]
    head = lines[0].split()
    labels = list(specs)   # issue 10: the files as named, in full
    want = ["metric", labels[0]] + sum(([lb, "diff", "%"] for lb in labels[1:]), [])
    if head != want:
        problems.append("header %r, expected %r" % (head, want))
    seen = set()
    for line in lines[1:]:
        tok = line.split()
        if len(tok) != 3 + 3 * (len(files) - 1):
            problems.append("row %r: %d fields" % (line, len(tok)))
            continue
        name = tok[0]
        if name == "margin_min_time":   # issue 10: the time of the least margin, ISO 8601
            for p in [tok[1]] + tok[2:-1:3]:
                if p != "-" and not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", p):
                    problems.append("margin_min_time: %r is not an ISO time" % p)
            seen.add("margin_min_time_s")
            continue
        seen.add(name)
        vals = [files[0].get(name, math.nan)] + [f.get(name, math.nan) for f in files[1:]]
        printed = [tok[1]] + tok[2:-1:3]
        for k, (p, v) in enumerate(zip(printed, vals)):
            ok = (p == "nan") if math.isnan(v) else (
                p != "nan" and abs(float(p) - v) <= 1e-5 * abs(v) + 1e-300)
            if not ok:
                problems.append("%s: file %d printed %s, the file has %r" % (name, k, p, v))
        for i in range(1, len(files)):
            d_txt, pct = tok[3 * i], tok[3 * i + 1]
            diff = vals[i] - vals[0]
            if math.isnan(diff):
                ok = d_txt.lstrip("+-") == "nan"
            else:
                ok = abs(float(d_txt) - diff) <= 1e-3 * abs(diff) + 1e-12 * max(
                    abs(vals[0]), abs(vals[i]), 1e-300)
            if not ok:
                problems.append("%s: diff printed %s, B − A = %r" % (name, d_txt, diff))
            if vals[0] != 0 and not math.isnan(diff):
                want_pct = 100.0 * diff / abs(vals[0])
                ok = pct != "-" and abs(float(pct) - want_pct) <= 0.051
            else:
                ok = pct == "-"
            if not ok:
                problems.append("%s: %% printed %s, 100·diff/|A| = %r" % (
                    name, pct, 100.0 * diff / abs(vals[0]) if vals[0] else math.nan))
    for name in h5check.CONTRACT_METRICS + h5check.OWN_METRICS:
        if name not in seen:
            problems.append("metric %s not printed" % name)
    return problems


def check_series(name, path):
    problems = []
    with h5py.File(path, "r") as f:
        c = f["cases"][:]
    d = path[:-3] + "-cases" if path.endswith(".h5") else path + "-cases"
    for i in range(len(c)):
        case = os.path.join(d, "case-%06d.h5" % i)
        if not os.path.exists(case):
            problems.append("%s: no %s" % (name, case))
            continue
        with h5py.File(case, "r") as f:
            summ = dict(f["summary"].attrs)
            if "sites/%s/series/facility_mw" % SITE not in f:
                problems.append("%s: %s has no series" % (name, case))
        for m in metric_names(c.dtype):
            if not same_value(c[i][m], summ.get(m, math.nan)):
                problems.append("%s case %d: %s = %r in /cases, %r in %s" % (
                    name, i, m, c[i][m], summ.get(m), case))
    return problems


KEPT = "kept by --resume"


def unfinish(src, dst):
    """Every other row of a finished table made pending (status -1, no message, NaN); row 0
    (finished) marked with the message KEPT."""
    import shutil  # pylint: disable=import-outside-toplevel
    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as f:
        c = f["cases"][:]
        for i in range(1, len(c), 2):
            c[i]["status"] = -1
            c[i]["message"] = b""
            for m in metric_names(c.dtype):
                c[i][m] = math.nan
        c[0]["message"] = KEPT.encode()
        f["cases"][:] = c
        f.attrs["cases_done"] = np.int64(np.count_nonzero(c["status"] != -1))


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "unfinish" and len(argv) == 4:
        unfinish(argv[2], argv[3])
        return 0
    if cmd == "compare" and len(argv) >= 5:
        problems = check_compare(argv[2], argv[3:])
        for p in problems[:40]:
            print(p)
        return 1 if problems else 0
    if cmd == "write" and len(argv) in (3, 4):
        n_resume = int(argv[3]) if len(argv) == 4 else 100
        with open(os.path.join(argv[2], "base.yaml"), "w", encoding="utf-8") as fh:
            fh.write(render(BASE))
        with open(os.path.join(argv[2], "base-year.yaml"), "w", encoding="utf-8") as fh:
            fh.write(render(YEAR))
        for name in SWEEPS:
            with open(os.path.join(argv[2], name + ".yaml"), "w", encoding="utf-8") as fh:
                fh.write(sweep_text(name, n_resume))
        return 0
    if cmd == "done" and len(argv) == 3:
        with h5py.File(argv[2], "r") as f:
            print(int(np.count_nonzero(f["cases"]["status"][:] != -1)))
        return 0
    if cmd == "table" and len(argv) == 4:
        problems = check_table(argv[2], argv[3])
    elif cmd == "direct" and len(argv) == 6:
        problems = check_direct(argv[2], argv[3], argv[4], argv[5])
    elif cmd == "same" and len(argv) in (4, 5) and argv[4:] in ([], ["--kept"]):
        problems = check_same(argv[2], argv[3], argv[4:] == ["--kept"])
    elif cmd == "csv" and len(argv) == 4:
        problems = check_csv(argv[2], argv[3])
    elif cmd == "series" and len(argv) == 4:
        problems = check_series(argv[2], argv[3])
    elif cmd == "partial" and len(argv) == 4:
        problems = check_partial(argv[2], int(argv[3]))
    else:
        sys.stderr.write(__doc__)
        return 2
    for p in problems[:40]:
        print(p)
    if len(problems) > 40:
        print("... and %d more" % (len(problems) - 40))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
