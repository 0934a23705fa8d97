# loket: the two commands of the README, and a few more.
#   make run     install what is missing, build, start loket on the embedded default
#   make test    install what tests need, run every test (also under ASan+UBSan)
#   make bench   run the benchmarks and print their figures
#   make bench-compare [REV=HEAD~1]  turns/s and writer CPU per turn beside REV's binary
#   make fuzz    build the libFuzzer drivers (clang) and run each FUZZ_RUNS times
JOBS ?= $(shell nproc)
ARGS ?=
FUZZ_RUNS ?= 10000000
export FUZZ_RUNS

.PHONY: all build run test test-fast test-asan test-fuzz fuzz fuzz-build bench bench-compare clean

all: build

build:
	@scripts/deps.sh build
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOKET_TESTS=OFF >/dev/null
	@cmake --build build -j $(JOBS) --target loket

run: build
	./build/loket serve $(ARGS)

# The test build and the sanitizer build live in their own folders so that
# `make run` keeps its optimised program at build/loket.
test:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory test-fast
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-fuzz

test-fast:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOKET_TESTS=ON >/dev/null
	@cmake --build build -j $(JOBS)
	cd build && ctest --output-on-failure -j $(JOBS)

test-asan:
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DLOKET_SANITIZE=ON -DLOKET_TESTS=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

# The fuzz drivers (fuzz/, docs/security.md) build with clang in their own
# folder; the test run gives each a short smoke (15 s or 300,000 runs), `make
# fuzz` the full campaign (FUZZ_RUNS each; FUZZ_JOBS, FUZZ_TIME, FUZZ_DRIVERS
# and FUZZ_NICE as fuzz/run.sh describes).
fuzz-build:
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOKET_FUZZ=ON -DLOKET_TESTS=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzzers

test-fuzz: fuzz-build
	fuzz/run.sh --smoke build-fuzz

fuzz:
	@scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory fuzz-build
	fuzz/run.sh build-fuzz

bench: build
	@scripts/deps.sh bench
	bench/run.sh

# This tree's build/loket against REV's (default the previous commit), built
# in a temporary copy of REV and measured in the same run (bench/compare.sh).
REV ?= HEAD~1
bench-compare: build
	@scripts/deps.sh bench
	bench/compare.sh $(REV)

clean:
	rm -rf build build-asan build-fuzz
