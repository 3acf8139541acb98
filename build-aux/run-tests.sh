#!/bin/bash
# Builds Perturb and runs the whole test suite.
#
#   build-aux/run-tests.sh [--sanitizers]
#
# As root on Debian 12 it first installs the packages that are missing. Builds
# in build-tests/ (release, -Werror); with --sanitizers it builds again in
# build-tests-asan/ with AddressSanitizer + UndefinedBehaviorSanitizer and runs
# the suite there too. Ends with one line: `tests: N passed, N failed, N skipped`
# and exits non-zero if anything failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
prefix=${PERTURB_TEST_BUILDDIR:-$top/build-tests}
sanitizers=0
for arg in "$@"; do
  case "$arg" in
    --sanitizers) sanitizers=1 ;;
    *) echo "usage: $0 [--sanitizers]" >&2; exit 2 ;;
  esac
done
# shellcheck source=deps.sh
. "$top/build-aux/deps.sh"
pb_install_packages $PB_BUILD_PACKAGES $PB_TEST_PACKAGES || exit 1

passed=0 failed=0 skipped=0

# run_suite DIR MESON-SETUP-OPTIONS…
run_suite () {
  local dir=$1; shift
  local counts
  echo "== configure $dir ($*)"
  if [ ! -f "$dir/build.ninja" ]; then
    mkdir -p "$dir"
    meson setup "$dir" "$top" --werror "$@" >"$dir/setup.log" 2>&1 \
      || { cat "$dir/setup.log"; failed=$((failed + 1)); return; }
  fi
  echo "== build $dir"
  if ! meson compile -C "$dir" >"$dir/build.log" 2>&1; then
    grep -E 'error|warning' "$dir/build.log" | head -50
    failed=$((failed + 1)); return
  fi
  echo "== test $dir"
  rm -f "$dir/meson-logs/testlog.json"
  meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 2 \
    --timeout-multiplier "${PB_TIMEOUT_MULTIPLIER:-1}" 2>&1 | grep -vE '^(ok|#) ' || true
  counts=$(python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = s = 0
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    lines = []
for line in lines:
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif r == "SKIP":
        s += 1
    else:
        f += 1
if not lines:
    f += 1
print(p, f, s)
PY
)
  read -r p f s <<<"$counts"
  echo "== $dir: $p passed, $f failed, $s skipped"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

run_suite "$prefix" --buildtype=release
if [ "$sanitizers" = 1 ]; then
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/build-aux/lsan.supp:print_suppressions=0}
  PB_TIMEOUT_MULTIPLIER=${PB_TIMEOUT_MULTIPLIER:-4} \
    run_suite "$prefix-asan" --buildtype=debugoptimized -Db_sanitize=address,undefined \
      -Db_lundef=false
fi

echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
