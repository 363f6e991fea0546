# dcsim — data-center power and cooling capacity simulator.
# Targets: all (./dcsim), test, asan, clean, install, deps, run-example.
# Pass CFLAGS=... freely: warnings and pkg-config flags live in their own variables.

CC       ?= cc
CFLAGS   ?= -O3 -g
# Link-time optimisation of the binaries that simulate (./dcsim, bench_solver): the step's
# calls across files inline (~10 % less CPU in a sweep). The objects keep their regular code
# too (fat), so the unit tests link without it. LTO= builds without.
LTO      ?= -flto=auto -ffat-lto-objects
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

WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -D_POSIX_C_SOURCE=200809L
# -Wno-format-truncation: key paths in messages are cut to their buffers on purpose (gcc's
# warning; clang has none, and rejects the option under -Werror: `make CC=clang` builds too)
ifeq ($(shell $(CC) -Werror -Wno-format-truncation -x c -c -o /dev/null /dev/null 2>/dev/null && echo ok),ok)
WARN     += -Wno-format-truncation
endif
PKGS     := gsl yaml-0.1 hdf5-serial zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
# HDF5 from its archive where the distribution ships one (Debian's libhdf5-dev does): the
# shared library brings libcurl and a TLS stack for its S3 driver, 35 libraries to load,
# ~12 ms of every dcsim process's start (a run, a sweep's rank, a test). HDF5_STATIC=0
# links the shared library.
HDF5_LIBDIR := $(patsubst -L%,%,$(filter -L%,$(shell pkg-config --libs-only-L hdf5-serial)))
HDF5_STATIC ?= $(if $(wildcard $(HDF5_LIBDIR)/libhdf5.a $(HDF5_LIBDIR)/libhdf5_hl.a),1,0)
HDF5_SHARED := $(shell pkg-config --libs hdf5-serial) -lhdf5_hl
ifeq ($(HDF5_STATIC),1)
HDF5_LIBS  := $(HDF5_LIBDIR)/libhdf5_hl.a $(HDF5_LIBDIR)/libhdf5.a -lsz -ldl
else
HDF5_LIBS  := $(HDF5_SHARED)
endif
OTHER_LIBS := $(shell pkg-config --libs gsl yaml-0.1) $(shell pkg-config --libs zlib) -lm -lpthread
PKG_LIBS   := $(HDF5_LIBS) $(OTHER_LIBS)
# the fuzz harnesses keep the shared library: their leak suppressions name it
# (tests/fuzz/lsan.supp: HDF5's own losses on corrupt files)
FUZZ_LIBS  := $(HDF5_SHARED) $(OTHER_LIBS)
CHECK_CFLAGS := $(shell pkg-config --cflags check)
CHECK_LIBS   := $(shell pkg-config --libs check)
DEFS     := -DDCSIM_VERSION='"$(VERSION)"' -DDCSIM_MODELS_DIR='"$(abspath models)"' $(MPI_DEFS)

