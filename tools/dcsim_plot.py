#!/usr/bin/python3
"""dcsim_plot.py — charts from dcsim result files (HDF5, README "Output").

  dcsim_plot.py run RESULT.h5 [-o DIR] [--site ID] [--max-points N] [--dump-json FILE]
      four PNGs from a `dcsim run` (or `fit -o`) file, named <stem>-<chart>.png in DIR
      (default: beside the file): supply, duration, pue, monthly. With several sites the
      scenario total (the sum of the sites); --site ID for one of them.
  dcsim_plot.py sweep SWEEP.h5 --metric NAME [--x PATH --y PATH] [-o FILE.png] [--dump-json FILE]
      a heat map of one summary metric of a `dcsim sweep` /cases table over two varied
      parameters (default: the first two varied columns).

--dump-json FILE writes the numbers a chart is drawn from (the supply chart's pooled series,
the heat map's cells and their labels) as JSON, so that tests can check what is drawn.

Exit status: 0 done, 2 bad input or usage, 3 the PNG could not be written.
Needs Debian's python3-h5py, python3-numpy and python3-matplotlib (call /usr/bin/python3).
"""

import argparse
import calendar
import os
import sys

try:
    import h5py
    import numpy as np
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.ticker
    import matplotlib.pyplot as plt
except ImportError as e:  # pragma: no cover - depends on the machine
    sys.stderr.write("dcsim_plot: %s (install python3-h5py python3-numpy python3-matplotlib "
                     "and run with /usr/bin/python3)\n" % e)
    sys.exit(2)

PROG = "dcsim_plot"
DPI = 100
MAX_POINTS = 600           # the supply chart is pooled to at most this many bins: a bin is
                           # then at least 1.5 px of its ~900 px plot (finer bins draw the
                           # lines over the areas they bound, and a line reads as a band)

# Colours (matplotlib's tab palette)
C_FAC = "tab:blue"
C_IT = "tab:green"
C_SUP = "tab:orange"
C_DEM = "tab:purple"
C_UNS = "tab:red"
C_WAT = "tab:cyan"
C_SHED = "tab:gray"
C_THR = "tab:brown"


THOUSANDS = matplotlib.ticker.FuncFormatter(
    lambda v, _: "{:,.0f}".format(v) if abs(v) >= 1000 else "%g" % v)


class UsageError(Exception):
    """Bad input: exit 2 with the message."""


class WriteError(Exception):
    """The PNG could not be written: exit 3."""


