#!/usr/bin/python3
"""h5check.py — reads dcsim's HDF5 results for the end-to-end tests.

Run with /usr/bin/python3 (Debian's h5py and numpy). As a module it gives read() and the
comparison helpers; as a script:

  h5check.py bundle SCENARIO.yaml OUT.h5 VERSION
      every check of ../shared/contract.md section 3 and the README's invariants on every step
      and site: root attributes, /scenario, /time, the series and their units, the per-step
      balances, each summary metric against its series, /summary against the summed sites,
      the PUE band of liquid-cooled sites.
  h5check.py get OUT.h5 PATH [INDEX]
      prints an attribute (PATH = group/attr, e.g. /summary/pue or //scenario_name for a root
      attribute) or one element of a series (PATH = dataset, INDEX = step).

Prints one line per problem and exits 1 when there is any; prints nothing when all is well.
"""
import math
import re
import sys

import h5py
import numpy as np

# ../shared/contract.md section 3: the series every site has.
CONTRACT_SERIES = [
    "ambient_drybulb_c", "ambient_wetbulb_c", "it_demand_mw", "it_served_mw", "cooling_mw",
    "losses_mw", "misc_mw", "facility_mw", "pue", "supply_available_mw", "grid_mw",
    "reactor_mw", "battery_mw", "battery_soc_mwh", "generator_mw", "shed_mw", "unserved_mw",
    "throttle_mw", "liquid_supply_c", "water_m3",
]
# dcsim's own series (README "Output").
OWN_SERIES = [
    "facility_demand_mw", "margin_mw", "curtailed_mw", "critical_it_mw", "cost_usd",
    "throttle_firm_mw", "unserved_s", "turbine_mw", "clean_mw", "co2_kg", "fuel_mmbtu",
    "fuel_cost_usd", "demand_charge_usd", "it_flex_served_mw",
]
# contract section 3 summary metrics, then dcsim's own (README "Output").
CONTRACT_METRICS = [
    "it_energy_mwh", "facility_energy_mwh", "pue", "pue_peak", "it_peak_mw", "facility_peak_mw",
    "critical_it_mw", "unserved_energy_mwh", "unserved_hours", "unserved_peak_mw",
    "shed_energy_mwh", "throttle_energy_mwh", "water_m3", "wue_l_per_kwh", "energy_cost_usd",
    "margin_min_mw",
]
OWN_METRICS = [
    "it_demand_energy_mwh", "cooling_energy_mwh", "losses_energy_mwh", "misc_energy_mwh",
    "grid_energy_mwh", "reactor_energy_mwh", "battery_net_energy_mwh", "generator_energy_mwh",
    "curtailed_energy_mwh", "throttle_firm_energy_mwh", "margin_min_time_s",
    "margin_min_drybulb_c", "years", "pue_p99",
]
ROOT_ATTRS = ["dcsim_version", "scenario_name", "start", "timestep_s", "steps", "seed", "trials"]
UNSERVED_EPS_MW = 1e-6      # README: unserved hours count steps with unserved > 1e-6 MW
REL_TOL = 1e-9
SECONDS_PER_YEAR = 365 * 86400
SPAN_UNITS = {"s": 1, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": SECONDS_PER_YEAR}


class Problems:
    """Collects failed checks; each is printed as one line."""

    def __init__(self, prefix=""):
        self.prefix = prefix
        self.items = []

    def add(self, msg):
        self.items.append(self.prefix + msg)

    def check(self, ok, msg):
        if not ok:
            self.add(msg)
        return ok


def to_str(v):
    """h5py gives fixed-length strings as bytes, variable-length ones as str."""
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.ndarray) and v.shape == ():
        return to_str(v[()])
    return v


def span_s(text):
    m = re.fullmatch(r"\s*(\d+)\s*(s|min|h|d|w|y)\s*", text)
    if not m:
        raise ValueError("not a span: %r" % text)
    return int(m.group(1)) * SPAN_UNITS[m.group(2)]


