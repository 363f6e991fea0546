#!/usr/bin/env bash
# Smaller hardening (issue 11 item 9): a map of 99,000 keys is checked for duplicates in
# O(n log n) (it took 16.5 s when every key was compared with every other), and a duplicate
# among them is reported at its place with the first one's line; a "\0" inside an id is
# refused instead of cutting the id short; escape characters from a file reach the terminal
# as \xNN, not raw.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
cd "$TMP_DIR" || exit 1
"$PY" - <<'PY'
with open("many.yaml", "w") as f:
    f.write("name: many\nstart: 2027-01-01\nduration: 1d\nsites: []\nextra:\n")
    for i in range(99000):
        f.write("  k%d: %d\n" % (i, i))
with open("dup.yaml", "w") as f:
    f.write("name: dup\nstart: 2027-01-01\nduration: 1d\nsites: []\nextra:\n")
    for i in range(99000):
        f.write("  k%d: %d\n" % (i if i != 77777 else 12345, i))
PY
# (its time is measured by `make bench`'s habits, not here: this checks the large-map path)
"$DCSIM" check many.yaml >out.txt 2>err.txt
expect_status 2 $? "check of a 99,000-key map (an unknown key 'extra')"
expect_grep "unknown key 'extra'" err.txt "the map was read to the end"
"$DCSIM" check dup.yaml >out.txt 2>err.txt
expect_status 2 $? "check of a duplicate among 99,000 keys"
expect_grep "^dup\.yaml:77783:3: error: duplicate key 'k12345' \(first at line 12351\)" err.txt \
    "the duplicate at its place"
printf 'name: nul\nstart: 2027-01-01\nduration: 1d\nsites:\n  - {id: "a\\0b"}\n' >nul.yaml
"$DCSIM" check nul.yaml >out.txt 2>err.txt
expect_status 2 $? "check of an id with a NUL"
expect_grep "^nul\.yaml:5:[0-9]+: error: a NUL character" err.txt "NUL refused with its place"
printf 'name: esc\nstart: 2027-01-01\nduration: 1d\nsites: []\n"bad\\e[31mkey": 1\n' >esc.yaml
"$DCSIM" check esc.yaml >out.txt 2>err.txt
expect_status 2 $? "check of a key with an escape"
expect_grep 'bad\\x1b\[31mkey' err.txt "the escape shown as \\x1b"
if grep -q $'\x1b' err.txt; then fail "a raw escape character reached the terminal"; fi
finish
