# shellcheck shell=bash
# Shared by tests/run, tests/bench/run and scripts/release (sourced, not executed): the Python
# environments, the collection as it ships, ansible-test sanity, and rackconnect emulators on 127.0.0.1.
#
# Needs RACKCONNECT_WHEEL (a built rackconnect wheel); the scripts that start emulators also need
# RACKCONNECT_EMULATOR (the emulator binary), checked by require_emulator.

COLLECTION_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# python/ansible_collections/rackconnect/rackconnect -> the repository root.
REPO_DIR="$(cd "$COLLECTION_DIR/../../../.." && pwd)"
# Venvs, the tarball and logs (git ignores target/).
WORK="$REPO_DIR/target/ansible-collection"
# A Python without the rackconnect package, to check the modules' message when it is missing.
BARE_VENV="$REPO_DIR/target/ansible-venv-bare"
# The installed copies live outside the repository: ansible-test lists a collection's files with
# git when it sits in a work tree, and target/ is ignored there, so it would find nothing to test.
# One directory per checkout (named by a checksum of its path), so that two checkouts test side by side.
CHECKOUT_TMP="${TMPDIR:-/tmp}/rackconnect-ansible-$(id -u)-$(printf %s "$REPO_DIR" | cksum | cut -d ' ' -f 1)"

# The ansible-core releases the collection is tested on, each with the Python it runs on as a
# controller (exact versions, as this machine's registry resolved them):
# - the oldest meta/runtime.yml promises (requires_ansible >=2.15), on Python 3.11 (2.15 runs on 3.9 to 3.11);
# - the newest the registry has, on Python 3.12 (2.20 and later need 3.12; pyenv's, here).
ANSIBLE_LABELS=(oldest newest)
declare -A ANSIBLE_CORE_PIN=([oldest]="ansible-core==2.15.13" [newest]="ansible-core==2.21.5")
declare -A ANSIBLE_PYTHON_VERSION=([oldest]=3.11 [newest]=3.12)
# A machine without Python 3.12 still tests a second release: the newest that runs on 3.11
# (said loudly, so that a CI log shows the matrix was narrower).
if ! ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12.*/bin/python >/dev/null 2>&1 \
    && ! python3.12 -c '' >/dev/null 2>&1; then
  echo "WARNING: no Python 3.12 here: the newest release tested is ansible-core 2.19 on Python 3.11, not 2.21" >&2
  ANSIBLE_CORE_PIN[newest]="ansible-core==2.19.14"
  ANSIBLE_PYTHON_VERSION[newest]=3.11
fi
# Beyond ansible-test's own constraints: 2.15's ansible-test units runs pytest --forked, and
# pytest-forked fails every test under pytest 9 (the newest its unpinned list resolves to).
declare -A ANSIBLE_UNITS_CONSTRAINT=([oldest]="pytest<8" [newest]="")

: "${RACKCONNECT_WHEEL:?set RACKCONNECT_WHEEL to the path of a built rackconnect wheel}"
[ -f "$RACKCONNECT_WHEEL" ] || { echo "RACKCONNECT_WHEEL: no file at $RACKCONNECT_WHEEL" >&2; exit 1; }

# Called first by the scripts that start emulators, so that a missing binary fails before minutes of setup.
require_emulator() {
  : "${RACKCONNECT_EMULATOR:?set RACKCONNECT_EMULATOR to the path of the rackconnect-emulator binary}"
  [ -x "$RACKCONNECT_EMULATOR" ] || { echo "RACKCONNECT_EMULATOR: no executable at $RACKCONNECT_EMULATOR" >&2; exit 1; }
}

