#!/usr/bin/python3
"""handcheck.py — dcsim against a hand calculation of ../shared/model.md.

One site under constant weather, one grid, one or two pools of a scenario-local rack at
constant utilization, 2 days at 1 h. Every parameter is set explicitly (none is a default).
Each variant's scenario is rendered from the parameters below; the base variant is the file
tests/data/handcheck.yaml, which must equal its rendering (`handcheck.py write` rewrites it).
The expected numbers are worked out here, step by step, from model.md's equations, and every
summary metric of the result file must agree within 0.1 % (zeros exactly).

  handcheck.py run DCSIM OUTDIR     runs every variant; prints one line per disagreement
  handcheck.py write                 rewrites tests/data/handcheck.yaml
  handcheck.py show VARIANT          prints a variant's scenario
"""
import copy
import math
import os
import subprocess
import sys

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_FILE = os.path.join(HERE, "..", "data", "handcheck.yaml")
REL_TOL = 1e-3              # 0.1 %
STEPS, DT_S = 48, 3600      # duration 2d at timestep 1h
DT_H = DT_S / 3600.0
KELVIN = 273.15

BASE = {
    "name": "handcheck-hybrid",
    "weather": {"drybulb_c": 30.0, "wetbulb_c": 22.0},
    "electrical": {"ups_efficiency": 0.95, "transformer_efficiency": 0.98,
                   "distribution_loss": 0.02, "misc_fraction": 0.03},
    "rack": {"gpus": 8, "power_max_kw": 100.0, "power_idle_kw": 20.0, "liquid_fraction": 0.8,
             "coolant_max_c": 45.0},
    "grid": {"contract_mw": 20.0, "price_usd_per_mwh": 50.0},
    "battery": None,        # {power_mw, energy_mwh, round_trip_efficiency, initial_soc, price}
    "generator": None,      # {capacity_mw, start_s, price_usd_per_mwh}
    "pools": [{"id": "firm", "count": 100, "utilization": 0.5, "flexible": False}],
    "liquid": {"supply_c": 35.0, "rejection": "hybrid", "capacity_mw": 6.0, "approach_k": 10.0,
               "pump_fraction": 0.015, "fan_fraction": 0.02, "carnot_efficiency": 0.55,
               "cop_max": 30.0, "cycles": 4.0},
    "air": {"supply_c": 24.0, "economizer": True, "capacity_mw": 3.0, "crah_fraction": 0.02,
            "carnot_efficiency": 0.55, "cop_max": 12.0},
}

FLEX_POOL = {"id": "flex", "count": 50, "utilization": 0.5, "flexible": True}
CHILLER_LOOP = {"rejection": "chiller", "capacity_mw": 10.0, "cop_max": 12.0}


def variant(name, **changes):
    """BASE with some sub-dicts updated: variant('x', liquid={...}, air={...}, grid={...})."""
    p = copy.deepcopy(BASE)
    p["name"] = "handcheck-" + name
    for k, v in changes.items():
        if isinstance(p.get(k), dict) and isinstance(v, dict):
            p[k].update(v)
        else:
            p[k] = copy.deepcopy(v)
    return p


