#!/usr/bin/env bash
# The inventory plugin rackconnect.rackconnect.servers and the lookups, on the controller:
# ansible-inventory --graph and --list (checked by check_list.py), its cache (the emulator's
# request log counts the server listings), a bad option, and a play on its hosts that uses the
# lookups. (No `set -x`: it would print the secrets.)
set -euo pipefail
. ../env_credentials/common.sh

fail() { echo "FAIL: $1" >&2; exit 1; }
# The plugins run on the controller: they read the key from ansible-inventory's environment.
export RAX_API_KEY="$api_key"
export ANSIBLE_INVENTORY_CACHE_CONNECTION="$OUTPUT_DIR/inventory-cache"
rm -rf "$ANSIBLE_INVENTORY_CACHE_CONNECTION"
cp servers.rackconnect.yml "$OUTPUT_DIR/"
servers="$OUTPUT_DIR/servers.rackconnect.yml"

# How many server listings the emulator has answered (its request log).
server_lists() {
  python -c 'import json, sys, urllib.request
log = json.load(urllib.request.urlopen(sys.argv[1] + "/__emulator/requests"))["requests"]
print(sum("servers/detail" in entry["path"] for entry in log))' "$emulator_url"
}

ansible-inventory -i "$servers" --graph
before=$(server_lists)
ansible-inventory -i "$servers" --list >"$OUTPUT_DIR/list.json"
[ "$(server_lists)" = "$before" ] || fail "the inventory cache was not used"
echo "ok: a second read came from the cache (no request)"
# Without its cache (ansible-inventory's --flush-cache is not in every release), the regions are read again.
rm -rf "$ANSIBLE_INVENTORY_CACHE_CONNECTION"
ansible-inventory -i "$servers" --list >"$OUTPUT_DIR/list.json"
[ "$(server_lists)" -gt "$before" ] || fail "with its cache gone, the inventory did not read the regions again"
python check_list.py "$OUTPUT_DIR/list.json"

# A wrong option is the core's clear error, at once.
printf 'plugin: rackconnect.rackconnect.servers\nfilters: {colour: blue}\n' >"$OUTPUT_DIR/bad.rackconnect.yml"
bad=$(ansible-inventory -i "$OUTPUT_DIR/bad.rackconnect.yml" --list 2>&1 >/dev/null || true)
grep -q "filters.colour" <<<"$bad" || { echo "$bad"; fail "a bad filter did not say which"; }
echo "ok: a bad filter is named"

# A refused key says what the plugin was doing and what to check, and never the key.
# (A cache of its own, empty: the shared one would answer without asking Identity.)
wrong=$(RAX_API_KEY="wrong-key-$$" ANSIBLE_INVENTORY_CACHE_CONNECTION="$OUTPUT_DIR/wrong-key-cache" \
  ansible-inventory -i "$servers" --list 2>&1 >/dev/null || true)
# (Compared without blanks: older ansible-core wraps its warnings, anywhere in a word.)
tr -d ' \n' <<<"$wrong" | grep -qF "readingtheservers:authenticationfailed;checkusername,andapi_keyorpassword" \
  || { echo "$wrong"; fail "a refused key did not say what to check"; }
if tr -d ' \n' <<<"$wrong" | grep -qF "wrong-key-$$"; then fail "the refused key was printed"; fi
echo "ok: a refused key says what to check"

playbook api_key -i "$servers" play.yml "$@"
