#!/usr/bin/env python3
"""national_scenario.py — writes scenarios/national/national-100gw.yaml: a national-scale example sized
like the ~100 GW of new US data-center load in the DOE/LBNL 2024 report (Shehabi et al.,
"2024 United States Data Center Energy Usage Report": 2028 demand of 325-580 TWh, i.e. tens
to ~100 GW more than 2023). 400 campuses of 180-320 MW of firm IT, 50 on each of the eight
bundled climates, each with a grid contract sized to its design load, hottest-hours
curtailment, a battery and gensets, hourly for a year.
Usage: tools/national_scenario.py [OUT.yaml]"""
import sys

CLIMATES = ["arizona", "central-washington", "georgia", "louisiana", "north-dakota",
            "north-texas", "northern-virginia", "west-texas"]
GB300_MW = 85.0 / 600          # GB300 NVL72 rack at nameplate (scenarios/abilene-conversion.yaml)


def site(i):
    climate = CLIMATES[i % len(CLIMATES)]
    # a deterministic spread of campus sizes and mixes (no randomness: the file is reviewable)
    size = 180 + (i * 37) % 141                       # MW of firm IT nameplate, 180..320
    share_training = 0.4 + 0.05 * (i % 7)             # 0.40..0.70 of it training
    train = round(size * share_training / GB300_MW)
    infer = round(size * (1 - share_training) / GB300_MW)
    it_mw = (train + infer) * GB300_MW
    hot = climate in ("arizona", "west-texas", "north-texas", "louisiana", "georgia")
    contract = round(it_mw * (1.22 if hot else 1.16))
    return "\n".join([
        "  - id: dc%03d" % i,
        "    climate: %s" % climate,
        "    supply:",
        "      - {id: grid, type: grid, contract_mw: %d, price_usd_per_mwh: %d," % (contract, 42 + i % 9),
        "         curtailment: {hours_per_year: 40, rule: hottest, level_mw: %d}}" % round(0.8 * contract),
        "      - {id: bess, type: battery, power_mw: %d, energy_mwh: %d}" % (round(0.1 * contract), round(0.4 * contract)),
        "      - {id: gensets, type: generator, capacity_mw: %d, start_s: 10, price_usd_per_mwh: 250}" % round(0.15 * contract),
        "    it:",
        "      - {id: train, rack: gb300-nvl72, count: %d, workload: training, utilization: 0.85}" % train,
        "      - {id: infer, rack: gb300-nvl72, count: %d, workload: inference, utilization: 0.7," % infer,
        "         diurnal_amplitude: 0.2}",
        "    cooling:",
        "      liquid: {supply_c: 35, rejection: hybrid, capacity_mw: %d}" % round(1.02 * it_mw),
        "      air: {supply_c: 24, economizer: true, capacity_mw: %d}" % round(0.2 * it_mw),
    ])


def main(argv):
    out = argv[1] if len(argv) > 1 else "scenarios/national/national-100gw.yaml"
    head = """# A national-scale example (issue 12): ~100 GW of new data-center load, the order of the
# DOE/LBNL 2024 report's growth to 2028, as 400 GB300 NVL72 campuses of 180-320 MW firm IT,
# 50 on each of the eight bundled climates. Each has a grid contract 16-22 % above its IT
# nameplate, ERCOT-4CP-like curtailment to 80 % in its 40 hottest hours, a battery (10 % of
# the contract for 4 h) and gensets (15 %). Written by tools/national_scenario.py; swept over
# weather years by scenarios/sweeps/national-100gw.yaml.
name: national-100gw
description: 400 campuses, ~100 GW of firm IT over eight US climates
start: 2028-01-01
duration: 1y
timestep: 1h
seed: 2028
reliability:
  max_unserved_mwh: 0

sites:
"""
    with open(out, "w") as f:
        f.write(head + "\n".join(site(i) for i in range(400)) + "\n")


if __name__ == "__main__":
    main(sys.argv)
