"""``rackconnect.types`` and the stub's result types are true to what the core gives.

Two checks: ``mypy --strict`` accepts ``typing_consumer.py`` (typed use, and lines that must be
refused), and every value the core gives (each ``expect`` of the shared corpus, every error's
``data``, the requests, and the clients' results against the emulator) fits the type the stub
``_native.pyi`` declares for it, with no key outside the ``TypedDict`` (the unknown fields the
core keeps are in ``extra``, a declared key).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Literal, Mapping, Optional, Tuple, Union, get_args, get_origin, get_type_hints

import pytest

import rackconnect
import rackconnect.types
from rackconnect import RackConnectError, Session, V2, build_request, parse_response

# The clients' fixtures: an emulator process of this module's own, and a session on it.
from test_clients import DFW_API_POOL, UNMANAGED, WEB1, WEB2, emulator_url, session  # noqa: F401
from test_corpus import CORPUS, REQUESTS, RESPONSES, load, response_of

TESTS = Path(__file__).resolve().parent
NO_SUCH_SERVER = "ffffffff-cccc-4ccc-8ccc-00000000ffff"
STUB = Path(rackconnect.__file__).resolve().parent / "_native.pyi"

# The cases about unknown fields: each keeps them, under `extra`, where its description says.
UNKNOWN_FIELD_CASES = [
    "identity/token_200_unknown_token_and_access_fields_kept.json",
    "identity/token_200_user_and_endpoint_unknown_fields_kept.json",
    "v2/details_json_task_extra_fields_kept.json",
    "v3/get_node_active_fraction_and_ref_extra.json",
    "v3/get_node_details_fraction_and_unknown_field.json",
    "v3/get_pool_unknown_fields_kept.json",
    "v3/get_public_ip_add_failed_minimal_server.json",
    "v3/get_public_ip_unknown_fields_kept.json",
]


# --- mypy ---------------------------------------------------------------------------------------


def test_consumer_type_checks(tmp_path: Path) -> None:
    """Typed use checks, and the lines that must fail do: their ``# type: ignore`` must be used."""
    pytest.importorskip("mypy")
    consumer = TESTS / "typing_consumer.py"
    # From an empty folder, so that the installed package is checked, not a source folder.
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--warn-unused-ignores", "--cache-dir", str(tmp_path), str(consumer)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_types_import_without_rackconnect_importing_them() -> None:
    """``import rackconnect`` stays cheap: only an explicit import loads ``typing`` for the types."""
    code = "import sys, rackconnect; print('rackconnect.types' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=TESTS)
    assert shown.stdout.strip() == "False"


# --- The stub's declared types --------------------------------------------------------------------


def stub_tree() -> ast.Module:
    return ast.parse(STUB.read_text(encoding="utf-8"))


def type_of(annotation: ast.expr) -> Any:
    """The runtime type an annotation of the stub names (types from ``rackconnect.types``)."""
    names: Dict[str, Any] = {"Any": Any, "Dict": Dict, "List": List, "Optional": Optional, "Union": Union}
    names.update(vars(rackconnect.types))
    names.update(vars(rackconnect.exceptions))
    names.update({"Secret": rackconnect.Secret, "Session": rackconnect.Session, "V2": rackconnect.V2})
    return eval(ast.unparse(annotation), names)  # noqa: S307 - the package's own stub


def parse_response_types() -> Dict[str, Any]:
    """Operation name → the result type of its ``parse_response`` overload."""
    out: Dict[str, Any] = {}
    for node in stub_tree().body:
        if isinstance(node, ast.FunctionDef) and node.name == "parse_response":
            op = node.args.args[0].annotation
            if isinstance(op, ast.Subscript) and ast.unparse(op.value) == "Literal":
                names = ast.literal_eval(op.slice)
                for name in names if isinstance(names, tuple) else (names,):
                    assert node.returns is not None
                    out[name] = type_of(node.returns)
    return out


