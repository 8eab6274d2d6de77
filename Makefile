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

# Every libFuzzer harness (clang) under ASan+UBSan, FUZZ_SECONDS each; new inputs go to
# $(BUILD_FUZZ)/corpus/<name>, the committed seeds in fuzz/corpus/<name> are read too.
FUZZ_TARGETS ?= hostile_host rmi_rec_run rmi_params realm_image cca_token json_escape trace_events rmi_sequence vq_used_ring avail_ring normal_hostcall \
		pci_enum virtio_pci_caps swiotlb_ops cca_verify kbs_request virtio_net_hdr http_response virtio_net_dev net_snoop \
		virtio_net_rx tls_client
fuzz:
	@scripts/setup-deps.sh --fuzz
	CC=clang cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCCADA_FUZZ=ON -DCCADA_SANITIZE=ON $(CMAKE_ARGS)
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target $(addsuffix _fuzzer,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD_FUZZ)/corpus/$$t; \
		echo "== $$t ($(FUZZ_SECONDS) s)"; \
		$(BUILD_FUZZ)/fuzz/$${t}_fuzzer -max_total_time=$(FUZZ_SECONDS) -timeout=60 -print_final_stats=1 \
			$(BUILD_FUZZ)/corpus/$$t fuzz/corpus/$$t 2>$(BUILD_FUZZ)/fuzz-$$t.log || { tail -n 40 $(BUILD_FUZZ)/fuzz-$$t.log; exit 1; }; \
		grep -E "^stat::(number_of_executed_units|average_exec_per_sec)" $(BUILD_FUZZ)/fuzz-$$t.log; \
	done

bench: build
	$(BUILD)/ccada bench

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
