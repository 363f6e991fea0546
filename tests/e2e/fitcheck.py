#!/usr/bin/python3
"""fitcheck.py — `dcsim fit` against answers worked out by hand from ../shared/model.md.

Each scenario has one site under constant weather, one grid contract and one firm pool of a
scenario-local rack at constant utilization, so the facility power is a known function of
the IT power and the largest critical IT that fits follows in closed form:

  rack power      P_r = P_idle + (P_max − P_idle)·u            (kW; nameplate P_max)
  electrical      F = (P/η_ups + P_cool + m·P) / (η_tx·(1 − d))
  supply-bound    F = PUE·P with P_cool linear in P  →  P* = C / PUE
  cooling-bound   dry cooler: liquid heat f·P ≤ Q_d·(T_s − T_db)/a  →  P* = Q_max / f
                  air side: air heat (1 − f)·P ≤ capacity_mw          →  P* = cap / (1 − f)
  answer          max_critical_it_mw = P*·P_max / P_r            (nameplate MW)

  fitcheck.py write DIR            writes DIR/<case>.yaml; prints "<case> <answer MW>" lines
  fitcheck.py h5 CASE OUT.h5 YAML ANSWER REQUESTED
      checks fit -o's file: /fit attrs (max_critical_it_mw within 0.1 % of ANSWER and not
      above it, requested_it_mw, fits, margin_mw, binding) and that the file holds the
      fitted case (REQUESTED MW of nameplate; REQUESTED = 0: the fitted maximum).

Prints one line per problem and exits 1 when there is any.
"""
import math
import os
import sys

import h5py
import numpy as np

REL_TOL = 1e-3          # model.md: the factor is bracketed to 0.1 %
KELVIN = 273.15

ELEC = {"ups_efficiency": 0.95, "transformer_efficiency": 0.98, "distribution_loss": 0.02,
        "misc_fraction": 0.03}

# Each case: the rack, the pool, the weather, the supply and the cooling; all parameters
# the model uses are written out (no defaults).
CASES = {
    # (a) supply-bound, liquid-only rack on a chiller-only loop: COP capped by cop_max
    # (Carnot 0.55·305.15/8 = 20.98 > 12), so P_cool = (k_pump + 1/12)·P is linear in P.
    "fit-chiller": {
        "site": "alpha", "grid_id": "utility", "contract_mw": 300.0,
        "rack": {"power_max_kw": 120.0, "power_idle_kw": 30.0, "liquid_fraction": 1.0},
        "count": 2500, "utilization": 0.75,
        "weather": (30.0, 20.0),
        "liquid": {"supply_c": 35, "rejection": "chiller", "capacity_mw": 100000,
                   "approach_k": 10, "pump_fraction": 0.015, "fan_fraction": 0.02,
                   "carnot_efficiency": 0.55, "cop_max": 12, "cycles": 4},
        "air": None,
    },
    # (a) supply-bound, all-air rack with the economizer on (15 °C ≤ 24 − 4): P_cool = k_crah·P.
    "fit-air": {
        "site": "bravo", "grid_id": "coop", "contract_mw": 200.0,
        "rack": {"power_max_kw": 14.3, "power_idle_kw": 3.0, "liquid_fraction": 0.0},
        "count": 15000, "utilization": 0.6,
        "weather": (15.0, 10.0),
        "liquid": None,
        "air": {"supply_c": 24, "economizer": "true", "capacity_mw": 100000,
                "crah_fraction": 0.02, "carnot_efficiency": 0.55, "cop_max": 12},
    },
    # (c) cooling-bound: grid ample, a dry cooler that rejects Q_d·(35 − 27)/10 = 120 MW at
    # the constant 27 °C; the rack puts 80 % of its heat in the loop.
    "fit-dry": {
        "site": "charlie", "grid_id": "big", "contract_mw": 100000.0,
        "rack": {"power_max_kw": 130.0, "power_idle_kw": 25.0, "liquid_fraction": 0.8},
        "count": 1500, "utilization": 0.7,
        "weather": (27.0, 18.0),
        "liquid": {"supply_c": 35, "rejection": "dry_cooler", "capacity_mw": 150,
                   "approach_k": 10, "pump_fraction": 0.015, "fan_fraction": 0.02,
                   "carnot_efficiency": 0.55, "cop_max": 12, "cycles": 4},
        "air": {"supply_c": 24, "economizer": "true", "capacity_mw": 100000,
                "crah_fraction": 0.02, "carnot_efficiency": 0.55, "cop_max": 12},
    },
    # (c') cooling-bound on the air side: grid ample, the all-air rack of fit-air with an air
    # side of 50 MW (beyond it the pools with air heat throttle).
    "fit-aircap": {
        "site": "delta", "grid_id": "coop", "contract_mw": 100000.0,
        "rack": {"power_max_kw": 14.3, "power_idle_kw": 3.0, "liquid_fraction": 0.0},
        "count": 5000, "utilization": 0.6,
        "weather": (15.0, 10.0),
        "liquid": None,
        "air": {"supply_c": 24, "economizer": "true", "capacity_mw": 50,
                "crah_fraction": 0.02, "carnot_efficiency": 0.55, "cop_max": 12},
    },
}


