# rtclab - build, test, install.  See README.md; `make help` lists the targets.
#
# Out-of-tree: everything is built under $(BUILD) (build/ by default; the
# sanitizer run uses build-asan/, the fuzzers build-fuzz/).

VERSION      := 0.1.0
SOVERSION    := 0
PREFIX       ?= /usr/local
DESTDIR      ?=
BUILD        ?= build
CC           ?= cc
FUZZ_SECONDS ?= 300

# Packages found through pkg-config, and libraries without a .pc file.
PKGS     := openssl zlib jansson libidn libpcap yaml-0.1
LIBS_RAW := -lunistring
# The rtclab command only (not the library): ncursesw for rtclab tui and walk.
TOOL_PKGS := ncursesw

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2 -Wundef
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L
OPT      ?= -O2 -g
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) -Ilib/include $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(SANFLAGS) $(CFLAGS)
TOOL_CFLAGS = $(shell pkg-config --cflags $(TOOL_PKGS) 2>/dev/null) -DRTCLAB_DATADIR='"$(PREFIX)/share/rtclab"'
TOOL_LIBS  = $(shell pkg-config --libs $(TOOL_PKGS) 2>/dev/null)
LDLIBS_ALL = $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(LIBS_RAW) $(SANFLAGS) $(LDFLAGS)

ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

