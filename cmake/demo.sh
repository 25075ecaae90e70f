#!/bin/sh
# The main job, from a bare machine (as root): install dependencies, build, stand up the 5-node
# sandbox, run etcd under partitions and crashes for a minute, check it, and print the verdict and
# where the report is. Extra arguments go to `faultline test` (e.g. --seed 42 --time-limit 30).
set -eu
cd "$(dirname "$0")/.."

./cmake/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target faultline
FAULTLINE=./build/harness/cli/faultline

$FAULTLINE sandbox up --nodes 5
set +e
$FAULTLINE test --sandbox --target etcd --workload cas-register --nemesis partition,kill,clock \
  --nemesis-interval 10 --time-limit 60 --concurrency 2n --rate 100 "$@"
code=$?
set -e
echo "faultline: exit code $code (0 valid, 1 invalid, 2 unknown, 255 harness error)"
echo "faultline: report at $(pwd)/store/latest/report.html; the sandbox stays up (faultline sandbox down removes it)"
exit $code