def close(actual, expected, rel=REL_TOL, abs_tol=0.0):
    """|a - e| <= rel·max(|a|, |e|) + abs_tol; NaN matches NaN only."""
    a, e = float(actual), float(expected)
    if math.isnan(e) or math.isnan(a):
        return math.isnan(e) and math.isnan(a)
    if math.isinf(e) or math.isinf(a):
        return a == e
    return abs(a - e) <= rel * max(abs(a), abs(e)) + abs_tol


def top_level(text):
    """The top-level scalar keys of a scenario (name, start, ...): enough for the attributes."""
    out = {}
    for m in re.finditer(r"^([a-z_]+):[ \t]*([^#\n]*?)[ \t]*(?:#.*)?$", text, re.M):
        if m.group(2):
            out[m.group(1)] = m.group(2).strip("'\"")
    return out


def site_ids(text):
    """Site ids in file order: PyYAML when installed, else the '  - id: X' lines of sites:."""
    try:
        import yaml  # pylint: disable=import-outside-toplevel
        return [str(s["id"]) for s in yaml.safe_load(text)["sites"]]
    except ImportError:
        pass
    body = text.split("\nsites:", 1)[1]
    body = re.split(r"^\S", body, maxsplit=1, flags=re.M)[0]
    return re.findall(r"^  - (?:\{\s*)?id:\s*([A-Za-z0-9_.-]+)", body, re.M)


def read_series(group, names):
    return {n: np.asarray(group[n][:], dtype=np.float64) for n in names if n in group}


def hourly_pue(it_mw, fac_mw, dt_s, n_steps):
    """pue_peak and pue_p99 (docs/model.md §6): IT and facility energy by hour from the start
    (a step straddling an hour is split), hourly PUE over the hours whose mean served IT is at
    least half the median hour's (and > 0); the highest, and the 99th percentile (numpy's
    linear interpolation)."""
    end_s = n_steps * dt_s
    n_hours = (end_s + 3599) // 3600
    it_h = np.zeros(n_hours)
    fac_h = np.zeros(n_hours)
    for k in range(n_steps):
        t, end = k * dt_s, (k + 1) * dt_s
        while t < end:
            h = t // 3600
            until = min((h + 1) * 3600, end)
            it_h[h] += it_mw[k] * (until - t) / 3600.0
            fac_h[h] += fac_mw[k] * (until - t) / 3600.0
            t = until
    cover_h = np.ones(n_hours)
    cover_h[-1] = (end_s - (n_hours - 1) * 3600) / 3600.0
    mean_it = it_h / cover_h
    keep = (mean_it > 0) & (mean_it >= 0.5 * np.median(mean_it))
    if not keep.any():
        return math.nan, math.nan
    pue = fac_h[keep] / it_h[keep]
    return float(np.max(pue)), float(np.percentile(pue, 99))


