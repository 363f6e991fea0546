# tests/e2e/lib.sh — sourced by every tests/e2e/t*.sh (run by run.sh from the repository
# root, with $DCSIM the binary under test and $TMP_DIR a fresh directory of the test's own).
# A test calls the helpers below for each check, keeps going after a failed one, prints
# nothing while all is well, and ends with `finish` (exit 1 if any check failed).
# shellcheck shell=bash disable=SC2034  # REPO, DATA, H5CHECK, ...: used by the tests

: "${DCSIM:?set DCSIM to the dcsim binary}" "${TMP_DIR:?set TMP_DIR to a scratch directory}"
REPO=$(pwd)
PY=/usr/bin/python3                 # Debian's python with h5py (../shared/toolchain.md)
E2E=$REPO/tests/e2e
DATA=$REPO/tests/data
H5CHECK=$E2E/h5check.py
export PYTHONDONTWRITEBYTECODE=1    # no __pycache__ beside the helpers
failures=0

# skip REASON...: the test cannot run here (a tool or file is missing): says so and ends it
# with status 77, which run.sh reports as SKIPPED (never as passed).
skip() {
    echo "SKIPPED: $*"
    exit 77
}

# fail MESSAGE...: records a failed check.
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# expect_status WANT GOT WHAT: the exit status of WHAT was GOT; WANT expected.
expect_status() {
    [ "$2" = "$1" ] || fail "$3: exit status $2, expected $1"
}

# expect_grep PATTERN FILE WHAT: FILE has a line matching the extended regex PATTERN.
expect_grep() {
    grep -Eq -- "$1" "$2" || { fail "$3: no line matching /$1/ in:"; sed 's/^/    | /' "$2" | head -20; }
}

# expect_no_grep PATTERN FILE WHAT
expect_no_grep() {
    if grep -Eq -- "$1" "$2"; then fail "$3: unexpected line matching /$1/:"; grep -E -- "$1" "$2" | head -5; fi
}

# dir_list DIR: the names in DIR (dot files too), sorted, each followed by a space.
dir_list() {
    local f out=
    for f in "$1"/* "$1"/.[!.]* "$1"/..?*; do
        [ -e "$f" ] || [ -L "$f" ] && out="$out${f##*/} "
    done
    printf '%s' "$out"
}

# expect_empty_dir DIR WHAT: DIR exists and holds nothing (no output, no temporary files).
expect_empty_dir() {
    if [ ! -d "$1" ]; then fail "$2: directory $1 is gone"; return; fi
    local left
    left=$(dir_list "$1")
    [ -z "$left" ] || fail "$2: files left in $1: $left"
}

# expect_num GOT WANT TOL WHAT: |GOT - WANT| <= TOL (numbers as text).
expect_num() {
    "$PY" -c 'import sys; g, w, t = map(float, sys.argv[1:4]); sys.exit(not abs(g - w) <= t)' \
        "$1" "$2" "$3" 2>/dev/null || fail "$4: got '$1', expected $2 (within $3)"
}

# py_check WHAT CMD...: runs a python helper; its output lines are the problems it found.
py_check() {
    local what=$1 out
    shift
    if ! out=$("$PY" "$@" 2>&1); then
        fail "$what:"
        printf '%s\n' "$out" | sed 's/^/    /' | head -40
    fi
}

finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$failures check(s) failed"
        exit 1
    fi
    exit 0
}