# sim/ has a folder a layer (docs/architecture.md): core, input, physics, solver, output,
# workflows, commands. Objects are flat in $(BUILD) (file names are unique across layers).
SIM_DIRS := $(sort $(dir $(wildcard sim/*/*.c)))
SIM_INC  := $(addprefix -I,$(SIM_DIRS))
SIM_DEPS := $(wildcard sim/*/*.h sim/*/*.def)
vpath %.c $(SIM_DIRS)
LIB_SRC  := $(filter-out sim/commands/main.c,$(wildcard sim/*/*.c))
LIB_OBJ  := $(addprefix $(BUILD)/,$(notdir $(LIB_SRC:.c=.o)))
LIB      := $(BUILD)/libdcsim.a
UNIT_SRC := $(wildcard tests/unit/check_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test check unit e2e asan valgrind fuzz fuzz-smoke bench clean install uninstall deps run-example FORCE
all: dcsim

dcsim: $(BUILD)/main.o $(LIB) .dcsim-flavor
	$(CC) $(CFLAGS) $(LTO) $(LDFLAGS) -o $@ $(BUILD)/main.o $(LIB) $(PKG_LIBS)

# relink ./dcsim when switching between the serial and the MPI build
.dcsim-flavor: FORCE
	@[ "$$(cat $@ 2>/dev/null)" = "$(FLAVOR)" ] || echo $(FLAVOR) > $@
FORCE:

$(BUILD)/%.o: %.c $(SIM_DEPS) | $(BUILD)
	$(CC) $(WARN) $(CFLAGS) $(FILE_CFLAGS) $(LTO) $(PKG_CFLAGS) $(SIM_INC) $(DEFS) -c -o $@ $<
# psychro.c, cooling.c: sqrt without errno (nothing reads it), so that the loops of Stull
# wet bulbs (psychro_wetbulb_stull_n) and of the cooling's weather part (cooling_liquid_at_n)
# have no branch and vectorise; the same bits
$(BUILD)/psychro.o $(BUILD)/cooling.o: FILE_CFLAGS := -fno-math-errno

$(LIB): $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB) tests/unit/testutil.h | $(BUILD)/tests
	$(CC) $(WARN) $(CFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) $(DEFS) $(SIM_INC) -o $@ $< $(LIB) $(CHECK_LIBS) $(PKG_LIBS)

# The README's test command: unit and end-to-end tests, again under ASan + UBSan, and every
# command under valgrind's memcheck, and a few seconds of each fuzz harness. `make check` is
# the quick loop (unit + e2e only).
test: check asan valgrind fuzz-smoke

check: unit e2e

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; DCSIM_TEST_DATA=tests/data $$t; done

e2e: $(DCSIM_BIN)
	@DCSIM=$(abspath $(DCSIM_BIN)) bash tests/e2e/run.sh

valgrind: dcsim
	@DCSIM=$(abspath dcsim) bash tests/e2e/valgrind.sh

# The tests again under AddressSanitizer and UBSan, in their own build directory.
asan:
	$(MAKE) BUILD=build/asan LTO= \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" build/asan/dcsim
	$(MAKE) BUILD=build/asan LTO= DCSIM_BIN=build/asan/dcsim \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" CK_FORK=no unit e2e

$(BUILD)/dcsim: $(BUILD)/main.o $(LIB)
	$(CC) $(CFLAGS) $(LTO) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Fuzzing (issues 5, 11): libFuzzer harnesses built by clang with ASan, UBSan and
# float-cast-overflow (which gcc's UBSan lacks), the library in build/fuzz/obj:
#   scenario  scenario and sweep loading        h5read    the HDF5 readers (compare, --resume)
#   sweep     sweep files, cases, /cases I/O   simulate  parse, then a short simulation
# `make fuzz` runs each for FUZZ_SECONDS (new inputs in build/fuzz/corpus-NAME, seeds in
# tests/fuzz/corpus-*); `make fuzz-smoke` (part of `make test`) runs each for a few seconds.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_NAMES := scenario h5read sweep simulate
FUZZ_BINS := $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
FUZZ_CFLAGS := -g -O1 -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
FUZZ_WARN := $(filter-out -Wno-format-truncation,$(WARN))
FUZZ_OBJ := $(addprefix build/fuzz/obj/,$(notdir $(LIB_SRC:.c=.o)))
fuzz_seeds = tests/fuzz/corpus-$(if $(filter simulate,$(1)),scenario,$(if $(filter h5read,$(1)),h5 tests/fuzz/hdf5-crashes,$(1)))
# run_fuzz NAME SECONDS: one harness on its corpus; fails on a finding
run_fuzz = mkdir -p build/fuzz/corpus-$(1) && ASAN_OPTIONS=detect_leaks=1$(if $(filter h5read,$(1)),:fast_unwind_on_malloc=0:allocator_may_return_null=1) \
	  LSAN_OPTIONS=suppressions=$(abspath tests/fuzz/lsan.supp) build/fuzz/fuzz_$(1) \
	  -max_total_time=$(2) -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	  -artifact_prefix=build/fuzz/ build/fuzz/corpus-$(1) $(call fuzz_seeds,$(1))

fuzz: $(FUZZ_BINS)
	@set -e; $(foreach h,$(FUZZ_NAMES),echo "== fuzz_$(h) ($(FUZZ_SECONDS) s)"; $(call run_fuzz,$(h),$(FUZZ_SECONDS)) 2>build/fuzz/$(h).log || { tail -60 build/fuzz/$(h).log; exit 1; }; grep -E "^stat::number_of_executed_units" build/fuzz/$(h).log;)

# fuzz_h5read reads each input in a child process first, as dcsim does (h5in_isolated), so
# the crashes inside HDF5 1.10.8 itself (tests/fuzz/hdf5-crashes) are clean errors there too.
fuzz-smoke: $(FUZZ_BINS)
	@set -e; $(foreach h,$(FUZZ_NAMES),echo "== fuzz_$(h) ($(FUZZ_SMOKE_SECONDS) s)"; $(call run_fuzz,$(h),$(FUZZ_SMOKE_SECONDS)) 2>build/fuzz/$(h).log || { tail -60 build/fuzz/$(h).log; exit 1; }; grep -E "^stat::number_of_executed_units" build/fuzz/$(h).log;)

build/fuzz/obj/%.o: %.c $(SIM_DEPS)
	@mkdir -p build/fuzz/obj
	clang $(FUZZ_WARN) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) $(SIM_INC) $(DEFS) -c -o $@ $<

