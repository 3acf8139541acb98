#!/bin/bash
# bench-data.sh — synthetic cohort → import (SQLite and PostgreSQL) → preprocess,
# timed per stage, with the seed's pandas pipeline (tests/tools/preprocess_reference.py)
# on the same data in the same run, and peak memory (GNU time's max RSS).
#
#   bench/bench-data.sh BUILD_DIR [STAYS [PANDAS_STAYS]]
#   PERTURB=/path/to/perturb bench/bench-data.sh …   (a binary that is not being rebuilt)
#
# STAYS defaults to 61532 (MIMIC-III v1.4's ICU stays). The pandas reference is
# run on a cohort of PANDAS_STAYS (default: STAYS) — it takes minutes per few
# thousand stays — and ours is timed on that cohort too, so the ratio compares
# like with like; 0 skips it. PostgreSQL runs beside a throwaway server (tests/run-with-postgres.sh).
set -eu
BUILD=$(realpath "${1:?usage: bench-data.sh BUILD_DIR [STAYS [PANDAS_STAYS]]}")
STAYS=${2:-61532}
PANDAS_STAYS=${3:-$STAYS}
SRC=$(cd "$(dirname "$0")/.." && pwd)
PERTURB=${PERTURB:-$BUILD/src/cli/perturb}
WORK=$(mktemp -d /tmp/pb-bench-data.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

t() {  # t LABEL CMD…: wall seconds and max RSS of CMD
  local label=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.txt" "$@" > "$WORK/out.txt" 2> "$WORK/err.txt" \
    || { cat "$WORK/err.txt"; exit 1; }
  read -r secs kb user sys < "$WORK/time.txt"
  printf "%-34s %8.1f s wall %8.1f s cpu  %7.0f MiB\n" "$label" "$secs" \
    "$(echo "$user + $sys" | bc -l)" "$((kb / 1024))"
}

echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# date: $(date -u +%Y-%m-%dT%H:%MZ); stays: $STAYS; pandas on $PANDAS_STAYS stays"

t "synth → SQLite ($STAYS stays)" "$PERTURB" synth --stays "$STAYS" --sqlite cohort.sqlite
grep -E "chartevents|labevents" out.txt | sed 's/^/#   /'
ls -l cohort.sqlite | awk '{printf "#   file %.0f MiB\n", $5 / 1048576}'
t "import (SQLite)" "$PERTURB" import p.perturb --from sqlite:cohort.sqlite
grep -E "icustays|blood|lab|vital" out.txt | sed 's/^/#   /'
t "preprocess" "$PERTURB" preprocess p.perturb
read -r _ _ user sys < "$WORK/time.txt"
ours_cpu=$(echo "$user + $sys" | bc -l)
grep -E "^Dataset|^feature finalizer" out.txt | sed 's/^/#   /'

"$SRC/tests/run-with-postgres.sh" bash -c "
  set -e
  $(declare -f t)
  WORK=$WORK
  t 'synth → PostgreSQL COPY' '$PERTURB' synth --stays $STAYS --postgres \"\$PG_CONNINFO\"
  t 'import (PostgreSQL, single-row)' '$PERTURB' import q.perturb --from \"\$PG_CONNINFO\"
  grep -E 'icustays|blood|lab|vital' out.txt | sed 's/^/#   /'
" | grep -v '^1\.\.0'

if [ "$PANDAS_STAYS" = 0 ]; then
  echo "# pandas reference skipped (PANDAS_STAYS=0)"
  exit 0
elif [ "$PANDAS_STAYS" != "$STAYS" ]; then
  t "synth → SQLite ($PANDAS_STAYS stays)" "$PERTURB" synth --stays "$PANDAS_STAYS" --sqlite small.sqlite
  t "import (SQLite, $PANDAS_STAYS stays)" "$PERTURB" import s.perturb --from sqlite:small.sqlite
  t "preprocess ($PANDAS_STAYS stays)" "$PERTURB" preprocess s.perturb
  read -r _ _ user sys < "$WORK/time.txt"
  ours_cpu=$(echo "$user + $sys" | bc -l)
  "$PERTURB" preprocess s.perturb --export-csv csv --name again > out.txt
else
  "$PERTURB" preprocess p.perturb --export-csv csv --name again > out.txt
fi
grep -E "^Dataset" out.txt | sed 's/^/#   /'
ours=$(sed -n 's/.* in \([0-9.]*\) s (statistics.*/\1/p' out.txt)
if /usr/bin/python3 -c "import pandas" 2>/dev/null; then
  t "pandas reference (same cohort)" /usr/bin/python3 "$SRC/tests/tools/preprocess_reference.py" csv ref.csv
  read -r secs kb user sys < "$WORK/time.txt"
  pandas_cpu=$(echo "$user + $sys" | bc -l)
  printf "# preprocess: ours %s s wall (in-process) / %.1f s cpu (process), pandas %.1f s wall / %.1f s cpu\n" \
    "$ours" "$ours_cpu" "$secs" "$pandas_cpu"
  printf "# ratio pandas/ours: %.0f× cpu\n" "$(echo "$pandas_cpu / $ours_cpu" | bc -l)"
else
  echo "# pandas not installed: no reference timing"
fi
