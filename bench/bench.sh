#!/usr/bin/env bash
# bench.sh — dcsim's benchmarks (issue 5), run by `make bench`. Prints one line per figure:
# what, the measurement, its floor or target, the ratio, and the peak memory (getrusage).
# Benchmarks measure; they never fail the build. Run on an idle machine for stable figures.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build/bench
mkdir -p "$B"
DCSIM=./dcsim
stat() { "$B/runstat" "$@" 2>&1 >/dev/null | tail -n 1; }   # "seconds MB"
row() { printf '%-46s %12s %14s %8s %9s\n' "$@"; }

# the scenarios: a one-site year at 1-minute steps, and an hourly conversion campus
sed 's/^timestep: 15min/timestep: 1min/' scenarios/iren-childress.yaml > "$B/year-1min.yaml"
sed 's/^timestep: 15min/timestep: 1h/; s/^name: .*/name: abilene-hourly/' \
    scenarios/abilene-conversion.yaml > "$B/abilene-1h.yaml"
python3 - "$B" <<'PY'
import sys
b = sys.argv[1]
with open(f"{b}/sweep-10k.yaml", "w") as f:
    f.write("base: abilene-1h.yaml\nmode: grid\nvary:\n")
    f.write("  sites.abilene.it.phase1.count: {from: 100, to: 1090, step: 10}\n")
    f.write("  sites.abilene.supply.oncor.contract_mw: {from: 101, to: 200, step: 1}\n")
PY

echo "dcsim benchmarks on $(nproc) cores ($(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
row "figure" "measured" "floor/target" "ratio" "peak MB"

# 1. a year at 1-minute steps, every series written, against the I/O floor
read -r t mb < <(stat "$DCSIM" run -q "$B/year-1min.yaml" -o "$B/year-1min.h5")
floor=$("$B/io_floor" "$B/year-1min.h5" "$B/floor.h5" | awk '{print $1}')
row "1-year 1-min run, all series (s)" "$t" "floor $floor" "$(awk -v a="$t" -v b="$floor" 'BEGIN{printf "%.2f", a/b}')" "$mb"
row "  same run, target (s)" "$t" "0.5" "$(awk -v a="$t" 'BEGIN{printf "%.2f", a/0.5}')" ""
read -r t mb < <(stat "$DCSIM" run -q --deflate 0 "$B/year-1min.yaml" -o "$B/year-1min-raw.h5")
floor=$("$B/io_floor" "$B/year-1min-raw.h5" "$B/floor-raw.h5" 0 | awk '{print $1}')
row "same run, --deflate 0 (s)" "$t" "floor $floor" "$(awk -v a="$t" -v b="$floor" 'BEGIN{printf "%.2f", a/b}')" "$mb"
row "  same run, target (s)" "$t" "0.5" "$(awk -v a="$t" 'BEGIN{printf "%.2f", a/0.5}')" ""

# 2. solver only, no series: site-steps per second. With one trial the synthetic weather is
#    computed at every step (exact: atan, cos, exp, log per step); with trials it is
#    tabulated once and shared, which leaves the solver itself.
read -r rate t mb < <("$B/bench_solver" "$B/year-1min.yaml" 1 1)
row "solver + weather, 1 thread (site-steps/s)" "$rate" "10000000" "$(awk -v a="$rate" 'BEGIN{printf "%.2f", 1e7/a}')" "$mb"
read -r rate t mb < <("$B/bench_solver" scenarios/campus-590mw.yaml 200 1)
row "solver only, 1 thread (site-steps/s)" "$rate" "10000000" "$(awk -v a="$rate" 'BEGIN{printf "%.2f", 1e7/a}')" "$mb"
read -r rate t mb < <("$B/bench_solver" scenarios/campus-590mw.yaml 1000 0)
row "solver only, $(nproc) threads (site-steps/s)" "$rate" "10000000" "$(awk -v a="$rate" 'BEGIN{printf "%.2f", 1e7/a}')" "$mb"

# 3. 1,000 hourly trial-years of the 590 MW scenario
read -r t mb < <(stat "$DCSIM" run -q scenarios/campus-590mw.yaml --trials 1000 -o "$B/trials.h5")
row "1000 hourly trial-years, 590 MW (s)" "$t" "2" "$(awk -v a="$t" 'BEGIN{printf "%.2f", a/2}')" "$mb"

# 4. fit of the 590 MW scenario with 100 trials
read -r t mb < <(stat "$DCSIM" fit scenarios/campus-590mw.yaml --trials 100)
row "fit 590 MW, 100 trials (s)" "$t" "5" "$(awk -v a="$t" 'BEGIN{printf "%.2f", a/5}')" "$mb"

# 5. a 10,000-case hourly sweep
read -r t mb < <(stat "$DCSIM" sweep -q "$B/sweep-10k.yaml" -o "$B/sweep-10k.h5")
cpm=$(awk -v a="$t" 'BEGIN{printf "%.0f", 10000/a*60}')
row "10,000-case hourly sweep (cases/min)" "$cpm" "10000" "$(awk -v a="$cpm" 'BEGIN{printf "%.2f", 10000/a}')" "$mb"
# 6. a year at 1-second steps, stored every minute (mean and max): bounded memory
sed 's/^timestep: 15min/timestep: 1s\noutput_every: 1min/' scenarios/iren-childress.yaml > "$B/year-1s.yaml"
read -r t mb < <(stat "$DCSIM" run -q "$B/year-1s.yaml" -o "$B/year-1s.h5")
row "1-year 1-s run, output_every 1min (peak MB)" "$mb" "100" "$(awk -v a="$mb" 'BEGIN{printf "%.2f", a/100}')" "$mb"
row "  same run (s)" "$t" "-" "-" ""
echo "(ratio: measured / floor, or target / measured for rates; <= 1 meets the target)"
