import os
from typing import Any, Callable, ClassVar, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union, final, overload

from rackconnect.exceptions import RackConnectError
from rackconnect.types import (
    Access,
    CloudNetwork,
    FleetWaitResult,
    Inventory,
    MembershipResult,
    MetadataItem,
    Node,
    NodeDetails,
    Pool,
    ProgressEvent,
    PublicIp,
    PublicIpResult,
    RackConnectView,
    Request,
    Server,
    ServerNodeDetails,
    ServerPage,
    ServerWaitResult,
    V1Auth,
    V2DetailsAnswer,
    V2FeaturesAnswer,
    V2GatewayIpAnswer,
    V2StatusAnswer,
    WaitResult,
)

__all__ = [
    "__version__",
    "build_request",
    "exception_from_data",
    "parse_response",
    "Auth",
    "Exchange",
    "IDLE_REUSE",
    "QUICK_LOOK_TIMEOUT",
    "seconds_to_millis",
    "Secret",
    "Session",
    "STATUS_CACHE_TTL",
    "terminal_safe",
    "environment_value",
    "token_from_response",
    "V2",
    "wait_v2",
    "WATCH_INTERVAL",
    "EmulatorServer",
]
__version__: str

# The core's pacing for callers that run unattended, in seconds (``rackconnect::client::defaults``).
WATCH_INTERVAL: float
"""The shortest pause between two looks of a watcher that runs as long as the machine (a beacon)."""
STATUS_CACHE_TTL: float
"""How long a v2 answer shown as a property of the machine (grains) is reused."""
QUICK_LOOK_TIMEOUT: float
"""The longest a look that must not hold up its caller may take (``V2(request_timeout=...)``)."""
IDLE_REUSE: float
"""The longest a kept connection may sit idle and still carry the next request (a server may be
closing it as it is reused, and a create is never sent twice)."""

# Each event of a wait or an ensure, as it happens; what the callback returns is ignored.
_Progress = Optional[Callable[[ProgressEvent], object]]
_Headers = Sequence[Tuple[str, str]]

def exception_from_data(data: Mapping[str, object]) -> RackConnectError:
    """The exception of an error in its JSON form (``rackconnect.exceptions.from_data``)."""

def build_request(op: str, input: Union[Mapping[str, Any], str]) -> Request:
    """Builds the request of operation ``op``: ``{"method", "url", "headers", "body"}``."""

