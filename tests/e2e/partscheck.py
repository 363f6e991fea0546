#!/usr/bin/env python3
"""Issue 10, per-supply and per-pool series:
partscheck.py FILE.h5 [FILE.h5 ...] [--require-nonzero KIND ...]

For every site of a result file: /sites/<id>/supplies/<supply id>/{power_mw, available_mw,
soc_mwh (batteries)} and /sites/<id>/pools/<pool id>/{it_mw, shed_mw, throttle_mw} exist
for each supply and pool of the scenario (read from /scenario), with units and the site's
time dimension, and add up to the site's series on every row:
  sum of a type's power_mw = grid_mw / reactor_mw / battery_mw / generator_mw
  sum of every power_mw = facility_mw; sum of available_mw = supply_available_mw
  a battery's soc_mwh = battery_soc_mwh (one battery)
  sum of it_mw = it_served_mw; sum of throttle_mw = throttle_mw;
  sum of shed_mw = shed_mw + curtailed_mw
  each pool: it_mw + shed_mw + throttle_mw >= 0 and each part >= 0
With output_every the _max columns are there too and at least the means.
--require-nonzero shed|throttle|battery: that quantity must be non-zero somewhere in the
files (so the sums are not trivially 0 = 0). Prints one line per problem; exit 1 if any."""
import sys

import h5py
import numpy as np
import yaml

TYPE_SERIES = {"grid": "grid_mw", "reactor": "reactor_mw", "battery": "battery_mw",
               "generator": "generator_mw", "turbine": "turbine_mw"}


def close(a, b, scale):
    return np.all(np.abs(a - b) <= 1e-9 * (scale + 1.0))


def main(argv):
    cut = argv.index("--require-nonzero") if "--require-nonzero" in argv else len(argv)
    need = set(argv[cut + 1:])
    problems = []
    seen = {"shed": False, "throttle": False, "battery": False}
    for path in argv[1:cut]:
        check_file(path, problems, seen)
    for k in need:
        if not seen[k]:
            problems.append("nothing in the run exercised %s (the sums are trivial)" % k)
    for p in problems:
        print(p)
    return 1 if problems else 0


def check_file(path, problems, seen):
    with h5py.File(path, "r") as f:
        sc = yaml.safe_load(f["scenario"][()].decode() if isinstance(f["scenario"][()], bytes)
                            else f["scenario"][()])
        decimated = int(f.attrs["output_every_s"]) > int(f.attrs["timestep_s"])
        for site in sc["sites"]:
            sid = site["id"]
            g = f["sites/%s" % sid]
            ser = {k: g["series"][k][:] for k in g["series"]}
            scale = np.abs(ser["facility_mw"]) + np.abs(ser["supply_available_mw"])
            by_type = {t: np.zeros_like(ser["facility_mw"]) for t in TYPE_SERIES}
            power = np.zeros_like(ser["facility_mw"])
            avail = np.zeros_like(ser["facility_mw"])
            batteries = []
            for sp in site.get("supply", []):
                where = "%s: supply %s" % (sid, sp["id"])
                sg = g.get("supplies/%s" % sp["id"])
                if sg is None:
                    problems.append("%s: %s: no group" % (path, where))
                    continue
                want = ["power_mw", "available_mw"] + (["soc_mwh"] if sp["type"] == "battery" else [])
                for name in want + ([n + "_max" for n in want] if decimated else []):
                    if name not in sg:
                        problems.append("%s: no %s" % (where, name))
                    elif not sg[name].attrs.get("units"):
                        problems.append("%s: %s has no units" % (where, name))
                if any(n not in sg for n in want):
                    continue
                p, a = sg["power_mw"][:], sg["available_mw"][:]
                if decimated and not np.all(sg["power_mw_max"][:] >= p - 1e-9 * (np.abs(p) + 1)):
                    problems.append("%s: power_mw_max below the mean" % where)
                if sp["type"] in by_type:   # other types (e.g. turbine): in the total only
                    by_type[sp["type"]] += p
                power += p
                avail += a
                if np.any(p > a + 1e-9 * (np.abs(a) + 1)):
                    problems.append("%s: power_mw above available_mw" % where)
                if sp["type"] == "battery":
                    batteries.append(sg["soc_mwh"][:])
                    seen["battery"] |= bool(np.any(p != 0))
            for t, name in TYPE_SERIES.items():
                if not close(by_type[t], ser[name], scale):
                    problems.append("%s: supplies of type %s add to %r, %s is %r (worst row)" % (
                        sid, t, float(np.max(np.abs(by_type[t] - ser[name]))), name, 0.0))
            if not close(power, ser["facility_mw"], scale):
                problems.append("%s: power_mw adds up to something else than facility_mw" % sid)
            if not close(avail, ser["supply_available_mw"], scale):
                problems.append("%s: available_mw does not add up to supply_available_mw" % sid)
            if len(batteries) == 1 and not close(batteries[0], ser["battery_soc_mwh"], scale):
                problems.append("%s: the battery's soc_mwh differs from battery_soc_mwh" % sid)
            it = np.zeros_like(power)
            shed = np.zeros_like(power)
            thr = np.zeros_like(power)
            for pool in site.get("it", []):
                where = "%s: pool %s" % (sid, pool["id"])
                pg = g.get("pools/%s" % pool["id"])
                if pg is None or any(n not in pg for n in ("it_mw", "shed_mw", "throttle_mw")):
                    problems.append("%s: no group or a series missing" % where)
                    continue
                a, b, c = pg["it_mw"][:], pg["shed_mw"][:], pg["throttle_mw"][:]
                if np.any(a < -1e-12) or np.any(b < -1e-12) or np.any(c < -1e-12):
                    problems.append("%s: a negative part" % where)
                it += a
                shed += b
                thr += c
            s2 = np.abs(ser["it_demand_mw"]) + 1
            if not close(it, ser["it_served_mw"], s2):
                problems.append("%s: pools' it_mw != it_served_mw (worst %g)" % (
                    sid, float(np.max(np.abs(it - ser["it_served_mw"])))))
            if not close(thr, ser["throttle_mw"], s2):
                problems.append("%s: pools' throttle_mw != throttle_mw (worst %g)" % (
                    sid, float(np.max(np.abs(thr - ser["throttle_mw"])))))
            if not close(shed, ser["shed_mw"] + ser["curtailed_mw"], s2):
                problems.append("%s: pools' shed_mw != shed_mw + curtailed_mw (worst %g)" % (
                    sid, float(np.max(np.abs(shed - ser["shed_mw"] - ser["curtailed_mw"])))))
            if not close(it + shed + thr, ser["it_demand_mw"], s2):
                problems.append("%s: pools' parts do not add up to it_demand_mw" % sid)
            seen["shed"] |= bool(np.any(shed > 1e-6))
            seen["throttle"] |= bool(np.any(thr > 1e-6))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
