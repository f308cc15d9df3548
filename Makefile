# mcp-fcgi - build, run and test.  See README.md.
#
#   make run     install what is missing, build, serve the demo on http://127.0.0.1:$(PORT)/mcp
#   make check   the same set-up, then every test under prove (plus an ASan/UBSan pass)
#
# Variables: PORT (8080), CONF (conf/mcp.conf), WORKERS (4), BUILD (build), SAN (0/1).

PORT    ?= 8080
CONF    ?= conf/mcp.conf
WORKERS ?= 4
BUILD   ?= build
# build-asan/ is always the AddressSanitizer + UBSan build
ifeq ($(BUILD),build-asan)
SAN     := 1
else
SAN     ?= 0
endif

CC      ?= gcc
VERSION := 0.1.0
PKGS    := json-c libconfig libuv libcrypto
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -DMCP_VERSION='"$(VERSION)"' -Wall -Wextra -Werror \
               -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla \
               -Icommon -Ifcgi-app -Isessiond $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
ifeq ($(SAN),1)
CFLAGS_OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS_SAN := -fsanitize=address,undefined
else
CFLAGS_OPT := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong
LDFLAGS_SAN :=
endif
CFLAGS  += $(CFLAGS_BASE) $(CFLAGS_OPT)
LDLIBS_COMMON := $(shell pkg-config --libs json-c libconfig 2>/dev/null)
# libcrypto (OpenSSL): HMAC-SHA256 of MRTR requestState (fcgi-app/mrtr.c)
LDLIBS_CRYPTO := $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)
LDLIBS_FCGI   := -lfcgi $(LDLIBS_CRYPTO) $(LDLIBS_COMMON)
LDLIBS_SESSD  := $(shell pkg-config --libs libuv 2>/dev/null) $(LDLIBS_COMMON)

