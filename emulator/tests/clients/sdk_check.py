"""openstacksdk against the emulator: with rackspaceauth's plugins (`rackspace_apikey`,
`rackspace_password`: Identity v2.0 with RAX-KSKEY or password credentials), and with
keystoneauth's own `v2password`. No clouds.yaml and no OS_* variables are read.

    python sdk_check.py http://127.0.0.1:PORT
"""

import sys

import openstack

from harness import (API_KEY, DFW_SERVERS, PASSWORD, REGION, TENANT, USERNAME, WEB1, WEB1_FLAVOR, WEB1_IMAGE,
                     Checks, expect)

URL = sys.argv[1]
checks = Checks("openstacksdk")


def connect(auth_type, **auth):
    return openstack.connect(auth_type=auth_type, auth={"auth_url": f"{URL}/v2.0/", **auth}, region_name=REGION,
                             identity_api_version="2", load_yaml_config=False, load_envvars=False, api_timeout=20)


conn = connect("rackspace_apikey", username=USERNAME, api_key=API_KEY)


def lists():
    summary = {s.name for s in conn.compute.servers(details=False)}
    expect(summary == DFW_SERVERS, f"servers(details=False): {sorted(summary)}")
    detail = list(conn.compute.servers())
    expect({s.name for s in detail} == DFW_SERVERS, f"servers(): {[s.name for s in detail]}")
    expect(all(s.flavor and s.flavor.id for s in detail), "every server has a flavor")
    expect([s.name for s in conn.compute.servers(name="^web1$")] == ["web1"], "name=^web1$")


def find_and_show():
    server = conn.compute.find_server("web1", ignore_missing=False)
    expect(server.id == WEB1, server)
    server = conn.compute.get_server(WEB1)
    expect((server.status, server.vm_state, server.power_state) == ("ACTIVE", "active", 1), server)
    expect(server.disk_config == "AUTO" and len(server.host_id) == 56 and server.user_id, server)
    expect(server.project_id == TENANT, server.project_id)
    flavor = conn.compute.get_flavor(server.flavor.id)
    expect((flavor.id, flavor.name) == WEB1_FLAVOR, flavor)
    expect(conn.compute.find_flavor(WEB1_FLAVOR[1], ignore_missing=False).id == WEB1_FLAVOR[0], "find_flavor by name")
    image = conn.compute.get_image(server.image.id)
    expect((image.id, image.name) == WEB1_IMAGE, image)


def metadata():
    server = conn.compute.get_server(WEB1)
    meta = conn.compute.get_server_metadata(server).metadata
    expect(meta.get("rackconnect_automation_status") == "DEPLOYED", meta)
    expect(meta.get("rackconnect_automation_feature_provison_public_ip") == "ENABLED", meta)


def password_plugins():
    for auth_type, auth in [("rackspace_password", {"username": USERNAME, "password": PASSWORD}),
                            ("v2password", {"username": USERNAME, "password": PASSWORD, "tenant_id": TENANT})]:
        names = {s.name for s in connect(auth_type, **auth).compute.servers(details=False)}
        expect(names == DFW_SERVERS, f"{auth_type}: {sorted(names)}")


checks.check("rackspace_apikey: servers(details=False), servers(), name filter", lists)
checks.check("rackspace_apikey: find_server, get_server, its flavor and image by name", find_and_show)
checks.check("rackspace_apikey: get_server_metadata", metadata)
checks.check("rackspace_password and keystoneauth's v2password sign in and list", password_plugins)
checks.done()
