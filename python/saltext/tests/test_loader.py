"""Salt finds the extension through the ``salt.loader`` entry point of the installed wheel, not
through a module directory."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import Salt

EXECUTION_FUNCTIONS = {
    "status",
    "details",
    "gateway_ip",
    "features",
    "wait",
    "server_wait",
    "wait_servers",
    "server_show",
    "list_servers",
    "list_networks",
    "list_pools",
    "list_nodes",
    "list_node_details",
    "list_public_ips",
    "ensure_pool_members",
    "ensure_public_ip",
}
STATE_FUNCTIONS = {
    "pool_member_present",
    "pool_member_absent",
    "public_ip_present",
    "public_ip_absent",
    "public_ip_unassigned",
    "automation_deployed",
}


def test_the_wheel_registers_the_entry_point(salt: Salt, minion_config: str) -> None:
    probe = (
        "import importlib.metadata as md, saltext.rackconnect as ext;"
        "print([e.value for e in md.entry_points(group='salt.loader') if e.name == 'saltext.rackconnect']);"
        "print(md.distribution('rackconnect').locate_file('saltext/rackconnect/__init__.py'));"
        "print(ext.__file__)"
    )
    python = salt.salt_call.parent / "python"
    out = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, check=True, cwd="/"
    ).stdout.splitlines()
    assert out[0] == "['saltext.rackconnect']", out
    # Imported from the installed wheel (site-packages), not from the source tree.
    assert out[1] == out[2] and "site-packages" in out[2], out
    assert not Path(out[2]).is_relative_to(Path(__file__).resolve().parent.parent), out
    for key in ("module_dirs", "extension_modules", "states_dirs", "utils_dirs"):
        assert key not in minion_config


def test_salt_lists_and_documents_every_function(salt: Salt) -> None:
    modules = salt("sys.list_modules").data
    assert "rackconnect" in modules, modules
    docs = salt("sys.doc", "rackconnect").data
    assert {name.split(".", 1)[1] for name in docs} == EXECUTION_FUNCTIONS, sorted(docs)
    for name, doc in docs.items():
        assert doc and "CLI Example" in doc and "salt" in doc, name
    state_docs = salt("sys.state_doc", "rackconnect").data
    assert {name.split(".", 1)[1] for name in state_docs if "." in name} == STATE_FUNCTIONS, sorted(
        state_docs
    )
    assert all(state_docs[f"rackconnect.{name}"] for name in STATE_FUNCTIONS)


def test_without_the_package_the_module_says_why(salt: Salt, work: Path) -> None:
    # A `rackconnect` that cannot be imported, ahead of the installed one on the path.
    shadow = work / "no-rackconnect" / "rackconnect"
    shadow.mkdir(parents=True, exist_ok=True)
    (shadow / "__init__.py").write_text('raise ImportError("simulated: no rackconnect here")\n')
    env = dict(os.environ, PYTHONPATH=str(shadow.parent))
    called = salt("rackconnect.status", ok=False, env=env)
    assert "rackconnect" in called.stderr and "install the rackconnect wheel into Salt's Python" in called.stderr, called


def test_the_wheel_ships_the_extensions_readme_and_it_names_everything(salt: Salt) -> None:
    probe = (
        "import importlib.metadata as md;"
        "dist = md.distribution('rackconnect');"
        "print(dist.locate_file('saltext/rackconnect/README.md').read_text());"
        "print('=== METADATA ===');"
        "print(dist.read_text('METADATA'))"
    )
    python = salt.salt_call.parent / "python"
    out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True, cwd="/").stdout
    readme, _, metadata = out.partition("=== METADATA ===")
    for name in sorted(EXECUTION_FUNCTIONS | STATE_FUNCTIONS):
        assert f"`{name}" in readme, name
    for name in ("rackconnect_automation_status", "rackconnect_gateway_ip", "automation/deployed", "managed/complete"):
        assert name in readme, name
    # The package's page (its metadata README) leads to it.
    assert "saltext/rackconnect/README.md" in metadata
