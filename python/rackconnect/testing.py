"""A local RackConnect for tests, from the wheel: the emulator, in this process.

``Emulator`` starts the emulator (the same engine as the ``rackconnect-emulator`` binary: Identity,
RackConnect v2 by source address, v3, Cloud Servers metadata) on a free port of 127.0.0.1, on
threads of its own, and drives its control API (the clock, new servers, automation outcomes,
faults, the request log, a reset) through methods::

    from rackconnect.testing import Emulator

    with Emulator(clock_speed=60) as emulator:
        session = emulator.session()              # the scenario's first user, signed in to it
        emulator.set_automation("web2", outcome="FAILED", finish_now=True)
        assert session.wait_server("web2", timeout=60)["outcome"] == "failed"
        assert emulator.requests()["requests"]

Beyond those, the controls other fakes' users ask for: faults by operation with a probability and
a latency (``inject_fault(operation=..., probability=..., latency_ms=...)``), a seed for
repeatable ids (``Emulator(seed=7)``, ``set_seed``), the world as a scenario document
(``state()``, ``load_state()``; ``Emulator(state="world.json")`` keeps it across runs), per-kind
transitions (``set_transitions(pool_nodes="manual")``, ``advance_transitions(...)``), and a page
for a browser at ``dashboard_url``.

pytest gets it as the fixture ``rackconnect_emulator`` (``rackconnect.pytest_plugin``), and a shell
as ``python -m rackconnect.emulator`` (or ``rackconnect-emulator``). The scenario format and the
control API are described in the emulator's README (``emulator/README.md`` in the repository).
"""

from __future__ import annotations

import json
import os
from types import TracebackType
from typing import Any, Dict, List, Literal, Mapping, Optional, Protocol, Type, TypedDict, Union

import rackconnect
from rackconnect._native import EmulatorServer

__all__ = [
    "BUILT_IN_SCENARIOS",
    "AutomationState",
    "BuiltServer",
    "ClockState",
    "ControlError",
    "Emulator",
    "EmulatorFactory",
    "Fault",
    "FaultKind",
    "Operation",
    "TransitionKind",
    "TransitionMode",
    "TransitionsState",
    "LoggedRequest",
    "RequestLog",
    "ScenarioLike",
    "ServerRequestCounts",
    "ServerSummary",
    "Summary",
]

BUILT_IN_SCENARIOS = EmulatorServer.BUILT_IN_SCENARIOS
"""The scenarios built in: ``demo`` (the demo account, the default), ``failing-automation`` and
``fleet``."""

ScenarioLike = Union[str, "os.PathLike[str]", Mapping[str, Any]]
"""A built-in scenario's name, a path to a scenario file (JSON), or the scenario itself as a dict."""

# A union of literals (not one Literal of four), as stubtest reads aliases (rackconnect.types does the same).
FaultKind = Union[Literal["status"], Literal["delay"], Literal["reset"], Literal["truncate"]]
"""What an injected fault does (``Emulator.inject_fault``)."""

TransitionMode = Union[Literal["immediate"], Literal["timed"], Literal["manual"]]
"""How a kind of resource leaves its transitional states (``Emulator.set_transitions``)."""

TransitionKind = Union[Literal["pool_nodes"], Literal["public_ips"], Literal["automation"]]
"""A kind of resource with transitions (``Emulator.advance_transitions``)."""


class ClockState(TypedDict):
    """The emulated clock: ``now`` (ISO 8601), ``now_ms`` (since the epoch) and ``speed``."""

    now: str
    now_ms: int
    speed: float


class ServerSummary(TypedDict):
    """A server as the summary shows it."""

    id: str
    name: str
    tenant: str
    region: str
    source_ip: Optional[str]
    automation_status: str
    managed_status: Optional[str]
    access_ipv4: str


class _FaultOptions(TypedDict, total=False):
    """The keys a fault has only when set."""

    operation: str
    probability: float
    latency_ms: int


class Fault(_FaultOptions):
    """A fault waiting for requests (``inject_fault``)."""

    kind: str
    count: int
    status: int
    delay_ms: int
    path_prefix: Optional[str]
    retry_after: Optional[int]


class TransitionsState(TypedDict):
    """Each kind's transition mode and the v3 durations of ``timed`` (seconds)."""

    pool_nodes: str
    public_ips: str
    automation: str
    v3_add_seconds: float
    v3_remove_seconds: float
    v3_update_seconds: float