build/fuzz/libdcsim.a: $(FUZZ_OBJ)
	rm -f $@ && ar rcs $@ $^

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h build/fuzz/libdcsim.a
	clang $(FUZZ_WARN) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) $(DEFS) $(SIM_INC) -o $@ $< \
	  build/fuzz/libdcsim.a $(FUZZ_LIBS)

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
	$(CC) $(WARN) $(CFLAGS) $(LTO) $(PKG_CFLAGS) $(DEFS) $(SIM_INC) -o $@ $< $(LIB) $(PKG_LIBS)

# Installs the packages (Debian 12). Uses sudo only when not root.
deps:
	@SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	$$SUDO apt-get update -qq && \
	$$SUDO apt-get install -y --no-install-recommends build-essential pkg-config \
	  libgsl-dev libyaml-dev libhdf5-dev zlib1g-dev hdf5-tools check python3-h5py python3-numpy \
	  python3-matplotlib python3-xarray python3-h5netcdf python3-pandas libopenmpi-dev openmpi-bin \
	  valgrind clang libclang-rt-14-dev

run-example: dcsim
	./dcsim run scenarios/abilene-conversion.yaml

# install: the binary, the catalog, the plot tool (as dcsim-plot), the man page dcsim(1) and
# the bash completion; uninstall removes exactly these.
MAN1DIR  = $(PREFIX)/share/man/man1
COMPDIR  = $(PREFIX)/share/bash-completion/completions
install: dcsim
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/dcsim $(DESTDIR)$(MAN1DIR) \
	  $(DESTDIR)$(COMPDIR)
	install -m 755 dcsim $(DESTDIR)$(PREFIX)/bin/dcsim
	install -m 755 tools/dcsim_plot.py $(DESTDIR)$(PREFIX)/bin/dcsim-plot
	install -m 644 docs/man/dcsim.1 $(DESTDIR)$(MAN1DIR)/dcsim.1
	install -m 644 tools/completion/dcsim.bash $(DESTDIR)$(COMPDIR)/dcsim
	cp -R models $(DESTDIR)$(PREFIX)/share/dcsim/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/dcsim $(DESTDIR)$(PREFIX)/bin/dcsim-plot \
	  $(DESTDIR)$(MAN1DIR)/dcsim.1 $(DESTDIR)$(COMPDIR)/dcsim
	rm -rf $(DESTDIR)$(PREFIX)/share/dcsim

clean:
	rm -rf build dcsim .dcsim-flavor