# One overload per result type, naming the operations that give it (``rackconnect::ops``);
# an operation name the checker cannot see as a literal gets ``Any``.
@overload
def parse_response(
    op: Literal["v2.automation_status"], status: int, headers: _Headers, body: Union[bytes, str]
) -> V2StatusAnswer: ...
@overload
def parse_response(
    op: Literal["v2.details"], status: int, headers: _Headers, body: Union[bytes, str]
) -> V2DetailsAnswer: ...
@overload
def parse_response(
    op: Literal["v2.gateway_ip"], status: int, headers: _Headers, body: Union[bytes, str]
) -> V2GatewayIpAnswer: ...
@overload
def parse_response(
    op: Literal["v2.automation_features"], status: int, headers: _Headers, body: Union[bytes, str]
) -> V2FeaturesAnswer: ...
@overload
def parse_response(
    op: Literal["servers.show", "servers.v1_show"], status: int, headers: _Headers, body: Union[bytes, str]
) -> Server: ...
@overload
def parse_response(
    op: Literal["servers.metadata"], status: int, headers: _Headers, body: Union[bytes, str]
) -> RackConnectView: ...
@overload
def parse_response(
    op: Literal["servers.metadata_item"], status: int, headers: _Headers, body: Union[bytes, str]
) -> MetadataItem: ...
@overload
def parse_response(
    op: Literal["servers.list_detail"], status: int, headers: _Headers, body: Union[bytes, str]
) -> ServerPage: ...
@overload
def parse_response(op: Literal["servers.v1_auth"], status: int, headers: _Headers, body: bytes) -> V1Auth: ...
@overload
def parse_response(
    op: Literal["identity.token", "identity.validate"], status: int, headers: _Headers, body: Union[bytes, str]
) -> Access: ...
@overload
def parse_response(
    op: Literal["identity.revoke", "v3.remove_node", "v3.bulk_remove_nodes", "v3.delete_public_ip"],
    status: int,
    headers: _Headers,
    body: bytes,
) -> None: ...
@overload
def parse_response(
    op: Literal["v3.list_networks"], status: int, headers: _Headers, body: Union[bytes, str]
) -> List[CloudNetwork]: ...
@overload
def parse_response(
    op: Literal["v3.get_network"], status: int, headers: _Headers, body: Union[bytes, str]
) -> CloudNetwork: ...
@overload
def parse_response(
    op: Literal["v3.list_pools"], status: int, headers: _Headers, body: Union[bytes, str]
) -> List[Pool]: ...
@overload
def parse_response(op: Literal["v3.get_pool"], status: int, headers: _Headers, body: bytes) -> Pool: ...
@overload
def parse_response(
    op: Literal["v3.list_nodes", "v3.bulk_add_nodes"], status: int, headers: _Headers, body: Union[bytes, str]
) -> List[Node]: ...
@overload
def parse_response(
    op: Literal["v3.add_node", "v3.get_node"], status: int, headers: _Headers, body: Union[bytes, str]
) -> Node: ...
@overload
def parse_response(
    op: Literal["v3.list_node_details"], status: int, headers: _Headers, body: Union[bytes, str]
) -> List[NodeDetails]: ...
@overload
def parse_response(
    op: Literal["v3.get_node_details"], status: int, headers: _Headers, body: Union[bytes, str]
) -> NodeDetails: ...
@overload
def parse_response(
    op: Literal["v3.server_node_details"], status: int, headers: _Headers, body: Union[bytes, str]
) -> List[ServerNodeDetails]: ...
@overload
def parse_response(
    op: Literal["v3.list_public_ips"], status: int, headers: _Headers, body: Union[bytes, str]
) -> List[PublicIp]: ...
@overload
def parse_response(
    op: Literal["v3.create_public_ip", "v3.get_public_ip", "v3.update_public_ip"],
    status: int,
    headers: _Headers,
    body: bytes,
) -> PublicIp: ...
@overload
def parse_response(op: str, status: int, headers: _Headers, body: Union[bytes, str]) -> Any:
    """Parses the response to operation ``op`` into plain Python values (see ``rackconnect.types``)."""

@final
class Auth:
    """Who signs in where, and the cached token (the asyncio driver's; opaque)."""

    def __new__(cls, spec: str) -> "Auth": ...
    def adopt(self, exchange: "Exchange") -> None: ...

@final
class Exchange:
    """One exchange of the core for a driver in Python (``rackconnect.aio``): JSON text in and out."""

    @staticmethod
    def call(auth: Auth, op: str, input: str, driver: str) -> "Exchange": ...
    @staticmethod
    def call_v2(op: str, input: str, driver: str) -> "Exchange": ...
    @staticmethod
    def all_servers(auth: Auth, driver: str) -> "Exchange": ...
    @staticmethod
    def wait_v2(spec: str, driver: str) -> "Exchange": ...
    @staticmethod
    def wait(auth: Auth, spec: str, driver: str) -> "Exchange": ...
    @staticmethod
    def ensure(auth: Auth, spec: str, driver: str) -> "Exchange": ...
    @staticmethod
    def inventory(
        auth: Auth,
        driver: str,
        regions: Optional[Sequence[str]] = None,
        *,
        access_network: Optional[str] = None,
        ip_version: int = 4,
        rackconnect_v3: bool = True,
        hostnames: Literal["name", "id"] = "name",
        filters: Optional[Mapping[str, Union[str, Sequence[str]]]] = None,
    ) -> "Exchange":
        """An inventory (``Session.inventory``'s arguments, read alike and refused here, before
        anything is sent); left out, ``regions`` is the driver's region."""
    def poll(self, now: float) -> str: ...
    def on_response(self, now: float, status: int, headers: str, body: bytes) -> str: ...
    def on_transport_error(self, now: float, kind: str, detail: str) -> str: ...
    def cancel(self) -> None: ...
    @property
    def requests_sent(self) -> int: ...

@final
class Secret:
    """A secret that shows itself only when asked by name: ``reveal()``. Its ``repr`` and ``str``
    are redacted and it cannot be pickled."""

    def reveal(self) -> str:
        """The secret's text, for the one place it must go (an ``X-Auth-Token`` header)."""

def token_from_response(status: int, headers: _Headers, body: Union[bytes, str]) -> Secret:
    """The token of an Identity answer (``identity.token``'s response) as a ``Secret``, for a
    caller who brings their own HTTP client: ``parse_response`` redacts it, this keeps it.
    ``build_request`` takes the ``Secret`` itself as ``token``."""