def method_types() -> Dict[str, Any]:
    """``Class.method`` (or a function's name) → the result type the stub declares."""
    out: Dict[str, Any] = {}
    for node in stub_tree().body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.returns is not None:
                    out[f"{node.name}.{item.name}"] = type_of(item.returns)
        elif isinstance(node, ast.FunctionDef) and node.returns is not None and not node.decorator_list:
            # Not the overloads of parse_response: `parse_response_types` reads those.
            out[node.name] = type_of(node.returns)
    return out


PARSED = parse_response_types()
METHODS = method_types()


def literal_values(tp: Any) -> List[Any]:
    """The values of a ``Literal`` or a ``Union`` of ``Literal``\\ s."""
    if get_origin(tp) is Literal:
        return list(get_args(tp))
    return [v for member in get_args(tp) for v in literal_values(member)]


def test_every_operation_has_a_typed_overload() -> None:
    ops = {load(p)["op"] for p in RESPONSES}
    assert set(PARSED) == ops
    assert set(literal_values(rackconnect.types.OperationName)) == ops


# --- The structural checker -----------------------------------------------------------------------


def is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__")


def fit(value: Any, expected: Any, path: str, extras: List[str]) -> List[str]:
    """What is wrong with ``value`` as an ``expected``; keys outside a TypedDict go to ``extras``."""
    if expected is Any or expected is object:
        return []
    if expected is None or expected is type(None):
        return [] if value is None else [f"{path or '/'}: expected null, got {value!r}"]
    origin, args = get_origin(expected), get_args(expected)
    if origin is Union:
        closest: List[str] = []
        for member in args:
            member_extras: List[str] = []
            problems = fit(value, member, path, member_extras)
            if not problems:
                extras.extend(member_extras)
                return []
            if not closest or len(problems) < len(closest):
                closest = problems
        return closest
    if origin is Literal:
        ok = any(type(value) is type(a) and value == a for a in args)
        return [] if ok else [f"{path or '/'}: expected one of {list(args)}, got {value!r}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{path or '/'}: expected a list, got {value!r}"]
        return [p for i, v in enumerate(value) for p in fit(v, args[0], f"{path}/{i}", extras)]
    if origin is tuple:
        if not isinstance(value, tuple) or len(value) != len(args):
            return [f"{path or '/'}: expected a tuple of {len(args)}, got {value!r}"]
        return [p for i, (v, t) in enumerate(zip(value, args)) for p in fit(v, t, f"{path}/{i}", extras)]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path or '/'}: expected an object, got {value!r}"]
        return [
            p for k, v in value.items() for p in fit(k, args[0], path, extras) + fit(v, args[1], f"{path}/{k}", extras)
        ]
    if is_typeddict(expected):
        if not isinstance(value, dict):
            return [f"{path or '/'}: expected a {expected.__name__} object, got {value!r}"]
        hints = get_type_hints(expected)
        missing = sorted(expected.__required_keys__ - value.keys())
        problems = [f"{path or '/'}: {expected.__name__} lacks {k!r}" for k in missing]
        for key, item in value.items():
            if key in hints:
                problems += fit(item, hints[key], f"{path}/{key}", extras)
            else:
                extras.append(f"{path}/{key}")
        return problems
    if expected in (str, int, bool):
        # `type(...) is`: JSON's true is no integer here, and 1 no boolean.
        return [] if type(value) is expected else [f"{path or '/'}: expected {expected.__name__}, got {value!r}"]
    raise TypeError(f"the checker does not know {expected!r}")


def conforms(value: Any, expected: Any) -> None:
    extras: List[str] = []
    problems = fit(value, expected, "", extras)
    assert not problems, "\n".join(problems) + f"\nin {json.dumps(value)[:2000]}"
    assert not extras, f"keys outside the types: {extras}"


def test_the_checker_refuses_what_does_not_fit() -> None:
    """The checker itself: a missing key, a wrong type, an unknown key and a bad literal."""
    t = rackconnect.types
    ip = load(CORPUS / "responses/v3/update_public_ip_update_failed.json")["expect"]
    conforms(ip, t.PublicIp)
    for broken in ({k: v for k, v in ip.items() if k != "status"}, {**ip, "retain": 1}, {**ip, "address": "x"}):
        with pytest.raises(AssertionError):
            conforms(broken, t.PublicIp)
    with pytest.raises(AssertionError):
        conforms({"outcome": "answered", "value": "DEPLOYED"}, t.V2StatusAnswer)


