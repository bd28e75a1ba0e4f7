"""Parsing 10,000 public IPs: ``rackconnect.parse_response`` against ``json.loads`` plus building
and checking the same dicts in pure Python, in the same run. Prints the medians and the ratio.

    python python/bench/bench_parse.py [--count 10000] [--rounds 15]

The pure-Python side does what a careful hand-written client does: load the JSON, check every
field's type, parse the timestamps, default a missing ``retain`` to False, and keep unknown
fields. Both sides must produce equal results (checked before timing), so neither skips work.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional

import rackconnect

HEADERS = [("Content-Type", "application/json")]


def make_body(count: int) -> bytes:
    """A v3 list-public-IPs answer: every fourth IP retained and unassigned, the rest assigned."""
    items = []
    for i in range(count):
        item: Dict[str, Any] = {
            "id": f"{i:08x}-37a7-4ae0-adac-2743d5feb450",
            "public_ip_v4": f"203.0.{i // 256 % 256}.{i % 256}",
            "retain": i % 4 == 0,
            "status": "ACTIVE" if i % 10 else "ADDING",
            "status_detail": None,
            "created": "2014-05-30T03:23:42Z",
            "updated": "2014-05-30T03:24:18Z",
            "cloud_server": None
            if i % 4 == 0
            else {
                "id": f"{i:08x}-6ab8-4873-b82f-f8433840cff2",
                "name": f"web-{i}",
                "created": "2014-05-30T02:18:42Z",
                "updated": "2014-05-30T02:19:18Z",
                "cloud_network": {
                    "id": "07426958-1ebf-4c38-b032-d456820ca21a",
                    "name": "RC-CLOUD",
                    "cidr": "192.168.100.0/24",
                    "private_ip_v4": f"192.168.{i // 256 % 256}.{i % 256}",
                    "created": "2014-05-25T01:23:42Z",
                    "updated": "2014-05-25T02:28:44Z",
                },
            },
        }
        items.append(item)
    return json.dumps(items).encode()


class Invalid(ValueError):
    pass


def text(obj: Dict[str, Any], key: str, where: str, required: bool = False) -> Optional[str]:
    value = obj.get(key)
    if value is None:
        if required:
            raise Invalid(f"{where}.{key}: expected a string, found nothing")
        return None
    if not isinstance(value, str):
        raise Invalid(f"{where}.{key}: expected a string, found {type(value).__name__}")
    return value


def timestamp(obj: Dict[str, Any], key: str, where: str) -> Optional[str]:
    value = text(obj, key, where)
    if value is not None:
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise Invalid(f"{where}.{key}: expected an RFC 3339 time, found {value!r}") from None
    return value


def known(obj: Dict[str, Any], out: Dict[str, Any], keys: tuple) -> Dict[str, Any]:
    for k, v in obj.items():
        if k not in keys:
            out[k] = v
    return out


NETWORK_KEYS = ("id", "name", "cidr", "private_ip_v4", "created", "updated")
SERVER_KEYS = ("id", "name", "created", "updated", "cloud_network")
IP_KEYS = ("id", "public_ip_v4", "retain", "status", "status_detail", "created", "updated", "cloud_server")


def network(obj: Any, where: str) -> Optional[Dict[str, Any]]:
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise Invalid(f"{where}: expected an object")
    out = {k: text(obj, k, where) for k in ("id", "name", "cidr", "private_ip_v4")}
    out["created"] = timestamp(obj, "created", where)
    out["updated"] = timestamp(obj, "updated", where)
    return known(obj, out, NETWORK_KEYS)


def server(obj: Any, where: str) -> Optional[Dict[str, Any]]:
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise Invalid(f"{where}: expected an object")
    out: Dict[str, Any] = {"id": text(obj, "id", where, required=True), "name": text(obj, "name", where)}
    out["created"] = timestamp(obj, "created", where)
    out["updated"] = timestamp(obj, "updated", where)
    out["cloud_network"] = network(obj.get("cloud_network"), f"{where}.cloud_network")
    return known(obj, out, SERVER_KEYS)


def pure_python(body: bytes) -> List[Dict[str, Any]]:
    items = json.loads(body)
    if not isinstance(items, list):
        raise Invalid("expected a list of public IPs")
    out = []
    for i, obj in enumerate(items):
        where = f"[{i}]"
        if not isinstance(obj, dict):
            raise Invalid(f"{where}: expected an object")
        retain = obj.get("retain")
        if retain is not None and not isinstance(retain, bool):
            raise Invalid(f"{where}.retain: expected a boolean")
        ip: Dict[str, Any] = {
            "id": text(obj, "id", where, required=True),
            "public_ip_v4": text(obj, "public_ip_v4", where),
            "retain": bool(retain),
            "status": text(obj, "status", where, required=True),
            "status_detail": text(obj, "status_detail", where),
            "created": timestamp(obj, "created", where),
            "updated": timestamp(obj, "updated", where),
            "cloud_server": server(obj.get("cloud_server"), f"{where}.cloud_server"),
        }
        out.append(known(obj, ip, IP_KEYS))
    return out


def with_core(body: bytes) -> Any:
    return rackconnect.parse_response("v3.list_public_ips", 200, HEADERS, body)


def json_only(body: bytes) -> Any:
    return json.loads(body)


def median_seconds(fn: Callable[[bytes], Any], body: bytes, rounds: int) -> float:
    fn(body)  # warm up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn(body)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    body = make_body(args.count)
    if with_core(body) != pure_python(body):
        raise SystemExit("the two parsers disagree: the comparison would be unfair")
    core = median_seconds(with_core, body, args.rounds)
    python = median_seconds(pure_python, body, args.rounds)
    loads = median_seconds(json_only, body, args.rounds)
    print(f"{args.count} public IPs, {len(body) / 1e6:.1f} MB, median of {args.rounds} rounds")
    print(f"  rackconnect.parse_response      {core * 1e3:8.1f} ms")
    print(f"  json.loads + pure-Python checks {python * 1e3:8.1f} ms")
    print(f"  json.loads alone (no checks)    {loads * 1e3:8.1f} ms")
    print(f"  ratio core / pure Python: {core / python:.2f}   core / json.loads alone: {core / loads:.2f}")


if __name__ == "__main__":
    main()
