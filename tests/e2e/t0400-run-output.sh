#!/usr/bin/env bash
# Where `dcsim run` writes: results/<name>.h5 by default (relative to the working directory),
# -o elsewhere, through a temporary file renamed onto the destination (an existing file is
# replaced whole, a failed run leaves it alone); exit 3 when the destination cannot be
# written. Plus the small commands (--version, --help, help, models) and finding the catalog
# from any working directory, beside the binary, via $DCSIM_MODELS and --models.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh
scen=$DATA/handcheck.yaml             # name: handcheck-hybrid; 48 steps
name=handcheck-hybrid

# --- default output path, relative to the working directory
mkdir "$TMP_DIR/cwd"
(cd "$TMP_DIR/cwd" && "$DCSIM" run "$scen" --models "$REPO/models") >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "run without -o"
if [ -f "$TMP_DIR/cwd/results/$name.h5" ]; then
    got=$("$PY" "$H5CHECK" get "$TMP_DIR/cwd/results/$name.h5" //scenario_name)
    [ "$got" = "$name" ] || fail "results/$name.h5: scenario_name '$got'"
    left=$(dir_list "$TMP_DIR/cwd/results")
    [ "$left" = "$name.h5 " ] || fail "results/ holds '$left', not just $name.h5"
else
    fail "run without -o: no results/$name.h5 under the working directory"
fi
expect_grep "results/$name.h5" "$TMP_DIR/err" "run without -q says where it wrote"

# --- unwritable destination: exit 3, a message, nothing created
"$DCSIM" run -q -o /nonexistent/x.h5 "$scen" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 3 $? "run -o /nonexistent/x.h5"
expect_grep "/nonexistent/x.h5" "$TMP_DIR/err" "run -o /nonexistent/x.h5 names the file"
[ -e /nonexistent ] && fail "run -o /nonexistent/x.h5 created /nonexistent"

# --- destination is a directory: exit 2 before simulating (issue 10), the directory untouched,
# no temporary file left
mkdir -p "$TMP_DIR/d/out.h5"
"$DCSIM" run -q -o "$TMP_DIR/d/out.h5" "$scen" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "run -o DIRECTORY"
[ -d "$TMP_DIR/d/out.h5" ] || fail "run -o DIRECTORY: the directory is gone"
left=$(dir_list "$TMP_DIR/d")
[ "$left" = "out.h5 " ] || fail "run -o DIRECTORY left '$left' beside it"
expect_empty_dir "$TMP_DIR/d/out.h5" "run -o DIRECTORY"

# --- an existing destination is replaced by rename: a hard link to the old file keeps the old
# bytes (an in-place rewrite would change them), and nothing else is left in the directory.
mkdir "$TMP_DIR/r"
echo "old contents" >"$TMP_DIR/r/x.h5"
ln "$TMP_DIR/r/x.h5" "$TMP_DIR/r/old-link"
"$DCSIM" run -q -o "$TMP_DIR/r/x.h5" "$scen" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "run -o EXISTING"
got=$("$PY" "$H5CHECK" get "$TMP_DIR/r/x.h5" //scenario_name 2>&1)
[ "$got" = "$name" ] || fail "run -o EXISTING: the new file reads '$got'"
[ "$(cat "$TMP_DIR/r/old-link")" = "old contents" ] ||
    fail "run -o EXISTING rewrote the old file in place instead of renaming a new one onto it"
[ "$TMP_DIR/r/x.h5" -ef "$TMP_DIR/r/old-link" ] && fail "run -o EXISTING: still the old inode"
left=$(dir_list "$TMP_DIR/r")
[ "$left" = "old-link x.h5 " ] || fail "run -o EXISTING: the directory holds '$left'"
# a bad scenario leaves the existing destination alone
printf 'name: broken\nstart: 2027-01-01\nduration: 1d\nbogus: 1\nsites: []\n' >"$TMP_DIR/broken.yaml"
cp "$TMP_DIR/r/x.h5" "$TMP_DIR/before.h5"
"$DCSIM" run -q -o "$TMP_DIR/r/x.h5" "$TMP_DIR/broken.yaml" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "run -o EXISTING with a bad scenario"
cmp -s "$TMP_DIR/r/x.h5" "$TMP_DIR/before.h5" || fail "a failed run changed the existing destination"
left=$(dir_list "$TMP_DIR/r")
[ "$left" = "old-link x.h5 " ] || fail "failed run -o EXISTING: the directory holds '$left'"

# --- version, help, usage errors
"$DCSIM" --version >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "--version"
expect_grep '^dcsim [0-9]+\.[0-9]+\.[0-9]+' "$TMP_DIR/out" "--version"
v=$(awk '{print $2}' "$TMP_DIR/out")
got=$("$PY" "$H5CHECK" get "$TMP_DIR/r/x.h5" //dcsim_version 2>&1)
[ "$got" = "$v" ] || fail "dcsim_version attribute '$got' differs from --version '$v'"
"$DCSIM" --help >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "--help"
for c in run check models; do expect_grep "^ +$c " "$TMP_DIR/out" "--help lists $c"; done
"$DCSIM" help run >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "help run"
expect_grep '^usage: dcsim run ' "$TMP_DIR/out" "help run"
expect_grep ' -o ' "$TMP_DIR/out" "help run mentions -o"
"$DCSIM" help check >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "help check"
expect_grep '^usage: dcsim check ' "$TMP_DIR/out" "help check"
"$DCSIM" run --help >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 0 $? "run --help"
expect_grep '^usage: dcsim run ' "$TMP_DIR/out" "run --help"
"$DCSIM" frobnicate >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "unknown command"
expect_grep "frobnicate" "$TMP_DIR/err" "unknown command is named"
"$DCSIM" >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "no command"
"$DCSIM" run >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "run without a scenario"
"$DCSIM" run "$scen" --bogus-option >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "run with an unknown option"
"$DCSIM" run "$scen" -o "$TMP_DIR/u.h5" --seed -5 >"$TMP_DIR/out" 2>"$TMP_DIR/err"
expect_status 2 $? "run --seed -5"
[ -e "$TMP_DIR/u.h5" ] && fail "run --seed -5 wrote $TMP_DIR/u.h5"

# --- the catalog, from any working directory
cd "$TMP_DIR" || exit 1
"$DCSIM" models >out 2>err
expect_status 0 $? "models (from $TMP_DIR)"
for id in gb300-nvl72 bwrx-300 west-texas; do expect_grep "^ +$id " out "models lists $id"; done
"$DCSIM" models racks >out 2>err
expect_status 0 $? "models racks"
expect_grep "^ +gb300-nvl72 " out "models racks lists gb300-nvl72"
expect_no_grep "bwrx-300|west-texas" out "models racks lists only racks"
"$DCSIM" run -q -o campus.h5 "$REPO/scenarios/campus-590mw.yaml" >out 2>err
expect_status 0 $? "run a bundled scenario from $TMP_DIR without --models"
[ -f campus.h5 ] || fail "run from $TMP_DIR: no campus.h5"

# beside the binary: a copy of dcsim with its own models/ (one extra rack) finds that one
mkdir -p bin env-models
cp "$DCSIM" bin/dcsim
cp -R "$REPO/models" bin/models
cp -R "$REPO/models/." env-models/
printf 'id: e2e-beside\npower_max_kw: 10\npower_idle_kw: 1\nliquid_fraction: 0\n' >bin/models/racks/e2e-beside.yaml
printf 'id: e2e-env\npower_max_kw: 10\npower_idle_kw: 1\nliquid_fraction: 0\n' >env-models/racks/e2e-env.yaml
bin/dcsim models racks >out 2>err
expect_status 0 $? "a copied dcsim: models racks"
expect_grep "^ +e2e-beside " out "the catalog beside the binary is used"
DCSIM_MODELS=$TMP_DIR/env-models bin/dcsim models racks >out 2>err
expect_grep "^ +e2e-env " out "DCSIM_MODELS is used"
expect_no_grep "e2e-beside" out "DCSIM_MODELS comes before the catalog beside the binary"
DCSIM_MODELS=$TMP_DIR/env-models bin/dcsim models racks --models "$TMP_DIR/bin/models" >out 2>err
expect_grep "^ +e2e-beside " out "--models comes before DCSIM_MODELS"
finish