def flow(d):
    return "{" + ", ".join("%s: %s" % (k, v) for k, v in d.items()) + "}"


def render(name, c):
    r = c["rack"]
    lines = [
        "# %s: written by tests/e2e/fitcheck.py (the hand answer is worked out there)" % name,
        "name: %s" % name,
        "start: 2027-01-01",
        "duration: 2d",
        "timestep: 1h",
        "seed: 1",
        "trials: 1",
        "reliability: {max_unserved_mwh: 0, max_lole_h: 2.4}",
        "models:",
        "  racks:",
        "    - {id: fit-rack, gpus: 8, power_max_kw: %r, power_idle_kw: %r," % (
            r["power_max_kw"], r["power_idle_kw"]),
        "       liquid_fraction: %r, coolant_max_c: 45}" % r["liquid_fraction"],
        "sites:",
        "  - id: %s" % c["site"],
        "    kind: greenfield",
        "    weather: {constant: {drybulb_c: %r, wetbulb_c: %r}}" % c["weather"],
        "    electrical: %s" % flow(ELEC),
        "    supply:",
        "      - {id: %s, type: grid, contract_mw: %r, price_usd_per_mwh: 40}" % (
            c["grid_id"], c["contract_mw"]),
        "    it:",
        "      - {id: firm, rack: fit-rack, count: %d, workload: constant, utilization: %r, "
        "flexible: false}" % (c["count"], c["utilization"]),
        "    cooling:",
    ]
    if c["liquid"]:
        lines.append("      liquid: %s" % flow(c["liquid"]))
    if c["air"]:
        lines.append("      air: %s" % flow(c["air"]))
    return "\n".join(lines) + "\n"


def rack_kw(c):
    r = c["rack"]
    return r["power_idle_kw"] + (r["power_max_kw"] - r["power_idle_kw"]) * c["utilization"]


def cooling_per_it(c):
    """P_cool / P_IT where cooling is linear in IT (no fans: chiller loop, CRAH, economizer)."""
    f = c["rack"]["liquid_fraction"]
    k = 0.0
    l, a = c["liquid"], c["air"]
    tdb = c["weather"][0]
    if f > 0:
        assert l["rejection"] == "chiller"
        cop = min(l["cop_max"], l["carnot_efficiency"] * (l["supply_c"] - 3 + KELVIN) /
                  ((tdb + 10) - (l["supply_c"] - 3)))
        k += f * (l["pump_fraction"] + 1.0 / cop)
    if f < 1:
        assert a["economizer"] == "true" and tdb <= a["supply_c"] - 4
        k += (1 - f) * a["crah_fraction"]
    return k


def pue(c):
    e = ELEC
    return (1 / e["ups_efficiency"] + cooling_per_it(c) + e["misc_fraction"]) / (
        e["transformer_efficiency"] * (1 - e["distribution_loss"]))


def answer(name):
    """The largest critical IT (nameplate MW) that fits, by hand."""
    c = CASES[name]
    if c["liquid"] and c["liquid"]["rejection"] == "dry_cooler":
        l = c["liquid"]
        q_max = l["capacity_mw"] * max(0.0, (l["supply_c"] - c["weather"][0]) / l["approach_k"])
        it = q_max / c["rack"]["liquid_fraction"]
    elif c["contract_mw"] > 1000:
        it = c["air"]["capacity_mw"] / (1 - c["rack"]["liquid_fraction"])
    else:
        it = c["contract_mw"] / pue(c)
    return it * c["rack"]["power_max_kw"] / rack_kw(c)