def expected_metrics(s, dt_s, time_s):
    """Every summary metric from a site's (or the summed sites') series (README 'Output')."""
    h = dt_s / 3600.0

    def energy(name):
        return math.fsum(s[name]) * h

    it = energy("it_served_mw")
    fac = energy("facility_mw")
    water = math.fsum(s["water_m3"])
    peak, p99 = hourly_pue(s["it_served_mw"], s["facility_mw"], dt_s, len(time_s))
    i_min = int(np.argmin(s["margin_mw"]))     # first step of the least margin
    m = {
        "it_energy_mwh": it,
        "facility_energy_mwh": fac,
        "pue": fac / it if it > 0 else math.nan,
        "pue_peak": peak,
        "pue_p99": p99,
        "it_peak_mw": float(np.max(s["it_served_mw"])),
        "facility_peak_mw": float(np.max(s["facility_mw"])),
        "critical_it_mw": float(np.max(s["critical_it_mw"])),
        "unserved_energy_mwh": energy("unserved_mw"),
        # time with unserved load: each step's unserved_s (exact within the step)
        "unserved_hours": math.fsum(s["unserved_s"]) / 3600.0,
        "unserved_peak_mw": float(np.max(s["unserved_mw"])),
        "shed_energy_mwh": energy("shed_mw"),
        "throttle_energy_mwh": energy("throttle_mw"),
        "water_m3": water,
        # m³ → L is ×1000 and MWh → kWh is ×1000: L/kWh = m³/MWh
        "wue_l_per_kwh": water / it if it > 0 else math.nan,
        "energy_cost_usd": math.fsum(s["cost_usd"]),
        "margin_min_mw": float(s["margin_mw"][i_min]),
        "it_demand_energy_mwh": energy("it_demand_mw"),
        "cooling_energy_mwh": energy("cooling_mw"),
        "losses_energy_mwh": energy("losses_mw"),
        "misc_energy_mwh": energy("misc_mw"),
        "grid_energy_mwh": energy("grid_mw"),
        "reactor_energy_mwh": energy("reactor_mw"),
        "battery_net_energy_mwh": energy("battery_mw"),
        "generator_energy_mwh": energy("generator_mw"),
        "curtailed_energy_mwh": energy("curtailed_mw"),
        "throttle_firm_energy_mwh": energy("throttle_firm_mw"),
        "turbine_energy_mwh": energy("turbine_mw"),
        "fuel_mmbtu": math.fsum(s["fuel_mmbtu"]),
        "fuel_cost_usd": math.fsum(s["fuel_cost_usd"]),
        "demand_charge_usd": math.fsum(s["demand_charge_usd"]),
        "co2_t": math.fsum(s["co2_kg"]) / 1000.0,
        "it_flex_energy_mwh": energy("it_flex_served_mw"),
        "margin_min_time_s": float(time_s[i_min]),
        "margin_min_drybulb_c": float(s["ambient_drybulb_c"][i_min]),
        "years": len(time_s) * dt_s / SECONDS_PER_YEAR,
    }
    # Absolute slack for sums of many terms of either sign (battery_net): 1e-12 of Σ|terms|.
    slack = {k: 0.0 for k in m}
    for k, name in [("battery_net_energy_mwh", "battery_mw"), ("energy_cost_usd", "cost_usd")]:
        slack[k] = 1e-12 * math.fsum(np.abs(s[name])) * (h if k.endswith("mwh") else 1.0)
    return m, slack


def check_xarray(p, path, sid, steps, start):
    """Issue 10: xarray opens a site's series group with a datetime64 time coordinate
    starting at `start`, every variable with units."""
    try:
        import warnings
        import xarray as xr
    except ImportError:
        p.check(False, "python3-xarray is not installed")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            ds = xr.open_dataset(path, engine="h5netcdf", group="sites/%s/series" % sid)
        except Exception as e:  # pylint: disable=broad-except
            p.check(False, "xarray cannot open sites/%s/series: %s" % (sid, e))
            return
    with ds:
        t = ds["time"].values
        p.check(t.dtype.kind == "M", "xarray: time is %s, not datetime64" % t.dtype)
        p.check(len(t) == steps, "xarray: %d times, expected %d" % (len(t), steps))
        if t.dtype.kind == "M" and len(t):
            p.check(t[0] == np.datetime64(start.rstrip("Z")),
                    "xarray: first time %s, expected %s" % (t[0], start))
        for v in ds.data_vars:
            p.check(ds[v].dims == ("time",), "xarray: %s dims %s" % (v, ds[v].dims))
            p.check("units" in ds[v].attrs, "xarray: %s has no units" % v)


def compare_metrics(p, where, attrs, expected, slack, rel=REL_TOL):
    for k, e in expected.items():
        if not p.check(k in attrs, "%s: summary metric '%s' missing" % (where, k)):
            continue
        a = float(attrs[k])
        p.check(close(a, e, rel, slack.get(k, 0.0) + 1e-12),
                "%s: %s = %.12g, series give %.12g" % (where, k, a, e))