def seconds_to_millis(field: str, seconds: float) -> int:
    """Seconds, as every method of the package takes them, into the core's milliseconds;
    a negative or non-finite number raises ``InvalidInput`` naming ``field``."""

def environment_value(names: Sequence[str]) -> Optional[str]:
    """The first of the environment variables ``names`` that is set, a blank value counting as
    unset, as the core reads the environment everywhere: for hosts that look options up in the
    environment themselves (the Ansible collection's option fallbacks)."""

def terminal_safe(text: str) -> str:
    """``text`` with its control characters (escape sequences, NUL, carriage return) shown
    escaped, newlines and tabs kept: for API text on its way to a terminal or a log."""

def wait_v2(
    base_url: Optional[str] = None,
    *,
    region: Optional[str] = None,
    source_address: Optional[str] = None,
    timeout: Optional[float] = None,
    not_applicable_ok: bool = True,
    progress: _Progress = None,
) -> WaitResult:
    """Waits for RackConnect v2 automation: the wait's result (``V2(...).wait(...)``). A
    ``timeout`` left out is the core's (30 minutes); ``not_applicable_ok`` says whether
    UNPROCESSABLE ends well (the result's ``ok``)."""

@final
class V2:
    """RackConnect v2, asked from the server this runs on (or the one ``source_address`` is), at
    ``base_url`` (which wins when a ``region`` is given too) or the region's endpoint.

    Each answer is ``{"outcome": "answer", "value": ...}``, ``{"outcome": "rate_limited", ...}``
    or, for the gateway, ``{"outcome": "not_assigned"}``. ``request_timeout`` (seconds) bounds
    connecting and each answer (left out: the core's defaults).
    """

    def __new__(
        cls,
        base_url: Optional[str] = None,
        *,
        region: Optional[str] = None,
        source_address: Optional[str] = None,
        request_timeout: Optional[float] = None,
    ) -> "V2": ...
    @staticmethod
    def from_env(*, source_address: Optional[str] = None, request_timeout: Optional[float] = None) -> "V2":
        """A v2 client from the environment, as the ``rackconnect`` command reads it:
        ``RAX_RACKCONNECT_V2_URL``, else the endpoint of ``RAX_REGION``."""
    def status(self) -> V2StatusAnswer: ...
    def details(self) -> V2DetailsAnswer: ...
    def gateway_ip(self) -> V2GatewayIpAnswer: ...
    def features(self) -> V2FeaturesAnswer: ...
    def wait(
        self, *, timeout: Optional[float] = None, not_applicable_ok: bool = True, progress: _Progress = None
    ) -> WaitResult: ...

