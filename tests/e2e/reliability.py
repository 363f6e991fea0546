#!/usr/bin/python3
"""reliability.py — checks of dcsim's trials, thermal mass and scripted events on result files
(for tests/e2e/t0600-run-reliability.sh; ../shared/contract.md sections 2-3, model.md
"Random events", "Reliability and fit").

  reliability.py same A.h5 B.h5
      the two files hold the same objects, every dataset is equal (numpy array_equal with
      equal_nan, compound tables field by field) and every attribute of every object is equal.
  reliability.py reseeded A.h5 B.h5 SEED_B
      B was run with --seed SEED_B: its root `seed` attribute says so and its /trials differ from
      A's in the unserved energy of the trials (the random outages are other ones).
  reliability.py trials OUT.h5 N
      /trials has N rows, `trial` = 0..N-1; /summary (and the only site's summary):
      lole_h_per_year = mean(unserved_hours)/years, eue_mwh_per_year = mean(unserved_energy)/years,
      unserved_energy_mwh_p50/p95/p99 = numpy.quantile(method='linear') of the rows'
      unserved_energy_mwh; row 0 carries trial 0's ordinary metrics, which /summary reports.
  reliability.py ride OUT.h5 SCENARIO.yaml RACK.yaml [const]
      outage-ride-through: the grid outage (grid_mw 0 exactly in the window, the battery at once,
      the generator start_s later), then the cooling loss: the loop warms each step by
      Q·Δt/(ρ·c_p·V) with Q = liquid_fraction·it_served_mw, until coolant_max_c, and
      ride_through_s is when the heat put in reaches (45 − 35)·ρ·c_p·V. With `const` (no
      training swings) also ride_through_s = (45 − 35)·ρ·c_p·V/Q for Q taken from it_served_mw
      just before the loss, within 0.5 %.
Prints one line per problem; exit status 1 when there is any.
"""
import math
import re
import sys

import h5py
import numpy as np

RHO = 994.0        # kg/m³, loop water at ~35 °C (README "Loop thermal mass")
CP = 4178.0        # J/(kg·K)
REL = 1e-12


class Problems(list):
    def check(self, ok, msg):
        if not ok:
            self.append(msg)
        return ok


def close(a, e, rel=REL, abs_tol=0.0):
    a, e = float(a), float(e)
    if math.isnan(a) or math.isnan(e):
        return math.isnan(a) and math.isnan(e)
    return abs(a - e) <= rel * max(abs(a), abs(e)) + abs_tol


def attrs_equal(x, y):
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        x, y = np.asarray(x), np.asarray(y)
        if x.dtype.kind in "fc" and y.dtype.kind in "fc":
            return x.shape == y.shape and np.array_equal(x, y, equal_nan=True)
        return x.shape == y.shape and np.array_equal(x, y)
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return type(x) == type(y) and x == y  # pylint: disable=unidiomatic-typecheck


def datasets_equal(a, b):
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    x, y = a[()], b[()]
    if a.dtype.names:
        return all(datasets_field_equal(x[n], y[n]) for n in a.dtype.names)
    return datasets_field_equal(x, y)