def check_step_invariants(p, where, s):
    """README: the balances that hold on every step, and the signs that must hold."""

    def bad_steps(mask):
        idx = np.flatnonzero(mask)
        return "%d step(s), first %d" % (len(idx), idx[0]) if len(idx) else ""

    def balance(lhs_names, rhs_name):
        lhs = sum(s[x] for x in lhs_names)
        rhs = s[rhs_name]
        scale = sum(np.abs(s[x]) for x in lhs_names) + np.abs(rhs) + 1.0
        bad = ~(np.abs(lhs - rhs) <= 1e-9 * scale)
        p.check(not bad.any(), "%s: %s != %s on %s (e.g. %r vs %r)" % (
            where, " + ".join(lhs_names), rhs_name, bad_steps(bad),
            float(lhs[bad][0]) if bad.any() else 0, float(rhs[bad][0]) if bad.any() else 0))

    balance(["facility_mw", "unserved_mw"], "facility_demand_mw")
    balance(["it_served_mw", "shed_mw", "throttle_mw", "curtailed_mw"], "it_demand_mw")
    balance(["grid_mw", "reactor_mw", "battery_mw", "generator_mw", "turbine_mw"], "facility_mw")

    served = s["it_served_mw"] > 0
    pue = s["pue"]
    p.check(not (served & ~(pue >= 1.0)).any(),
            "%s: pue < 1 (or NaN) where it_served_mw > 0 on %s" % (
                where, bad_steps(served & ~(pue >= 1.0))))
    p.check(np.isnan(pue[~served]).all(),
            "%s: pue is not NaN where it_served_mw == 0 on %s" % (
                where, bad_steps(~served & ~np.isnan(pue))))
    ratio_bad = served & ~(np.abs(pue - s["facility_mw"] / np.where(served, s["it_served_mw"], 1))
                           <= 1e-12 * np.abs(pue))
    p.check(not ratio_bad.any(), "%s: pue != facility/it_served on %s" % (
        where, bad_steps(ratio_bad)))
    over = s["facility_mw"] > s["supply_available_mw"] + 1e-6
    p.check(not over.any(), "%s: facility_mw > supply_available_mw on %s" % (
        where, bad_steps(over)))
    for name in ["unserved_mw", "shed_mw", "curtailed_mw", "throttle_mw", "throttle_firm_mw",
                 "water_m3", "it_served_mw", "it_demand_mw", "facility_mw", "cooling_mw",
                 "losses_mw", "misc_mw", "battery_soc_mwh", "critical_it_mw", "cost_usd",
                 "grid_mw", "generator_mw", "supply_available_mw"]:
        neg = s[name] < -1e-9
        p.check(not neg.any(), "%s: %s < 0 on %s" % (where, name, bad_steps(neg)))
    nan_ok = {"pue", "liquid_supply_c"}
    for name, v in s.items():
        if name not in nan_ok:
            p.check(np.isfinite(v).all(), "%s: %s not finite on %s" % (
                where, name, bad_steps(~np.isfinite(v))))
    # Firm throttling is part of all throttling; a positive margin leaves no firm load unserved
    # (flexible load may be shed with a positive margin: batteries and generators, which the
    # margin counts, back up firm load only — docs/model.md "Each piece").
    tf = s["throttle_firm_mw"] > s["throttle_mw"] + 1e-9
    p.check(not tf.any(), "%s: throttle_firm_mw > throttle_mw on %s" % (where, bad_steps(tf)))
    short = (s["margin_mw"] >= 1e-9) & ((s["unserved_mw"] > 1e-9) | (s["curtailed_mw"] > 1e-9))
    p.check(not short.any(), "%s: unserved/curtailed with a positive margin on %s" % (
        where, bad_steps(short)))


