# shellcheck shell=bash
# Sourced by the runme.sh of the script targets: the settings tests/run wrote into
# integration_config.yml, an inventory, and the demo account in the RAX_* variables.
config=../../integration_config.yml
setting() { python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))[sys.argv[2]])' "$config" "$1"; }
emulator_url=$(setting emulator_url)
api_key=$(setting rackconnect_api_key)
password=$(setting rackconnect_password)

# localhost on the Python that runs ansible-playbook (it has rackconnect); `bare` on one without it.
inventory="$OUTPUT_DIR/inventory.ini"
cat >"$inventory" <<INVENTORY
localhost ansible_connection=local ansible_python_interpreter="{{ ansible_playbook_python }}"
bare ansible_connection=local ansible_python_interpreter=$(setting bare_python)
INVENTORY

# Secrets go in ansible-playbook's own environment (the modules inherit it on a local
# connection), never through the `environment` keyword, whose values -vvv prints.
export RAX_IDENTITY_URL="$emulator_url" RAX_RACKCONNECT_V2_URL="$emulator_url" RAX_USERNAME=$(setting rackconnect_username) RAX_REGION=dfw

# Runs a playbook with the secret SECRET (api_key, password or none) in the environment:
#   playbook SECRET [ansible-playbook arguments...]
playbook() {
  local secret=$1
  shift
  local env=(env -u RAX_API_KEY -u RAX_PASSWORD)
  case "$secret" in
    api_key) env+=(RAX_API_KEY="$api_key") ;;
    password) env+=(RAX_PASSWORD="$password") ;;
  esac
  "${env[@]}" ansible-playbook -i "$inventory" -e "@$config" "$@"
}
