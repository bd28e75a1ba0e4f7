"""python-novaclient against the emulator: the `nova` command as users run it (keystoneauth's
password plugin against Identity v2.0, region DFW, version discovery first), and the Python API
as the old Ansible rax modules and scripts use it.

    python novaclient_check.py http://127.0.0.1:PORT
"""

import datetime
import os
import re
import subprocess
import sys

from keystoneauth1 import loading, session
from novaclient import client as nova_client

from harness import (DFW_SERVERS, PASSWORD, REGION, TENANT, USERNAME, WEB1, WEB1_FLAVOR, WEB1_IMAGE, Checks,
                     expect)

URL = sys.argv[1]
NOVA = os.path.join(os.path.dirname(sys.executable), "nova")
checks = Checks("python-novaclient")


def run_nova(*args):
    """Runs the nova command as a user would, signed in to the demo account (no OS_* variables)."""
    command = [NOVA, "--os-auth-url", f"{URL}/v2.0", "--os-username", USERNAME, "--os-password", PASSWORD,
               "--os-project-id", TENANT, "--os-region-name", REGION, "--timeout", "20", *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)


def nova(*args):
    """Runs the nova command; its stdout (the last line of stderr goes in the failure message)."""
    done = run_nova(*args)
    expect(done.returncode == 0, f"nova {' '.join(args)} exited {done.returncode}: {last_line(done.stderr)}")
    return done.stdout


def last_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(nothing on stderr)"


def table_names(out):
    """The Name column of a `nova list` table."""
    rows = [line.split("|") for line in out.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0]]
    column = header.index("Name")
    return {row[column].strip() for row in rows[1:]}


def show_property(out, name):
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > 2 and cells[1] == name:
            return cells[2]
    raise AssertionError(f"no {name!r} in nova show's output:\n{out}")


def cli_list():
    names = table_names(nova("list"))
    expect(names == DFW_SERVERS, f"nova list: {sorted(names)}")


def cli_list_minimal():
    # --minimal is the summary list (GET …/servers), which answered 405 before.
    names = table_names(nova("list", "--minimal"))
    expect(names == DFW_SERVERS, f"nova list --minimal: {sorted(names)}")


def cli_show_by_name():
    out = nova("show", "web1")
    expect(show_property(out, "id") == WEB1, out)
    flavor = show_property(out, "flavor")
    expect(flavor == f"{WEB1_FLAVOR[1]} ({WEB1_FLAVOR[0]})", f"flavor resolved by name: {flavor!r}")
    expect("Flavor not found" not in out, out)
    # novaclient names images through Glance (the catalog's "image" service, which the emulator
    # does not have: emulator/README.md, "Real clients"), so the image line has the id only.
    image = show_property(out, "image")
    expect(WEB1_IMAGE[0] in image, f"image: {image!r}")
    expect(show_property(out, "OS-EXT-STS:vm_state") == "active", out)
    expect(show_property(out, "status") == "ACTIVE", out)


def cli_show_metadata():
    out = nova("show", WEB1)
    metadata = show_property(out, "metadata")
    expect('"rackconnect_automation_status": "DEPLOYED"' in metadata, f"metadata: {metadata}")
    expect('"rax_service_level_automation": "Complete"' in metadata, f"metadata: {metadata}")


def cli_unknown_server():
    done = run_nova("show", "no-such-server")
    expect(done.returncode == 1 and re.search(r"No server with a name or ID of 'no-such-server'", done.stderr),
           f"exit {done.returncode}: {last_line(done.stderr)}")


checks.check("nova list", cli_list)
checks.check("nova list --minimal (the summary list)", cli_list_minimal)
checks.check("nova show NAME: found by name, flavor resolved by name", cli_show_by_name)
checks.check("nova show ID: the metadata RackConnect and Managed Operations wrote", cli_show_metadata)
checks.check("nova show of an unknown server says so", cli_unknown_server)

# The Python API, with keystoneauth's password plugin (Identity v2.0 discovered from the URL).
auth = loading.get_plugin_loader("password").load_from_options(
    auth_url=f"{URL}/v2.0", username=USERNAME, password=PASSWORD, project_id=TENANT)
cs = nova_client.Client("2", session=session.Session(auth=auth, timeout=20), region_name=REGION)


def api_lists():
    summary = {s.name for s in cs.servers.list(detailed=False)}
    expect(summary == DFW_SERVERS, f"servers.list(detailed=False): {sorted(summary)}")
    detail = cs.servers.list()
    expect({s.name for s in detail} == DFW_SERVERS, f"servers.list(): {[s.name for s in detail]}")
    expect(all(s.flavor.get("id") for s in detail), "every server has a flavor id")


def api_find():
    server = cs.servers.find(name="web1")
    expect(server.id == WEB1, server)
    # The old rax modules' search: `^name$`, then "Multiple servers found" unless exactly one.
    found = cs.servers.list(search_opts={"name": "^web1$"})
    expect([s.name for s in found] == ["web1"], f"name=^web1$: {[s.name for s in found]}")
    web = {s.name for s in cs.servers.list(search_opts={"name": "web"})}
    expect(web == {"web1", "web2", "web-add-fails"}, f"name=web: {sorted(web)}")


def api_status_and_changes_since():
    active = cs.servers.list(search_opts={"status": "ACTIVE"})
    expect(active and all(s.status == "ACTIVE" for s in active), [(s.name, s.status) for s in active])
    future = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    expect(cs.servers.list(search_opts={"changes-since": future}) == [], "nothing changed after tomorrow")


def api_show():
    server = cs.servers.get(WEB1)
    expect(cs.flavors.get(server.flavor["id"]).name == WEB1_FLAVOR[1], server.flavor)
    expect(server.image["id"] == WEB1_IMAGE[0], server.image)
    expect(server.metadata.get("rackconnect_automation_status") == "DEPLOYED", server.metadata)
    expect(getattr(server, "OS-DCF:diskConfig") == "AUTO", server.to_dict())
    expect(len(server.hostId) == 56 and server.user_id and server.tenant_id == TENANT, server.to_dict())
    expect(server.networks.get("public"), f"networks: {server.networks}")


checks.check("servers.list(detailed=False) and servers.list()", api_lists)
checks.check("servers.find(name=...) and the ^name$ search", api_find)
checks.check("status and changes-since filters", api_status_and_changes_since)
checks.check("servers.get: flavor, image, metadata, extended attributes", api_show)
checks.done()
