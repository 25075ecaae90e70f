#!/bin/sh
# The main job, from a bare machine: install dependencies, build, stand up the 5-node sandbox,
# run a real fault test, and print the verdict and where the report is.
set -eu
cd "$(dirname "$0")/.."
JOBS=$(nproc)

./cmake/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$JOBS" --target faultline
FAULTLINE=./build/harness/cli/faultline

set +e
$FAULTLINE test --target memory --workload register --time-limit 10 --concurrency 10 "$@"
code=$?
set -e
echo "exit code $code (0 valid, 1 invalid, 2 unknown); open store/latest/report.html"
exit $code
