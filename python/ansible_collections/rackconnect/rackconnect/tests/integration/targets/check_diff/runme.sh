#!/usr/bin/env bash
# `--check --diff` from the command line: the diff is printed (checked here), and nothing
# changes (checked by the playbook). (No `set -x`: it would print the secrets.)
set -euo pipefail
. ../env_credentials/common.sh

log="$OUTPUT_DIR/check_diff.log"
playbook api_key --check --diff check_diff.yml "$@" | tee "$log"

fail() { echo "FAIL: $1" >&2; exit 1; }
# The pool member being added, by id (a line of the diff's "after").
grep -Eq '^\+ +"00000006-cccc-4ccc-8ccc-000000000006"' "$log" || fail "--check --diff did not print the server being added"
# The public IP that would be created, in the core's words, and its retain flag.
grep -Eq '^\+\+\+ after: dry run: would create a public IP' "$log" || fail "--check --diff did not say what rcv3_public_ip would create"
grep -Eq '^\+ +"retain": false' "$log" || fail "--check --diff did not print the new IP's retain flag"
echo "ok: --check --diff printed the planned member and the public IP it would create"
