#!/usr/bin/env bash
# Series chunks compressed on a pool of threads and written directly (issue 12): the result
# file is byte-identical whatever -j (the compression threads follow it) and between identical
# runs; every stored chunk is exactly what HDF5's own filter pipeline stores for the same
# values (h5py writing them with gzip 1 + shuffle and 4096-row chunks), the partial last chunk
# included, so any reader opens it; --deflate 0 declares no filter at all. Issue 11: a run of
# a thousand sites stopped by SIGTERM at any moment exits within 2 s and leaves nothing.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

# 10 days at 1 minute: 14400 rows, three whole chunks of 4096 and a partial one of 2112
sed -e 's/^duration: 1y/duration: 10d/' -e 's/^timestep: 15min/timestep: 1min/' \
    scenarios/iren-childress.yaml >"$TMP_DIR/ten.yaml"
grep -q '^duration: 10d' "$TMP_DIR/ten.yaml" || fail "ten.yaml: no 10-day duration"
for j in 1 2 3; do
    "$DCSIM" run -q -j $j "$TMP_DIR/ten.yaml" -o "$TMP_DIR/j$j.h5" >/dev/null 2>&1
    expect_status 0 $? "run -j $j"
done
"$DCSIM" run -q -j 2 "$TMP_DIR/ten.yaml" -o "$TMP_DIR/j2-again.h5" >/dev/null 2>&1
cmp -s "$TMP_DIR/j1.h5" "$TMP_DIR/j2.h5" || fail "-j 1 and -j 2 files differ (cmp)"
cmp -s "$TMP_DIR/j1.h5" "$TMP_DIR/j3.h5" || fail "-j 1 and -j 3 files differ (cmp)"
cmp -s "$TMP_DIR/j2.h5" "$TMP_DIR/j2-again.h5" || fail "two identical runs differ (cmp)"
# a multi-site bundled scenario too (sites stepped on threads, chunks compressed on them)
for j in 1 2; do
    "$DCSIM" run -q -j $j scenarios/campus-590mw.yaml --trials 1 -o "$TMP_DIR/campus$j.h5" >/dev/null 2>&1
    expect_status 0 $? "run campus-590mw -j $j"
done
cmp -s "$TMP_DIR/campus1.h5" "$TMP_DIR/campus2.h5" || fail "campus-590mw: -j 1 and -j 2 differ (cmp)"

"$DCSIM" run -q --deflate 0 "$TMP_DIR/ten.yaml" -o "$TMP_DIR/raw.h5" >/dev/null 2>&1
expect_status 0 $? "run --deflate 0"

# CHECK.py A.h5 RAW.h5 OUT.h5: every series of A against h5py's own pipeline, RAW unfiltered
cat >"$TMP_DIR/chunks.py" <<'PY'
import sys
import h5py
import numpy as np
a_path, raw_path, out_path = sys.argv[1:4]
bad = []
names = []
with h5py.File(a_path, "r") as a, h5py.File(raw_path, "r") as raw, h5py.File(out_path, "w") as out:
    a.visititems(lambda n, o: names.append(n)
                 if isinstance(o, h5py.Dataset) and o.ndim == 1 and o.dtype.kind == "f"
                 and o.maxshape == (None,) else None)
    if len(names) < 40:
        bad.append("only %d series" % len(names))
    partial = 0
    for n in names:
        ds = a[n]
        if ds.chunks != (4096,) or ds.compression != "gzip" or ds.compression_opts != 1 \
                or not ds.shuffle:
            bad.append("%s: chunks %s, %s %s, shuffle %s" % (n, ds.chunks, ds.compression,
                                                             ds.compression_opts, ds.shuffle))
            continue
        x = ds[()]
        if x.shape != (14400,):
            bad.append("%s: shape %s" % (n, x.shape))
        # the same values through HDF5's filter pipeline, then chunk by chunk the same bytes
        ref = out.create_dataset(n, data=x, chunks=(4096,), maxshape=(None,),
                                 compression="gzip", compression_opts=1, shuffle=True)
        nc = ds.id.get_num_chunks()
        if nc != 4 or ref.id.get_num_chunks() != nc:
            bad.append("%s: %d chunks" % (n, nc))
        for k in range(nc):
            off = (k * 4096,)
            mask_a, bytes_a = ds.id.read_direct_chunk(off)
            mask_r, bytes_r = ref.id.read_direct_chunk(off)
            if mask_a != 0 or mask_r != 0 or bytes_a != bytes_r:
                bad.append("%s: chunk %d differs from HDF5's pipeline (%d vs %d bytes)"
                           % (n, k, len(bytes_a), len(bytes_r)))
        partial += 1
        r = raw[n]
        if r.compression is not None or r.shuffle or r.chunks != (4096,):
            bad.append("%s in --deflate 0: filters %s shuffle %s" % (n, r.compression, r.shuffle))
        if not np.array_equal(r[()], x, equal_nan=True):
            bad.append("%s: --deflate 0 values differ" % n)
        if r.id.get_chunk_info(3).size != 4096 * 8:
            bad.append("%s: --deflate 0 last chunk %d bytes" % (n, r.id.get_chunk_info(3).size))
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
PY
py_check "chunks are HDF5's pipeline's bytes; --deflate 0 unfiltered" "$TMP_DIR/chunks.py" \
    "$TMP_DIR/j2.h5" "$TMP_DIR/raw.h5" "$TMP_DIR/h5py.h5"
[ "$(stat -c %s "$TMP_DIR/raw.h5")" -gt "$(( 3 * $(stat -c %s "$TMP_DIR/j2.h5") ))" ] ||
    fail "--deflate 0 is not much larger than deflate 1"

# a thousand sites, a day at 1 minute: SIGTERM while the layout is made, while the run goes
# and while the results are written: exit 3 within 2 s, nothing left at the destination
case $DCSIM in */asan/*) finish ;; esac   # ASan's slowness makes the timing meaningless
"$PY" - "$TMP_DIR/many.yaml" <<'PY'
import sys
lines = ["name: many", "start: 2030-01-01", "duration: 1d", "timestep: 1min", "sites:"]
for i in range(1000):
    lines += ["  - id: s%d" % i,
              "    weather: {constant: {drybulb_c: 30, wetbulb_c: 22}}",
              "    supply: [{id: g, type: grid, contract_mw: 10}]",
              "    it: [{id: p1, rack: gb300-nvl72, count: 10, workload: constant, utilization: 0.5}]",
              "    cooling: {liquid: {capacity_mw: 5, rejection: hybrid}, air: {capacity_mw: 1}}"]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
mkdir "$TMP_DIR/out"
for delay in 1 4 8; do
    "$DCSIM" run -q "$TMP_DIR/many.yaml" -o "$TMP_DIR/out/m.h5" >/dev/null 2>"$TMP_DIR/err.txt" &
    pid=$!
    sleep "$delay"
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid"
        echo "note: the run ended before ${delay}s"
        rm -f "$TMP_DIR/out/m.h5"
        continue
    fi
    t0=$EPOCHREALTIME
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    t1=$EPOCHREALTIME
    expect_status 3 "$rc" "SIGTERM after ${delay}s"
    "$PY" -c 'import sys; sys.exit(float(sys.argv[2]) - float(sys.argv[1]) > 2.0)' "$t0" "$t1" ||
        fail "SIGTERM after ${delay}s: exit took more than 2 s"
    expect_empty_dir "$TMP_DIR/out" "SIGTERM after ${delay}s"
done
finish
