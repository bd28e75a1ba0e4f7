# shellcheck shell=bash
# Shared by tests/run and tests/bench/run (sourced, not executed): the Python environment, the
# collection as it ships, and a rackconnect emulator on 127.0.0.1.
#
# Needs RACKCONNECT_WHEEL (a built rackconnect wheel) and RACKCONNECT_EMULATOR (the emulator binary).

COLLECTION_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# python/ansible_collections/rackconnect/rackconnect -> the repository root.
REPO_DIR="$(cd "$COLLECTION_DIR/../../../.." && pwd)"
VENV="$REPO_DIR/target/ansible-venv"
# A Python without the rackconnect package, to check the modules' message when it is missing.
BARE_VENV="$REPO_DIR/target/ansible-venv-bare"
WORK="$REPO_DIR/target/ansible-collection"
# The installed copy lives outside the repository: ansible-test lists a collection's files with git
# when it sits in a work tree, and target/ is ignored there, so it would find nothing to test.
# One per checkout (named by a checksum of its path), so that two checkouts test side by side.
CHECKOUT_TMP="${TMPDIR:-/tmp}/rackconnect-ansible-$(id -u)-$(printf %s "$REPO_DIR" | cksum | cut -d ' ' -f 1)"
COLLECTIONS_PATH="$CHECKOUT_TMP/collections"
INSTALLED="$COLLECTIONS_PATH/ansible_collections/rackconnect/rackconnect"
# The exact version `ansible-core==2.19.*` resolved to on this machine's registry (2.20 needs Python 3.12).
ANSIBLE_CORE_PIN="ansible-core==2.19.14"

: "${RACKCONNECT_WHEEL:?set RACKCONNECT_WHEEL to the path of a built rackconnect wheel}"
: "${RACKCONNECT_EMULATOR:?set RACKCONNECT_EMULATOR to the path of the rackconnect-emulator binary}"
[ -f "$RACKCONNECT_WHEEL" ] || { echo "RACKCONNECT_WHEEL: no file at $RACKCONNECT_WHEEL" >&2; exit 1; }
[ -x "$RACKCONNECT_EMULATOR" ] || { echo "RACKCONNECT_EMULATOR: no executable at $RACKCONNECT_EMULATOR" >&2; exit 1; }

# Only what the tests install is used: no user or system collections, no ansible.cfg from the
# current directory, no stray Python packages from the user's site directory.
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_PATH"
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

# The venv with ansible-core and the wheel (always reinstalled, so a rebuilt wheel is used).
setup_python() {
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  if ! "$VENV/bin/python" -c "import ansible.release, sys; sys.exit(ansible.release.__version__ != '${ANSIBLE_CORE_PIN#*==}')" 2>/dev/null; then
    "$VENV/bin/pip" install -q "$ANSIBLE_CORE_PIN"
  fi
  "$VENV/bin/pip" install -q --force-reinstall --no-deps "$RACKCONNECT_WHEEL"
  [ -x "$BARE_VENV/bin/python" ] || python3 -m venv --without-pip "$BARE_VENV"
  export PATH="$VENV/bin:$PATH"
}

# Builds the collection's tarball and installs it, so that what is tested is what ships.
build_and_install() {
  rm -rf "$WORK/dist" "$COLLECTIONS_PATH" "$WORK"/emulator.*
  mkdir -p "$WORK/dist" "$COLLECTIONS_PATH" "$WORK/tmp"
  ansible-galaxy collection build "$COLLECTION_DIR" --output-path "$WORK/dist" >/dev/null
  local tarball
  tarball=$(echo "$WORK"/dist/rackconnect-rackconnect-*.tar.gz)
  ansible-galaxy collection install "$tarball" -p "$COLLECTIONS_PATH" >/dev/null
  [ -f "$INSTALLED/MANIFEST.json" ] || { echo "the collection did not install into $INSTALLED" >&2; exit 1; }
  echo "installed $(basename "$tarball") into $COLLECTIONS_PATH"
}

EMULATOR_PID=""
EMULATOR_URL=""

# Starts an emulator on a free port of 127.0.0.1 (extra arguments are passed on): EMULATOR_URL.
start_emulator() {
  # A file per emulator: the bench runs two.
  local out err
  out=$(mktemp "$WORK/emulator.XXXXXX.out")
  err="${out%.out}.err"
  "$RACKCONNECT_EMULATOR" --listen 127.0.0.1:0 "$@" >"$out" 2>"$err" &
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

stop_emulator() {
  if [ -n "$EMULATOR_PID" ]; then
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
  fi
}

# An inventory with localhost on the venv's Python, and `bare` on a Python without rackconnect.
write_inventory() {
  cat >"$WORK/inventory.ini" <<EOF
localhost ansible_connection=local ansible_python_interpreter=$VENV/bin/python
bare ansible_connection=local ansible_python_interpreter=$BARE_VENV/bin/python
EOF
}