# --- The corpus -----------------------------------------------------------------------------------


def case_id(path: Path) -> str:
    return path.relative_to(CORPUS / "responses").as_posix()


@pytest.mark.parametrize("path", RESPONSES, ids=case_id)
def test_response_case_fits_its_type(path: Path) -> None:
    case = load(path)
    if "expect" in case:
        conforms(case["expect"], PARSED[case["op"]])
    else:
        # `expect_error` is a subset: check the whole error the binding raises.
        with pytest.raises(RackConnectError) as info:
            parse_response(case["op"], *response_of(path, case))
        conforms(info.value.data, rackconnect.types.ErrorData)


def test_unknown_fields_are_reached_through_extra() -> None:
    """The unknown fields of these cases sit in ``extra`` (a declared key), nowhere else."""
    for name in UNKNOWN_FIELD_CASES:
        text = json.dumps(load(CORPUS / "responses" / name)["expect"])
        assert '"extra": {' in text, name


@pytest.mark.parametrize("path", REQUESTS, ids=lambda p: p.relative_to(CORPUS / "requests").as_posix())
def test_request_case_fits_its_type(path: Path) -> None:
    case = load(path)
    if "expect" in case:
        conforms(build_request(case["op"], case["input"]), METHODS["build_request"])
    else:
        with pytest.raises(RackConnectError) as info:
            build_request(case["op"], case["input"])
        conforms(info.value.data, rackconnect.types.ErrorData)


# --- The clients, against the emulator --------------------------------------------------------------


def test_session_results_fit_their_types(session: Session) -> None:
    pool = session.list_pools()[0]["id"]
    results: List[Tuple[str, Any]] = [
        ("Session.list_networks", session.list_networks()),
        ("Session.list_pools", session.list_pools()),
        ("Session.list_nodes", session.list_nodes(pool)),
        ("Session.list_node_details", session.list_node_details(pool)),
        ("Session.list_public_ips", session.list_public_ips()),
        ("Session.list_servers", session.list_servers()),
        ("Session.show_server", session.show_server(WEB1)),
        ("Session.ensure_pool_members", session.ensure_pool_members([UNMANAGED], [DFW_API_POOL], dry_run=True)),
        ("Session.ensure_public_ip", session.ensure_public_ip(WEB1, retain=True, dry_run=True)),
        ("Session.ensure_public_ip", session.ensure_public_ip(WEB1, present=False, dry_run=True)),
    ]
    events: List[Mapping[str, Any]] = []
    waited = session.wait_server(WEB2, managed=True, timeout=120.0, progress=events.append)
    # A wait that ends on an error carries the error's JSON form.
    missing = session.wait_server(NO_SUCH_SERVER, timeout=10.0)
    assert missing["error"] is not None, missing
    results += [("Session.wait_server", waited), ("Session.wait_server", missing)]
    for method, value in results:
        conforms(value, METHODS[method])
    # key_missing shows only when the first read comes before the emulator writes the Managed
    # key (its clock runs 60x), which a loaded machine may miss: not asserted.
    assert "status" in {e["event"] for e in events}, events
    for event in events:
        conforms(event, rackconnect.types.ProgressEvent)


@pytest.mark.parametrize("source", ["127.0.0.1", "127.0.0.3", "127.0.0.4"])
def test_v2_results_fit_their_types(emulator_url: str, source: str) -> None:  # noqa: F811
    v2 = V2(emulator_url, source_address=source)
    for name in ("status", "details", "gateway_ip", "features"):
        conforms(getattr(v2, name)(), METHODS[f"V2.{name}"])
    events: List[Mapping[str, Any]] = []
    conforms(v2.wait(timeout=1.0, progress=events.append), METHODS["V2.wait"])
    assert events, "every wait reports at least one status or rate limit"
    for event in events:
        conforms(event, rackconnect.types.ProgressEvent)