# Only what the tests install is used: no user or system collections, no ansible.cfg from the
# current directory, no stray Python packages from the user's site directory.
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
mkdir -p "$WORK"
: >"$WORK/ansible.cfg"
export ANSIBLE_CONFIG="$WORK/ansible.cfg"
export ANSIBLE_NOCOLOR=1
export ANSIBLE_FORCE_COLOR=0
export ANSIBLE_LOCAL_TEMP="$WORK/tmp"
export PYTHONNOUSERSITE=1
export PIP_DISABLE_PIP_VERSION_CHECK=1
# The tests choose their credentials; a real account's must never reach them (or the emulator).
unset RAX_USERNAME RAX_API_KEY RAX_PASSWORD RAX_REGION RAX_TENANT RAX_IDENTITY_URL RAX_RACKCONNECT_V2_URL RAX_CREDS_FILE

STAGE_NAME=""
STAGE_START=0
RUN_START=$EPOCHREALTIME

seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# Prints how long the previous stage took, then names the next one.
stage() {
  [ -z "$STAGE_NAME" ] || echo "== $STAGE_NAME: $(seconds_since "$STAGE_START") s"
  STAGE_NAME="$1"
  STAGE_START=$EPOCHREALTIME
  [ -z "$STAGE_NAME" ] || echo "== $STAGE_NAME"
}

finish_stages() {
  stage ""
  echo "== total: $(seconds_since "$RUN_START") s"
}

# The venv of a label (oldest, newest).
venv_of() { echo "$REPO_DIR/target/ansible-venv-$1"; }

# The Python an ansible-core release runs on: pyenv's, else python3.X on PATH (one that runs:
# pyenv's shims are on PATH for every version, and fail for those not selected).
python_for() {
  local version=${ANSIBLE_PYTHON_VERSION[$1]} candidate
  for candidate in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/python 2>/dev/null | sort -V -r) \
      $(command -v "python$version"); do
    if "$candidate" -c "import sys; sys.exit('%d.%d' % sys.version_info[:2] != '$version')" 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "no Python $version here (pyenv's or python$version on PATH), which ${ANSIBLE_CORE_PIN[$1]} needs" >&2
  return 1
}

# A label's venv: its ansible-core, what ansible-test units needs (its own list, with its
# constraints), and the wheel (always reinstalled, so a rebuilt wheel is used).
setup_python() {
  local label=$1 venv pin python
  venv=$(venv_of "$label")
  pin=${ANSIBLE_CORE_PIN[$label]}
  python=$(python_for "$label")
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  if ! "$venv/bin/python" -c "import ansible.release, sys; sys.exit(ansible.release.__version__ != '${pin#*==}')" 2>/dev/null; then
    "$venv/bin/pip" install -q "$pin"
    local requirements
    requirements=$(echo "$venv"/lib/python3*/site-packages/ansible_test/_data/requirements)
    "$venv/bin/pip" install -q -r "$requirements/units.txt" -c "$requirements/constraints.txt" \
      ${ANSIBLE_UNITS_CONSTRAINT[$label]:+"${ANSIBLE_UNITS_CONSTRAINT[$label]}"}
  fi
  "$venv/bin/pip" install -q --force-reinstall --no-deps "$RACKCONNECT_WHEEL"
  "$venv/bin/python" -c "import ansible.release, platform
print('$label: ansible-core', ansible.release.__version__, 'on Python', platform.python_version())"
}

setup_bare_python() {
  [ -x "$BARE_VENV/bin/python" ] || python3 -m venv --without-pip "$BARE_VENV"
}

# Builds the collection's tarball (TARBALL), so that what is tested is what ships: into
# $WORK/dist (emptied first), or into the folder given (scripts/release's).
build_tarball() {
  local venv=$1 out=${2:-}
  if [ -z "$out" ]; then
    out="$WORK/dist"
    rm -rf "$out" "$WORK"/emulator.*
  fi
  mkdir -p "$out" "$WORK/tmp"
  rm -f "$out"/rackconnect-rackconnect-*.tar.gz
  "$venv/bin/ansible-galaxy" collection build "$COLLECTION_DIR" --output-path "$out" >/dev/null
  TARBALL=$(echo "$out"/rackconnect-rackconnect-*.tar.gz)
  [ -f "$TARBALL" ] || { echo "ansible-galaxy collection build left no tarball in $out" >&2; return 1; }
  echo "built $(basename "$TARBALL")"
}

