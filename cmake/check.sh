#!/bin/sh
# The whole test suite, from a bare machine: dependencies, one build, unit tests, the fuzzers for a
# bounded time, then the end-to-end tests on real sandboxes (root).
set -eu
cd "$(dirname "$0")/.."
JOBS=$(nproc)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

./cmake/install-deps.sh
./cmake/check-layers.sh
./cmake/check-format.sh
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
  # Seeds of the project's own, plus the shared public histories when they are there.
  case $reader in
    edn) printf '%s\n' '[{:process 0, :type :invoke, :f :write, :value [1 3], :time 1}' \
           ' {:process 0, :type :ok, :f :write, :value [1 3], :time 2}' \
           ' {:process :nemesis, :type :info, :f :start-partition, :value "halves"}]' > "$corpus/seed.edn"
         if [ -d ../shared/data/knossos ]; then cp ../shared/data/knossos/cas-register/bad/*.edn "$corpus"/; fi ;;
    jsonl) printf '%s\n' '{"index":0,"time":0,"type":"invoke","process":0,"f":"txn","value":[["append",1,2],["r",1,null]]}' \
             '{"index":1,"time":5,"type":"ok","process":0,"f":"txn","value":[["append",1,2],["r",1,[2]]],"node":"n1"}' \
             '{"index":2,"time":6,"type":"info","process":"nemesis","f":"kill","value":["n2"]}' > "$corpus/seed.jsonl" ;;
    spec) printf '%s\n' '{"name":"t","sandbox":"fl","target":"etcd","workload":"bank","concurrency":"2n","nemesis":["partition","kill"],"time-limit":10,"workload-options":{"accounts":3}}' > "$corpus/seed.json" ;;
  esac
  # A crash or a leak fails the suite: the fuzzer's own exit status decides, its output goes to a log.
  if ! ./build-fuzz/harness/core/fuzz_$reader -max_total_time="$FUZZ_SECONDS" -timeout=10 -max_len=8192 \
      -artifact_prefix=build-fuzz/ "$corpus" > "build-fuzz/fuzz-$reader.log" 2>&1; then
    tail -n 40 "build-fuzz/fuzz-$reader.log"
    echo "fuzz_$reader failed: see build-fuzz/fuzz-$reader.log and the crash file in build-fuzz/" >&2
    exit 1
  fi
  tail -n 1 "build-fuzz/fuzz-$reader.log"
done

echo "== end-to-end tests (sandbox, real processes)"
ctest --test-dir build -L e2e --output-on-failure --timeout 900