VARIANTS = [
    # hybrid: the dry cooler (capacity 3 MW < 4.8 MW liquid heat) and a trim chiller at its
    # Carnot COP (cop_max 30 does not bind) share the heat at the least power (x* = 1.89 MW on
    # the dry cooler); air chiller carries all air heat (30 °C >= 24).
    BASE,
    # integrated economizer half way (T_db 22 between 24 − 4 and 24: φ = 0.5), chiller loop
    variant("economizer", weather={"drybulb_c": 22.0, "wetbulb_c": 16.0}, liquid=CHILLER_LOOP),
    # dry cooler at part speed (fan cube: s = 0.8); economizer exactly at its limit
    # (30 °C ≤ 34 − 4 K): no air chiller.
    variant("dry", liquid={"rejection": "dry_cooler", "capacity_mw": 12.0},
            air={"supply_c": 34.0}),
    # cooling tower on the wet bulb (approach 5 K), water from the air-side balance (exit air
    # saturated at 35 + 10 − 5 = 40 °C) with blowdown (5 cycles); air chiller
    # with the economizer switched off (it would otherwise be on at 30 ≤ 34 − 4).
    variant("tower", liquid={"rejection": "cooling_tower", "approach_k": 5.0, "cycles": 5.0},
            air={"supply_c": 34.0, "economizer": False}),
    # chiller only, COP capped by cop_max (Carnot would give 21).
    variant("chiller", liquid=CHILLER_LOOP),
    # dry cooler too small (3 MW at 30 °C for 4.8 MW of liquid heat): the pool throttles.
    variant("throttle", liquid={"rejection": "dry_cooler", "capacity_mw": 6.0}),
    # firm + flexible pool, chiller loop (facility power linear in IT), contract between the
    # firm and the total facility demand: part of the flexible pool is shed, nothing unserved.
    variant("shed", liquid=CHILLER_LOOP, pools=BASE["pools"] + [FLEX_POOL],
            grid={"contract_mw": 10.0}),
    # the same with a contract below the firm demand: all flexible IT shed, firm IT curtailed,
    # unserved = facility demand − contract.
    variant("curtail", liquid=CHILLER_LOOP, pools=BASE["pools"] + [FLEX_POOL],
            grid={"contract_mw": 6.0}),
    # contract 6 MW below a 7.39 MW facility: the generator (0.5 MW) is called at once and
    # ready 10 s later; the battery bridges the start, then covers what the generator cannot
    # until it runs out inside step 4 (at 4.644 h); then load is unserved.
    variant("battery", liquid=CHILLER_LOOP, grid={"contract_mw": 6.0, "price_usd_per_mwh": 50.0},
            battery={"power_mw": 2.0, "energy_mwh": 5.0, "round_trip_efficiency": 0.81,
                     "initial_soc": 1.0, "price_usd_per_mwh": 0.0},
            generator={"capacity_mw": 0.5, "start_s": 10.0, "price_usd_per_mwh": 300.0}),
    # the same with a 2 MW generator: the battery only bridges its 10-s start.
    variant("bridge", liquid=CHILLER_LOOP, grid={"contract_mw": 6.0, "price_usd_per_mwh": 50.0},
            battery={"power_mw": 2.0, "energy_mwh": 5.0, "round_trip_efficiency": 0.81,
                     "initial_soc": 1.0, "price_usd_per_mwh": 0.0},
            generator={"capacity_mw": 2.0, "start_s": 10.0, "price_usd_per_mwh": 300.0}),
    # a half-full battery charges from the grid's surplus (√RTE on the way in) until full
    variant("charge", liquid=CHILLER_LOOP,
            battery={"power_mw": 2.0, "energy_mwh": 5.0, "round_trip_efficiency": 0.81,
                     "initial_soc": 0.5, "price_usd_per_mwh": 10.0}),
    # the pool comes online on day 2: no IT (PUE NaN, no facility power) the first day
    variant("online", pools=[dict(BASE["pools"][0], online_day=1)]),
]


def num(x):
    return ("%.10g" % x) if isinstance(x, float) else str(x)


def flow(d):
    return "{" + ", ".join("%s: %s" % (k, "true" if v is True else "false" if v is False
                                       else num(v)) for k, v in d.items()) + "}"


