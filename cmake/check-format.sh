#!/bin/sh
# The code follows .clang-format; clang-format names each line that does not.
set -eu
cd "$(dirname "$0")/.."
if ! git ls-files -z '*.cc' '*.h' | xargs -0 clang-format --dry-run -Werror; then
  echo "C++ files above do not follow .clang-format; run: git ls-files '*.cc' '*.h' | xargs clang-format -i" >&2
  exit 1
fi
echo "format: every C++ file follows .clang-format"