def text(v):
    """An HDF5 attribute as str (fixed-length strings come back as bytes)."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray) and v.shape == ():
        return text(v[()])
    return str(v)


def open_h5(path):
    if not os.path.exists(path):
        raise UsageError("%s: no such file" % path)
    if os.path.isdir(path):
        raise UsageError("%s: is a directory" % path)
    try:
        return h5py.File(path, "r")
    except OSError as e:
        raise UsageError("%s: not an HDF5 file (%s)" % (path, e))


def kind_of(f):
    if "cases" in f and isinstance(f["cases"], h5py.Dataset) and f["cases"].dtype.names:
        return "sweep"
    if "time" in f and "sites" in f and isinstance(f["sites"], h5py.Group):
        return "run"
    return None


def save(fig, path):
    """Writes the figure to PATH through a temporary file renamed when complete."""
    tmp = "%s.tmp%d" % (path, os.getpid())
    try:
        fig.savefig(tmp, dpi=DPI, format="png")
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise WriteError("%s: %s" % (path, e.strerror or e))
    finally:
        plt.close(fig)
    return path


# --------------------------------------------------------------------------------------------
# run


def pool(x, k, fn):
    """Pools X in consecutive blocks of K (the last block may be shorter); NaN-aware fn."""
    if k <= 1:
        return x
    return fn.reduceat(x, np.arange(0, len(x), k))


def pool_mean(x, k):
    """The mean of X over consecutive blocks of K rows (the last block may be shorter).
    Rows are equal spans of time, so this is the time-weighted mean: a block's mean times
    its length is the block's energy, and the pooling of a sum is the sum of the poolings
    (served + unserved pools to the pooled demand exactly)."""
    x = np.asarray(x, dtype=np.float64)
    if k <= 1:
        return x.copy()
    starts = np.arange(0, len(x), k)
    counts = np.diff(np.append(starts, len(x)))
    return np.add.reduceat(x, starts) / counts


def thin_sorted(y, n=MAX_POINTS):
    """Indices of about N points of a monotonic curve, first and last included."""
    if len(y) <= n:
        return np.arange(len(y))
    return np.unique(np.linspace(0, len(y) - 1, n).round().astype(np.int64))


class Run:
    """The series of one site of a run file, or their sum over the sites."""

    NEEDED = ("facility_mw", "facility_demand_mw", "supply_available_mw", "it_served_mw",
              "unserved_mw", "shed_mw", "throttle_mw", "ambient_drybulb_c", "pue", "water_m3")

    PEAKS = ("facility_mw", "facility_demand_mw", "unserved_mw")

    def __init__(self, f, path, site):
        self.path = path
        a = f.attrs
        self.name = text(a.get("scenario_name", os.path.splitext(os.path.basename(path))[0]))
        self.trials = int(a.get("trials", 1))
        if "start" not in a or "timestep_s" not in a:
            raise UsageError("%s: not a dcsim run file (no 'start' or 'timestep_s' attribute)"
                             % path)
        start = text(a["start"]).strip().rstrip("Z")
        try:
            self.start = np.datetime64(start, "ms")
        except ValueError:
            raise UsageError("%s: bad 'start' attribute '%s'" % (path, text(a["start"])))
        # a row of the series stands for output_every_s (interval means, water summed, and
        # <name>_max the interval maxima) when the scenario decimates its output
        self.step_s = float(a["timestep_s"])
        self.dt = float(a["output_every_s"]) if "output_every_s" in a else self.step_s
        self.decimated = self.dt > self.step_s
        self.t = np.asarray(f["time"][:], dtype=np.float64)
        self.n = len(self.t)
        if self.n == 0:
            raise UsageError("%s: the run has no steps" % path)
        sites = sorted(f["sites"].keys())
        if not sites:
            raise UsageError("%s: no sites" % path)
        if site is not None and site not in sites:
            raise UsageError("%s: unknown site '%s' (sites: %s)" % (path, site, ", ".join(sites)))
        self.sites = [site] if site is not None else sites
        self.n_sites_file = len(sites)
        self.site = site
        self.multi = len(self.sites) > 1
        self.per_site = {}
        for s in self.sites:
            g = f["sites"][s]
            if "series" not in g:
                raise UsageError("%s: site '%s' has no series" % (path, s))
            ser = g["series"]
            d = {}
            for v in self.NEEDED:
                if v not in ser:
                    raise UsageError("%s: site '%s' has no series '%s'" % (path, s, v))
                x = np.asarray(ser[v][:], dtype=np.float64)
                if len(x) != self.n:
                    raise UsageError("%s: series %s/%s has %d steps, /time has %d"
                                     % (path, s, v, len(x), self.n))
                d[v] = x
            for v in self.PEAKS:
                if self.decimated and v + "_max" in ser:
                    d[v + "_max"] = np.asarray(ser[v + "_max"][:], dtype=np.float64)
                else:
                    d[v + "_max"] = d[v]
            self.per_site[s] = d
        # the total (or the one site)
        self.tot = {}
        for v in self.NEEDED + tuple(p + "_max" for p in self.PEAKS):
            if v in ("ambient_drybulb_c", "pue"):
                continue
            self.tot[v] = np.sum([self.per_site[s][v] for s in self.sites], axis=0)
        if not self.multi:
            self.tot["pue"] = self.per_site[self.sites[0]]["pue"]
        self.dates = self.start + (self.t * 1000.0).round().astype("timedelta64[ms]")

    def title(self, what, by_site=False):
        if self.multi:
            scope = ("%d sites" if by_site else "sum of %d sites") % len(self.sites)
        else:
            scope = "site " + self.sites[0]
        t = "%s — %s (%s)" % (self.name, what, scope)
        if self.decimated:
            t += ", %s rows" % fmt_span(self.dt)
        if self.trials > 1:
            t += ", trial 0 of %d" % self.trials
        return t


def write_json(path, data):
    """Writes DATA as JSON to PATH (the numbers a chart is drawn from)."""
    import json
    try:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, allow_nan=True)
    except OSError as e:
        raise WriteError("%s: %s" % (path, e.strerror or e))


def span_unit(seconds):
    """(divisor, label) for a duration axis: hours, or minutes for runs under 2 h."""
    if seconds < 2 * 3600:
        return 60.0, "minutes"
    return 3600.0, "hours"


def supply_data(r, max_points=MAX_POINTS):
    """What the supply chart draws: every series pooled the same way, the time-weighted mean
    over the same bins (at most max_points of them), so that where nothing is short the
    demand equals what was served and elsewhere exceeds it by exactly the unserved power.
    Stacked: facility served (facility_mw), + unserved (unserved_mw, facility power of firm
    load not served) = facility demand (facility_demand_mw); above it the IT power that was
    shed (shed_mw, flexible) and throttled (throttle_mw, cooling), which were not asked of the
    supply. The available supply: its mean, and its least and greatest row in each bin."""
    k = pool_steps(r.n, r.dt, max_points)
    t = r.tot
    d = {"rows_per_bin": int(k), "bin_s": float(k * r.dt), "row_s": float(r.dt),
         "time_s": [float(v) for v in r.t[::k]]}
    for name, key in (("served_mw", "facility_mw"), ("unserved_mw", "unserved_mw"),
                      ("demand_mw", "facility_demand_mw"), ("shed_mw", "shed_mw"),
                      ("throttle_mw", "throttle_mw"), ("supply_mw", "supply_available_mw")):
        d[name] = pool_mean(np.nan_to_num(t[key]), k)
    d["supply_min_mw"] = pool(t["supply_available_mw"], k, np.fmin)
    d["supply_max_mw"] = pool(t["supply_available_mw"], k, np.fmax)
    d["top_mw"] = d["demand_mw"] + d["shed_mw"] + d["throttle_mw"]
    return d


def plot_supply(r, out, max_points=MAX_POINTS, dump=None):
    d = supply_data(r, max_points)
    k = d["rows_per_bin"]
    if dump is not None:
        dump["supply"] = {n: (v.tolist() if isinstance(v, np.ndarray) else v)
                          for n, v in d.items()}
    x = mdates.date2num(r.dates[::k])
    # steps: each pooled value holds from its bin's start to the next
    x_end = mdates.date2num(r.dates[-1] + np.timedelta64(int(r.dt * 1000), "ms"))
    xs = np.append(x, x_end)

    def st(v):
        return np.append(v, v[-1])
    fig, ax = plt.subplots(figsize=(10, 4.6))
    srv, uns, shed, thr = d["served_mw"], d["unserved_mw"], d["shed_mw"], d["throttle_mw"]
    dem = d["demand_mw"]

    def none(v, label):
        return label + ("" if (v > 0).any() else ": none")
    ax.fill_between(xs, 0, st(srv), step="post", color=C_FAC, alpha=0.35, lw=0,
                    label="facility served (facility_mw)")
    ax.fill_between(xs, st(srv), st(dem), step="post", color=C_UNS, alpha=0.6, lw=0,
                    label=none(uns, "unserved (unserved_mw)"))
    ax.fill_between(xs, st(dem), st(dem + shed), step="post", color=C_SHED, alpha=0.45, lw=0,
                    label=none(shed, "flexible IT shed (shed_mw, IT power)"))
    ax.fill_between(xs, st(dem + shed), st(d["top_mw"]), step="post", color=C_THR, alpha=0.55,
                    lw=0, label=none(thr, "IT throttled by cooling (throttle_mw, IT power)"))
    ax.step(xs, st(dem), where="post", color=C_DEM, lw=0.7,
            label="facility demand (facility_demand_mw)")
    if k > 1:
        ax.fill_between(xs, st(d["supply_min_mw"]), st(d["supply_max_mw"]), step="post",
                        color=C_SUP, alpha=0.2, lw=0, label="available supply: least..most")
    ax.step(xs, st(d["supply_mw"]), where="post", color=C_SUP, lw=1.0,
            label="available supply (supply_available_mw)")
    loc = mdates.AutoDateLocator(minticks=4, maxticks=12)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    ax.set_xlim(x[0], x_end)
    ax.set_ylabel("power (MW)")
    ax.set_xlabel("time (UTC)")
    top = np.nanmax([np.nanmax(d["supply_max_mw"]), np.nanmax(d["top_mw"])])
    ax.set_ylim(0, top * 1.3 if np.isfinite(top) and top > 0 else 1)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", ncol=3, fontsize=7, framealpha=0.9)
    sub = "" if k == 1 else " — means over %s (supply band: least and most)" % fmt_span(k * r.dt)
    if r.decimated:
        sub += "\n(rows: the means of each %s)" % fmt_span(r.dt)
    ax.set_title(r.title("demand vs supply") + sub, fontsize=10)
    fig.tight_layout()
    return save(fig, out)


NICE_SPANS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
              43200, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400)


def pool_steps(n, dt, max_points=MAX_POINTS):
    """Steps per pooled point: at most max_points points, a round span per point if possible."""
    k = max(1, -(-n // max_points))
    if k == 1:
        return 1
    for span in NICE_SPANS:
        if span >= k * dt and span % dt == 0:
            return int(span // dt)
    return k


def fmt_span(s):
    for unit, secs in (("d", 86400), ("h", 3600), ("min", 60)):
        if s >= secs and s % secs == 0:
            return "%d %s" % (s // secs, unit)
    return "%g s" % s


def plot_duration(r, out):
    div, unit = span_unit(r.n * r.dt)
    fac = np.sort(r.tot["facility_mw"])[::-1]
    it = np.sort(r.tot["it_served_mw"])[::-1]
    sup = np.sort(r.tot["supply_available_mw"])[::-1]
    dem = np.sort(r.tot["facility_demand_mw"])[::-1]
    x = np.arange(1, r.n + 1) * r.dt / div
    fig, ax = plt.subplots(figsize=(10, 4.6))
    i = thin_sorted(fac)
    ax.plot(x[i], sup[i], color=C_SUP, lw=1.4, label="available supply (sorted)")
    if np.nanmax(r.tot["unserved_mw"]) > 0:
        ax.plot(x[i], dem[i], color=C_DEM, lw=1.0, ls="--", label="facility demand (sorted)")
    ax.plot(x[i], fac[i], color=C_FAC, lw=1.6, label="facility served (facility_mw)")
    ax.plot(x[i], it[i], color=C_IT, lw=1.6, label="IT served (it_served_mw)")
    ax.set_xlim(0, x[-1])
    top = np.nanmax([sup.max(), fac.max(), dem.max()])
    ax.set_ylim(0, top * 1.15 if np.isfinite(top) and top > 0 else 1)
    ax.set_xlabel("%s at or above the level (%s)" % (unit, "h" if unit == "hours" else "min"))
    ax.set_ylabel("power (MW)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    ax.set_title(r.title("load-duration curve"), fontsize=10)
    fig.tight_layout()
    return save(fig, out)


def plot_pue(r, out):
    fig, ax = plt.subplots(figsize=(8, 5))
    n_pts = 0
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    lo, hi = np.inf, -np.inf
    for j, s in enumerate(r.sites):
        d = r.per_site[s]
        ok = np.isfinite(d["pue"]) & np.isfinite(d["ambient_drybulb_c"])
        if not ok.any():
            continue
        p, tdb = d["pue"][ok], d["ambient_drybulb_c"][ok]
        n_pts += len(p)
        alpha = 0.25 if len(p) > 5000 else 0.5
        ax.scatter(tdb, p, s=3, alpha=alpha, lw=0, color=colours[j % len(colours)],
                   label=s, rasterized=True)
        lo, hi = min(lo, np.percentile(p, 0.1)), max(hi, p.max())
    if n_pts == 0:
        ax.text(0.5, 0.5, "no step with IT load: PUE undefined", ha="center", va="center",
                transform=ax.transAxes)
    else:
        pad = max(0.01, (hi - lo) * 0.08)
        ax.set_ylim(max(1.0, lo - pad) if lo >= 1.0 else lo - pad, hi + pad)
    ax.set_xlabel("ambient dry bulb (°C)")
    ax.set_ylabel("PUE (facility / IT power)")
    ax.grid(True, alpha=0.3)
    if r.multi and n_pts:
        leg = ax.legend(title="site", fontsize=8, markerscale=4, loc="upper left")
        for h in leg.legend_handles if hasattr(leg, "legend_handles") else leg.legendHandles:
            h.set_alpha(1)
    ax.set_title(r.title("PUE vs ambient", by_site=True) + ("" if n_pts == 0 else
                 " — %d %s with IT load" % (n_pts, "rows" if r.decimated else "steps")),
                 fontsize=10)
    fig.tight_layout()
    return save(fig, out)


def plot_monthly(r, out):
    span = r.n * r.dt
    d = r.dates
    if span > 5 * 366 * 86400:
        size, label, what = None, "year", "yearly"
        bins = d.astype("datetime64[Y]")
    elif span >= 90 * 86400:
        size, label, what = None, "month", "monthly"
        bins = d.astype("datetime64[M]")
    else:   # a short run: the largest clock-aligned bin that still gives 6 bars
        for size, label, what in ((86400, "day", "daily"), (3600, "hour", "hourly"),
                                  (900, "15 min", "per 15 min"), (300, "5 min", "per 5 min"),
                                  (60, "minute", "per minute"), (10, "10 s", "per 10 s"),
                                  (1, "second", "per second")):
            if span / size >= 6 or size <= r.dt:
                break
        sec = (d - np.datetime64("1970-01-01T00:00:00", "ms")) // np.timedelta64(1, "s")
        bins = (sec // size * size).astype("datetime64[s]")
    keys, inv = np.unique(bins, return_inverse=True)
    h = r.dt / 3600.0
    fac = np.bincount(inv, weights=np.nan_to_num(r.tot["facility_mw"]) * h, minlength=len(keys))
    it = np.bincount(inv, weights=np.nan_to_num(r.tot["it_served_mw"]) * h, minlength=len(keys))
    wat = np.bincount(inv, weights=np.nan_to_num(r.tot["water_m3"]), minlength=len(keys))
    xlabel = "year (UTC)" if label == "year" else "time (UTC), %s bins" % label
    if label == "year":
        names = [str(k)[:4] for k in keys]
    elif size is None:
        names = [str(k)[:7] for k in keys]
        if len({n[:4] for n in names}) == 1:
            xlabel = "month of %s (UTC)" % names[0][:4]
            names = [calendar.month_abbr[int(n[5:7])] for n in names]
    else:
        iso = [str(k) for k in keys]                 # YYYY-MM-DDTHH:MM:SS
        one_day = len({v[:10] for v in iso}) == 1
        if size >= 86400:
            names = [v[5:10] for v in iso]
        elif size >= 60:
            names = [(v[11:16] if one_day else v[5:10] + " " + v[11:16]) for v in iso]
        else:
            names = [v[11:19] for v in iso]
    nb = len(keys)
    fig, ax = plt.subplots(figsize=(10, 4.6))
    x = np.arange(nb)
    w = 0.38
    scale, eunit = 1.0, "MWh"
    ax.bar(x - w / 2, fac / scale, w, color=C_FAC, label="facility energy")
    ax.bar(x + w / 2, it / scale, w, color=C_IT, label="IT energy")
    ax.set_ylabel("energy per %s (%s)" % (label, eunit))
    ax.set_ylim(0, max(fac.max() / scale, 1e-9) * 1.25)
    ax.yaxis.set_major_formatter(THOUSANDS)
    step = max(1, -(-nb // 24))
    ax.set_xticks(x[::step])
    ax.set_xticklabels(names[::step], rotation=0 if nb <= 14 else 45,
                       ha="center" if nb <= 14 else "right", fontsize=8)
    ax.set_xlim(-0.6, nb - 0.4)
    ax.set_xlabel(xlabel)
    ax.grid(True, axis="y", alpha=0.3)
    ax2 = ax.twinx()
    no_water = not (wat > 0).any()
    ax2.plot(x, wat, color=C_WAT, marker="o", ms=4, lw=1.5,
             label="water (m³)" + (": none used" if no_water else ""))
    ax2.set_ylabel("water per %s (m³)" % label)
    ax2.yaxis.set_major_formatter(THOUSANDS)
    ax2.set_ylim(0, 1 if no_water else wat.max() * 1.25)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", ncol=3, fontsize=8, framealpha=0.9)
    ax.set_title(r.title("energy and water " + what if what.startswith("per")
                         else what + " energy and water"), fontsize=10)
    fig.tight_layout()
    return save(fig, out)


def cmd_run(a):
    f = open_h5(a.file)
    with f:
        k = kind_of(f)
        if k == "sweep":
            raise UsageError("%s: a sweep file (/cases); use 'dcsim_plot.py sweep'" % a.file)
        if k != "run":
            raise UsageError("%s: not a dcsim run file (no /time and /sites)" % a.file)
        r = Run(f, a.file, a.site)
    outdir = a.output if a.output else (os.path.dirname(a.file) or ".")
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as e:
        raise WriteError("%s: %s" % (outdir, e.strerror or e))
    stem = os.path.splitext(os.path.basename(a.file))[0]
    if a.site is not None and r.n_sites_file > 1:
        stem += "-" + a.site
    written = []
    dump = {} if a.dump_json else None
    written.append(plot_supply(r, os.path.join(outdir, "%s-supply.png" % stem), a.max_points,
                               dump))
    for chart, fn in (("duration", plot_duration), ("pue", plot_pue), ("monthly", plot_monthly)):
        written.append(fn(r, os.path.join(outdir, "%s-%s.png" % (stem, chart))))
    if dump is not None:
        write_json(a.dump_json, dump)
    if not a.quiet:
        for w in written:
            print(w)
    return 0


# --------------------------------------------------------------------------------------------
# sweep

UNITS = (("_usd_per_mwh", "USD/MWh"), ("_mw_per_s", "MW/s"), ("_l_per_kwh", "L/kWh"),
         ("_h_per_year", "h/year"), ("_mwh_per_year", "MWh/year"), ("_mwh", "MWh"),
         ("_mw", "MW"), ("_kw", "kW"), ("_usd", "USD"), ("_m3", "m³"), ("_c", "°C"),
         ("_k", "K"), ("_s", "s"), ("_h", "h"), ("_hours", "h"), ("_d", "d"))


def unit_of(name):
    """The unit a metric or parameter name carries in its suffix (README "Scenario format")."""
    for q in ("_p50", "_p95", "_p99", "_mean"):
        if name.endswith(q):
            name = name[:-len(q)]
    for suf, u in UNITS:
        if name.endswith(suf):
            return u
    return ""


MAX_CELL_DIGITS = 10


def cell_text(x, sig):
    """X with at least SIG significant digits (never fewer than its whole part: 1,234,567
    stays whole), thousands separated; ten million and more in millions with an M."""
    if not np.isfinite(x):
        return ""
    if x == 0:
        return "0"
    div, suffix = (1e6, "M") if abs(x) >= 1e7 else (1.0, "")
    y = x / div
    whole = int(np.floor(np.log10(abs(y)))) + 1     # digits before the point (<= 0 for 0.0x)
    dec = max(0, sig - whole)
    return "{:,.{}f}{}".format(y, dec, suffix)


def same(a, b):
    """Equal to within rounding noise (1e-9 relative): cells that need not be told apart."""
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def cell_labels(grid):
    """The text of each cell of GRID (rows y, columns x; NaN: ""): two significant digits,
    or as many more (up to MAX_CELL_DIGITS) as tell the cell apart from each neighbour
    (left, right, up, down) whose value differs (beyond 1e-9 relative): 1.11 next to 1.22 reads 1.1 and 1.2, never
    1 and 1, even on a grid that spans 1 to 44."""
    grid = np.asarray(grid, dtype=np.float64)
    ny, nx = grid.shape
    sig = np.full(grid.shape, 2, dtype=np.int64)
    for j in range(ny):
        for i in range(nx):
            for jj, ii in ((j, i + 1), (j + 1, i)):
                if jj >= ny or ii >= nx:
                    continue
                a, b = grid[j, i], grid[jj, ii]
                if not (np.isfinite(a) and np.isfinite(b)) or same(a, b):
                    continue
                n = 2
                while n < MAX_CELL_DIGITS and cell_text(a, n) == cell_text(b, n):
                    n += 1
                sig[j, i] = max(sig[j, i], n)
                sig[jj, ii] = max(sig[jj, ii], n)
    labels = np.empty(grid.shape, dtype=object)
    for j in range(ny):
        for i in range(nx):
            labels[j, i] = cell_text(grid[j, i], sig[j, i])
    return labels


def axis_values(col):
    """(labels, index per row, categorical?) for one varied column."""
    if col.dtype.kind in "SUO":
        vals = [text(v) for v in col]
        order = list(dict.fromkeys(vals))           # the sweep file's order
        pos = {v: i for i, v in enumerate(order)}
        return order, np.array([pos[v] for v in vals]), True
    x = np.asarray(col, dtype=np.float64)
    u = np.unique(x[np.isfinite(x)])
    idx = np.searchsorted(u, x)
    idx[~np.isfinite(x)] = -1
    return ["%g" % v for v in u], idx, False


def cmd_sweep(a):
    f = open_h5(a.file)
    with f:
        k = kind_of(f)
        if k == "run":
            raise UsageError("%s: a run file (/time, /sites); use 'dcsim_plot.py run'" % a.file)
        if k != "sweep":
            raise UsageError("%s: not a dcsim sweep file (no /cases table)" % a.file)
        cases = f["cases"][:]
        sweep_name = text(f.attrs.get("sweep", a.file))
        base = text(f.attrs["base"]) if "base" in f.attrs else None
    names = list(cases.dtype.names)
    if "case" not in names or "status" not in names:
        raise UsageError("%s: /cases has no 'case' or 'status' column" % a.file)
    varied = names[names.index("case") + 1:names.index("status")]
    skip = {"case", "status", "message"} | set(varied)
    metrics = [n for n in names if n not in skip and cases.dtype[n].kind in "fiu"]
    if a.metric not in metrics:
        raise UsageError("unknown metric '%s'; available: %s" % (a.metric, ", ".join(metrics)))
    if len(varied) < 2 and (a.x is None or a.y is None):
        raise UsageError("%s: the sweep varies %d parameter(s) (%s); a heat map needs two"
                         % (a.file, len(varied), ", ".join(varied) or "none"))
    xp = a.x if a.x is not None else varied[0]
    yp = a.y if a.y is not None else (varied[1] if varied[1] != xp else varied[0])
    for p, opt in ((xp, "--x"), (yp, "--y")):
        if p not in varied:
            raise UsageError("%s: '%s' is not a varied parameter; varied: %s"
                             % (opt, p, ", ".join(varied)))
    if xp == yp:
        raise UsageError("--x and --y name the same parameter '%s'" % xp)
    if len(cases) == 0:
        raise UsageError("%s: /cases is empty" % a.file)

    xl, xi, xcat = axis_values(cases[xp])
    yl, yi, ycat = axis_values(cases[yp])
    val = np.asarray(cases[a.metric], dtype=np.float64)
    ok = (cases["status"] == 0) & np.isfinite(val) & (xi >= 0) & (yi >= 0)
    nx, ny = len(xl), len(yl)
    s = np.zeros((ny, nx))
    c = np.zeros((ny, nx), dtype=np.int64)
    np.add.at(s, (yi[ok], xi[ok]), val[ok])
    np.add.at(c, (yi[ok], xi[ok]), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        grid = np.where(c > 0, s / np.maximum(c, 1), np.nan)
    n_bad = int((cases["status"] != 0).sum())
    # rows per (x, y) cell: more than one when a third parameter varies
    per_cell = np.zeros((ny, nx), dtype=np.int64)
    np.add.at(per_cell, (yi[(xi >= 0) & (yi >= 0)], xi[(xi >= 0) & (yi >= 0)]), 1)
    others = [v for v in varied if v not in (xp, yp)]
    averaged = per_cell.max() > 1

    fw = min(14, max(7, 1.0 + 0.8 * nx))
    fh = min(10, max(4.5, 1.6 + 0.55 * ny))
    fig, ax = plt.subplots(figsize=(fw, fh))
    cmap = matplotlib.colormaps["viridis"].copy() if hasattr(matplotlib, "colormaps") \
        else plt.get_cmap("viridis").copy()
    cmap.set_bad("white")
    m = np.ma.masked_invalid(grid)
    if m.count():
        vmin, vmax = float(m.min()), float(m.max())
        if vmin == vmax:
            vmin, vmax = vmin - 0.5 if vmin == 0 else vmin * 0.99, vmax + 0.5 if vmax == 0 \
                else vmax * 1.01
            vmin, vmax = min(vmin, vmax), max(vmin, vmax)
    else:
        vmin, vmax = 0.0, 1.0
    im = ax.imshow(m, cmap=cmap, vmin=vmin, vmax=vmax, origin="lower", aspect="auto",
                   interpolation="nearest")
    ax.set_xticks(np.arange(nx))
    ax.set_yticks(np.arange(ny))
    tstep = max(1, -(-nx // 20))
    ax.set_xticks(np.arange(nx)[::tstep])
    ax.set_xticklabels(xl[::tstep], rotation=0 if (nx <= 8 and not xcat) else 30,
                       ha="center" if (nx <= 8 and not xcat) else "right", fontsize=8)
    ystep = max(1, -(-ny // 20))
    ax.set_yticks(np.arange(ny)[::ystep])
    ax.set_yticklabels(yl[::ystep], fontsize=8)
    ax.set_xlabel(axis_label(xp))
    ax.set_ylabel(axis_label(yp))
    # cell edges, so blank (failed) cells read as cells
    ax.set_xticks(np.arange(nx + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(ny + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="0.85", lw=0.6)
    ax.tick_params(which="minor", length=0)
    unit = unit_of(a.metric)
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(a.metric + (" (%s)" % unit if unit else ""))
    cb.ax.yaxis.set_major_formatter(THOUSANDS)
    labels = cell_labels(grid)
    if a.dump_json:
        write_json(a.dump_json, {
            "metric": a.metric, "x": xp, "y": yp, "x_labels": xl, "y_labels": yl,
            "cells": [[None if not np.isfinite(v) else float(v) for v in row] for row in grid],
            "labels": [[str(t) for t in row] for row in labels],
            "cases_per_cell": per_cell.tolist()})
    if nx <= 12 and ny <= 12:
        for j in range(ny):
            for i in range(nx):
                v = grid[j, i]
                if not np.isfinite(v):
                    if per_cell[j, i] > 0:
                        ax.text(i, j, "failed", ha="center", va="center", fontsize=7,
                                color="0.4")
                    continue
                r_, g_, b_, _ = cmap(im.norm(v))
                lum = 0.299 * r_ + 0.587 * g_ + 0.114 * b_
                ax.text(i, j, labels[j, i], ha="center", va="center", fontsize=8,
                        color="black" if lum > 0.5 else "white")
    name = os.path.splitext(os.path.basename(sweep_name))[0]
    t = "%s%s — %s" % (name, " (base %s)" % os.path.splitext(os.path.basename(base))[0]
                       if base else "", a.metric)
    notes = []
    if averaged:
        if others:
            notes.append("each cell: the mean over " + " and ".join(
                "the %d values of %s" % (len(axis_values(cases[o])[0]), short(o))
                for o in others))
        else:
            notes.append("each cell: the mean of up to %d cases" % per_cell.max())
    if n_bad:
        notes.append("%d case(s) not ok: blank" % n_bad)
    if notes:
        t += "\n(" + "; ".join(notes) + ")"
    ax.set_title(t, fontsize=10)
    fig.tight_layout()
    out = a.output
    if out is None:
        stem = os.path.splitext(a.file)[0]
        out = "%s-%s.png" % (stem, a.metric)
    save(fig, out)
    if not a.quiet:
        print(out)
    return 0


def short(path):
    """sites.abilene.it.phase2.count -> phase2.count (for titles)."""
    parts = path.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else path


def axis_label(path):
    u = unit_of(path.rsplit(".", 1)[-1])
    return path + (" (%s)" % u if u else "")


# --------------------------------------------------------------------------------------------


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="dcsim_plot.py",
        description="PNG charts from dcsim run and sweep result files.",
        epilog="exit status: 0 done, 2 bad input or usage, 3 a PNG could not be written")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.required = True
    pr = sub.add_parser("run", help="four charts from a `dcsim run` file",
                        description="Writes <stem>-supply.png, -duration.png, -pue.png and "
                        "-monthly.png (stem: the file's name; with --site on a file of several "
                        "sites, <stem>-<site>-...).")
    pr.add_argument("file", metavar="RESULT.h5")
    pr.add_argument("-o", dest="output", metavar="DIR",
                    help="output directory (default: beside the file)")
    pr.add_argument("--site", metavar="ID", help="one site (default: the sum of all sites)")
    pr.add_argument("-q", dest="quiet", action="store_true", help="do not list the files")
    pr.add_argument("--max-points", type=int, default=MAX_POINTS, metavar="N",
                    help="pool the supply chart to at most N points (default %d)" % MAX_POINTS)
    pr.add_argument("--dump-json", metavar="FILE",
                    help="also write the supply chart's pooled series as JSON")
    ps = sub.add_parser("sweep", help="a heat map of a metric from a `dcsim sweep` file",
                        description="A heat map of one summary metric over two varied "
                        "parameters of /cases; cells with several cases (a third varied "
                        "parameter) show their mean, cases that failed are blank.")
    ps.add_argument("file", metavar="SWEEP.h5")
    ps.add_argument("--metric", required=True, metavar="NAME", help="a summary metric column")
    ps.add_argument("--x", metavar="PATH", help="varied parameter on x (default: the first)")
    ps.add_argument("--y", metavar="PATH", help="varied parameter on y (default: the second)")
    ps.add_argument("-o", dest="output", metavar="FILE.png",
                    help="output file (default: <SWEEP>-<metric>.png beside the file)")
    ps.add_argument("-q", dest="quiet", action="store_true", help="do not print the file name")
    ps.add_argument("--dump-json", metavar="FILE",
                    help="also write the heat map's cells and their labels as JSON")
    a = p.parse_args(argv)
    if a.cmd == "run" and a.max_points < 2:
        p.error("--max-points must be at least 2")
    try:
        return cmd_run(a) if a.cmd == "run" else cmd_sweep(a)
    except UsageError as e:
        sys.stderr.write("%s: error: %s\n" % (PROG, e))
        return 2
    except WriteError as e:
        sys.stderr.write("%s: error: cannot write %s\n" % (PROG, e))
        return 3


if __name__ == "__main__":
    sys.exit(main())
