"""Runs every case of the shared corpus in ``tests/corpus`` (format: its README) through the
Python binding, the way ``core/tests/corpus.rs`` does, one test per case."""

from __future__ import annotations

import gc
import importlib.metadata
import json
import re
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

import pytest

import rackconnect
from rackconnect import (
    ApiError,
    ConflictError,
    InvalidInputError,
    MfaRequiredError,
    NotFoundError,
    ParseError,
    RackConnectError,
    UnauthorizedError,
    build_request,
    parse_response,
)

Json = Dict[str, Any]
CORPUS = Path(__file__).resolve().parent.parent.parent / "tests" / "corpus"
MIN_CASES = 150


def case_files(kind: str) -> List[Path]:
    """Every ``*.json`` below ``corpus/kind``, skipping ``bodies`` folders, sorted."""
    out = []
    stack = [CORPUS / kind]
    while stack:
        folder = stack.pop()
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.is_dir():
                if path.name != "bodies":
                    stack.append(path)
            elif path.suffix == ".json":
                out.append(path)
    return sorted(out)


REQUESTS = case_files("requests")
RESPONSES = case_files("responses")


def case_id(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def same(expected: Any, actual: Any) -> bool:
    """JSON equality as serde_json's: 1, 1.0 and true differ; key order does not matter."""
    if type(expected) is not type(actual):
        return False
    if isinstance(expected, dict):
        return expected.keys() == actual.keys() and all(same(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return len(expected) == len(actual) and all(same(e, a) for e, a in zip(expected, actual))
    return bool(expected == actual)


def is_subset(expected: Any, actual: Any) -> bool:
    """``expected`` ⊆ ``actual``: objects by key, arrays element by element with equal length."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(k in actual and is_subset(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(is_subset(e, a) for e, a in zip(expected, actual))
    return same(expected, actual)


def request_json(request: Mapping[str, Any]) -> Json:
    body = request["body"]
    if body is not None:
        try:
            body = json.loads(body)
        except ValueError:
            pass
    return {
        "method": request["method"],
        "url": request["url"],
        "headers": [[name, value] for name, value in request["headers"]],
        "body": body,
    }


def load(path: Path) -> Json:
    case: Json = json.loads(path.read_text(encoding="utf-8"))
    return case


def check_expectation(case: Json) -> None:
    assert ("expect" in case) != ("expect_error" in case), "a case needs exactly one of expect and expect_error"


def check_error(expected: Json, err: RackConnectError) -> None:
    assert isinstance(err.data, dict)
    assert is_subset(expected, err.data), f"expected error {expected}\n   got {err.data}"
    assert str(err) == err.data["message"]


@pytest.mark.parametrize("path", REQUESTS, ids=case_id)
def test_request_case(path: Path) -> None:
    case = load(path)
    check_expectation(case)
    if "expect" in case:
        request = build_request(case["op"], case["input"])
        assert isinstance(request["headers"], list)
        assert all(isinstance(pair, tuple) and len(pair) == 2 for pair in request["headers"])
        assert request["body"] is None or isinstance(request["body"], str)
        actual = request_json(request)
        assert same(case["expect"], actual), f"expected {case['expect']}\n   got {actual}"
    else:
        with pytest.raises(RackConnectError) as info:
            build_request(case["op"], case["input"])
        check_error(case["expect_error"], info.value)


def response_of(path: Path, case: Json) -> Tuple[int, List[Tuple[str, str]], bytes]:
    headers = [(name, value) for name, value in case.get("headers", [])]
    body_file = case.get("body_file")
    body = (path.parent / body_file).read_bytes() if body_file is not None else b""
    return case["status"], headers, body


@pytest.mark.parametrize("path", RESPONSES, ids=case_id)
def test_response_case(path: Path) -> None:
    case = load(path)
    check_expectation(case)
    status, headers, body = response_of(path, case)
    if "expect" in case:
        value = parse_response(case["op"], status, headers, body)
        assert same(case["expect"], value), f"expected {case['expect']}\n   got {value}"
        # Every prefix of a valid body: a value or a rackconnect error, nothing else.
        for end in range(len(body)):
            try:
                parse_response(case["op"], status, headers, body[:end])
            except RackConnectError:
                pass
    else:
        with pytest.raises(RackConnectError) as info:
            parse_response(case["op"], status, headers, body)
        check_error(case["expect_error"], info.value)


def test_corpus_covers_every_operation() -> None:
    assert len(REQUESTS) + len(RESPONSES) >= MIN_CASES
    request_ops = {load(p)["op"] for p in REQUESTS}
    response_ops = {load(p)["op"] for p in RESPONSES}
    assert request_ops == response_ops
    assert len(request_ops) == 31


POOL = "v3.get_pool"
V3 = {"endpoint": "http://127.0.0.1:8080/v3/123456", "token": "t"}


def test_parse_error_is_a_value_error() -> None:
    with pytest.raises(ValueError) as info:
        parse_response(POOL, 200, [], b"{")
    err = info.value
    assert isinstance(err, ParseError) and isinstance(err, RackConnectError)
    assert err.data["kind"] == "json" and err.kind == "json"
    assert str(err) == err.data["message"]


def test_numbers_in_kept_fields_are_kept_exactly() -> None:
    big = 123456789012345678901234567890
    body = b'{"id": "d6d3aa7c-dfa5-4e61-96ee-1d54ac1075d2", "serial": %d, "node_counts": {"total": 7}}' % big
    pool = parse_response(POOL, 200, [], body)
    assert pool["extra"]["serial"] == big and isinstance(pool["extra"]["serial"], int)
    assert pool["node_counts"]["total"] == 7


def test_kept_fields_come_out_as_json_loads_makes_them() -> None:
    # The binding reads the core's JSON into Python objects itself: every kind of JSON value, in
    # the text's key order, must come out with json.loads's types and values.
    kept = (
        '{"z": [1, -0, 0.5e1, -2.5E-3, 1E400, 18446744073709551615, 18446744073709551616,'
        ' -9223372036854775809, 1.0, -0.0, 1e-400], "a": {"q\\"k\\u00e9y": "t\\\\ab\\t\\u2028\U0001F600",'
        ' "n": null, "t": true, "f": false, "e": [], "o": {}}, "\\u00e9": ""}'
    )
    body = b'{"id": "d6d3aa7c-dfa5-4e61-96ee-1d54ac1075d2", "kept": %s}' % kept.encode()
    got = parse_response(POOL, 200, [], body)["extra"]["kept"]
    want = json.loads(kept)

    def typed(value: Any) -> Any:
        if isinstance(value, dict):
            return [(k, typed(v)) for k, v in value.items()]
        if isinstance(value, list):
            return [typed(v) for v in value]
        return (type(value).__name__, repr(value))

    assert typed(got) == typed(want)


def test_parsing_leaves_the_cyclic_collector_as_it_found_it() -> None:
    # The binding pauses the collector while it builds a result, and must resume it, or not.
    body = b'{"id": "d6d3aa7c-dfa5-4e61-96ee-1d54ac1075d2"}'
    assert gc.isenabled()
    parse_response(POOL, 200, [], body)
    with pytest.raises(ParseError):
        parse_response(POOL, 200, [], b"{")
    assert gc.isenabled()
    gc.disable()
    try:
        parse_response(POOL, 200, [], body)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_conflict_carries_conflicts() -> None:
    body = b'["Cloud Server s1 is already a member of Load Balancer Pool p1"]'
    with pytest.raises(ConflictError) as info:
        parse_response("v3.add_node", 409, [("Content-Type", "application/json")], body)
    err = info.value
    assert isinstance(err, ApiError) and not isinstance(err, ValueError)
    assert err.status == 409 and err.data["kind"] == "conflict"
    assert [c["kind"] for c in err.data["conflicts"]] == ["already_member"]


def test_api_error_classes() -> None:
    with pytest.raises(NotFoundError):
        parse_response(POOL, 404, [], b"")
    with pytest.raises(MfaRequiredError) as info:
        parse_response("identity.token", 401, [("WWW-Authenticate", 'OS-MF sessionId="s", factor="PASSCODE"')], b"")
    assert isinstance(info.value, UnauthorizedError)


def test_invalid_input() -> None:
    with pytest.raises(InvalidInputError) as info:
        build_request(POOL, {**V3, "pool_id": "../etc"})
    assert isinstance(info.value, ValueError)
    assert info.value.data["field"] == "pool_id"
    with pytest.raises(InvalidInputError) as info:
        build_request("v9.nothing", V3)
    assert info.value.data["field"] == "op"
    # Every name is listed, so a guess (or the emulator's names) can be put right at once.
    assert all(name in info.value.data["expected"] for name in ("v3.list_pools", "identity.token", "v3.bulk_remove_nodes"))
    with pytest.raises(InvalidInputError):
        build_request(POOL, [1, 2])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        build_request(POOL, {**V3, "pool_id": float("nan")})


def test_input_as_json_text_and_version() -> None:
    request = build_request(POOL, json.dumps({**V3, "pool_id": "p1"}))
    assert request["url"].endswith("/load_balancer_pools/p1")
    assert request["method"] == "GET" and request["body"] is None


def test_version_is_the_wheels() -> None:
    # __version__ is the Cargo version the core was built with; the wheel's metadata version is
    # the same one as maturin writes it (PEP 440: 0.2.0-rc.1 becomes 0.2.0rc1).
    version = rackconnect.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+(-(alpha|beta|rc)\.\d+)?", version), version
    pep440 = re.sub(r"-(alpha|beta|rc)\.(\d+)$", lambda m: {"alpha": "a", "beta": "b", "rc": "rc"}[m[1]] + m[2], version)
    assert importlib.metadata.version("rackconnect") == pep440