def render(p):
    """The scenario text of a variant: every parameter the model uses is written out."""
    r, e, g, l, a = p["rack"], p["electrical"], p["grid"], p["liquid"], p["air"]
    lines = [
        "# %s: a hand-checkable scenario of tests/e2e/handcheck.py (written by" % p["name"],
        "# 'handcheck.py write'; edit the parameters there). Constant weather, one grid, constant",
        "# IT: every number in the summary can be worked out by hand from ../shared/model.md.",
    ] + (worked_example(p) if p is BASE else []) + [
        "name: %s" % p["name"],
        "description: hand-checkable constant case",
        "start: 2027-01-01",
        "duration: 2d",
        "timestep: 1h",
        "seed: 1",
        "trials: 1",
        "reliability: {max_unserved_mwh: 0, max_lole_h: 2.4}",
        "models:",
        "  racks:",
        "    - {id: hc-rack, gpus: %d, power_max_kw: %s, power_idle_kw: %s," % (
            r["gpus"], num(r["power_max_kw"]), num(r["power_idle_kw"])),
        "       liquid_fraction: %s, coolant_max_c: %s}" % (num(r["liquid_fraction"]),
                                                           num(r["coolant_max_c"])),
        "sites:",
        "  - id: hc",
        "    kind: greenfield",
        "    weather: {constant: %s}" % flow(p["weather"]),
        "    electrical: {ups_efficiency: %s, transformer_efficiency: %s," % (
            num(e["ups_efficiency"]), num(e["transformer_efficiency"])),
        "                 distribution_loss: %s, misc_fraction: %s}" % (
            num(e["distribution_loss"]), num(e["misc_fraction"])),
        "    supply:",
        "      - {id: grid, type: grid, contract_mw: %s, price_usd_per_mwh: %s}" % (
            num(g["contract_mw"]), num(g["price_usd_per_mwh"])),
    ]
    b = p["battery"]
    if b:
        lines += ["      - {id: bess, type: battery, power_mw: %s, energy_mwh: %s," % (
            num(b["power_mw"]), num(b["energy_mwh"])),
                  "         round_trip_efficiency: %s, initial_soc: %s, price_usd_per_mwh: %s}" % (
            num(b["round_trip_efficiency"]), num(b["initial_soc"]), num(b["price_usd_per_mwh"]))]
    gen = p["generator"]
    if gen:
        lines += ["      - {id: gensets, type: generator, capacity_mw: %s, start_s: %s," % (
            num(gen["capacity_mw"]), num(gen["start_s"])),
                  "         price_usd_per_mwh: %s}" % num(gen["price_usd_per_mwh"])]
    lines.append("    it:")
    for pool in p["pools"]:
        online = ""
        if pool.get("online_day"):
            online = ",\n         online: 2027-01-%02d" % (1 + pool["online_day"])
        lines.append("      - {id: %s, rack: hc-rack, count: %d, workload: constant, "
                     "utilization: %s, flexible: %s%s}" % (
                         pool["id"], pool["count"], num(pool["utilization"]),
                         "true" if pool["flexible"] else "false", online))
    lines += [
        "    cooling:",
        "      liquid: {supply_c: %s, rejection: %s, capacity_mw: %s, approach_k: %s," % (
            num(l["supply_c"]), l["rejection"], num(l["capacity_mw"]), num(l["approach_k"])),
        "               pump_fraction: %s, fan_fraction: %s, carnot_efficiency: %s, cop_max: %s,"
        % (num(l["pump_fraction"]), num(l["fan_fraction"]), num(l["carnot_efficiency"]),
           num(l["cop_max"])),
        "               cycles: %s}" % num(l["cycles"]),
        "      air: {supply_c: %s, economizer: %s, capacity_mw: %s, crah_fraction: %s," % (
            num(a["supply_c"]), "true" if a["economizer"] else "false", num(a["capacity_mw"]),
            num(a["crah_fraction"])),
        "            carnot_efficiency: %s, cop_max: %s}" % (num(a["carnot_efficiency"]),
                                                           num(a["cop_max"])),
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# The hand calculation (model.md), for IT power P (MW) of the rack above.

def pool_mw(p, pool):
    """IT load: P = n·(P_idle + (P_max − P_idle)·u) / 1000 (kW → MW)."""
    r = p["rack"]
    return pool["count"] * (r["power_idle_kw"] +
                            (r["power_max_kw"] - r["power_idle_kw"]) * pool["utilization"]) / 1000


def chiller_cop(eta, cop_max, evap_c, cond_c):
    """COP = min(COP_max, η·T_evap/(T_cond − T_evap)), temperatures in kelvin."""
    if cond_c <= evap_c:        # no lift: COP_max
        return cop_max
    return min(cop_max, eta * (evap_c + KELVIN) / (cond_c - evap_c))


def liquid_capacity(p):
    """Heat the loop can reject at this weather (throttling sets in above it)."""
    l, w = p["liquid"], p["weather"]
    # dry cooler: Q_max = Q_d·max(0, (T_s − T_db)/a); tower: the same on the wet bulb
    q_dry = l["capacity_mw"] * max(0.0, (l["supply_c"] - w["drybulb_c"]) / l["approach_k"])
    q_tower = l["capacity_mw"] * max(0.0, (l["supply_c"] - w["wetbulb_c"]) / l["approach_k"])
    return {"dry_cooler": q_dry, "cooling_tower": q_tower, "chiller": l["capacity_mw"],
            "hybrid": q_dry + l["capacity_mw"]}[l["rejection"]]


def saturation_pa(t):
    """Saturation vapour pressure, Pa: ASHRAE Fundamentals 2017 ch. 1 eq. 5 (ice) / 6 (water)."""
    T = t + KELVIN
    if t < 0.01:
        return math.exp(-5.6745359e3 / T + 6.3925247 - 9.6778430e-3 * T + 6.2215701e-7 * T * T
                        + 2.0747825e-9 * T ** 3 - 9.4840240e-13 * T ** 4 + 4.1635019 * math.log(T))
    return math.exp(-5.8002206e3 / T + 1.3914993 - 4.8640239e-2 * T + 4.1764768e-5 * T * T
                    - 1.4452093e-8 * T ** 3 + 6.5459673 * math.log(T))


def saturation_ratio(t, p_pa=101325.0):
    """Humidity ratio of saturated air, kg/kg (ASHRAE 2017 ch. 1 eq. 20)."""
    pws = saturation_pa(t)
    return 0.621945 * pws / (p_pa - pws)


def tower_evaporation_kg_per_mj(l, db, wb):
    """Air-side balance (docs/model.md §3): inlet W from T_db, T_wb (ASHRAE eq. 33/35),
    h = 1.006·t + W·(2501 + 1.86·t) (eq. 32); exit saturated at T_s + max(0, 10 K − a);
    evaporation ΔW/Δh, at most the all-latent 1/2.43 kg/MJ."""
    wb = min(wb, db)
    ws = saturation_ratio(wb)
    if wb >= 0:
        w_in = ((2501 - 2.326 * wb) * ws - 1.006 * (db - wb)) / (2501 + 1.86 * db - 4.186 * wb)
    else:
        w_in = ((2830 - 0.24 * wb) * ws - 1.006 * (db - wb)) / (2830 + 1.86 * db - 2.1 * wb)
    w_in = max(w_in, 0.0)
    h_in = 1.006 * db + w_in * (2501 + 1.86 * db)
    t_out = l["supply_c"] + max(0.0, 10.0 - l["approach_k"])
    w_out = saturation_ratio(t_out)
    h_out = 1.006 * t_out + w_out * (2501 + 1.86 * t_out)
    return min(1000 * max(0.0, w_out - w_in) / (h_out - h_in), 1 / 2.43)


def cooling(p, it_mw):
    """Cooling power (MW) and tower water (m³ per step) for IT power it_mw, all cooled."""
    l, a, w = p["liquid"], p["air"], p["weather"]
    f = p["rack"]["liquid_fraction"]
    q_l, q_a = f * it_mw, (1 - f) * it_mw              # liquid heat, air heat
    pumps = l["pump_fraction"] * q_l                   # pumps: k_pump·Q_L
    fans = chiller = water = 0.0
    rej = l["rejection"]
    # T_evap = T_s − 3 K, T_cond = T_db + 10 K (air-cooled condenser)
    cop = chiller_cop(l["carnot_efficiency"], l["cop_max"], l["supply_c"] - 3,
                      w["drybulb_c"] + 10)
    if rej in ("dry_cooler", "hybrid", "cooling_tower"):
        amb = w["wetbulb_c"] if rej == "cooling_tower" else w["drybulb_c"]
        q_max = l["capacity_mw"] * max(0.0, (l["supply_c"] - amb) / l["approach_k"])
        q_x = min(q_l, q_max)                          # carried by the dry cooler / tower
        if rej == "hybrid" and q_max > 0:
            # least fan + chiller power: x* = min(Q_L, Q_max, Q_max·√(Q_max/(3·k·Q_d·COP))),
            # at least Q_L − Q_d (the chiller's capacity)
            k_qd = l["fan_fraction"] * l["capacity_mw"]
            q_x = min(q_x, q_max * math.sqrt(q_max / (3 * k_qd * cop)))
            q_x = max(q_x, min(q_max, q_l - l["capacity_mw"]))
        s = q_x / q_max if q_max > 0 else 0.0          # fan speed
        fans = l["fan_fraction"] * l["capacity_mw"] * s ** 3   # fan law
        if rej == "cooling_tower":
            # evaporation from the air-side balance, × c/(c − 1) blowdown; kg → m³
            water = (q_x * DT_S * tower_evaporation_kg_per_mj(l, w["drybulb_c"], w["wetbulb_c"])
                     * l["cycles"] / (l["cycles"] - 1) / 1000)
        rest = q_l - q_x
    else:
        rest = q_l
    if rej in ("chiller", "hybrid"):
        chiller = min(rest, l["capacity_mw"]) / cop
    crah = a["crah_fraction"] * q_a                    # CRAH fans: k_crah·Q_A
    # integrated economizer: the chiller carries φ·Q_A, φ = clamp((T_db − (T_a − 4))/4, 0, 1)
    phi = min(1.0, max(0.0, (w["drybulb_c"] - (a["supply_c"] - 4)) / 4)) if a["economizer"] else 1.0
    air_chiller = 0.0
    if phi > 0:
        cop_a = chiller_cop(a["carnot_efficiency"], a["cop_max"], a["supply_c"] - 8,
                            w["drybulb_c"] + 10)       # T_evap = T_a − 8 K
        air_chiller = phi * q_a / cop_a
    return pumps + fans + chiller + crah + air_chiller, water


def facility(p, it_mw):
    """Electrical chain: F = (P/η_ups + P_cool + m·P) / (η_tx·(1 − d)); returns F, cool,
    losses, misc, water."""
    e = p["electrical"]
    cool, water = cooling(p, it_mw)
    misc = e["misc_fraction"] * it_mw
    fac = (it_mw / e["ups_efficiency"] + cool + misc) / (
        e["transformer_efficiency"] * (1 - e["distribution_loss"]))
    return fac, cool, fac - it_mw - cool - misc, misc, water


def hand_load(p, t):
    """IT of the pools online at time t, after throttling; the facility power of all of it."""
    online = [q for q in p["pools"] if t >= q.get("online_day", 0) * 86400]
    firm = sum(pool_mw(p, q) for q in online if not q["flexible"])
    flex = sum(pool_mw(p, q) for q in online if q["flexible"])
    demand = firm + flex
    # Throttling: liquid heat beyond the loop's capacity throttles the (liquid) pools in
    # proportion until it fits.
    q_l = p["rack"]["liquid_fraction"] * demand
    keep = min(1.0, liquid_capacity(p) / q_l) if q_l > 0 else 1.0
    critical = sum(q["count"] * p["rack"]["power_max_kw"] / 1000 for q in online
                   if not q["flexible"])             # nameplate of the firm IT online
    return {"demand": demand, "firm": keep * firm, "flex": keep * flex,
            "throttle": (1 - keep) * demand, "throttle_firm": (1 - keep) * firm,
            "critical": critical, "fac_full": facility(p, keep * demand)[0]}


def hand_steps(p):
    """Every step's values, worked out from model.md for this variant.

    Each step is cut into pieces wherever what the supplies can give changes (the generator
    becoming ready, the battery emptying or filling); the load (hence k) is the step's. The
    rows hold the pieces' time-weighted means, the least margin and the time unserved."""
    g, b, gen = p["grid"], p["battery"], p["generator"]
    soc = b["energy_mwh"] * b["initial_soc"] if b else 0.0
    eta_b = math.sqrt(b["round_trip_efficiency"]) if b else 1.0   # √RTE each way
    gen_ready = None            # time the called generator delivers its capacity from
    contract = g["contract_mw"]
    rows = []
    k = None
    for step in range(STEPS):
        t0 = step * DT_S
        ld = hand_load(p, t0)
        firm, flex, fac_full = ld["firm"], ld["flex"], ld["fac_full"]
        it = firm + flex
        if it > 0:
            # Without fans the facility power is linear in IT, F = k·P (chiller loops).
            k = fac_full / it
        fac_firm = k * firm if k is not None else 0.0
        acc = dict.fromkeys(["it_served", "facility", "cooling", "losses", "misc", "water",
                             "unserved", "shed", "curtailed", "grid", "battery", "generator",
                             "cost", "avail", "unserved_s"], 0.0)
        margin = math.inf
        t, end = float(t0), float(t0 + DT_S)
        while t < end:
            nxt = end
            gen_avail = 0.0
            if gen:
                # called the instant the grid falls short of the firm load
                if contract < fac_firm:
                    if gen_ready is None:
                        gen_ready = t + gen["start_s"]
                    if t >= gen_ready:
                        gen_avail = gen["capacity_mw"]
                    else:
                        nxt = min(nxt, gen_ready)
                else:
                    gen_ready = None
            batt_avail = b["power_mw"] if b and soc > 1e-6 else 0.0
            avail = contract + gen_avail + batt_avail
            # flexible IT runs on the grid only; backups carry the firm load
            shed = curtailed = 0.0
            if contract >= fac_full:
                served_it, demand_fac = it, fac_full
            elif contract >= fac_firm:                 # shed flexible IT: k·(P − x) = grid
                shed = it - contract / k
                served_it, demand_fac = contract / k, contract
            else:                                      # all flexible shed, firm curtailed
                shed = flex
                demand_fac = fac_firm
                served_it = firm if avail >= fac_firm else avail / k
                curtailed = firm - served_it
            fac, cool, losses, misc, water = facility(p, served_it)
            grid = min(contract, fac)
            genr = min(gen_avail, fac - grid)
            batt = min(batt_avail, fac - grid - genr)
            if batt > 0:                               # empties at soc·√RTE/batt
                nxt = min(nxt, t + soc * eta_b / batt * 3600.0)
            elif b and soc < b["energy_mwh"]:          # grid surplus charges it, √RTE in
                charge = min(b["power_mw"], contract - grid)
                if charge > 0:
                    batt = -charge
                    grid += charge
                    nxt = min(nxt, t + (b["energy_mwh"] - soc) / (charge * eta_b) * 3600.0)
            length = nxt - t
            h = length / 3600.0
            soc -= batt * h / eta_b if batt > 0 else batt * h * eta_b
            if b and soc < 1e-6:
                soc = 0.0
            if b and b["energy_mwh"] - soc < 1e-6:
                soc = b["energy_mwh"]
            w = length / DT_S
            unserved = demand_fac - fac
            for key, x in [("it_served", served_it), ("facility", fac), ("cooling", cool),
                           ("losses", losses), ("misc", misc), ("unserved", unserved),
                           ("shed", shed), ("curtailed", curtailed), ("grid", grid),
                           ("battery", batt), ("generator", genr), ("avail", avail)]:
                acc[key] += w * x
            acc["water"] += w * water
            acc["cost"] += h * (grid * g["price_usd_per_mwh"] + genr * (
                gen["price_usd_per_mwh"] if gen else 0.0) + max(batt, 0.0) * (
                b["price_usd_per_mwh"] if b else 0.0))
            if unserved > 1e-6:
                acc["unserved_s"] += length
            margin = min(margin, avail - fac_full)
            t = nxt
        rows.append(dict(acc, t=t0, it_demand=ld["demand"], throttle=ld["throttle"],
                         throttle_firm=ld["throttle_firm"], soc=soc, margin=margin,
                         critical=ld["critical"]))
    return rows, k


def hourly_pue(rows):
    """pue_peak and pue_p99 (docs/model.md §6): hourly PUE over the hours (here: steps of 1 h)
    whose served IT is at least half the median hour's; the highest and the 99th percentile
    (linear between order statistics)."""
    its = sorted(r["it_served"] for r in rows)
    n = len(its)
    median = its[n // 2] if n % 2 else 0.5 * (its[n // 2 - 1] + its[n // 2])
    pues = sorted(r["facility"] / r["it_served"] for r in rows
                  if r["it_served"] > 0 and r["it_served"] >= 0.5 * median)
    if not pues:
        return math.nan, math.nan
    pos = 0.99 * (len(pues) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(pues) - 1)
    return pues[-1], pues[lo] + (pos - lo) * (pues[hi] - pues[lo])


def hand_summary(p, rows):
    """Summary metrics from the hand steps (README 'Output')."""
    def energy(key):
        return sum(r[key] for r in rows) * DT_H

    it, fac = energy("it_served"), energy("facility")
    water = sum(r["water"] for r in rows)
    least = min(rows, key=lambda r: r["margin"])       # first step of the least margin
    return {
        "it_energy_mwh": it, "facility_energy_mwh": fac, "pue": fac / it,
        "pue_peak": hourly_pue(rows)[0], "pue_p99": hourly_pue(rows)[1],
        "it_peak_mw": max(r["it_served"] for r in rows),
        "facility_peak_mw": max(r["facility"] for r in rows),
        "critical_it_mw": max(r["critical"] for r in rows),
        "unserved_energy_mwh": energy("unserved"),
        "unserved_hours": sum(r["unserved_s"] for r in rows) / 3600.0,
        "unserved_peak_mw": max(r["unserved"] for r in rows),
        "shed_energy_mwh": energy("shed"), "throttle_energy_mwh": energy("throttle"),
        "water_m3": water, "wue_l_per_kwh": water / it,
        "energy_cost_usd": sum(r["cost"] for r in rows),
        "margin_min_mw": least["margin"],
        "it_demand_energy_mwh": energy("it_demand"), "cooling_energy_mwh": energy("cooling"),
        "losses_energy_mwh": energy("losses"), "misc_energy_mwh": energy("misc"),
        "grid_energy_mwh": energy("grid"), "reactor_energy_mwh": 0.0,
        "battery_net_energy_mwh": energy("battery"), "generator_energy_mwh": energy("generator"),
        "curtailed_energy_mwh": energy("curtailed"),
        "throttle_firm_energy_mwh": energy("throttle_firm"),
        "margin_min_time_s": float(least["t"]),
        "margin_min_drybulb_c": p["weather"]["drybulb_c"],
        "years": STEPS * DT_S / (365 * 86400),
    }


def worked_example(p):
    """The base case worked out in the scenario's header comment (numbers from the functions
    above, so they stay true; each line can be redone with a pocket calculator)."""
    rows, _ = hand_steps(p)
    r = rows[0]
    cop_l = chiller_cop(0.55, 30, 32, 40)
    cop_a = chiller_cop(0.55, 12, 16, 40)
    x = 3 * math.sqrt(3 / (3 * 0.02 * 6 * cop_l))
    return [
        "#",
        "# Worked by hand, every one of the 48 steps:",
        "#   IT       P = 100·(20 + (100 − 20)·0.5)/1000 = 6 MW; liquid heat Q_L = 0.8·6 = 4.8 MW,",
        "#            air heat Q_A = 1.2 MW",
        "#   liquid   dry cooler Q_max = 6·(35 − 30)/10 = 3 MW; chiller COP",
        "#            min(30, 0.55·(32 + 273.15)/(40 − 32)) = %.4f; least power (docs/model.md §3):"
        % cop_l,
        "#            dry cooler x = min(4.8, 3, 3·√(3/(3·0.02·6·%.4f))) = %.4f MW, fans" % (cop_l, x),
        "#            0.02·6·(%.4f/3)³ = %.4f MW; trim chiller %.4f MW: %.4f MW;" % (
            x, 0.12 * (x / 3) ** 3, 4.8 - x, (4.8 - x) / cop_l),
        "#            pumps 0.015·4.8 = 0.072 MW",
        "#   air      CRAH 0.02·1.2 = 0.024 MW; 30 °C > 24 − 4: chiller at COP",
        "#            min(12, 0.55·(16 + 273.15)/(40 − 16)) = %.4f: %.4f MW" % (cop_a, 1.2 / cop_a),
        "#   cooling  %.4f MW; facility (6/0.95 + %.4f + 0.03·6)/(0.98·(1 − 0.02)) = %.4f MW"
        % (r["cooling"], r["cooling"], r["facility"]),
        "#   summary  PUE %.4f; IT 288 MWh; facility %.2f MWh; cost 50 $/MWh: %.0f USD;" % (
            r["facility"] / 6, 48 * r["facility"], 48 * r["cost"]),
        "#            least margin 20 − %.4f = %.4f MW; critical IT 100·100 kW = 10 MW" % (
            r["facility"], r["margin"]),
    ]


def agree(actual, expected):
    if expected == 0:
        return actual == 0
    return abs(actual - expected) <= REL_TOL * abs(expected)


def check_variant(p, dcsim, outdir, problems):
    name = p["name"]
    scen = DATA_FILE
    if p is not BASE:
        scen = os.path.join(outdir, name + ".yaml")
        with open(scen, "w") as fh:
            fh.write(render(p))
    out = os.path.join(outdir, name + ".h5")
    run = subprocess.run([dcsim, "run", "-q", "-o", out, scen], capture_output=True, text=True)
    if run.returncode != 0:
        problems.append("%s: dcsim run exit %d: %s" % (name, run.returncode, run.stderr.strip()))
        return
    rows, k = hand_steps(p)
    exp = hand_summary(p, rows)
    with h5py.File(out, "r") as f:
        for where in ("sites/hc/summary", "summary"):
            attrs = f[where].attrs
            for key, e in exp.items():
                if key not in attrs:
                    problems.append("%s: /%s: metric %s missing" % (name, where, key))
                    continue
                a = float(attrs[key])
                if not agree(a, e):
                    problems.append("%s: /%s %s = %.9g, by hand %.9g" % (name, where, key, a, e))
        ser = f["sites/hc/series"]
        pairs = [("it_demand_mw", "it_demand"), ("it_served_mw", "it_served"),
                 ("facility_mw", "facility"), ("cooling_mw", "cooling"),
                 ("losses_mw", "losses"), ("misc_mw", "misc"), ("water_m3", "water"),
                 ("shed_mw", "shed"), ("unserved_mw", "unserved"), ("curtailed_mw", "curtailed"),
                 ("throttle_mw", "throttle"), ("grid_mw", "grid"), ("battery_mw", "battery"),
                 ("battery_soc_mwh", "soc"), ("generator_mw", "generator"),
                 ("cost_usd", "cost"), ("margin_mw", "margin"),
                 ("critical_it_mw", "critical")]
        for sname, key in pairs:
            v = ser[sname][:]
            bad = [i for i, r in enumerate(rows) if not agree(float(v[i]), r[key])]
            if bad:
                i = bad[0]
                problems.append("%s: %s at step %d = %.9g, by hand %.9g (%d steps differ)" % (
                    name, sname, i, v[i], rows[i][key], len(bad)))
        pue = ser["pue"][:]
        for i, r in enumerate(rows):
            ok = (math.isnan(pue[i]) if r["it_served"] == 0
                  else agree(float(pue[i]), r["facility"] / r["it_served"]))
            if not ok:
                problems.append("%s: pue at step %d = %r, by hand %s" % (
                    name, i, pue[i], "NaN" if r["it_served"] == 0
                    else "%.6g" % (r["facility"] / r["it_served"])))
                break
        for sname, want in [("ambient_drybulb_c", p["weather"]["drybulb_c"]),
                            ("ambient_wetbulb_c", p["weather"]["wetbulb_c"]),
                            ("liquid_supply_c", p["liquid"]["supply_c"])]:
            if not all(float(x) == want for x in ser[sname][:]):
                problems.append("%s: %s is not %g on every step" % (name, sname, want))
    extra_checks(p, rows, k, problems)


def extra_checks(p, rows, k, problems):
    """Closed-form cross-checks of the hand steps themselves (they must be right too)."""
    name = p["name"]
    if p["liquid"]["rejection"] == "chiller":
        # linear: F(2P) = 2·F(P) when no fan term
        f1, f2 = facility(p, 1.0)[0], facility(p, 2.0)[0]
        if abs(f2 - 2 * f1) > 1e-12:
            problems.append("%s: hand model not linear" % name)
    g = p["grid"]["contract_mw"]
    if name == "handcheck-shed":
        # k·(P_total − x) = contract → x = P_total − contract/k
        x = rows[0]["it_demand"] - g / k
        if not (0 < x < 3.0 and abs(rows[0]["shed"] - x) < 1e-12):
            problems.append("%s: hand shed %g not in (0, flexible 3 MW)" % (name, x))
    if name == "handcheck-curtail":
        # unserved = k·P_firm − contract (all flexible IT shed first)
        u = k * 6.0 - g
        if not (u > 0 and abs(rows[0]["unserved"] - u) < 1e-12 and rows[0]["shed"] == 3.0):
            problems.append("%s: hand unserved %g inconsistent" % (name, u))
    if name == "handcheck-battery":
        b, gen = p["battery"], p["generator"]
        deficit = rows[0]["facility"] - g
        # the battery bridges 10 s at the deficit, then gives deficit − 0.5 MW: it holds
        # E·√RTE = 4.5 MWh, so it empties after 10 s + (4.5 − deficit·10/3600)/(deficit − 0.5) h
        e_left = b["energy_mwh"] * math.sqrt(b["round_trip_efficiency"]) - deficit * 10 / 3600.0
        empty_h = 10 / 3600.0 + e_left / (deficit - gen["capacity_mw"])
        step_empty = math.floor(empty_h)
        if not (step_empty == 4 and rows[3]["unserved"] == 0 and rows[4]["unserved"] > 0
                and abs(rows[4]["unserved_s"] - (5 - empty_h) * 3600) < 1e-6
                and rows[5]["unserved_s"] == 3600):
            problems.append("%s: battery empties at %.4f h, rows say otherwise" % (name, empty_h))
    if name == "handcheck-bridge":
        if not (rows[0]["unserved"] == 0 and abs(rows[0]["battery"] * 360 - (
                rows[0]["facility"] - g)) < 1e-9 and rows[1]["battery"] == 0):
            problems.append("%s: the battery does not bridge the start alone" % name)


def main(argv):
    if len(argv) == 2 and argv[1] == "write":
        with open(DATA_FILE, "w") as fh:
            fh.write(render(BASE))
        return 0
    if len(argv) == 3 and argv[1] == "show":
        print(render(next(v for v in VARIANTS if v["name"] == "handcheck-" + argv[2]
                          or v["name"] == argv[2])), end="")
        return 0
    if len(argv) != 4 or argv[1] != "run":
        sys.stderr.write(__doc__)
        return 2
    problems = []
    with open(DATA_FILE) as fh:
        if fh.read() != render(BASE):
            problems.append("tests/data/handcheck.yaml differs from the rendering of BASE "
                            "(run tests/e2e/handcheck.py write)")
    for p in VARIANTS:
        check_variant(p, argv[2], argv[3], problems)
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