class Operation(TypedDict):
    """One named emulated call (``inject_fault(operation=...)``): ``*`` is one path segment."""

    name: str
    method: str
    path: str


class Summary(TypedDict):
    """The emulator at a glance: its clock, servers, pending faults and how many requests it logged."""

    clock: ClockState
    servers: List[ServerSummary]
    faults: List[Fault]
    requests_logged: int
    seed: Optional[int]
    transitions: TransitionsState


class BuiltServer(TypedDict):
    """A server built through the control API."""

    id: str
    name: str
    region: str
    tenant: str
    source_ip: Optional[str]


class AutomationState(TypedDict):
    """A server's automation status after ``set_automation``."""

    id: str
    automation_status: str


class LoggedRequest(TypedDict):
    """One request the emulator answered (the control API's are not logged)."""

    seq: int
    real_ms: int
    emulated_ms: int
    method: str
    path: str
    status: int
    source_ip: str
    server_id: Optional[str]
    operation: Optional[str]
    fault: Optional[str]


class ServerRequestCounts(TypedDict):
    """A server's v2 requests: in all, and the most in any 60 s of emulated time."""

    v2_requests: int
    max_in_any_60s: int


class RequestLog(TypedDict):
    """The request log, and the v2 counts of each server asked about."""

    requests: List[LoggedRequest]
    servers: Dict[str, ServerRequestCounts]


