#!/usr/bin/env bash
# tests/e2e/run.sh — runs every tests/e2e/t*.sh against $DCSIM (default ./dcsim).
# Each test runs from the repository root with DCSIM (absolute) and a fresh TMP_DIR; its output
# is shown only when it fails; a test that exits 77 (lib.sh skip) is reported SKIPPED with its
# reason. The last line is `e2e: N passed, M failed, K skipped`; exit 1 if any failed.
# Usage: DCSIM=./dcsim bash tests/e2e/run.sh [NAME-PATTERN]   (E2E_KEEP=1 keeps the temp dirs)
set -u
cd "$(dirname "$0")/../.." || exit 1
DCSIM=${DCSIM:-./dcsim}
case $DCSIM in
    */*) DCSIM=$(cd "$(dirname "$DCSIM")" && pwd)/$(basename "$DCSIM") ;;
    *) DCSIM=$(command -v "$DCSIM") ;;
esac
if [ ! -x "$DCSIM" ]; then
    echo "e2e: no executable dcsim at '$DCSIM' (run make first)" >&2
    echo "e2e: 0 passed, 1 failed"
    exit 1
fi
export DCSIM
unset DCSIM_MODELS                     # tests find the catalog the way a user would
pattern=${1:-}
passed=0 failed=0 skipped=0
# now_us: microseconds since the epoch; elapsed T0: the time since now_us gave T0, as "1.2 s"
now_us() { local t=$EPOCHREALTIME; echo "${t/[.,]/}"; }
elapsed() { local d=$(( $(now_us) - $1 )); printf '%d.%d s' $((d / 1000000)) $((d / 100000 % 10)); }
t_all=$(now_us)
for t in tests/e2e/t[0-9]*.sh; do
    name=$(basename "$t" .sh)
    case $name in *"$pattern"*) ;; *) continue ;; esac
    TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dcsim-e2e.$name.XXXXXX")
    export TMP_DIR
    log=$(mktemp "${TMPDIR:-/tmp}/dcsim-e2e.$name.log.XXXXXX")
    t0=$(now_us)
    timeout 300 bash "$t" >"$log" 2>&1
    rc=$?
    secs=$(elapsed "$t0")
    if [ "$rc" -eq 0 ]; then
        echo "ok   $name ($secs)"
        passed=$((passed + 1))
    elif [ "$rc" -eq 77 ]; then
        echo "SKIPPED $name: $(grep -m1 '^SKIPPED: ' "$log" | sed 's/^SKIPPED: //')"
        skipped=$((skipped + 1))
    else
        printf 'FAIL %s (exit %d)\n' "$name" "$rc"
        sed 's/^/    /' "$log" | head -80
        failed=$((failed + 1))
    fi
    rm -f "$log"
    if [ -z "${E2E_KEEP:-}" ]; then rm -rf "$TMP_DIR"; else echo "    kept $TMP_DIR"; fi
done
echo "(e2e total $(elapsed "$t_all"))"
echo "e2e: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
