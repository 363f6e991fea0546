# dcsim — data-center power and cooling capacity simulator.
# Targets: all (./dcsim), test, asan, clean, install, deps, run-example.
# Pass CFLAGS=... freely: warnings and pkg-config flags live in their own variables.

CC       ?= cc
CFLAGS   ?= -O3 -g
PREFIX   ?= /usr/local
# make MPI=1: distributed sweeps (OpenMPI's mpicc; objects in build/mpi)
ifeq ($(MPI),1)
CC       := mpicc
BUILD    ?= build/mpi
MPI_DEFS := -DDCSIM_MPI
FLAVOR   := mpi
else
BUILD    ?= build
FLAVOR   := serial
endif
# the binary the end-to-end tests run (make asan: build/asan/dcsim)
DCSIM_BIN ?= dcsim
VERSION  := 0.1.0

# -Wno-format-truncation: key paths in messages are cut to their buffers on purpose.
WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-format-truncation \
            -D_POSIX_C_SOURCE=200809L
PKGS     := gsl yaml-0.1 hdf5-serial
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -lhdf5_hl -lm -lpthread
CHECK_CFLAGS := $(shell pkg-config --cflags check)
CHECK_LIBS   := $(shell pkg-config --libs check)
DEFS     := -DDCSIM_VERSION='"$(VERSION)"' -DDCSIM_MODELS_DIR='"$(abspath models)"' $(MPI_DEFS)

LIB_SRC  := $(filter-out sim/main.c,$(wildcard sim/*.c))
LIB_OBJ  := $(LIB_SRC:sim/%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libdcsim.a
UNIT_SRC := $(wildcard tests/unit/check_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test check unit e2e asan valgrind fuzz bench clean install deps run-example FORCE
all: dcsim

dcsim: $(BUILD)/main.o $(LIB) .dcsim-flavor
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(BUILD)/main.o $(LIB) $(PKG_LIBS)

# relink ./dcsim when switching between the serial and the MPI build
.dcsim-flavor: FORCE
	@[ "$$(cat $@ 2>/dev/null)" = "$(FLAVOR)" ] || echo $(FLAVOR) > $@
FORCE:

$(BUILD)/%.o: sim/%.c $(wildcard sim/*.h sim/*.def) | $(BUILD)
	$(CC) $(WARN) $(CFLAGS) $(PKG_CFLAGS) $(DEFS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB) tests/unit/testutil.h | $(BUILD)/tests
	$(CC) $(WARN) $(CFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) $(DEFS) -Isim -o $@ $< $(LIB) $(CHECK_LIBS) $(PKG_LIBS)

# The README's test command: unit and end-to-end tests, again under ASan + UBSan, and every
# command under valgrind's memcheck. `make check` is the quick loop (unit + e2e only).
test: check asan valgrind

check: unit e2e

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; DCSIM_TEST_DATA=tests/data $$t; done

e2e: $(DCSIM_BIN)
	@DCSIM=$(abspath $(DCSIM_BIN)) bash tests/e2e/run.sh

valgrind: dcsim
	@DCSIM=$(abspath dcsim) bash tests/e2e/valgrind.sh

# The tests again under AddressSanitizer and UBSan, in their own build directory.
asan:
	$(MAKE) BUILD=build/asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" build/asan/dcsim
	$(MAKE) BUILD=build/asan DCSIM_BIN=build/asan/dcsim \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" CK_FORK=no unit e2e

$(BUILD)/dcsim: $(BUILD)/main.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Fuzzing (issue 5): libFuzzer on scenario and sweep loading, with ASan + UBSan (clang;
# gcc has no libFuzzer). New inputs go to build/fuzz/corpus; the seeds are tests/fuzz/corpus.
FUZZ_SECONDS ?= 60
FUZZ_BIN := build/fuzz/fuzz_scenario
fuzz: $(FUZZ_BIN)
	mkdir -p build/fuzz/corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	  -print_final_stats=1 build/fuzz/corpus tests/fuzz/corpus

$(FUZZ_BIN): tests/fuzz/fuzz_scenario.c $(LIB_SRC) $(wildcard sim/*.h sim/*.def)
	mkdir -p build/fuzz
	clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -D_POSIX_C_SOURCE=200809L $(PKG_CFLAGS) $(DEFS) -Isim -o $@ tests/fuzz/fuzz_scenario.c \
	  $(LIB_SRC) $(PKG_LIBS)

# Benchmarks (a report on stdout; they measure, never fail): see bench/bench.sh.
bench: dcsim build/bench/runstat build/bench/io_floor build/bench/bench_solver
	bash bench/bench.sh

build/bench/runstat: bench/runstat.c
	@mkdir -p build/bench
	$(CC) $(WARN) -U_POSIX_C_SOURCE -O2 -o $@ $<

build/bench/io_floor: bench/io_floor.c
	@mkdir -p build/bench
	$(CC) $(WARN) -O2 $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS)

build/bench/bench_solver: bench/bench_solver.c $(LIB)
	@mkdir -p build/bench
	$(CC) $(WARN) $(CFLAGS) $(PKG_CFLAGS) $(DEFS) -Isim -o $@ $< $(LIB) $(PKG_LIBS)

# Installs the packages (Debian 12). Uses sudo only when not root.
deps:
	@SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	$$SUDO apt-get update -qq && \
	$$SUDO apt-get install -y --no-install-recommends build-essential pkg-config \
	  libgsl-dev libyaml-dev libhdf5-dev hdf5-tools check python3-h5py python3-numpy \
	  python3-matplotlib libopenmpi-dev openmpi-bin valgrind

run-example: dcsim
	./dcsim run scenarios/abilene-conversion.yaml

install: dcsim
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/dcsim
	install -m 755 dcsim $(DESTDIR)$(PREFIX)/bin/dcsim
	cp -R models $(DESTDIR)$(PREFIX)/share/dcsim/

clean:
	rm -rf build dcsim .dcsim-flavor
