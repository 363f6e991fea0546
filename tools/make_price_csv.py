#!/usr/bin/env python3
"""Writes scenarios/data/ercot-west-2027-price.csv: an hourly wholesale price shape for the
ERCOT West load zone over 2027 (UTC hours), for the bundled abilene scenarios.

Provenance: SYNTHETIC, not market data. The shape follows what ERCOT's public real-time
settlement point prices show for the West hub (ercot.com, "Historical RTM Load Zone and Hub
Prices"): a base of ~30-45 $/MWh, an evening peak around 16:00-20:00 local (CST = UTC-6), low
or negative prices at night in windy spring months, and summer afternoon scarcity hours of
several hundred $/MWh. Monthly bases and the diurnal shape below are round numbers chosen to
that pattern; scarcity hours are drawn with a fixed seed. Regenerate with
    /usr/bin/python3 tools/make_price_csv.py scenarios/data/ercot-west-2027-price.csv
"""
import datetime
import math
import random
import sys

MONTH_BASE = [32, 30, 28, 26, 30, 38, 48, 55, 42, 32, 30, 33]   # $/MWh
NIGHT_DIP = [6, 8, 14, 16, 12, 6, 4, 4, 6, 10, 8, 6]            # windy nights, $/MWh lower


def main(path):
    rng = random.Random(2027)
    t = datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc)
    with open(path, "w") as fh:
        fh.write("# synthetic ERCOT-West-shaped hourly price, $/MWh (tools/make_price_csv.py)\n")
        fh.write("time,price_usd_per_mwh\n")
        for _ in range(8760):
            m = t.month - 1
            local_h = (t.hour - 6) % 24
            evening = math.exp(-((local_h - 18) ** 2) / 8.0)      # 16-20 h local
            night = 1.0 if local_h < 6 else 0.0
            p = MONTH_BASE[m] * (1 + 0.6 * evening) - NIGHT_DIP[m] * night
            p += rng.gauss(0, 3)
            if m in (5, 6, 7) and 14 <= local_h <= 19 and rng.random() < 0.03:
                p += rng.choice([150, 300, 800, 1500])            # scarcity hours
            fh.write("%s,%.2f\n" % (t.strftime("%Y-%m-%dT%H:%M:%SZ"), p))
            t += datetime.timedelta(hours=1)


if __name__ == "__main__":
    main(sys.argv[1])