def to_str(v):
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def check_h5(name, path, yaml_path, ans, requested):
    problems = []
    c = CASES[name]

    def check(ok, msg):
        if not ok:
            problems.append("%s: %s" % (os.path.basename(path), msg))

    f = h5py.File(path, "r")
    if "fit" not in f:
        return ["%s: no /fit group" % path]
    a = dict(f["fit"].attrs)
    for k in ("max_critical_it_mw", "requested_it_mw", "fits", "margin_mw", "binding"):
        check(k in a, "/fit attribute %s missing" % k)
    if problems:
        return problems
    mx = float(a["max_critical_it_mw"])
    check(abs(mx - ans) <= REL_TOL * ans and mx <= ans * (1 + 1e-9),
          "max_critical_it_mw %.6f, hand answer %.6f (within 0.1 %%, not above)" % (mx, ans))
    want_req = requested if requested > 0 else mx
    check(math.isclose(float(a["requested_it_mw"]), want_req, rel_tol=1e-12),
          "requested_it_mw %r, expected %r" % (float(a["requested_it_mw"]), want_req))
    fits = requested <= mx
    check(int(a["fits"]) == int(fits), "fits %r, expected %d" % (a["fits"], fits))
    margin = mx - want_req if requested > 0 else 0.0
    check(abs(float(a["margin_mw"]) - margin) <= 1e-9 * mx,
          "margin_mw %r, expected max − requested = %r" % (float(a["margin_mw"]), margin))
    binding = to_str(a["binding"])
    check(("'%s'" % c["site"]) in binding, "binding %r does not name site '%s'" % (
        binding, c["site"]))

    # the file holds the fitted case: the nameplate scaled to the requested (or maximum) load
    g = f["sites/%s/series" % c["site"]]
    crit = np.asarray(g["critical_it_mw"][:])
    check(np.allclose(crit, want_req, rtol=1e-9, atol=0),
          "series critical_it_mw %r, expected %r everywhere" % (float(crit.max()), want_req))
    check(math.isclose(float(f["summary"].attrs["critical_it_mw"]), want_req, rel_tol=1e-9),
          "/summary critical_it_mw %r, expected %r" % (
              float(f["summary"].attrs["critical_it_mw"]), want_req))
    it = want_req * rack_kw(c) / c["rack"]["power_max_kw"]
    dem = np.asarray(g["it_demand_mw"][:])
    check(np.allclose(dem, it, rtol=1e-9, atol=0),
          "series it_demand_mw %r, expected %r" % (float(dem.max()), it))
    unserved = float(f["summary"].attrs["unserved_energy_mwh"])
    throttle = float(f["summary"].attrs["throttle_energy_mwh"])
    if fits:
        check(unserved == 0 and throttle == 0, "the fitted case has unserved %r MWh, "
              "throttled %r MWh" % (unserved, throttle))
        if c["contract_mw"] < 1000:
            fac = np.asarray(g["facility_mw"][:])
            check(np.allclose(fac, pue(c) * it, rtol=1e-9),
                  "facility_mw %r, hand %r" % (float(fac.max()), pue(c) * it))
    else:
        check(unserved + throttle > 0, "the requested case does not fit but nothing is short")
    # the rest of the file is an ordinary result file: /scenario is the text as read
    with open(yaml_path, "rb") as fh:
        raw = fh.read()
    sc = f["scenario"][()]
    if isinstance(sc, str):
        sc = sc.encode("utf-8")
    check(sc == raw, "/scenario differs from the scenario file")
    f.close()
    return problems


def main(argv):
    if len(argv) == 3 and argv[1] == "write":
        for name, c in CASES.items():
            with open(os.path.join(argv[2], name + ".yaml"), "w", encoding="utf-8") as fh:
                fh.write(render(name, c))
            print("%s %.12g" % (name, answer(name)))
        return 0
    if len(argv) == 7 and argv[1] == "h5":
        problems = check_h5(argv[2], argv[3], argv[4], float(argv[5]), float(argv[6]))
        for p in problems:
            print(p)
        return 1 if problems else 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
