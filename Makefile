# Vigil: the commands a user drives. Everything real happens in CMake.
#   make demo   deps + build + run on the bundled sample capture
#   make test   deps + build + all tests through ctest
BUILD       ?= build
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DVIGIL_WERROR=ON
endif

DEB_PACKAGES = build-essential cmake pkg-config libpcap-dev libyaml-dev libpcre2-dev iptables \
               libhyperscan-dev libcmocka-dev libnetfilter-queue-dev libcap-ng-dev \
               libhtp-dev libmagic-dev libssl-dev libnghttp2-dev zlib1g-dev libbrotli-dev \
               tshark python3 python3-scapy jq curl groff-base systemd tmux \
               libhiredis-dev librdkafka-dev redis-server redis-tools kcat

.PHONY: all deps build demo test asan tsan bench conformance check-shared clean fuzz fuzz-smoke \
        install uninstall perf-guard

all: build

deps:
	@bash tools/install-deps.sh $(DEB_PACKAGES)

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# make install PREFIX=/usr/local (DESTDIR honoured): vigil, vigilctl, the
# configuration (an existing one is kept) and rules; see CMakeLists.txt.
PREFIX      ?= /usr/local
install: build
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@cmake --install $(BUILD)

# Removes what the last install wrote (build/install_manifest.txt).
uninstall:
	@test -f $(BUILD)/install_manifest.txt || { echo "nothing installed from $(BUILD)"; exit 1; }
	@xargs -r -d '\n' rm -f -- < $(BUILD)/install_manifest.txt
	@echo "removed the files listed in $(BUILD)/install_manifest.txt"

demo: build
	@bash tools/demo.sh $(BUILD)/vigil

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan: deps
	@cmake -S . -B build-asan -DVIGIL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

tsan: deps
	@cmake -S . -B build-tsan -DVIGIL_TSAN=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-tsan -j $(JOBS)
	@cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -j $(JOBS) -L threads

bench: build
	@bash bench/run.sh $(BUILD)

# CPU per packet of the core-rules run over a bare read, against the committed
# ratio in bench/perf-guard-baseline.txt (+25% fails); see tools/perf-guard.sh.
perf-guard: build
	@bash tools/perf-guard.sh $(BUILD)

conformance: build
	@bash tools/conformance.sh $(BUILD)/vigil

# Decoder counts against tshark on ../shared captures: a difference not listed
# in tools/shared-captures-known-diffs.txt fails (make conformance runs the
# same check); then flow records against tshark's conversations (informational).
check-shared: build
	@python3 tools/check-shared-captures.py --engine $(BUILD)/vigil --strict -v
	@python3 tools/check-flow-counts.py --engine $(BUILD)/vigil

fuzz: deps
	@bash tools/install-deps.sh clang
	@bash fuzz/build.sh

# Every fuzz target, built with clang (installed when missing), run
# FUZZ_SECONDS each over its seed corpus (fuzz/corpus/<target>/); a target
# that does not build, has no seeds or crashes fails.
FUZZ_SECONDS ?= 15
fuzz-smoke: deps
	@bash tools/install-deps.sh clang
	@FUZZ_STRICT=1 bash fuzz/build.sh run $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