COMMON_SRC := $(wildcard common/*.c)
FCGI_SRC   := $(filter-out fcgi-app/main.c,$(wildcard fcgi-app/*.c))
SESSD_SRC  := $(filter-out sessiond/main.c,$(wildcard sessiond/*.c))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
COMMON_LIB := $(BUILD)/libcommon.a
FCGI_LIB   := $(BUILD)/libfcgiapp.a
SESSD_LIB  := $(BUILD)/libsessiond.a
BINS       := $(BUILD)/mcp-fcgi $(BUILD)/mcp-sessiond
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all build asan deps npm-deps run check unit integration interop format format-check \
        fuzz fuzz-smoke clean
all: build
build: $(BINS) $(UNIT_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC  $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(COMMON_LIB): $(call obj,$(COMMON_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@ && ar rcs $@ $^
$(FCGI_LIB): $(call obj,$(FCGI_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@ && ar rcs $@ $^
$(SESSD_LIB): $(call obj,$(SESSD_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@ && ar rcs $@ $^

$(BUILD)/mcp-fcgi: $(call obj,fcgi-app/main.c) $(FCGI_LIB) $(COMMON_LIB)
	@echo "LD  $@"
	@$(CC) $(LDFLAGS) $(LDFLAGS_SAN) -o $@ $^ $(LDLIBS_FCGI)
$(BUILD)/mcp-sessiond: $(call obj,sessiond/main.c) $(SESSD_LIB) $(COMMON_LIB)
	@echo "LD  $@"
	@$(CC) $(LDFLAGS) $(LDFLAGS_SAN) -o $@ $^ $(LDLIBS_SESSD)
$(BUILD)/tests/%: $(call obj,tests/unit/%.c) $(FCGI_LIB) $(SESSD_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	@echo "LD  $@"
	@$(CC) $(LDFLAGS) $(LDFLAGS_SAN) -o $@ $^ -lfcgi $(LDLIBS_CRYPTO) $(LDLIBS_SESSD) -lcmocka

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

asan:
	$(MAKE) --no-print-directory BUILD=build-asan SAN=1 build

# --- dependencies ---------------------------------------------------------------------------
APT_PKGS := build-essential pkg-config libfcgi-dev libjson-c-dev libconfig-dev libuv1-dev \
            libcmocka-dev libssl-dev lighttpd apache2 spawn-fcgi multiwatch curl perl clang \
            libclang-rt-14-dev clang-format
deps:
	@sh deploy/install-deps.sh $(APT_PKGS)
	@command -v npm >/dev/null 2>&1 || sh deploy/install-deps.sh nodejs npm
npm-deps: deps
	@cd tests/interop && if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  echo "npm ci (tests/interop)"; npm ci --no-audit --no-fund --loglevel=error; fi

# --- run ------------------------------------------------------------------------------------
run: deps
	@$(MAKE) --no-print-directory build
	@exec deploy/mcp-stack --port $(PORT) --conf $(CONF) --workers $(WORKERS) --bin $(BUILD)

# --- tests ----------------------------------------------------------------------------------
export CMOCKA_MESSAGE_OUTPUT := TAP
# the integration tests whose behaviour depends on the front server (streaming, hand-off)
APACHE_TESTS := tests/integration/10_transport.t tests/integration/20_jsonrpc.t \
                tests/integration/100_sse_post.t tests/integration/110_get_stream.t \
                tests/integration/120_client_requests.t tests/integration/130_legacy_sse.t \
                tests/integration/140_reload.t tests/integration/170_stream_caps.t \
                tests/integration/180_stateless.t tests/integration/190_listen.t
PROVE ?= prove
# a failing test file's stack logs (tests/lib/McpStack.pm), printed last so a CI log's tail has them
export MCP_FAILURE_LOG := $(CURDIR)/$(BUILD)/test-failures.log
OR_SHOW_FAILURES = || { echo "== logs of the failing stacks =="; cat $(MCP_FAILURE_LOG) 2>/dev/null; exit 1; }
check: deps npm-deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory format-check
	@$(MAKE) --no-print-directory fuzz-smoke
	@rm -f $(MCP_FAILURE_LOG)
	@echo "== unit + integration + interop (build/) =="
	MCP_BUILD=$(BUILD) $(PROVE) --exec '' $(UNIT_BINS) $(OR_SHOW_FAILURES)
	MCP_BUILD=$(BUILD) $(PROVE) tests/integration/*.t tests/interop/*.t $(OR_SHOW_FAILURES)
	@echo "== transport and streaming tests through Apache httpd (mod_proxy_fcgi) =="
	MCP_BUILD=$(BUILD) MCP_FRONT=apache $(PROVE) $(APACHE_TESTS) $(OR_SHOW_FAILURES)
	@echo "== unit + integration under AddressSanitizer/UBSan (build-asan/) =="
	MCP_BUILD=build-asan $(PROVE) --exec '' $(patsubst $(BUILD)/%,build-asan/%,$(UNIT_BINS)) \
	  $(OR_SHOW_FAILURES)
	MCP_BUILD=build-asan $(PROVE) tests/integration/*.t $(OR_SHOW_FAILURES)

unit: build
	MCP_BUILD=$(BUILD) $(PROVE) --exec '' $(UNIT_BINS)
integration: build
	MCP_BUILD=$(BUILD) $(PROVE) tests/integration/*.t
interop: build npm-deps
	MCP_BUILD=$(BUILD) $(PROVE) tests/interop/*.t

# --- style ----------------------------------------------------------------------------------
C_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find common fcgi-app sessiond tests -name '*.[ch]')
format:
	clang-format -i $(C_FILES)
format-check:
	@out=$$(for f in $(C_FILES); do clang-format --dry-run -Werror "$$f" 2>&1 >/dev/null || echo "$$f"; done); \
	if [ -n "$$out" ]; then echo "format-check: run 'make format' for:"; echo "$$out"; exit 1; fi; \
	echo "format-check: clean"

# --- fuzzing (libFuzzer, clang) -------------------------------------------------------------
FUZZ_BUILD := build-fuzz
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -DMCP_VERSION='"$(VERSION)"' -g -O1 \
               -fsanitize=fuzzer,address,undefined -Icommon -Ifcgi-app -Isessiond \
               $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))
fuzz: $(FUZZ_BINS)
$(FUZZ_BUILD)/%: tests/fuzz/%.c $(COMMON_SRC) $(FCGI_SRC) $(SESSD_SRC)
	@mkdir -p $(dir $@)
	@echo "FUZZ $@"
	@clang $(FUZZ_CFLAGS) -o $@ $< $(COMMON_SRC) $(FCGI_SRC) $(SESSD_SRC) -lfcgi $(LDLIBS_CRYPTO) \
	  $(LDLIBS_SESSD)
FUZZ_RUNS ?= 20000
fuzz-smoke: fuzz
	@for f in $(FUZZ_BINS); do \
	  n=$$(basename $$f); mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
	  seeds=; [ -d tests/fuzz/corpus/$$n ] && seeds=tests/fuzz/corpus/$$n; \
	  echo "fuzz-smoke: $$n ($(FUZZ_RUNS) runs)"; \
	  $$f -runs=$(FUZZ_RUNS) -max_len=4096 $(FUZZ_BUILD)/corpus/$$n $$seeds >$(FUZZ_BUILD)/$$n.log 2>&1 \
	    || { tail -40 $(FUZZ_BUILD)/$$n.log; exit 1; }; \
	done

clean:
	rm -rf build build-asan build-fuzz