LIB_SRC   := $(sort $(wildcard lib/*.c))
LIB_HDR   := $(wildcard lib/include/rtclab/*.h) $(wildcard lib/*.h)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
TOOL_SRC  := $(sort $(wildcard tools/*.c))
TOOL_OBJ  := $(TOOL_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC  := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJ  := $(UNIT_SRC:%.c=$(BUILD)/%.o)

STATIC    := $(BUILD)/librtclab.a
SHARED    := $(BUILD)/librtclab.so.$(VERSION)
SONAME    := librtclab.so.$(SOVERSION)
RTCLAB    := $(BUILD)/rtclab
UNIT      := $(BUILD)/unit-tests
BENCHES   := $(patsubst bench/bench_%.c,$(BUILD)/bench-%,$(wildcard bench/bench_*.c))

.PHONY: all deps run test test-only unit cli asan fuzz fuzz-seeds-timeline bench install uninstall clean help check-exports

all: $(STATIC) $(SHARED) $(RTCLAB) $(BUILD)/rtclab.pc

help:
	@echo "make            build librtclab (.a and .so), the rtclab command and rtclab.pc"
	@echo "make run        install missing packages (as root), build, run the demo"
	@echo "make test       install missing packages (as root), build, run every test"
	@echo "make asan       the test suite under AddressSanitizer + UndefinedBehaviorSanitizer"
	@echo "make fuzz       clang libFuzzer targets, FUZZ_SECONDS=$(FUZZ_SECONDS) each"
	@echo "make bench      micro-benchmarks with a same-run baseline"
	@echo "make install    PREFIX=$(PREFIX) DESTDIR=..."
	@echo "make clean"

deps:
	@sh scripts/deps.sh

# -MMD: each object also depends on every header it includes.
$(BUILD)/%.o: %.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fPIC -MMD -MP -c $< -o $@

$(BUILD)/tools/%.o: tools/%.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(TOOL_CFLAGS) -MMD -MP -c $< -o $@

-include $(LIB_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)

$(BUILD):
	@mkdir -p $@

$(STATIC): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=lib/librtclab.map -o $@ $^ $(LDLIBS_ALL)
	ln -sf librtclab.so.$(VERSION) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/librtclab.so

$(RTCLAB): $(TOOL_OBJ) $(STATIC)
	$(CC) -o $@ $(TOOL_OBJ) $(STATIC) $(LDLIBS_ALL) $(TOOL_LIBS)

$(BUILD)/rtclab.pc: rtclab.pc.in Makefile | $(BUILD)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@PKGS@|$(PKGS)|g' -e 's|@LIBS_RAW@|$(LIBS_RAW)|g' $< > $@

$(UNIT): $(UNIT_OBJ) $(STATIC)
	$(CC) -o $@ $(UNIT_OBJ) $(STATIC) $(LDLIBS_ALL) -lcunit

$(BUILD)/bench-%: bench/bench_%.c $(STATIC)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(STATIC) $(LDLIBS_ALL)

# The main job: the guided walkthrough of a WebRTC handshake on the bundled
# scenario (scenarios/walkthrough.yaml), in the terminal UI when run on a
# terminal, printed as text otherwise (CI).  examples/demo.sh shows the
# single-message tools (sdp, candidate, stun) on their own.
run: deps all
	$(RTCLAB) walk

test: deps
	@$(MAKE) --no-print-directory test-only

test-only: all $(UNIT) check-exports
	@echo "== unit tests (CUnit)"
	RTCLAB_FIXTURES=tests/fixtures $(UNIT)
	@echo "== command-line tests"
	sh tests/cli/run.sh $(RTCLAB)

# Only rtclab_ names may leave the shared library.
check-exports: $(SHARED)
	@sh tests/check-exports.sh $(SHARED)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 CC=$${ASAN_CC:-clang} OPT="-O1 -g" test-only

FUZZ_TARGETS := $(patsubst fuzz/%.c,build-fuzz/%,$(wildcard fuzz/fuzz_*.c))
build-fuzz/fuzz_%: fuzz/fuzz_%.c $(LIB_SRC) $(LIB_HDR)
	@mkdir -p build-fuzz
	clang $(CSTD) -O1 -g -Ilib/include $(shell pkg-config --cflags $(PKGS)) \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -o $@ $< $(LIB_SRC) $(shell pkg-config --libs $(PKGS)) $(LIBS_RAW)

fuzz: deps $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
	  name=$${t#build-fuzz/fuzz_}; mkdir -p build-fuzz/corpus-$$name; \
	  echo "== $$t for $(FUZZ_SECONDS) s (seeds: fuzz/corpus/$$name)"; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	      -artifact_prefix=build-fuzz/ build-fuzz/corpus-$$name fuzz/corpus/$$name || exit 1; \
	done

# The seeds of fuzz_timeline, written by a generator (real STUN messages
# signed with the seeds' ice-pwd, TURN with long-term credentials).
fuzz-seeds-timeline: $(STATIC)
	$(CC) $(CSTD) $(OPT) $(WARN) -Ilib/include $(shell pkg-config --cflags $(PKGS)) \
	  -o $(BUILD)/make_timeline_seeds fuzz/make_timeline_seeds.c $(STATIC) $(LDLIBS_ALL)
	@mkdir -p fuzz/corpus/timeline
	$(BUILD)/make_timeline_seeds fuzz/corpus/timeline tests/fixtures/stun

# Each benchmark prints its own baseline, measured in the same run; the
# capture benchmark runs the rtclab command itself.
bench: deps $(BENCHES) $(RTCLAB)
	@for b in $(BENCHES); do \
	  case $$b in *bench-capture) $$b $(RTCLAB) || exit 1 ;; *) $$b || exit 1 ;; esac; echo; \
	done

# Also the man pages (docs/man: rtclab.1 and one per subcommand) and the
# scenarios, walkthrough.yaml (the default of rtclab walk) among them.
install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/rtclab \
	  $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/rtclab/scenarios
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/
	ln -sf librtclab.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/librtclab.so
	install -m 644 lib/include/rtclab/*.h $(DESTDIR)$(PREFIX)/include/rtclab/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' -e 's|@PKGS@|$(PKGS)|g' \
	    -e 's|@LIBS_RAW@|$(LIBS_RAW)|g' rtclab.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/rtclab.pc
	install -m 755 $(RTCLAB) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 docs/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 scenarios/*.yaml $(DESTDIR)$(PREFIX)/share/rtclab/scenarios/

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/include/rtclab
	rm -f $(DESTDIR)$(PREFIX)/lib/librtclab.* $(DESTDIR)$(PREFIX)/lib/pkgconfig/rtclab.pc \
	  $(DESTDIR)$(PREFIX)/bin/rtclab
	cd docs/man && for m in *.1; do rm -f $(DESTDIR)$(PREFIX)/share/man/man1/$$m; done
	cd scenarios && for s in *.yaml; do rm -f $(DESTDIR)$(PREFIX)/share/rtclab/scenarios/$$s; done
	rmdir $(DESTDIR)$(PREFIX)/share/rtclab/scenarios $(DESTDIR)$(PREFIX)/share/rtclab 2>/dev/null || true

clean:
	rm -rf build build-asan build-fuzz
