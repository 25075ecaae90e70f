#!/bin/sh
# The floors of the house, enforced: a library source may include its own module and the floors
# below it, never a floor above. Tests, test helpers and benchmarks may include anything.
#
#   ground   harness/core (0), harness/control (1)
#   middle   checkers, nemesis, results, targets, workloads (2); workloads may also use checkers
#   top      harness/run, harness/sandbox, harness/cli (3)
set -eu
cd "$(dirname "$0")/.."

floor() {
  case $1 in
    harness/core) echo 0 ;;
    harness/control) echo 1 ;;
    checkers | nemesis | results | targets | workloads) echo 2 ;;
    harness/run | harness/sandbox | harness/cli) echo 3 ;;
    *) echo "" ;;
  esac
}

# The module a path belongs to: harness/X for harness, else its top-level folder.
module() {
  case $1 in
    harness/*) echo "$1" | cut -d/ -f1-2 ;;
    *) echo "$1" | cut -d/ -f1 ;;
  esac
}

bad=0
for file in $(git ls-files 'harness/*.h' 'harness/*.cc' 'checkers/*.h' 'checkers/*.cc' 'nemesis/*.h' 'nemesis/*.cc' \
    'results/*.h' 'results/*.cc' 'targets/*.h' 'targets/*.cc' 'workloads/*.h' 'workloads/*.cc'); do
  case $file in *_test.cc | */testing/* | */fuzz/*) continue ;; esac
  from=$(module "$file")
  from_floor=$(floor "$from")
  for header in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file"); do
    to=$(module "$header")
    [ "$to" = "$from" ] && continue
    to_floor=$(floor "$to")
    [ -z "$to_floor" ] && continue  # not one of ours
    if [ "$to_floor" -lt "$from_floor" ] || [ "$from_floor" = 3 ]; then continue; fi
    [ "$from" = workloads ] && [ "$to" = checkers ] && continue
    echo "$file includes $header: $from (floor $from_floor) may not use $to (floor $to_floor); see the README's layout" >&2
    bad=1
  done
done
[ "$bad" = 0 ] && echo "layers: every include stays on its floor or goes down"
exit "$bad"
