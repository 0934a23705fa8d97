# loket: the two commands of the README, and a few more.
#   make run     install what is missing, build, start loket on the embedded default
#   make test    install what tests need, run every test (also under ASan+UBSan)
#   make bench   run the benchmarks and print their figures
JOBS ?= $(shell nproc)
ARGS ?=

.PHONY: all build run test test-fast test-asan bench clean

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

bench: build
	@scripts/deps.sh bench
	bench/run.sh

clean:
	rm -rf build build-asan
