# ccada top-level entry points. `make demo` and `make test` do all set-up themselves.
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

.PHONY: all deps configure build demo test test-asan bench fuzz clean

all: build

deps:
	@scripts/setup-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCCADA_WERROR=ON $(CMAKE_ARGS)

configure: $(BUILD)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/ccada demo

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DCCADA_WERROR=ON -DCCADA_SANITIZE=ON $(CMAKE_ARGS)
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

# The whole-machine hostile-host fuzzer (libFuzzer, clang) under ASan+UBSan, FUZZ_SECONDS
# long; new inputs go to $(BUILD_FUZZ)/corpus, the committed seeds are read too.
fuzz: deps
	@command -v clang >/dev/null || { echo "make fuzz needs clang: apt-get install --no-install-recommends clang"; exit 2; }
	CC=clang cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCCADA_FUZZ=ON -DCCADA_SANITIZE=ON $(CMAKE_ARGS)
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target hostile_host_fuzzer
	mkdir -p $(BUILD_FUZZ)/corpus/hostile_host
	$(BUILD_FUZZ)/fuzz/hostile_host_fuzzer -max_total_time=$(FUZZ_SECONDS) -timeout=60 \
		-print_final_stats=1 $(BUILD_FUZZ)/corpus/hostile_host fuzz/corpus/hostile_host

bench: build
	$(BUILD)/ccada bench

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
