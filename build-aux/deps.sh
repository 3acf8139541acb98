# Sourced by the set-up scripts: the Debian 12 packages Perturb needs, and a
# function that installs the missing ones (apt-get, only when something is
# missing, only as root).

# Build and run
PB_BUILD_PACKAGES="build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-dev-bin libjson-glib-dev libsqlite3-dev libpq-dev
  libopenblas-dev zlib1g-dev libcairo2-dev libpango1.0-dev
  libgtk-4-dev libadwaita-1-dev librsvg2-common"
# Tests: validators, a throwaway PostgreSQL, Xvfb for the GUI tests, real data
# (Fashion-MNIST), and the Python references that run in CI (pandas, optuna).
PB_TEST_PACKAGES="postgresql xvfb xauth desktop-file-utils appstream-util appstream
  libxml2-utils poppler-utils dataset-fashion-mnist python3 python3-numpy
  python3-pandas python3-optuna"

pb_missing_packages () {
  local missing=() p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  echo "${missing[@]}"
}

# pb_install_packages PKG… — installs what is missing, or says how to.
pb_install_packages () {
  local missing
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "perturb: not a Debian system; install the equivalents of: $*" >&2
    return 0
  fi
  missing=$(pb_missing_packages "$@")
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "perturb: missing packages: $missing" >&2
    echo "perturb: install them with: sudo apt-get install -y --no-install-recommends $missing" >&2
    return 1
  fi
  echo "perturb: installing $missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || return 1
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null || return 1
}
