#!/bin/bash
# Builds Perturb and opens the workbench on a small demo project.
#
#   build-aux/run-workbench.sh [PROJECT]
#
# As root on Debian 12 it first installs the packages that are missing. The demo
# project (build/demo/demo.perturb) is made once; later runs reuse it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${PERTURB_BUILDDIR:-$top/build}
# shellcheck source=deps.sh
. "$top/build-aux/deps.sh"

pb_install_packages $PB_BUILD_PACKAGES

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$top" --buildtype=release >/dev/null
fi
meson compile -C "$build" >/dev/null

cli="$build/src/cli/perturb"
project=${1:-$build/demo/demo.perturb}
if [ ! -f "$project" ]; then
  mkdir -p "$(dirname "$project")"
  "$cli" project new "$project"
  # Fill the demo from the built-in synthetic cohort where this build can.
  if "$cli" --help | grep -q '^  synth '; then
    cohort="$(dirname "$project")/cohort.sqlite"
    rm -f "$cohort"
    "$cli" synth --stays 400 --seed 1 --sqlite "$cohort"
    "$cli" import "$project" --from "sqlite:$cohort"
    "$cli" preprocess "$project"
  fi
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  cat >&2 <<MSG
perturb: no display is available, so the workbench cannot open here.
Use the command-line tool on the same project instead, for example:
  $cli project info $project
  $cli --help
(or run this script again from a desktop session, or under xvfb-run to test).
MSG
  exit 0
fi

export GSETTINGS_SCHEMA_DIR="$build/data"
# Without an installed dconf, keep settings (recent projects, window size) in a key file.
if [ ! -e /usr/lib/x86_64-linux-gnu/gio/modules/libdconfsettings.so ] && \
   [ -z "${GSETTINGS_BACKEND:-}" ]; then
  export GSETTINGS_BACKEND=keyfile
fi
exec "$build/src/app/perturb-workbench" "$project"