class ControlError(ValueError):
    """The control API refused a call (a value out of range, a server it does not have): the
    emulator's message, with the HTTP ``status`` it answered."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _scenario_text(scenario: Optional[ScenarioLike]) -> str:
    """A scenario as JSON text, from a built-in name, a path or a mapping."""
    if scenario is None:
        scenario = "demo"
    if isinstance(scenario, Mapping):
        return json.dumps(dict(scenario))
    if isinstance(scenario, str):
        built_in = EmulatorServer.built_in_scenario(scenario)
        if built_in is not None:
            return built_in
        looks_like_a_file = os.sep in scenario or "." in os.path.basename(scenario) or os.path.exists(scenario)
        if not looks_like_a_file:
            names = ", ".join(BUILT_IN_SCENARIOS)
            raise ValueError(
                f"scenario: expected a built-in scenario ({names}), a path to a JSON file or a dict, found {scenario!r}"
            )
    if isinstance(scenario, (str, os.PathLike)):
        with open(scenario, encoding="utf-8") as file:
            return file.read()
    raise TypeError(
        f"scenario: expected a built-in scenario's name, a path or a dict, found {type(scenario).__name__}"
    )


class Emulator:
    """The emulator, serving on a free port of 127.0.0.1 in this process until ``stop()`` (or the
    end of a ``with`` block).

    ``scenario`` is a built-in scenario's name (``demo``, the default; ``failing-automation``;
    ``fleet``), a path to a scenario file, or the scenario as a dict; ``clock_speed`` (emulated
    seconds per real second) overrides its ``timings.clock_speed``; ``cors`` answers browsers'
    preflights. ``listen`` (``ADDRESS:PORT``, port 0 for a free one) beyond loopback needs
    ``public=True``: the emulator hands out its scenario's credentials to whoever reaches it.
    ``seed`` makes generated ids (servers, nodes, public IPs, tokens) and addresses repeat from
    run to run. ``state`` is a file that keeps the world across runs: loaded instead of
    ``scenario`` when it exists, written (the world as a scenario document) by ``stop()``.

    ``username``, ``api_key``, ``password``, ``tenant_id`` and ``region`` are those of the
    scenario's first account and user (the demo account's: ``demo``, ``demo-api-key``,
    ``demo-password``, ``123456``, ``DFW``). The control methods raise ``ControlError`` when the
    emulator refuses a call.
    """

    def __init__(
        self,
        scenario: Optional[ScenarioLike] = None,
        *,
        clock_speed: Optional[float] = None,
        listen: str = "127.0.0.1:0",
        public: bool = False,
        cors: bool = False,
        seed: Optional[int] = None,
        state: Optional[Union[str, "os.PathLike[str]"]] = None,
    ) -> None:
        self._state_file = state
        saved = state is not None and os.path.exists(state)
        text = _scenario_text(state if saved and state is not None else scenario)
        self._server = EmulatorServer(
            text, listen=listen, clock_speed=clock_speed, cors=cors, public=public, seed=seed
        )
        # The scenario is valid (the engine read it): its first account and user are its sign-in.
        self.scenario: Dict[str, Any] = json.loads(text)
        account: Dict[str, Any] = (self.scenario.get("accounts") or [{}])[0]
        user: Dict[str, Any] = (account.get("users") or [{}])[0]
        self.username: str = user.get("username", "")
        self.api_key: Optional[str] = user.get("api_key")
        self.password: Optional[str] = user.get("password")
        self.tenant_id: str = account.get("tenant", "")
        self.region: Optional[str] = user.get("default_region")

    def __repr__(self) -> str:
        return f"Emulator(url={self.url!r}, running={self.running})"

    def __enter__(self) -> Emulator:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the Identity URL, the v2 base URL and the root of every endpoint."""
        return self._server.url

    @property
    def identity_url(self) -> str:
        """Where Identity answers (``/v2.0/tokens``): the emulator's URL, as clients take it."""
        return self._server.url

    @property
    def v2_url(self) -> str:
        """The RackConnect v2 base URL (``/v1/automation_status``): the emulator's URL."""
        return self._server.url

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self._server.port

    @property
    def running(self) -> bool:
        """Whether it still serves."""
        return self._server.running

    @property
    def dashboard_url(self) -> str:
        """A page for a browser: servers, pools, public IPs and the request log, as they are."""
        return self._server.url + "/__emulator/"

    def stop(self) -> None:
        """Stops serving: the port and every connection are closed, and with ``state=`` the world
        is written to that file. The control methods still work (the request log can be read
        after the fact). Stopping twice does nothing more."""
        running = self._server.running
        self._server.stop()
        if running and self._state_file is not None:
            self.save_state(self._state_file)

    # -- clients ----------------------------------------------------------------------------

    def session(self, *, region: Optional[str] = None, tenant: Optional[str] = None) -> rackconnect.Session:
        """A ``rackconnect.Session`` signed in as the scenario's first user (by API key, else
        password), in ``region`` (else the user's default region)."""
        if self.api_key is None and self.password is None:
            raise ValueError(f"the scenario's first user {self.username!r} has neither an API key nor a password")
        return rackconnect.Session(
            self.identity_url,
            username=self.username,
            api_key=self.api_key,
            password=None if self.api_key is not None else self.password,
            region=region if region is not None else self.region,
            tenant=tenant,
        )

    def v2(self, server: str, *, request_timeout: Optional[float] = None) -> rackconnect.V2:
        """A ``rackconnect.V2`` client that asks as ``server`` (its name, id or v2 source
        address): v2 knows a server by the address it asks from."""
        address = self._server_field(server, "source_ip")
        if address is None:
            raise ValueError(f"server {server!r} has no v2 source address in this scenario")
        return rackconnect.V2(self.v2_url, source_address=address, request_timeout=request_timeout)

    # -- the control API (emulator/README.md, "The control API") ------------------------------

    def control(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None) -> Any:
        """One call of the control API: ``path`` under ``/__emulator/`` (``"clock"``), ``body``
        sent as JSON; the answer's JSON (None when it has no body)."""
        full = "/__emulator/" + path.lstrip("/")
        status, text = self._server.control(method, full, None if body is None else json.dumps(dict(body)))
        answer = json.loads(text) if text else None
        if status >= 400:
            message = answer.get("error") if isinstance(answer, dict) else None
            raise ControlError(f"{method} {full}: {message or text or status}", status)
        return answer

    def summary(self) -> Summary:
        """The clock, every server's automation and Managed status and ``accessIPv4``, the
        pending faults, how many requests are logged."""
        summary: Summary = self.control("GET", "")
        return summary

    def clock(self) -> ClockState:
        """The emulated clock."""
        clock: ClockState = self.control("GET", "clock")
        return clock

    def advance(self, seconds: float) -> ClockState:
        """Moves the emulated clock forward by ``seconds`` (0 to ten years)."""
        clock: ClockState = self.control("POST", "clock", {"advance_seconds": seconds})
        return clock

    def set_clock_speed(self, speed: float) -> ClockState:
        """Emulated seconds per real second from now on (0 stops the clock; at most 86,400)."""
        clock: ClockState = self.control("POST", "clock", {"speed": speed})
        return clock

    def build_server(self, **fields: Any) -> BuiltServer:
        """Builds a server now, as if a user had just created it: any scenario server fields
        (``name``, ``region``, ``source_ip``, ``automation``, ...); the rest get defaults."""
        built: BuiltServer = self.control("POST", "servers", fields)
        return built

    def set_automation(
        self,
        server: str,
        *,
        outcome: Optional[Literal["DEPLOYED", "FAILED", "UNPROCESSABLE"]] = None,
        unprocessable_reason: Optional[str] = None,
        failed_task: Optional[int] = None,
        managed_outcome: Optional[str] = None,
        finish_now: bool = False,
    ) -> AutomationState:
        """Sets how a server's automation ends (``server``: its id or name); ``finish_now``
        ends it at once."""
        body: Dict[str, Any] = {"finish_now": finish_now}
        for key, value in (
            ("outcome", outcome),
            ("unprocessable_reason", unprocessable_reason),
            ("failed_task", failed_task),
            ("managed_outcome", managed_outcome),
        ):
            if value is not None:
                body[key] = value
        state: AutomationState = self.control("POST", f"servers/{self._server_id(server)}/automation", body)
        return state

    def delete_server(self, server: str) -> None:
        """Deletes a server (its id or name), with its v3 side effects."""
        self.control("DELETE", f"servers/{self._server_id(server)}")

    def inject_fault(
        self,
        kind: FaultKind,
        *,
        count: int = 1,
        status: Optional[int] = None,
        delay_ms: Optional[int] = None,
        path_prefix: Optional[str] = None,
        retry_after: Optional[int] = None,
        operation: Optional[str] = None,
        probability: Optional[float] = None,
        latency_ms: Optional[int] = None,
    ) -> List[Fault]:
        """Breaks the next ``count`` requests (whose path starts with ``path_prefix``, whose
        operation is ``operation``): ``status`` answers that status (503 by default,
        ``Retry-After`` if given), ``delay`` answers after ``delay_ms``, ``reset`` closes the
        connection without an answer, ``truncate`` sends half the body. ``operation`` is a name
        from ``operations()`` (``"v3.pool_nodes.add"``) or a prefix of names ending in ``.``;
        ``probability`` (0 to 1) is drawn per matching request from the seeded generator (one
        that escapes does not count down); ``latency_ms`` waits that long first, whatever the
        kind. The faults now pending."""
        body: Dict[str, Any] = {"kind": kind, "count": count}
        for key, value in (
            ("status", status),
            ("delay_ms", delay_ms),
            ("path_prefix", path_prefix),
            ("retry_after", retry_after),
            ("operation", operation),
            ("probability", probability),
            ("latency_ms", latency_ms),
        ):
            if value is not None:
                body[key] = value
        faults: List[Fault] = self.control("POST", "faults", body)["faults"]
        return faults

    def operations(self) -> List[Operation]:
        """The names of the emulated calls, for ``inject_fault(operation=...)``."""
        operations: List[Operation] = self.control("GET", "operations")["operations"]
        return operations

    def faults(self) -> List[Fault]:
        """The faults still pending."""
        faults: List[Fault] = self.control("GET", "faults")["faults"]
        return faults

    def clear_faults(self) -> None:
        """Drops every pending fault."""
        self.control("DELETE", "faults")

    def expire_tokens(self, token: Optional[str] = None) -> int:
        """Expires every token (or the one given): how many."""
        expired: int = self.control("POST", "tokens/expire", {} if token is None else {"token": token})["expired"]
        return expired

    def requests(self) -> RequestLog:
        """The request log, oldest first, and each server's v2 counts."""
        log: RequestLog = self.control("GET", "requests")
        return log

    def clear_requests(self) -> None:
        """Empties the request log."""
        self.control("DELETE", "requests")

    def reset(self) -> Summary:
        """Builds the world again from the scenario, as at start: its servers, pools, nodes and
        public IPs, the clock at the time now at the starting speed, no tokens, faults or logged
        requests."""
        summary: Summary = self.control("POST", "reset")
        return summary

    def set_seed(self, seed: int) -> None:
        """Seeds ids, tokens, addresses and fault draws afresh: from here the same requests get
        the same answers."""
        self.control("POST", "seed", {"seed": seed})

    def state(self) -> Dict[str, Any]:
        """The whole world as a scenario document (loadable with ``load_state``, ``Emulator(...)``
        or the binary's ``--scenario``/``--state``)."""
        state: Dict[str, Any] = self.control("GET", "state")
        return state

    def load_state(self, state: ScenarioLike) -> Summary:
        """Replaces the world with a scenario document (a dict, a path, a built-in name); ``reset``
        returns to it from then on."""
        full = "/__emulator/state"
        status, text = self._server.control("PUT", full, _scenario_text(state))
        if status >= 400:
            answer = json.loads(text) if text else None
            message = answer.get("error") if isinstance(answer, dict) else None
            raise ControlError(f"PUT {full}: {message or text or status}", status)
        summary: Summary = json.loads(text)
        return summary

    def save_state(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the world (``state()``) to a file, whole or not at all, readable by its owner
        only (it holds the scenario's credentials and the live tokens)."""
        text = json.dumps(self.state(), indent=2) + "\n"
        temporary = os.fspath(path) + ".tmp"
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)

    def transitions(self) -> TransitionsState:
        """Each kind's transition mode, and the durations of ``timed``."""
        transitions: TransitionsState = self.control("GET", "transitions")
        return transitions

    def set_transitions(
        self,
        *,
        pool_nodes: Optional[TransitionMode] = None,
        public_ips: Optional[TransitionMode] = None,
        automation: Optional[TransitionMode] = None,
        v3_add_seconds: Optional[float] = None,
        v3_remove_seconds: Optional[float] = None,
        v3_update_seconds: Optional[float] = None,
    ) -> TransitionsState:
        """How v3 pool nodes, v3 public IPs and v2 automation leave their transitional states:
        ``immediate``, ``timed`` (after the durations given here or in the scenario) or
        ``manual`` (only by ``advance_transitions``). What a manual kind holds moves on as its
        new mode says."""
        body: Dict[str, Any] = {}
        for key, value in (
            ("pool_nodes", pool_nodes),
            ("public_ips", public_ips),
            ("automation", automation),
            ("v3_add_seconds", v3_add_seconds),
            ("v3_remove_seconds", v3_remove_seconds),
            ("v3_update_seconds", v3_update_seconds),
        ):
            if value is not None:
                body[key] = value
        transitions: TransitionsState = self.control("POST", "transitions", body)
        return transitions

    def advance_transitions(self, resource: Optional[str] = None, *, kind: Optional[TransitionKind] = None) -> int:
        """Moves pending transitions on now: of one resource (a node or public IP id, or a
        server's id or name for its automation), of a whole ``kind``, or (neither) everything.
        How many moved."""
        body: Dict[str, Any] = {}
        if resource is not None:
            found = self._find_server(resource)
            body["id"] = found["id"] if found else resource
        if kind is not None:
            body["kind"] = kind
        advanced: int = self.control("POST", "transitions/advance", body)["advanced"]
        return advanced

    # -- servers by name ---------------------------------------------------------------------

    def _find_server(self, server: str) -> Optional[ServerSummary]:
        servers = self.summary()["servers"]
        # By id (in any case, as the API compares them), else by name, else by source address.
        for found in (
            [s for s in servers if s["id"].lower() == server.lower()],
            [s for s in servers if s["name"] == server],
            [s for s in servers if s["source_ip"] == server],
        ):
            if found:
                return found[0]
        return None

    def _server_id(self, server: str) -> str:
        found = self._find_server(server)
        # An id the emulator does not know is passed on: its 404 names it.
        return found["id"] if found else server

    def _server_field(self, server: str, field: Literal["source_ip"]) -> Optional[str]:
        found = self._find_server(server)
        if found is None:
            raise ControlError(f"no server {server!r} (by id, name or source address)", 404)
        return found[field]


class EmulatorFactory(Protocol):
    """The ``rackconnect_emulator_factory`` fixture: starts an emulator, stopped after the test."""

    def __call__(
        self,
        scenario: Optional[ScenarioLike] = None,
        *,
        clock_speed: Optional[float] = None,
        cors: bool = False,
        seed: Optional[int] = None,
    ) -> Emulator: ...
