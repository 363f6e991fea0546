"""Step-length independence, weather trials and id-keyed streams, end to end (issue 8).

    steplen.py write DIR          writes the scenarios, one per line: NAME FILE
    steplen.py same A.h5 B.h5 ... the summaries agree within 1 % (unserved energy and hours,
                                  LOLE, EUE, throttle, ride-through) and are not all zero
    steplen.py spread F.h5        weather trials: per-trial throttled energy differs between
                                  trials (p50 != p95), standard errors present and positive
    steplen.py site F1.h5 F2.h5 ID the site ID's summary and series are identical in both

Prints the problems it finds; exit 1 if any."""
import math
import os
import sys

import h5py
import numpy as np

# Two grid outages, one of 95 min from 01:07:30 and one of 5 min from 04:10:20, under a
# constant load, with 80 MW of gensets (10-s start) and a 20 MW battery: at 1-s steps the
# 10-s starts leave load unserved; averaging availability over longer steps used to make
# that vanish.
OUTAGES = """name: two-outages
start: 2027-01-01
duration: 6h
timestep: {dt}
seed: 1
trials: {trials}
sites:
  - id: s
    weather: {{constant: {{drybulb_c: 25, wetbulb_c: 18}}}}
    supply:
      - {{id: grid, type: grid, contract_mw: 120, price_usd_per_mwh: 50{grid_outages}}}
      - {{id: bess, type: battery, power_mw: 20, energy_mwh: 40}}
      - {{id: gens, type: generator, capacity_mw: 80, start_s: 10, price_usd_per_mwh: 250}}
    it:
      - {{id: gpu, rack: gb300-nvl72, count: 600, workload: constant, utilization: 1}}
    cooling:
      liquid: {{supply_c: 35, rejection: chiller, capacity_mw: 100, volume_m3: 100}}
      air: {{capacity_mw: 30}}
events:
  - {{type: grid_outage, at: 2027-01-01T01:07:30Z, duration: 95min, site: s, supply: grid}}
  - {{type: grid_outage, at: 2027-01-01T04:10:20Z, duration: 5min, site: s, supply: grid}}
  - {{type: cooling_loss, at: 2027-01-01T05:03:17Z, duration: 20min, site: s, loop: liquid,
     fraction: 0.6}}
"""

# Hot-weather throttling on a synthetic climate: a dry-cooler loop sized for an average
# summer afternoon; each trial draws its own weather year.
WEATHER = """name: weather-trials
start: 2027-06-01
duration: 60d
timestep: 1h
seed: 4
trials: 40
sites:
{sites}
"""
SITE = """  - id: {id}
    climate: west-texas
    supply:
      - {{id: grid, type: grid, contract_mw: 200, outages: {{per_year: 20, mean_h: 2}}}}
    it:
      - {{id: gpu, rack: gb300-nvl72, count: 400, workload: constant, utilization: 0.9}}
    cooling:
      liquid: {{supply_c: 35, rejection: dry_cooler, capacity_mw: 75}}
      air: {{capacity_mw: 20}}
"""

STEPS = ["1s", "1min", "15min", "1h"]


def write(d):
    for dt in STEPS:
        p = os.path.join(d, "outages-%s.yaml" % dt)
        with open(p, "w") as fh:
            fh.write(OUTAGES.format(dt=dt, trials=1, grid_outages=""))
        print("outages-%s %s" % (dt, p))
    for dt in STEPS[1:]:
        p = os.path.join(d, "random-%s.yaml" % dt)
        with open(p, "w") as fh:
            fh.write(OUTAGES.format(dt=dt, trials=30, grid_outages=", outages: {per_year: 1000, "
                                                                   "mean_h: 0.05}")
                     .replace("duration: 6h", "duration: 3d"))
        print("random-%s %s" % (dt, p))
    for name, ids in [("weather-ab", ["alpha", "bravo"]), ("weather-ba", ["bravo", "alpha"]),
                      ("weather-b", ["bravo"]), ("weather-bca", ["bravo", "charlie", "alpha"])]:
        p = os.path.join(d, name + ".yaml")
        with open(p, "w") as fh:
            fh.write(WEATHER.format(sites="".join(SITE.format(id=i) for i in ids)))
        print("%s %s" % (name, p))


KEYS = ["unserved_energy_mwh", "unserved_hours", "throttle_energy_mwh", "lole_h_per_year",
        "eue_mwh_per_year", "ride_through_s", "generator_energy_mwh"]


def same(paths):
    problems = []
    sums = []
    for p in paths:
        with h5py.File(p, "r") as f:
            sums.append({k: float(f["/summary"].attrs[k]) for k in KEYS})
    ref = sums[0]
    if not ref["unserved_energy_mwh"] > 0 or not ref["unserved_hours"] > 0:
        problems.append("%s: no unserved load: the test shows nothing" % paths[0])
    for p, s in zip(paths[1:], sums[1:]):
        for k in KEYS:
            a, b = ref[k], s[k]
            if math.isnan(a) and math.isnan(b):
                continue
            if not abs(a - b) <= 0.01 * abs(a) + 1e-9:
                problems.append("%s: %s = %.9g, %s has %.9g (more than 1 %% apart)" % (
                    os.path.basename(p), k, b, os.path.basename(paths[0]), a))
    return problems


def spread(path):
    problems = []
    with h5py.File(path, "r") as f:
        t = f["/trials"][:]
        s = f["/summary"].attrs
        th = np.asarray(t["throttle_energy_mwh"])
        if len(th) != 40:
            problems.append("%d trials, expected 40" % len(th))
        if np.quantile(th, 0.5) == np.quantile(th, 0.95):
            problems.append("throttled energy p50 = p95 = %g over the trials: one weather year "
                            "for all" % np.quantile(th, 0.5))
        if len(set(np.round(th, 6))) < 20:
            problems.append("only %d distinct throttled energies over 40 trials" %
                            len(set(np.round(th, 6))))
        for k in ["lole_h_per_year_stderr", "eue_mwh_per_year_stderr"]:
            if not s[k] > 0:
                problems.append("%s = %r" % (k, s[k]))
        # the standard error is the trials' sample std / sqrt(n) (per year)
        years = float(s["years"])
        hours = np.asarray(t["unserved_hours"]) / years
        want = np.std(hours, ddof=1) / math.sqrt(len(hours))
        if not abs(s["lole_h_per_year_stderr"] - want) <= 1e-9 * want + 1e-12:
            problems.append("lole_h_per_year_stderr %r, the trials give %r" % (
                s["lole_h_per_year_stderr"], want))
        if s["meets_target"] not in (0.0, 1.0):
            problems.append("meets_target %r" % s["meets_target"])
    return problems


def site(a, b, sid):
    problems = []
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        ga, gb = fa["/sites/%s" % sid], fb["/sites/%s" % sid]
        for k, v in ga["summary"].attrs.items():
            w = gb["summary"].attrs[k]
            if not (v == w or (isinstance(v, float) and math.isnan(v) and math.isnan(w))):
                problems.append("site %s: %s = %r in %s, %r in %s" % (sid, k, v, a, w, b))
        for name in ga["series"]:
            if not np.array_equal(ga["series"][name][:], gb["series"][name][:], equal_nan=True):
                problems.append("site %s: series %s differs" % (sid, name))
    return problems


def main(argv):
    if argv[1] == "write":
        write(argv[2])
        return 0
    if argv[1] == "same":
        problems = same(argv[2:])
    elif argv[1] == "spread":
        problems = spread(argv[2])
    elif argv[1] == "site":
        problems = site(argv[2], argv[3], argv[4])
    else:
        print(__doc__)
        return 2
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
