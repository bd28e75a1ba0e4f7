#!/usr/bin/env bash
# The credentials, region and v2 URL from the environment (the modules' RAX_* fallbacks), each
# playbook in an ansible-playbook of its own with the secret it needs; and the `bare` host, a
# Python without the rackconnect package. (No `set -x`: it would print the secrets.)
set -euo pipefail
. ./common.sh

playbook api_key api_key_env.yml "$@"
playbook password password_env.yml "$@"
playbook none no_secret_env.yml "$@"
# Neither a region nor a v2 URL anywhere.
(unset RAX_REGION RAX_RACKCONNECT_V2_URL; playbook none no_region.yml "$@")