def check_bundle(scenario_path, h5_path, version):
    p = Problems("%s: " % scenario_path.rsplit("/", 1)[-1])
    with open(scenario_path, "rb") as fh:
        raw = fh.read()
    text = raw.decode("utf-8")
    top = top_level(text)
    dt = span_s(top.get("timestep", "15min"))
    steps = span_s(top["duration"]) // dt
    start = top["start"]
    if re.fullmatch(r"\d{4}-\d\d-\d\d", start):
        start += "T00:00:00Z"
    f = h5py.File(h5_path, "r")

    # Root attributes (contract section 3).
    want = {"dcsim_version": version, "scenario_name": top["name"], "start": start,
            "timestep_s": dt, "steps": steps, "seed": int(top.get("seed", 1)),
            "trials": int(top.get("trials", 1))}
    for k in ROOT_ATTRS:
        if not p.check(k in f.attrs, "root attribute '%s' missing" % k):
            continue
        v = to_str(f.attrs[k])
        if isinstance(want[k], str):
            p.check(v == want[k], "root attribute %s = %r, expected %r" % (k, v, want[k]))
        else:
            p.check(int(v) == want[k] and float(v) == want[k],
                    "root attribute %s = %r, expected %r" % (k, v, want[k]))

    # /scenario: the text exactly as read.
    if p.check("scenario" in f, "/scenario missing"):
        sc = f["scenario"][()]
        if isinstance(sc, np.ndarray):
            sc = sc.tobytes()
        if isinstance(sc, str):
            sc = sc.encode("utf-8")
        p.check(sc == raw, "/scenario differs from the file's bytes (%d vs %d bytes)" % (
            len(sc), len(raw)))

    # /time = k·timestep_s, CF units "seconds since <start>" (issue 10), a dimension scale.
    time_s = None
    if p.check("time" in f, "/time missing"):
        t = f["time"]
        p.check(t.dtype == np.float64, "/time dtype %s, expected float64" % t.dtype)
        cf = "seconds since " + start.replace("T", " ").rstrip("Z")
        p.check(to_str(t.attrs.get("units", "")) == cf, "/time units %r, expected %r" % (
            t.attrs.get("units"), cf))
        p.check(to_str(t.attrs.get("calendar", "")) == "standard", "/time calendar %r" %
                t.attrs.get("calendar"))
        p.check(to_str(t.attrs.get("CLASS", b"")) == "DIMENSION_SCALE",
                "/time is not a dimension scale")
        time_s = t[:]
        p.check(len(time_s) == steps, "/time has %d steps, expected %d" % (len(time_s), steps))
        if len(time_s) == steps:
            p.check(np.array_equal(time_s, np.arange(steps, dtype=np.float64) * dt),
                    "/time is not k·timestep_s")
    if time_s is None or len(time_s) != steps:
        time_s = np.arange(steps, dtype=np.float64) * dt

    ids = site_ids(text)
    p.check("sites" in f and sorted(f["sites"]) == sorted(ids),
            "/sites holds %s, the scenario %s" % (sorted(f["sites"]) if "sites" in f else None,
                                                 sorted(ids)))
    all_series = CONTRACT_SERIES + OWN_SERIES
    per_site = {}
    for sid in ids:
        where = "site %s" % sid
        g = f.get("sites/%s/series" % sid)
        if not p.check(g is not None, "%s: no series group" % where):
            continue
        ok = True
        for name in all_series:
            if not p.check(name in g, "%s: series %s missing" % (where, name)):
                ok = False
                continue
            d = g[name]
            units = to_str(d.attrs.get("units", ""))
            p.check(isinstance(units, str) and units != "",
                    "%s: series %s has no units attribute" % (where, name))
            if name.endswith("_mw"):
                p.check(units == "MW", "%s: %s units %r, expected MW" % (where, name, units))
            elif name.endswith("_mwh"):
                p.check(units == "MWh", "%s: %s units %r, expected MWh" % (where, name, units))
            p.check(d.dtype == np.float64, "%s: %s dtype %s" % (where, name, d.dtype))
            if not p.check(d.shape == (steps,), "%s: %s shape %s, expected (%d,)" % (
                    where, name, d.shape, steps)):
                ok = False
        if not ok:
            continue
        for name in g:
            p.check(to_str(g[name].attrs.get("long_name", "")) != "",
                    "%s: series %s has no long_name" % (where, name))
        check_xarray(p, h5_path, sid, steps, start)
        attrs = f.get("sites/%s/summary" % sid)
        if attrs is not None:
            for k, v in attrs.attrs.items():
                if not isinstance(v, (str, bytes)):
                    p.check(k + "_units" in attrs.attrs, "%s: summary %s has no %s_units" % (
                        where, k, k))
        s = read_series(g, all_series)
        per_site[sid] = s
        check_step_invariants(p, where, s)
        attrs = f.get("sites/%s/summary" % sid)
        if not p.check(attrs is not None, "%s: no summary group" % where):
            continue
        exp, slack = expected_metrics(s, dt, time_s)
        compare_metrics(p, where + " summary", dict(attrs.attrs), exp, slack)
        # Liquid-cooled sites (a loop: liquid_supply_c not NaN): energy-weighted PUE band.
        if np.isfinite(s["liquid_supply_c"]).any() and "pue" in attrs.attrs:
            pue = float(attrs.attrs["pue"])
            p.check(1.05 <= pue <= 1.25, "%s: liquid-cooled site PUE %.4f outside 1.05-1.25" % (
                where, pue))

    # /summary: the summed sites; margin_min of the sites' least margins.
    if per_site and len(per_site) == len(ids) and p.check("summary" in f, "/summary missing"):
        tot = {}
        for name in all_series:
            tot[name] = sum(per_site[sid][name] for sid in ids)
        served = tot["it_served_mw"] > 0
        tot["pue"] = np.where(served, tot["facility_mw"] / np.where(served, tot["it_served_mw"],
                                                                    1), np.nan)
        tot["ambient_drybulb_c"] = per_site[ids[0]]["ambient_drybulb_c"]
        exp, slack = expected_metrics(tot, dt, time_s)
        # least margin and its time and dry bulb: those of the site with the least margin
        site_min = [(float(np.min(per_site[sid]["margin_mw"])), k) for k, sid in enumerate(ids)]
        mm, k = min(site_min)
        s = per_site[ids[k]]
        i = int(np.argmin(s["margin_mw"]))
        exp["margin_min_mw"] = mm
        exp["margin_min_time_s"] = float(time_s[i])
        exp["margin_min_drybulb_c"] = float(s["ambient_drybulb_c"][i])
        # time with unserved load at any site: the union of the sites' intervals, between the
        # longest site's and the sum of the sites'
        got_h = float(f["summary"].attrs["unserved_hours"])
        hi = exp.pop("unserved_hours")
        lo = max(math.fsum(per_site[sid]["unserved_s"]) / 3600.0 for sid in ids)
        p.check(lo - 1e-9 <= got_h <= hi + 1e-9, "/summary unserved_hours %r outside [%r, %r] "
                "(the sites' longest, their sum)" % (got_h, lo, hi))
        # PUE peak of the summed sites, computed the way the series would give it
        compare_metrics(p, "/summary", dict(f["summary"].attrs), exp, slack)
        if len(ids) == 1:
            a = dict(f["summary"].attrs)
            b = dict(f["sites/%s/summary" % ids[0]].attrs)
            for k2 in CONTRACT_METRICS + OWN_METRICS:
                if k2 in a and k2 in b:
                    p.check(close(a[k2], b[k2], 1e-12),
                            "/summary %s = %r differs from the only site's %r" % (k2, a[k2], b[k2]))
    f.close()
    return p.items


def get(h5_path, path, index=None):
    with h5py.File(h5_path, "r") as f:
        if index is not None:
            return f[path][int(index)]
        group, _, attr = path.rpartition("/")
        return to_str(f[group or "/"].attrs[attr])


def main(argv):
    if len(argv) >= 2 and argv[1] == "bundle" and len(argv) == 5:
        problems = check_bundle(argv[2], argv[3], argv[4])
        for line in problems[:40]:
            print(line)
        if len(problems) > 40:
            print("... and %d more" % (len(problems) - 40))
        return 1 if problems else 0
    if len(argv) in (4, 5) and argv[1] == "get":
        v = get(argv[2], argv[3], argv[4] if len(argv) == 5 else None)
        print(repr(float(v)) if isinstance(v, (float, np.floating)) else v)
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
