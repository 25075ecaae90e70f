#!/bin/sh
# The whole test suite, from a bare machine: dependencies, one build, unit tests, the fuzzers for a
# bounded time, then the end-to-end tests on real sandboxes (root).
set -eu
cd "$(dirname "$0")/.."
JOBS=$(nproc)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

./cmake/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$JOBS"

echo "== unit tests"
ctest --test-dir build -L unit -j"$JOBS" --output-on-failure --timeout 300

echo "== fuzzing the readers for ${FUZZ_SECONDS}s each"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DFAULTLINE_FUZZ=ON -DFAULTLINE_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$JOBS" --target fuzz_edn fuzz_jsonl fuzz_spec
for reader in edn jsonl spec; do
  corpus=build-fuzz/corpus-$reader
  mkdir -p "$corpus"
  [ "$reader" = edn ] && [ -d ../shared/data/knossos ] && cp ../shared/data/knossos/cas-register/bad/*.edn "$corpus"/
  ./build-fuzz/harness/core/fuzz_$reader -max_total_time="$FUZZ_SECONDS" -timeout=10 -max_len=8192 \
    -artifact_prefix=build-fuzz/ "$corpus" 2>&1 | tail -n 1
done

echo "== end-to-end tests (sandbox, real processes)"
ctest --test-dir build -L e2e --output-on-failure --timeout 900
