#!/bin/bash
# Regenerates the screenshots of every workbench page in data/screenshots/
# (README.md and the AppStream metainfo show them).
#
#   build-aux/make-screenshots.sh [BUILDDIR]     (default: build/)
#
# With the built `perturb` tool it makes a small but real study in a temporary
# directory — a synthetic cohort imported and preprocessed, a short tune, a
# cross-validation of the best trial, an attack on one fold's best checkpoint,
# integrated-gradients attribution and an FGSM curve of the same checkpoint,
# the analysis of the attack — then opens the project once per page with
# `perturb-workbench --screenshot=FILE --page=NAME` and writes
# data/screenshots/<page>.png, all at one window size. It takes a few minutes
# on two cores. Needs xvfb-run (package xvfb) or a display; uses optipng when
# it is installed.
#
# Nothing of the user's leaks in: C.UTF-8 locale, a private settings keyfile
# (only the window size set) and private XDG directories, no session bus.
# Exits non-zero, naming the step, when anything fails. PB_SCREENSHOTS_KEEP=1
# keeps the study and the log in ${TMPDIR:-/tmp}/perturb-screenshots.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

# Logical size of the captured window (the PNG is this size at scale 1).
WIDTH=1200
HEIGHT=1060
PAGES="overview import preprocess tune cross-validation attack analysis"

