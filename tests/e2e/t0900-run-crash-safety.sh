#!/usr/bin/env bash
# t0900-run-crash-safety: a run stopped at any moment leaves no file (or the previous
# complete one) at its destination; SIGINT stops it (and fit) cleanly (exit 3, no temporary file); a
# write failure (file size limit, like a full disk) gives exit 3, a message and no file.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

# a run of several seconds: 60 days at 1-second steps, written every second
sed 's/^duration: 30min/duration: 60d/' scenarios/outage-ride-through.yaml > "$TMP_DIR/long.yaml"
mkdir "$TMP_DIR/out"

# a previous complete result at the destination, to be kept by every failed run below
"$DCSIM" run -q scenarios/outage-ride-through.yaml -o "$TMP_DIR/out/r.h5" >/dev/null 2>&1
cp "$TMP_DIR/out/r.h5" "$TMP_DIR/previous.h5"

# SIGKILL at several moments: the destination is still the previous file, byte for byte
for delay in 0.05 0.3 0.8 1.5; do
    "$DCSIM" run -q "$TMP_DIR/long.yaml" -o "$TMP_DIR/out/r.h5" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    cmp -s "$TMP_DIR/out/r.h5" "$TMP_DIR/previous.h5" ||
        fail "SIGKILL after ${delay}s: the destination is not the previous complete file"
    # what a killed process leaves is its own temporary file, never a partial destination
    rm -f "$TMP_DIR"/out/r.h5.tmp.*
done

# SIGINT: exit 3, a message, the previous file kept, no temporary file left
for delay in 0.3 1.0; do
    "$DCSIM" run -q "$TMP_DIR/long.yaml" -o "$TMP_DIR/out/r.h5" >/dev/null 2>"$TMP_DIR/int.err" &
    pid=$!
    sleep "$delay"
    kill -INT "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    expect_status 3 "$rc" "SIGINT after ${delay}s"
    expect_grep "interrupted: nothing was written" "$TMP_DIR/int.err" "SIGINT after ${delay}s"
    cmp -s "$TMP_DIR/out/r.h5" "$TMP_DIR/previous.h5" ||
        fail "SIGINT after ${delay}s: the destination changed"
    [ "$(dir_list "$TMP_DIR/out")" = "r.h5 " ] ||
        fail "SIGINT after ${delay}s: files left: $(dir_list "$TMP_DIR/out")"
done

# fit (many runs of the campus over 100 trials) stops within a second of SIGINT and of
# SIGTERM too: exit 3, says it was interrupted, writes nothing (issue 11: every long loop
# polls the stop flag)
for sig in INT TERM; do
    "$DCSIM" fit scenarios/campus-590mw.yaml -o "$TMP_DIR/out/fit.h5" >/dev/null 2>"$TMP_DIR/fit.err" &
    pid=$!
    sleep 1.5
    t0=$EPOCHREALTIME
    kill -"$sig" "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.2f", b - a}')
    expect_status 3 "$rc" "fit stopped by SIG$sig"
    expect_grep "interrupted: nothing was written to .*fit.h5" "$TMP_DIR/fit.err" "fit stopped by SIG$sig"
    awk -v t="$took" 'BEGIN {exit !(t < 1.0)}' || fail "fit stopped by SIG$sig: exit after $took s (> 1 s)"
    [ "$(dir_list "$TMP_DIR/out")" = "r.h5 " ] ||
        fail "fit stopped by SIG$sig: files left: $(dir_list "$TMP_DIR/out")"
done

# a write failure half-way (a 2 MB file size limit stands in for a full disk): exit 3, a
# message naming the destination, nothing left behind
mkdir "$TMP_DIR/full"
(
    ulimit -f 2048
    trap '' XFSZ   # writes past the limit then fail with EFBIG instead of killing dcsim
    "$DCSIM" run -q scenarios/iren-childress.yaml -o "$TMP_DIR/full/x.h5" >/dev/null 2>"$TMP_DIR/full.err"
)
rc=$?
expect_status 3 "$rc" "run past the file size limit"
expect_grep "full/x.h5.*cannot write" "$TMP_DIR/full.err" "run past the file size limit"
[ -z "$(dir_list "$TMP_DIR/full")" ] || fail "run past the file size limit: left $(dir_list "$TMP_DIR/full")"

# a destination whose directory is a file: exit 3, nothing written
touch "$TMP_DIR/afile"
"$DCSIM" run -q scenarios/outage-ride-through.yaml -o "$TMP_DIR/afile/x.h5" >/dev/null 2>"$TMP_DIR/nd.err"
expect_status 3 $? "run into a path under a file"
expect_grep "afile/x.h5" "$TMP_DIR/nd.err" "run into a path under a file"
finish
