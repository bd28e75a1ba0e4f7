#!/usr/bin/env python3
"""Writes fuzz seeds from the shared corpus: each valid response body, prefixed with the two bytes
that make the family's target parse it with the case's own operation and status 200 (see
fuzz/src/lib.rs). Seeds go to fuzz/corpus/<family>/, which the fuzzer also writes to."""
import json
import pathlib

root = pathlib.Path(__file__).resolve().parent
corpus = root.parent / "tests" / "corpus" / "responses"
# The order of rackconnect::ops::Operation::ALL, per family.
ops = {
    "v2": ["v2.automation_status", "v2.details", "v2.gateway_ip", "v2.automation_features"],
    "servers": ["servers.show", "servers.metadata", "servers.metadata_item", "servers.list_detail",
                "servers.v1_auth", "servers.v1_show"],
    "identity": ["identity.token", "identity.validate", "identity.revoke"],
    "v3": ["v3.list_networks", "v3.get_network", "v3.list_pools", "v3.get_pool", "v3.list_nodes",
           "v3.add_node", "v3.list_node_details", "v3.get_node", "v3.remove_node", "v3.get_node_details",
           "v3.bulk_add_nodes", "v3.bulk_remove_nodes", "v3.server_node_details", "v3.list_public_ips",
           "v3.create_public_ip", "v3.get_public_ip", "v3.update_public_ip", "v3.delete_public_ip"],
}
for family, names in ops.items():
    out = root / "corpus" / family
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for case_file in sorted((corpus / family).glob("*.json")):
        case = json.loads(case_file.read_text())
        if "expect" not in case or "body_file" not in case or case["op"] not in names:
            continue
        # Operation index, then status index 0 (200) without extra headers.
        prefix = bytes([names.index(case["op"]), 0])
        body = (case_file.parent / case["body_file"]).read_bytes()
        (out / f"seed-{case_file.stem}").write_bytes(prefix + body)
        written += 1
    print(f"{family}: {written} seeds in {out}")
