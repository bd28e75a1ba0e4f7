"""Checks `ansible-inventory --list` of servers.rackconnect.yml against the emulator's demo
account (emulator/README.md): groups by automation state, pools, Managed status, the user's
groups and compose, the filters, and the address each host is reached by."""

import json
import sys


def plain(value):
    """The value without ansible-inventory's markers of untrusted text (``__ansible_unsafe``,
    which 2.19 writes for values from the API: they are never templated)."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


with open(sys.argv[1]) as listing:
    listed = plain(json.load(listing))
hostvars = listed["_meta"]["hostvars"]


def members(group):
    return set(listed.get(group, {}).get("hosts", []))


def expect(condition, what):
    if not condition:
        sys.exit("FAIL: %s\n%s" % (what, json.dumps(listed, indent=1)[:4000]))


expect({"web1", "unmanaged", "db-build-error"} <= set(hostvars), "the DFW hosts are listed")
expect("app-unprocessable" in hostvars, "an IAD host is listed (two regions)")
expect("lon-web1" not in hostvars and "fresh" not in hostvars, "filters leave out other regions and names")
expect("web1" in members("rackconnect_done"), "web1 is done")
expect("app-failed" in members("rackconnect_failed"), "a FAILED server is in rackconnect_failed")
expect("db-auth-error" in members("rackconnect_failed"), "a Managed Authentication Error is in rackconnect_failed")
expect("app-unprocessable" in members("rackconnect_not_applicable"), "UNPROCESSABLE is not applicable")
expect("web1" in members("managed_Complete"), "keyed_groups: web1 by its Managed status")
expect("web1" in members("pool_dfw_web_80"), "keyed_groups: web1 by its pool")
expect(members("web") >= {"web1", "web2"} and "app-failed" not in members("web"), "groups: the web hosts")
web1 = hostvars["web1"]
expect(web1["rackconnect_reached_by"] == "rackconnect_v2", "web1 is reached by its RackConnect address")
expect(web1["ansible_host"] == web1["rackconnect_access_ipv4"] == web1["rackconnect_reachable_ip"],
       "ansible_host is the RackConnect public IP")
expect(web1["rackconnect_public_ips"] and web1["rackconnect_v3_read"], "web1's v3 public IP is read")
unmanaged = hostvars["unmanaged"]
expect(unmanaged["ansible_host"] == unmanaged["rackconnect_addresses"]["public"][0]["addr"]
       and unmanaged["ansible_host"] != unmanaged["rackconnect_reachable_ip"], "compose overrides ansible_host")
print("ok: %d hosts, %d groups" % (len(hostvars), len([g for g in listed if g != "_meta"])))