def datasets_field_equal(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype.kind in "fc":
        return np.array_equal(x, y, equal_nan=True)
    return np.array_equal(x, y)


def objects(f):
    out = {"/": f}
    f.visititems(lambda name, obj: out.__setitem__("/" + name, obj))
    return out


def cmd_same(pa, pb):
    p = Problems()
    with h5py.File(pa, "r") as a, h5py.File(pb, "r") as b:
        oa, ob = objects(a), objects(b)
        p.check(sorted(oa) == sorted(ob), "objects differ: only in %s: %s; only in %s: %s" % (
            pa, sorted(set(oa) - set(ob))[:5], pb, sorted(set(ob) - set(oa))[:5]))
        n_data = 0
        for name in sorted(set(oa) & set(ob)):
            x, y = oa[name], ob[name]
            if isinstance(x, h5py.Dataset):
                n_data += 1
                p.check(isinstance(y, h5py.Dataset) and datasets_equal(x, y),
                        "%s differs between %s and %s" % (name, pa, pb))
            ka, kb = sorted(x.attrs), sorted(y.attrs)
            if not p.check(ka == kb, "%s: attribute names differ: %s vs %s" % (name, ka, kb)):
                continue
            for k in ka:
                if k in ("DIMENSION_LIST", "REFERENCE_LIST"):
                    continue   # object references: addresses, not content
                p.check(attrs_equal(x.attrs[k], y.attrs[k]), "%s: attribute %s: %r vs %r" % (
                    name, k, x.attrs[k], y.attrs[k]))
        p.check(n_data >= 20, "only %d datasets compared" % n_data)
        p.check("/trials" in oa, "no /trials in %s" % pa)
    return p


def cmd_reseeded(pa, pb, seed_b):
    p = Problems()
    with h5py.File(pa, "r") as a, h5py.File(pb, "r") as b:
        p.check(int(b.attrs["seed"]) == int(seed_b), "root seed %r, expected %s" % (
            b.attrs["seed"], seed_b))
        ta, tb = a["trials"][()], b["trials"][()]
        p.check(len(ta) == len(tb), "/trials lengths %d and %d" % (len(ta), len(tb)))
        ua, ub = ta["unserved_energy_mwh"], tb["unserved_energy_mwh"]
        p.check(not np.array_equal(ua, ub), "another --seed gave the same per-trial unserved energy")
        # each seed's outages are their own: at most a few trials may coincide (both 0)
        same = int(np.count_nonzero((ua == ub) & (ua > 0)))
        p.check(same == 0, "%d trials with the same non-zero unserved energy under both seeds"
                % same)
        p.check(not datasets_equal(a["trials"], b["trials"]), "/trials identical under both seeds")
    return p


def cmd_trials(path, n):
    p = Problems()
    n = int(n)
    with h5py.File(path, "r") as f:
        p.check(int(f.attrs["trials"]) == n, "root trials = %r, expected %d" % (f.attrs["trials"], n))
        if not p.check("trials" in f, "/trials missing"):
            return p
        t = f["trials"][()]
        names = t.dtype.names or ()
        p.check(len(t) == n, "/trials has %d rows, expected %d" % (len(t), n))
        if not p.check("trial" in names, "/trials has no 'trial' column"):
            return p
        p.check(t["trial"].dtype.kind in "iu", "trial column dtype %s" % t["trial"].dtype)
        p.check(np.array_equal(t["trial"], np.arange(n)), "trial column is not 0..%d" % (n - 1))
        s = dict(f["summary"].attrs)
        for k in (k for k in s if not k.endswith("_units")):
            p.check(k in names, "summary metric %s has no /trials column" % k)
        years = float(s["years"])
        hours = np.asarray(t["unserved_hours"], dtype=np.float64)
        energy = np.asarray(t["unserved_energy_mwh"], dtype=np.float64)
        p.check(np.count_nonzero(energy) >= 2, "fewer than 2 trials with unserved energy: "
                "the quantiles test nothing")
        sites = list(f["sites"])
        groups = [("/summary", s)] + [("site %s" % sid, dict(f["sites/%s/summary" % sid].attrs))
                                      for sid in sites if len(sites) == 1]
        try:
            q = {pp: np.quantile(energy, pp / 100.0, method="linear") for pp in (50, 95, 99)}
        except TypeError:   # numpy < 1.22
            q = {pp: np.quantile(energy, pp / 100.0, interpolation="linear") for pp in (50, 95, 99)}
        for where, m in groups:
            p.check(close(m["lole_h_per_year"], math.fsum(hours) / n / years),
                    "%s: lole_h_per_year %r, rows give %r" % (where, m["lole_h_per_year"],
                                                             math.fsum(hours) / n / years))
            p.check(close(m["eue_mwh_per_year"], math.fsum(energy) / n / years, 1e-12),
                    "%s: eue_mwh_per_year %r, rows give %r" % (where, m["eue_mwh_per_year"],
                                                              math.fsum(energy) / n / years))
            if "unserved_energy_mwh_mean" in m:
                p.check(close(m["unserved_energy_mwh_mean"], math.fsum(energy) / n),
                        "%s: unserved_energy_mwh_mean %r" % (where, m["unserved_energy_mwh_mean"]))
            for pp, v in q.items():
                k = "unserved_energy_mwh_p%d" % pp
                # GSL's (1 − δ)·a + δ·b and numpy's a + δ·(b − a) round differently: 1e-12
                p.check(close(m[k], v, 1e-12, 1e-9), "%s: %s = %r, numpy.quantile gives %r" % (
                    where, k, m[k], v))
        # row 0 is trial 0, the trial /summary's ordinary metrics and the series come from
        for k in ["it_energy_mwh", "facility_energy_mwh", "unserved_energy_mwh", "unserved_hours",
                  "unserved_peak_mw", "energy_cost_usd", "margin_min_mw", "pue"]:
            p.check(close(t[k][0], s[k], 0.0), "/trials row 0 %s = %r, /summary %r" % (
                k, t[k][0], s[k]))
        un = f["sites/%s/series/unserved_mw" % sites[0]][:] if len(sites) == 1 else None
        if un is not None:
            dt_h = float(f.attrs["timestep_s"]) / 3600.0
            p.check(close(t["unserved_energy_mwh"][0], math.fsum(un) * dt_h, 1e-9, 1e-9),
                    "row 0 unserved energy is not trial 0's series")
    return p


def scenario_value(text, key):
    m = re.search(r"\b%s:\s*([0-9.]+)" % key, text)
    return float(m.group(1)) if m else None


def cmd_ride(path, scen, rack, const=False):
    p = Problems()
    text = open(scen, encoding="utf-8").read()
    rtext = open(rack, encoding="utf-8").read()
    lf = scenario_value(rtext, "liquid_fraction")
    tmax = scenario_value(rtext, "coolant_max_c")
    vol = scenario_value(text, "volume_m3")
    ts = scenario_value(text, "supply_c")          # the liquid loop's setpoint comes first
    start_s = scenario_value(text, "start_s")
    cap = vol * RHO * CP                            # J/K
    with h5py.File(path, "r") as f:
        p.check("trials" not in f, "/trials written for a single trial")
        sid = list(f["sites"])[0]
        s = {k: f["sites/%s/series/%s" % (sid, k)][:] for k in f["sites/%s/series" % sid]}
        summ = dict(f["summary"].attrs)
        dt = float(f.attrs["timestep_s"])
    p.check(dt == 1.0, "timestep %r, expected 1 s" % dt)
    # --- the grid outage 22:02 for 10 min: steps [120, 720) ---
    g0, g1 = 120, 720
    grid = s["grid_mw"]
    p.check(np.all(grid[g0:g1] == 0.0), "grid_mw not exactly 0 during the outage: %s" % (
        grid[g0:g1][grid[g0:g1] != 0][:3]))
    p.check(grid[g0 - 1] > 0 and grid[g1] > 0, "grid_mw 0 outside the outage (%r, %r)" % (
        grid[g0 - 1], grid[g1]))
    p.check(np.all(s["battery_mw"][g0:g1] > 0) and s["battery_mw"][g0 - 1] <= 0,
            "the battery does not discharge from the first outage step")
    k_ready = g0 + int(math.ceil(start_s))
    gen = s["generator_mw"]
    p.check(np.all(gen[:k_ready] == 0.0), "generator_mw > 0 before start_s after the outage (%s)"
            % np.flatnonzero(gen[:k_ready])[:3])
    p.check(np.all(gen[k_ready:g1] > 0), "generator_mw not > 0 from step %d to the outage end"
            % k_ready)
    p.check(np.all(gen[g1:] == 0.0), "generator_mw > 0 after the grid is back")
    un = s["unserved_mw"]
    p.check(np.all(un[g0:k_ready] > 0) and np.all(un[k_ready:g1] == 0.0),
            "unserved load not exactly the generator's start (%s)" % np.flatnonzero(un > 0)[:12])
    # --- the cooling loss 22:15 for 5 min: steps [900, 1200) ---
    c0, c1 = 900, 1200
    T = s["liquid_supply_c"]
    th = s["throttle_mw"]
    p.check(np.all(T[:c0] == ts), "loop not at its setpoint before the cooling loss")
    p.check(np.all(th[:c0] == 0), "throttle before the cooling loss")
    k1 = c0 + int(np.argmax(th[c0:c1] > 0))
    if not p.check(th[k1] > 0, "no throttle during the cooling loss"):
        return p
    q_mw = lf * s["it_served_mw"]                   # liquid heat of each step, MW
    dT = np.diff(T)[c0 - 1:k1 - 1]                  # T[k] − T[k−1] for k in [c0, k1)
    want = q_mw[c0:k1] * 1e6 * dt / cap
    bad = ~np.isclose(dT, want, rtol=1e-6, atol=0)
    p.check(not bad.any(), "warming per step != Q·Δt/(ρ·c_p·V) on %d steps, first %s: %r vs %r"
            % (bad.sum(), c0 + np.argmax(bad), dT[bad][:1], want[bad][:1]))
    p.check(np.all(th[c0:k1] == 0) and np.all(s["it_served_mw"][c0:k1] == s["it_demand_mw"][c0:k1]),
            "IT throttled before the loop reached %g °C" % tmax)
    # heat put in reaches (tmax − ts)·C within step k1
    need = (tmax - ts) * cap / 1e6                  # MJ
    put = math.fsum(q_mw[c0:k1] * dt)
    demand_q = lf * s["it_demand_mw"][k1]
    frac = (need - put) / demand_q
    p.check(0 <= frac <= 1, "the loop reaches %g °C outside step %d (share %r)" % (tmax, k1, frac))
    ride = (k1 - c0) * dt + frac * dt
    p.check(close(summ["ride_through_s"], ride, 1e-6),
            "ride_through_s %r, the heat put in gives %r" % (summ["ride_through_s"], ride))
    p.check(close(s["it_served_mw"][k1], s["it_demand_mw"][k1] * frac, 1e-5),
            "step %d: it_served %r, expected the share before the limit %r" % (
                k1, s["it_served_mw"][k1], s["it_demand_mw"][k1] * frac))
    p.check(np.all(T[k1:c1] == tmax), "loop not held at %g °C while throttled" % tmax)
    # total loss: nothing can be rejected at the limit, all liquid-cooled IT stops
    p.check(np.all(np.abs(s["it_served_mw"][k1 + 1:c1]) < 1e-9),
            "liquid IT served while the loop holds at the limit with no capacity")
    p.check(T[c1] < tmax and np.all(th[c1:] == 0), "no recovery after the cooling loss")
    if const:
        q = lf * s["it_served_mw"][c0 - 1]          # just before the loss
        p.check(np.allclose(q_mw[c0:k1], q, rtol=1e-12), "the heat is not constant")
        slope = (T[k1 - 1] - T[c0 - 1]) / ((k1 - c0) * dt)
        p.check(close(slope, q * 1e6 / cap, 0.005), "slope %r K/s, Q/(ρ·c_p·V) = %r" % (
            slope, q * 1e6 / cap))
        formula = (tmax - ts) * cap / (q * 1e6)
        p.check(close(summ["ride_through_s"], formula, 0.005),
                "ride_through_s %r, (45 − 35)·ρ·c_p·V/Q = %r" % (summ["ride_through_s"], formula))
    return p


def main(argv):
    cmds = {"same": (cmd_same, 2), "reseeded": (cmd_reseeded, 3), "trials": (cmd_trials, 2),
            "ride": (cmd_ride, 3)}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    fn, nargs = cmds[argv[1]]
    args = argv[2:]
    if argv[1] == "ride" and len(args) == 4 and args[3] == "const":
        problems = fn(*args[:3], const=True)
    elif len(args) == nargs:
        problems = fn(*args)
    else:
        sys.stderr.write(__doc__)
        return 2
    for line in problems[:40]:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
