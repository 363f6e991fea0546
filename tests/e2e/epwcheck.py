#!/usr/bin/python3
"""epwcheck.py — EnergyPlus weather files for the end-to-end tests.

  epwcheck.py write FILE TZ_H [ROWS]
      writes a small valid EPW: 8 header lines (time zone TZ_H) and ROWS hourly rows (8760),
      dry bulb -20 + (k mod 500)/10 °C in row k (each row's value tells which row it is), dew
      point 5 K below, RH 70 %, 101325 Pa.
  epwcheck.py series OUT.h5 SITE FILE START_ISO
      the run's ambient_drybulb_c must be the file's field 7 laid on the calendar in local
      standard time (UTC + the LOCATION line's time zone): row k holds the hour ending at
      (k + 1) h of the 365-day year, values between rows are linear in time, the year repeats;
      ambient_wetbulb_c must lie between the dew point (field 8) and the dry bulb.
"""
import datetime as dt
import sys

import h5py
import numpy as np

HEADER = [
    "LOCATION,E2E Test,XX,USA,e2e,999999,40.00,-90.00,{tz},200.0",
    "DESIGN CONDITIONS,0",
    "TYPICAL/EXTREME PERIODS,0",
    "GROUND TEMPERATURES,0",
    "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
    "COMMENTS 1,written by tests/e2e/epwcheck.py",
    "COMMENTS 2,dry bulb of row k = -20 + (k mod 500)/10",
    "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
]
DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def tiny_drybulb(k):
    return -20 + (k % 500) / 10.0


def write(path, tz_h, rows=8760):
    lines = [h.format(tz=tz_h) for h in HEADER]
    k = 0
    for month, ndays in enumerate(DAYS_IN_MONTH, start=1):
        for day in range(1, ndays + 1):
            for hour in range(1, 25):
                if k >= rows:
                    break
                db = tiny_drybulb(k)
                # 35 fields: year, month, day, hour, minute, source, dry bulb, dew point, RH,
                # pressure, then 25 radiation/wind/sky fields (zeros do)
                fields = [2005, month, day, hour, 0, "A7A7A7A7*0?0", "%.1f" % db,
                          "%.1f" % (db - 5), 70, 101325] + [0] * 25
                lines.append(",".join(str(x) for x in fields))
                k += 1
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def read(path):
    """Time zone (h) and the dry bulb and dew point columns (fields 7 and 8)."""
    with open(path) as fh:
        text = fh.read().splitlines()
    tz = float(text[0].split(",")[8])
    rows = [r.split(",") for r in text[8:] if r.strip()]
    return tz, np.array([float(r[6]) for r in rows]), np.array([float(r[7]) for r in rows])


def expected_at(tz_h, col, start, t_s):
    """The file's value at run time t_s: local standard time, hour-ending rows, linear."""
    local = start + dt.timedelta(seconds=t_s, hours=tz_h)
    y0 = dt.datetime(local.year, 1, 1, tzinfo=local.tzinfo)
    since = (local - y0).total_seconds()
    if local.year % 4 == 0 and local.month > 2:     # not used by the tests: avoid leap years
        raise ValueError("leap year")
    x = since / 3600.0 - 1.0                        # row k is stamped at (k + 1) h
    k0 = int(np.floor(x))
    f = x - k0
    n = len(col)
    return col[k0 % n] + f * (col[(k0 + 1) % n] - col[k0 % n])


def series(h5, site, path, start_iso):
    problems = []
    tz, db, dp = read(path)
    start = dt.datetime.fromisoformat(start_iso.replace("Z", "+00:00"))
    with h5py.File(h5, "r") as f:
        t = f["time"][:]
        got_db = f["sites/%s/series/ambient_drybulb_c" % site][:]
        got_wb = f["sites/%s/series/ambient_wetbulb_c" % site][:]
    bad = 0
    for i, ts in enumerate(t):
        want = expected_at(tz, db, start, float(ts))
        if abs(got_db[i] - want) > 1e-9 * (1 + abs(want)):
            if bad < 5:
                problems.append("step %d (t = %g s): dry bulb %.6g, file gives %.6g" % (
                    i, ts, got_db[i], want))
            bad += 1
        lo = expected_at(tz, dp, start, float(ts))
        if not (lo - 0.05 <= got_wb[i] <= got_db[i] + 1e-9):
            if bad < 5:
                problems.append("step %d: wet bulb %.4g not between dew point %.4g and dry "
                                "bulb %.4g" % (i, got_wb[i], lo, got_db[i]))
            bad += 1
    if bad:
        problems.append("%d of %d steps differ" % (bad, len(t)))
    return problems


def main(argv):
    if len(argv) in (4, 5) and argv[1] == "write":
        write(argv[2], float(argv[3]), int(argv[4]) if len(argv) == 5 else 8760)
        return 0
    if len(argv) == 6 and argv[1] == "series":
        problems = series(argv[2], argv[3], argv[4], argv[5])
        for p in problems:
            print(p)
        return 1 if problems else 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