die () {
  echo "make-screenshots: $*" >&2
  exit 1
}

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${1:-$srcdir/build}
[ $# -le 1 ] || { echo "usage: $0 [BUILDDIR]" >&2; exit 2; }
[ -d "$builddir" ] || die "no build directory $builddir (meson setup $builddir && ninja -C $builddir)"
builddir=$(cd "$builddir" && pwd)

cli=$builddir/src/cli/perturb
app=$builddir/src/app/perturb-workbench
for f in "$cli" "$app"; do
  [ -x "$f" ] || die "$f is not built (ninja -C $builddir; the workbench needs -Dapp=enabled)"
done
[ -f "$builddir/data/gschemas.compiled" ] || die "no compiled GSettings schema in $builddir/data"

# A fixed place, so that the project's path in the header bar and on the
# Overview page is the same in every regeneration.
work=${TMPDIR:-/tmp}/perturb-screenshots
mkdir "$work" 2>/dev/null ||
  die "$work exists: another run is going on, or remove what a killed one left"
cleanup () {
  if [ -n "${PB_SCREENSHOTS_KEEP:-}" ]; then
    echo "make-screenshots: kept $work (remove it before the next run)"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

export LC_ALL=C.UTF-8 LANG=C.UTF-8
unset LANGUAGE
export HOME=$work/home XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data \
       XDG_CACHE_HOME=$work/cache XDG_STATE_HOME=$work/state
# GSETTINGS_BACKEND=memory would keep the user's settings out too, but cannot
# carry the window size; a keyfile in the private XDG_CONFIG_HOME does both.
export GSETTINGS_BACKEND=keyfile GSETTINGS_SCHEMA_DIR=$builddir/data
export GTK_A11Y=none NO_AT_BRIDGE=1 DBUS_SESSION_BUS_ADDRESS=disabled: GDK_SCALE=1 GDK_DPI_SCALE=1
# The software renderer: the same pixels everywhere, and no GL start-up that
# can outlast the second --screenshot waits for on a loaded machine.
export GSK_RENDERER=cairo
mkdir -p "$HOME" "$XDG_CONFIG_HOME/glib-2.0/settings" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" \
         "$XDG_STATE_HOME"
# The window's default size is the settings' size plus the 10 px the CSD frame
# takes from it under X11 without a compositor (what --screenshot captures is
# the window widget).
cat > "$XDG_CONFIG_HOME/glib-2.0/settings/keyfile" <<EOF
[io/github/perturb/Workbench]
window-width=$((WIDTH + 10))
window-height=$((HEIGHT + 10))
window-maximized=false
EOF

log=$work/log
start=$SECONDS

# step NAME COMMAND… — runs a step, its output into the log; on failure shows the
# end of the log and stops.
step () {
  local name=$1 t0=$SECONDS
  shift
  printf '%-44s' "$name…"
  echo "### $name: $*" >> "$log"
  if ! "$@" >> "$log" 2>&1; then
    echo " failed"
    tail -n 25 "$log" >&2
    die "step '$name' failed (command: $*)"
  fi
  echo " $((SECONDS - t0)) s"
}

cd "$work"
project=$work/icu-mortality.perturb

step "project" "$cli" project new "$project"
step "synthetic cohort (1,200 ICU stays)" "$cli" synth --stays 1200 --seed 1 --sqlite cohort.sqlite
step "import" "$cli" import "$project" --from sqlite:cohort.sqlite
step "preprocess" "$cli" preprocess "$project"
# 12 trials of 3 folds × 6 epochs, a report per epoch: the first 6 random, the
# rest TPE, the median pruner from epoch 2 on — some trials complete, some are
# pruned, and both figures have something to show.
step "tune (12 trials, 3 folds × 6 epochs)" \
  "$cli" tune "$project" --study model --trials 12 --folds 3 --epochs 6 --report-every 1 \
  --startup-trials 6 --warmup-steps 2 --seed 0 --quiet
step "cross-validation of the best trial" \
  "$cli" cv "$project" --from-study model --folds 3 --epochs 20 --eval-every 2
# The CV names the checkpoint to attack: the median fold's best epoch.
target=$(sed -n 's/^Attack target (median fold by validation loss): fold [0-9]*, epoch \([0-9]*\), run \([0-9]*\)$/\2 \1/p' "$log" | tail -n 1)
[ -n "$target" ] || die "the cross-validation named no attack target (see its output above)"
read -r run epoch <<< "$target"
# The reference's attack (κ 0.11, λ 1.6e-5, SGD lr 0.014, 1,000 iterations)
# needs its 1,000 iterations; a larger step, no margin and a stronger sparsity
# weight find sparse adversarial examples of both classes in 200.
step "attack (run $run, epoch $epoch, 150 stays)" \
  "$cli" attack "$project" --run "$run" --epoch "$epoch" --dataset default --samples 150 \
  --iterations 200 --kappa 0 --lambda 1e-3 --lr 2
step "integrated-gradients attribution" \
  "$cli" attribute "$project" --run "$run" --epoch "$epoch" --dataset default --method ig
# Only the curve: the Analysis page reads a stored FGSM run whole when it opens.
step "FGSM robustness curve" \
  "$cli" fgsm "$project" --run "$run" --epoch "$epoch" --dataset default --no-perturbations \
  --eps 0,0.005,0.01,0.02,0.03,0.05,0.075,0.1,0.15,0.2
step "analysis" "$cli" analyze "$project" --attack 1 --csv analysis

grep -q " adversarial examples found" "$log" || die "the attack reported no result"
if grep -q "; 0 adversarial examples found" "$log"; then
  die "the attack found no adversarial example: the Attack and Analysis pages would be empty"
fi

# The display: a private Xvfb server when there is one, so that size, fonts and
# scale do not depend on the desktop; otherwise the current display.
display=()
if command -v xvfb-run >/dev/null 2>&1; then
  display=(xvfb-run -a -s "-screen 0 $((WIDTH + 200))x$((HEIGHT + 200))x24 -nolisten tcp")
elif [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  die "no display and no xvfb-run (apt-get install xvfb xauth)"
fi

# png_size FILE — "WIDTHxHEIGHT" from the IHDR chunk
png_size () {
  local w h
  w=$(od -An -tu1 -j16 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
  h=$(od -An -tu1 -j20 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
  echo "${w}x${h}"
}

outdir=$srcdir/data/screenshots
mkdir -p "$outdir"
for page in $PAGES; do
  shot=$work/$page.png
  t0=$SECONDS
  printf '%-44s' "screenshot: $page…"
  # --screenshot captures one second after the window is mapped; on a busy
  # machine the window may not be laid out or drawn yet by then: try again.
  for attempt in 1 2 3 4 5 6; do
    rm -f "$shot"
    if timeout 120 "${display[@]}" "$app" --screenshot="$shot" --page="$page" "$project" \
         > "$work/$page.log" 2>&1; then
      break
    fi
    cat "$work/$page.log" >> "$log"
    if [ $attempt = 6 ] || ! grep -q "The window is not shown\|The window drew nothing" "$work/$page.log"; then
      echo " failed"
      cat "$work/$page.log" >&2
      die "perturb-workbench failed on the $page page"
    fi
    printf '(again) '
  done
  cat "$work/$page.log" >> "$log"
  if grep -q "no page named\|CRITICAL \*\*\|WARNING \*\*\|screenshot failed" "$work/$page.log"; then
    echo " failed"
    cat "$work/$page.log" >&2
    die "the $page page did not open cleanly"
  fi
  echo " $((SECONDS - t0)) s"
  [ -s "$shot" ] || die "no screenshot of the $page page"
  size=$(png_size "$shot")
  [ "$size" = "${WIDTH}x${HEIGHT}" ] ||
    die "the $page screenshot is $size, not ${WIDTH}x${HEIGHT} (window manager or scale?)"
  if command -v optipng >/dev/null 2>&1; then
    optipng -quiet -o2 -strip all "$shot" || die "optipng failed on $shot"
  fi
  cp "$shot" "$outdir/$page.png"
done

echo "Done in $((SECONDS - start)) s:"
for page in $PAGES; do
  printf '  data/screenshots/%-22s %7d bytes\n' "$page.png" "$(stat -c %s "$outdir/$page.png")"
done