# Installs the tarball into a fresh collections path NAME under CHECKOUT_TMP and prints the
# installed collection's directory.
install_copy() {
  local venv=$1 name=$2
  local path="$CHECKOUT_TMP/$name/collections"
  rm -rf "$CHECKOUT_TMP/$name"
  mkdir -p "$path"
  "$venv/bin/ansible-galaxy" collection install "$TARBALL" -p "$path" >/dev/null
  local installed="$path/ansible_collections/rackconnect/rackconnect"
  [ -f "$installed/MANIFEST.json" ] || { echo "the collection did not install into $path" >&2; return 1; }
  echo "$installed"
}

EMULATOR_PID=""
EMULATOR_URL=""

# Starts an emulator on a free port of 127.0.0.1 (extra arguments are passed on): EMULATOR_PID, EMULATOR_URL.
start_emulator() {
  launch_emulator "$RACKCONNECT_EMULATOR" --listen 127.0.0.1:0 "$@"
}

# Starts the emulator of the rackconnect wheel installed in a venv (`python -m rackconnect.emulator`,
# no Rust binary) the same way: start_pip_emulator VENV [arguments].
start_pip_emulator() {
  local venv=$1
  shift
  launch_emulator "$venv/bin/python" -m rackconnect.emulator --listen 127.0.0.1:0 "$@"
}

# Runs an emulator command and waits for its first line, "listening on URL".
launch_emulator() {
  # A file per emulator: tests/run and the bench run several.
  local out err
  out=$(mktemp "$WORK/emulator.XXXXXX.out")
  err="${out%.out}.err"
  "$@" >"$out" 2>"$err" &
  EMULATOR_PID=$!
  local line=""
  for _ in $(seq 100); do
    line=$(head -n 1 "$out" 2>/dev/null || true)
    [ -z "$line" ] || break
    kill -0 "$EMULATOR_PID" 2>/dev/null || { cat "$err" >&2; echo "the emulator exited" >&2; exit 1; }
    sleep 0.05
  done
  case "$line" in
    "listening on "*) EMULATOR_URL="${line#listening on }" ;;
    *) echo "unexpected first line from the emulator: '$line'" >&2; exit 1 ;;
  esac
  echo "emulator $EMULATOR_PID at $EMULATOR_URL"
}

# ansible-test bootstraps pip in its venvs with a get-pip script it downloads from outside the
# package registries, which this machine cannot reach. A stand-in in its cache does the same with
# the venv's own ensurepip and pip (pip still comes from the registry). Written whole, then moved
# into place: other checkouts read the same cache.
write_get_pip() {
  local venv=$1 pip_version get_pip tmp
  pip_version=$(sed -n "s/^ *pip='\([0-9.]*\)',\$/\1/p" \
    "$venv"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py | head -n 1)
  [ -n "$pip_version" ] || { echo "cannot find the pip version ansible-test bootstraps" >&2; exit 1; }
  get_pip="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
  [ ! -f "$get_pip" ] || return 0
  mkdir -p "$(dirname "$get_pip")"
  tmp=$(mktemp "$get_pip.XXXXXX")
  cat >"$tmp" <<'EOF'
"""A stand-in for get-pip.py (written by rackconnect.rackconnect's tests/run): bootstraps pip
from this Python's ensurepip, then lets that pip install what get-pip was asked for."""
import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet"]
                      + [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY])
EOF
  mv -f "$tmp" "$get_pip"
}

# ansible-test sanity on the installed copy in the current directory, in ansible-test's own venvs
# for the label's Python, with the label's venv first on PATH (write_get_pip first).
run_sanity() {
  local label=$1
  # ansible-test removes a venv of its cache that it finds half made: one run at a time per
  # release, across checkouts, so that no run removes the venv another is making.
  mkdir -p "$HOME/.ansible/test"
  PATH="$(venv_of "$label")/bin:$PATH" flock "$HOME/.ansible/test/rackconnect-sanity-$label.lock" \
    ansible-test sanity --venv --python "${ANSIBLE_PYTHON_VERSION[$label]}" --color no
}
