#!/usr/bin/env bash
# sim/ is one folder a layer (docs/architecture.md); no file includes a header of a layer
# above its own, and the checker itself catches an upward include.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

"$PY" "$E2E/layers.py" sim >"$TMP_DIR/out" 2>&1
expect_status 0 $? "layers.py on sim/ ($(head -3 "$TMP_DIR/out"))"

# the checker fails on an upward include (physics including a command header)
mkdir -p "$TMP_DIR/sim"
cp -R sim/. "$TMP_DIR/sim/"
printf '#include "cli.h"\n' >>"$TMP_DIR/sim/physics/cooling.c"
"$PY" "$E2E/layers.py" "$TMP_DIR/sim" >"$TMP_DIR/out" 2>&1
expect_status 1 $? "layers.py on a tree with an upward include"
expect_grep "physics/cooling.c:[0-9]+: includes commands/cli.h" "$TMP_DIR/out" "names the include"
finish