@final
class Session:
    """A session with Identity, for Cloud Servers and RackConnect v3 (blocking calls)."""

    def __new__(
        cls,
        identity_url: Optional[str] = None,
        *,
        username: str,
        api_key: Optional[str] = None,
        password: Optional[str] = None,
        region: Optional[str] = None,
        tenant: Optional[str] = None,
    ) -> "Session": ...
    @staticmethod
    def from_env(
        identity_url: Optional[str] = None,
        *,
        region: Optional[str] = None,
        tenant: Optional[str] = None,
        credentials_file: Optional[Union[str, "os.PathLike[str]"]] = None,
    ) -> "Session":
        """A session from the environment, read as the ``rackconnect`` command reads it:
        credentials from ``credentials_file``, else ``RAX_USERNAME`` with ``RAX_API_KEY`` or
        ``RAX_PASSWORD``, else ``RAX_CREDS_FILE`` or ``~/.rackspace_cloud_credentials``; the
        region, tenant and Identity from the arguments, else ``RAX_REGION``, ``RAX_TENANT``,
        ``RAX_IDENTITY_URL``. A credentials file others can read draws a ``UserWarning``."""
    def list_networks(self) -> List[CloudNetwork]: ...
    def list_pools(self) -> List[Pool]: ...
    def list_nodes(self, pool_id: str) -> List[Node]:
        """The nodes of a pool: its id, or its name in the region."""
    def list_node_details(self, pool_id: str) -> List[NodeDetails]:
        """The nodes of a pool (id or name), each with its server and pool in full."""
    def list_public_ips(self, server_id: Optional[str] = None, retain: Optional[bool] = None) -> List[PublicIp]: ...
    def list_servers(self) -> List[Server]: ...
    def show_server(self, server_id: str) -> Server: ...
    def inventory(
        self,
        regions: Optional[Sequence[str]] = None,
        *,
        access_network: Optional[str] = None,
        ip_version: int = 4,
        rackconnect_v3: bool = True,
        hostnames: Literal["name", "id"] = "name",
        filters: Optional[Mapping[str, Union[str, Sequence[str]]]] = None,
    ) -> Inventory:
        """An inventory of the servers of ``regions`` (the session's region when left out): each
        host with its automation's state (its group), the address to reach it by, and its
        RackConnect v3 pools and public IPs. ``filters`` keys: name, id, server (id or name), status, automation,
        automation_status, managed_status, pool, region; values are patterns (``*``, ``?``,
        any case) or lists of them."""
    def wait_server(
        self,
        server_id: str,
        *,
        managed: bool = False,
        rackconnect: bool = True,
        timeout: Optional[float] = None,
        grace: Optional[float] = None,
        not_applicable_ok: bool = True,
        progress: _Progress = None,
    ) -> ServerWaitResult: ...
    def wait_servers(
        self,
        servers: Optional[Sequence[str]] = None,
        *,
        built_within: Optional[float] = None,
        managed: bool = False,
        rackconnect: bool = True,
        timeout: Optional[float] = None,
        grace: Optional[float] = None,
        not_applicable_ok: bool = True,
        progress: _Progress = None,
    ) -> FleetWaitResult:
        """Waits for a batch of servers at once, reading ``servers/detail`` pages (100 servers a
        request) rather than one server at a time: ``servers`` by id or by a name only one
        server of the region has, or (instead) every server built within ``built_within``
        seconds (Nova's ``created`` against the region's clock; a window with no server in it
        raises ``InvalidInputError``). Each server ends on its own
        status (FAILED and Managed errors at once, UNPROCESSABLE as not applicable, a missing
        key as pending within ``grace``) with its reachable IP; the result holds ``servers``,
        ``counts`` and the batch's ``ok``, ``outcome`` and ``summary``."""
    def ensure_pool_members(
        self,
        servers: Sequence[str],
        pools: Sequence[str],
        *,
        present: bool = True,
        dry_run: bool = False,
        wait: bool = True,
        timeout: Optional[float] = None,
        progress: _Progress = None,
    ) -> MembershipResult:
        """Makes every server a member (or, ``present=False``, not a member) of every pool, in
        one bulk request for the difference. Pools are ids or names of pools in the region. A
        server RackConnect does not know yet (just built) is retried for about two minutes
        before its pairs fail with the API's words."""
    def ensure_public_ip(
        self,
        server_id: str,
        *,
        present: bool = True,
        retain: Optional[bool] = None,
        move_ip: Optional[str] = None,
        unassign: bool = False,
        dry_run: bool = False,
        wait: bool = True,
        timeout: Optional[float] = None,
        progress: _Progress = None,
    ) -> PublicIpResult: ...

# The emulator in the wheel (src/emulator.rs); rackconnect.testing.Emulator is the documented way in.
@final
class EmulatorServer:
    """The emulator's engine behind a small HTTP/1.1 server, on threads of this process."""

    BUILT_IN_SCENARIOS: ClassVar[Tuple[str, ...]]
    def __new__(
        cls,
        scenario: Optional[str] = None,
        *,
        listen: str = "127.0.0.1:0",
        clock_speed: Optional[float] = None,
        cors: bool = False,
        public: bool = False,
        seed: Optional[int] = None,
    ) -> "EmulatorServer":
        """Starts serving ``scenario`` (JSON text; the demo scenario when left out) on ``listen``;
        an address that is not loopback needs ``public=True``; ``seed`` makes generated ids,
        tokens and addresses repeat from run to run."""
    @property
    def url(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def running(self) -> bool: ...
    def control(self, method: str, path: str, body: Optional[str] = None) -> Tuple[int, str]:
        """One call of the control API (``/__emulator/...``), handed to the engine in this
        process: the status and the body as text."""
    def stop(self) -> None: ...
    @staticmethod
    def built_in_scenario(name: str) -> Optional[str]: ...
    @staticmethod
    def check_listen(listen: str, public: bool, listen_name: str, public_name: str) -> Optional[str]:
        """The emulator's rule for a listening address: raises ``ValueError`` when ``listen`` is
        not ``ADDRESS:PORT`` or is beyond loopback without ``public``; returns the warning to show
        when it is beyond loopback with it, else None."""
