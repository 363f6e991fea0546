#!/usr/bin/env bash
# Issue 10, item 12: `make install` puts the binary, the catalog, the plot tool (dcsim-plot),
# the man page dcsim(1) and the bash completion in place under DESTDIR/PREFIX; `make uninstall`
# removes them again. The installed binary finds the installed catalog.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. tests/e2e/lib.sh

# (a clean environment: under `make asan` the sanitizer's CFLAGS, LDFLAGS and BUILD are in it,
# and `make install` would relink ./dcsim with them, which the valgrind stage then runs)
root=$TMP_DIR/root
prefix=/opt/dcsim-test
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CFLAGS -u LDFLAGS -u BUILD -u DCSIM_BIN make -s install DESTDIR="$root" PREFIX="$prefix" >"$TMP_DIR/out" 2>&1 ||
    { fail "make install:"; sed 's/^/    | /' "$TMP_DIR/out" | head; }
for f in bin/dcsim bin/dcsim-plot share/man/man1/dcsim.1 \
         share/bash-completion/completions/dcsim share/dcsim/models/racks; do
    [ -e "$root$prefix/$f" ] || fail "make install: no $prefix/$f"
done
[ -x "$root$prefix/bin/dcsim-plot" ] || fail "dcsim-plot is not executable"
"$root$prefix/bin/dcsim" models racks >"$TMP_DIR/out" 2>&1
expect_status 0 $? "the installed dcsim lists the installed catalog"
bash -n "$root$prefix/share/bash-completion/completions/dcsim" || fail "completion: syntax"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CFLAGS -u LDFLAGS -u BUILD -u DCSIM_BIN make -s uninstall DESTDIR="$root" PREFIX="$prefix" >"$TMP_DIR/out" 2>&1 || fail "make uninstall"
left=$(find "$root" -type f | head -5)
[ -z "$left" ] || fail "make uninstall left: $left"
finish
