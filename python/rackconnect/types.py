"""The shapes of rackconnect's results, as ``TypedDict``\\ s, for type checkers.

Every result of ``parse_response``, ``Session``, ``V2`` and ``wait_v2`` is plain ``dict``/``list``
values: the serde JSON form of a type of the Rust core, read with ``json.loads``. This module names
those shapes, so that a type checker knows them::

    from rackconnect.types import PublicIp

    ip: PublicIp = session.list_public_ips()[0]
    print(ip["public_ip_v4"], ip["cloud_server"] and ip["cloud_server"]["id"])

Nothing here exists at run time beyond these definitions (no validation, no classes to build):
the values stay the dicts the core gives. ``import rackconnect`` does not import this module
(``typing`` would cost most of the package's import time); import it where you annotate.

How to read the shapes:

- Every key the core knows is always present: a field the service left out comes back as
  ``None`` (``null``), never missing, so every ``TypedDict`` here is total. The one answer
  without a ``value`` key, v2's ``not_assigned``, is its own ``TypedDict``.
- Statuses are open sets: the core keeps a status it does not know as received instead of
  failing, so they are typed ``str`` (aliases such as :data:`NodeStatus` name the known values).
  Closed sets (an outcome, an error kind, a conflict kind) are ``Literal``.
- Where a docstring says *unknown fields are kept*, the type derives from
  :class:`HasUnknownFields`: every field the service sent that the core does not know is in
  ``extra`` (a ``dict``), which is present only when there are some; read it with
  ``value.get("extra", {})``. A misspelt known key is still an error to a type checker.
- Timestamps are strings in one canonical UTC form (:data:`Timestamp`); durations and instants
  of waits are integer milliseconds (:data:`Millis`); secrets read as ``"<redacted>"``.
"""

from typing import Dict, List, Literal, Optional, Tuple, TypedDict, Union

__all__ = [
    "HasUnknownFields",
    # Inventory
    "Automation",
    "ReachedBy",
    "HostPool",
    "HostPublicIp",
    "HostVars",
    "InventoryHost",
    "Inventory",
    # Scalars
    "Timestamp",
    "Millis",
    "AutomationStatus",
    "FeatureState",
    "ManagedStatus",
    "PoolStatus",
    "NodeStatus",
    "PublicIpStatus",
    "OperationName",
    # Requests
    "Request",
    # RackConnect v2
    "Task",
    "AutomationDetails",
    "Feature",
    "AutomationFeatures",
    "V2RateLimitedValue",
    "V2RateLimited",
    "V2NotAssigned",
    "V2StatusAnswered",
    "V2DetailsAnswered",
    "V2GatewayIpAnswered",
    "V2FeaturesAnswered",
    "V2StatusAnswer",
    "V2DetailsAnswer",
    "V2GatewayIpAnswer",
    "V2FeaturesAnswer",
    "V2Answer",
    # Cloud Servers
    "RackConnectFeatures",
    "RackConnectView",
    "Server",
    "Address",
    "MetadataItem",
    "ServerPage",
    "V1Auth",
    # Identity
    "TenantRef",
    "AuthToken",
    "Endpoint",
    "CatalogEntry",
    "Role",
    "User",
    "Access",
    # RackConnect v3
    "CloudNetwork",
    "NodeCounts",
    "Pool",
    "ObjectRef",
    "Node",
    "ServerNetwork",
    "CloudServer",
    "NodeDetails",
    "ServerNodeDetails",
    "PublicIp",
    # Waits
    "Outcome",
    "WaitResult",
    "ServerWaitResult",
    "StatusEvent",
    "UnknownStatusEvent",
    "KeyMissingEvent",
    "RateLimitedEvent",
    "RetryingEvent",
    "ProgressEvent",
    # Ensure
    "Pair",
    "PairFailure",
    "MembershipPlan",
    "MembershipResult",
    "NoAction",
    "CreateAction",
    "SetRetainAction",
    "MoveAction",
    "UnassignAction",
    "DeleteAction",
    "PublicIpAction",
    "PublicIpResult",
    # Errors
    "ConflictKind",
    "Conflict",
    "ApiErrorKind",
    "InvalidInputErrorData",
    "JsonErrorData",
    "XmlErrorData",
    "XmlDoctypeErrorData",
    "TextErrorData",
    "BodyTooLargeErrorData",
    "TooDeepErrorData",
    "MissingHeaderErrorData",
    "ApiErrorData",
    "TransportErrorData",
    "ErrorData",
    "ErrorClass",
    "CancelledErrorData",
]

# ---------------------------------------------------------------------------------------------
# Scalars. Aliases of `str` rather than `Literal`s where the core keeps unknown values: a
# `Literal` would claim a closed set the service does not promise. Closed sets are written as a
# `Union` of one-value `Literal`s (the same type to a checker): stubtest wants a runtime `Union`
# behind an alias that it reads as a union, and `Literal["a", "b"]` is not one at run time.

Timestamp = str
"""An instant in canonical UTC form, e.g. ``2014-09-12T13:26:54.45Z`` (fraction without trailing
zeros, always ``Z``), whatever form the service wrote."""

Millis = int
"""Milliseconds: instants of a wait (``at``, ``until``: from the runner's start) and durations."""

AutomationStatus = str
"""RackConnect v2 automation: ``DEPLOYING``, ``DEPLOYED``, ``FAILED``, ``UNPROCESSABLE`` (the
last in Cloud Servers metadata only); any other value is kept as received."""

FeatureState = str
"""An automation feature: ``ENABLED`` or ``DISABLED``; any other value is kept as received."""

ManagedStatus = str
"""Managed Operations automation: ``Pending``, ``In Progress``, ``Complete``, ``Build Error``,
``Authentication Error``; any other value is kept as received."""

PoolStatus = str
"""A v3 pool: ``ACTIVE`` (the only one seen); any other value is kept as received."""

NodeStatus = str
"""A v3 pool node: ``ADDING``, ``ACTIVE``, ``REMOVING``, ``ADD_FAILED``, ``REMOVE_FAILED``; any
other value is kept as received."""

PublicIpStatus = str
"""A v3 public IP: ``ADDING``, ``ACTIVE``, ``REMOVING``, ``ADD_FAILED``, ``REMOVE_FAILED``,
``UPDATING``, ``PENDING_BUILD``, ``UPDATE_FAILED``, ``REMOVED``; any other value is kept as
received."""

OperationName = Union[
    Literal["v2.automation_status"],
    Literal["v2.details"],
    Literal["v2.gateway_ip"],
    Literal["v2.automation_features"],
    Literal["servers.show"],
    Literal["servers.metadata"],
    Literal["servers.metadata_item"],
    Literal["servers.list_detail"],
    Literal["servers.v1_auth"],
    Literal["servers.v1_show"],
    Literal["identity.token"],
    Literal["identity.validate"],
    Literal["identity.revoke"],
    Literal["v3.list_networks"],
    Literal["v3.get_network"],
    Literal["v3.list_pools"],
    Literal["v3.get_pool"],
    Literal["v3.list_nodes"],
    Literal["v3.add_node"],
    Literal["v3.list_node_details"],
    Literal["v3.get_node"],
    Literal["v3.remove_node"],
    Literal["v3.get_node_details"],
    Literal["v3.bulk_add_nodes"],
    Literal["v3.bulk_remove_nodes"],
    Literal["v3.server_node_details"],
    Literal["v3.list_public_ips"],
    Literal["v3.create_public_ip"],
    Literal["v3.get_public_ip"],
    Literal["v3.update_public_ip"],
    Literal["v3.delete_public_ip"],
]
"""Every operation ``build_request`` and ``parse_response`` know (``rackconnect::ops``)."""


# ---------------------------------------------------------------------------------------------
# Requests


class Request(TypedDict):
    """What ``build_request`` gives: the request to send, with any HTTP client."""

    method: Literal["GET", "POST", "PATCH", "DELETE"]
    url: str
    headers: List[Tuple[str, str]]
    """Header names and values, in order."""
    body: Optional[str]
    """The JSON body, if the operation sends one."""



class HasUnknownFields(TypedDict, total=False):
    """The base of every type that keeps unknown fields."""

    extra: Dict[str, object]
    """The fields the service sent that the core does not know, as received; present only when
    there are some."""

# ---------------------------------------------------------------------------------------------
# RackConnect v2 (``rackconnect::v2``): answers of ``V2`` and of the ``v2.*`` operations.


class Task(HasUnknownFields):
    """One task of v2 automation (``v2::Task``). Unknown fields are kept in ``extra``."""

    name: str
    status: str
    """As the API writes it (an open set: ``COMPLETE``, ``PENDING``, ``FAILED``, ...)."""


class AutomationDetails(TypedDict):
    """The answer of ``automation_status/details`` (``v2::AutomationDetails``)."""

    automation_status: AutomationStatus
    tasks: List[Task]
    """In the order given; empty when the answer lists none."""


class Feature(HasUnknownFields):
    """One automation feature (``v2::Feature``). Unknown fields are kept in ``extra``."""

    name: str
    status: FeatureState


class AutomationFeatures(TypedDict):
    """The answer of ``automation_features`` (``v2::AutomationFeatures``)."""

    features: List[Feature]


class V2RateLimitedValue(TypedDict):
    """Why a v2 call was refused: HTTP 403, v2's limit of 30 requests a minute."""

    retry_after: Optional[int]
    """Seconds to wait, if the service said (``Retry-After``)."""
    body: str
    """The body text, for messages."""


class V2RateLimited(TypedDict):
    """``{"outcome": "rate_limited", "value": {...}}``: any v2 call, answered 403."""

    outcome: Literal["rate_limited"]
    value: V2RateLimitedValue


class V2NotAssigned(TypedDict):
    """``{"outcome": "not_assigned"}``: ``gateway_ip`` answered 404, no gateway yet. No ``value``."""

    outcome: Literal["not_assigned"]


class V2StatusAnswered(TypedDict):
    """``automation_status`` answered: the status."""

    outcome: Literal["answer"]
    value: AutomationStatus


class V2DetailsAnswered(TypedDict):
    """``automation_status/details`` answered: the status and its tasks."""

    outcome: Literal["answer"]
    value: AutomationDetails


class V2GatewayIpAnswered(TypedDict):
    """``gateway_ip`` answered: an IPv4 address, e.g. ``"10.1.2.1"``."""

    outcome: Literal["answer"]
    value: str


class V2FeaturesAnswered(TypedDict):
    """``automation_features`` answered: the features."""

    outcome: Literal["answer"]
    value: AutomationFeatures


# The `V2Answer<T>` envelope of the core, one union per answer type (a generic TypedDict needs
# Python 3.11). Narrow on "outcome": `if answer["outcome"] == "answer": answer["value"]`.
V2StatusAnswer = Union[V2StatusAnswered, V2RateLimited]
V2DetailsAnswer = Union[V2DetailsAnswered, V2RateLimited]
V2GatewayIpAnswer = Union[V2GatewayIpAnswered, V2RateLimited, V2NotAssigned]
V2FeaturesAnswer = Union[V2FeaturesAnswered, V2RateLimited]
V2Answer = Union[
    V2StatusAnswered,
    V2DetailsAnswered,
    V2GatewayIpAnswered,
    V2FeaturesAnswered,
    V2RateLimited,
    V2NotAssigned,
]
"""Any v2 answer: ``{"outcome": "answer" | "rate_limited", "value": ...}`` or
``{"outcome": "not_assigned"}``."""


# ---------------------------------------------------------------------------------------------
# Cloud Servers (``rackconnect::servers``). These are views the core computes: the service's
# other fields are not kept.


class RackConnectFeatures(TypedDict):
    """The three automation features as metadata records them; ``None`` when the key is absent."""

    configure_network_stack: Optional[FeatureState]
    manage_software_firewall: Optional[FeatureState]
    provision_public_ip: Optional[FeatureState]
    """From the key spelled ``..._provison_public_ip`` (sic)."""


class RackConnectView(TypedDict):
    """RackConnect's and Managed Operations' keys of a server's metadata (``servers.metadata``).
    A key missing from the metadata is ``None``, never a default."""

    automation_status: Optional[AutomationStatus]
    unprocessable_reason: Optional[str]
    features: RackConnectFeatures
    managed_status: Optional[ManagedStatus]
    metadata: Dict[str, str]
    """The whole metadata, every value as a string."""


class Server(TypedDict):
    """A cloud server, with what RackConnect needs of it (``servers.show``, ``list_servers``)."""

    id: Optional[str]
    name: Optional[str]
    status: Optional[str]
    """Nova's status: ``BUILD``, ``ACTIVE``, ``ERROR``, ... (an open set)."""
    access_ipv4: Optional[str]
    """After v2 automation, the RackConnect public IP: the address to reach the server by."""
    access_ipv6: Optional[str]
    created: Optional[Timestamp]
    """When the server was built."""
    addresses: Dict[str, List["Address"]]
    """The addresses by network label: ``public``, ``private`` (ServiceNet), a cloud network's name."""
    rackconnect: RackConnectView


class Address(TypedDict):
    """One of a server's addresses on a network."""

    addr: str
    version: int
    """4 or 6."""


class MetadataItem(TypedDict):
    """One metadata item (``servers.metadata_item``)."""

    key: str
    value: str


class ServerPage(TypedDict):
    """One page of ``servers/detail`` (``servers.list_detail``)."""

    servers: List[Server]
    next_link: Optional[str]
    next_marker: Optional[str]
    """The ``marker`` to ask for the next page with; ``None`` on the last page."""


class V1Auth(TypedDict):
    """What first-generation auth answers in its headers (``servers.v1_auth``)."""

    token: str
    """Always ``"<redacted>"``: the core never hands a token out in a result."""
    server_management_url: str
    storage_url: Optional[str]
    cdn_management_url: Optional[str]


# ---------------------------------------------------------------------------------------------
# Identity (``rackconnect::identity``): ``identity.token`` and ``identity.validate``. Keys keep
# Identity's own spelling; the ``RAX-AUTH:`` ones need the functional syntax, as bases.


class TenantRef(HasUnknownFields):
    """A tenant (account). Unknown fields are kept in ``extra``."""

    id: str
    name: Optional[str]


_AuthTokenRax = TypedDict("_AuthTokenRax", {"RAX-AUTH:authenticatedBy": List[str]})


class AuthToken(_AuthTokenRax, HasUnknownFields):
    """The token and what it is good for; ``RAX-AUTH:authenticatedBy`` lists how the user
    authenticated (``APIKEY``, ``PASSWORD``, ...). Unknown fields are kept in ``extra``."""

    id: str
    """Always ``"<redacted>"``."""
    expires: Timestamp
    tenant: Optional[TenantRef]


class Endpoint(HasUnknownFields):
    """One endpoint of a catalog service. Unknown fields are kept in ``extra``."""

    region: Optional[str]
    """Upper case in Rackspace's catalog; ``None`` for global services."""
    tenantId: Optional[str]
    publicURL: str
    internalURL: Optional[str]


class CatalogEntry(HasUnknownFields):
    """A service in the catalog (``cloudServersOpenStack``/``compute``,
    ``rackconnect``/``rax:rackconnect``). Unknown fields are kept in ``extra``."""

    name: str
    type: str
    endpoints: List[Endpoint]


class Role(HasUnknownFields):
    """A role of the user, e.g. ``rackconnect:v3-DFW``. Unknown fields are kept in ``extra``."""

    name: str
    id: Optional[str]
    description: Optional[str]
    tenantId: Optional[str]


_UserRax = TypedDict("_UserRax", {"RAX-AUTH:defaultRegion": Optional[str]})


class User(_UserRax, HasUnknownFields):
    """The user a token was issued to; ``RAX-AUTH:defaultRegion`` is the user's default region.
    Unknown fields are kept in ``extra``."""

    id: Optional[str]
    name: Optional[str]
    roles: List[Role]


class Access(HasUnknownFields):
    """The ``access`` object of a token answer. Unknown fields are kept in ``extra``."""

    token: AuthToken
    serviceCatalog: List[CatalogEntry]
    """Empty in a token validation (which has none)."""
    user: User


# ---------------------------------------------------------------------------------------------
# RackConnect v3 (``rackconnect::v3``). Every object keeps the fields the core does not know.


class CloudNetwork(HasUnknownFields):
    """A cloud network RackConnect knows (N1, N2). Unknown fields are kept in ``extra``."""

    id: str
    name: Optional[str]
    cidr: Optional[str]
    created: Optional[Timestamp]
    updated: Optional[Timestamp]


class NodeCounts(HasUnknownFields):
    """How many nodes a pool has (lags changes by up to a minute). Unknown fields are kept in ``extra``."""

    cloud_servers: int
    external: int
    total: int


class Pool(HasUnknownFields):
    """A load balancer pool (P1, P2). Unknown fields are kept in ``extra``."""

    id: str
    name: Optional[str]
    port: Optional[int]
    virtual_ip: Optional[str]
    status: Optional[PoolStatus]
    status_detail: Optional[str]
    node_counts: Optional[NodeCounts]


class ObjectRef(HasUnknownFields):
    """A reference to another object, ``{"id": ...}``. Unknown fields are kept in ``extra``."""

    id: str


class Node(HasUnknownFields):
    """A pool node (P3, P4, P6, B1). Unknown fields are kept in ``extra``."""

    id: str
    """The node id, not the server id (that is ``cloud_server["id"]``)."""
    cloud_server: ObjectRef
    load_balancer_pool: ObjectRef
    status: NodeStatus
    status_detail: Optional[str]
    created: Optional[Timestamp]
    updated: Optional[Timestamp]


class ServerNetwork(HasUnknownFields):
    """A server's network, as node and public IP details show it. Unknown fields are kept in ``extra``."""

    id: Optional[str]
    name: Optional[str]
    cidr: Optional[str]
    private_ip_v4: Optional[str]
    created: Optional[Timestamp]
    updated: Optional[Timestamp]


class CloudServer(HasUnknownFields):
    """A cloud server, as node and public IP details show it. Unknown fields are kept in ``extra``."""

    id: str
    name: Optional[str]
    created: Optional[Timestamp]
    updated: Optional[Timestamp]
    cloud_network: Optional[ServerNetwork]


class NodeDetails(HasUnknownFields):
    """A pool node with its full server and pool (P5, P8). Unknown fields are kept in ``extra``."""

    id: str
    cloud_server: CloudServer
    load_balancer_pool: Pool
    status: NodeStatus
    status_detail: Optional[str]
    created: Optional[Timestamp]
    updated: Optional[Timestamp]


class ServerNodeDetails(HasUnknownFields):
    """One pool membership of a server (B3): node details without the server. Unknown fields
    are kept in ``extra``."""

    id: str
    load_balancer_pool: Pool
    status: NodeStatus
    status_detail: Optional[str]
    created: Optional[Timestamp]
    updated: Optional[Timestamp]


class PublicIp(HasUnknownFields):
    """A public IP (I1 to I4). Unknown fields (e.g. ``configuration_to_cloud_account_uuid``) are
    kept in ``extra``."""

    id: str
    public_ip_v4: Optional[str]
    """``None`` until allocated (a create answers in ``ADDING`` without one)."""
    retain: bool
    """Whether it outlives its server (``False`` when an old answer leaves it out)."""
    status: PublicIpStatus
    status_detail: Optional[str]
    created: Optional[Timestamp]
    updated: Optional[Timestamp]
    cloud_server: Optional[CloudServer]
    """``None`` for a retained IP assigned to no server."""


# ---------------------------------------------------------------------------------------------
# Errors: ``err.data`` of every ``rackconnect.exceptions`` class, and a wait's ``error``
# (``rackconnect::Error::to_json``). Narrow on ``kind``.

ConflictKind = Union[
    Literal["already_member"],
    Literal["not_member"],
    Literal["node_not_member"],
    Literal["pool_not_active"],
    Literal["pool_does_not_exist"],
    Literal["server_does_not_exist"],
    Literal["server_unprocessable"],
    Literal["node_not_active"],
    Literal["server_has_public_ip"],
    Literal["retained_limit_reached"],
    Literal["other"],
]
"""What a 409 message says (``other``: a message the core does not know)."""


class Conflict(TypedDict):
    """One message of a 409, classified; an id is ``None`` when the message names none."""

    kind: ConflictKind
    server_id: Optional[str]
    pool_id: Optional[str]
    node_id: Optional[str]
    message: str


ApiErrorKind = Union[
    Literal["bad_request"],
    Literal["unauthorized"],
    Literal["mfa_required"],
    Literal["forbidden"],
    Literal["not_found"],
    Literal["conflict"],
    Literal["rate_limited"],
    Literal["server_error"],
    Literal["unexpected_status"],
]
"""The kinds of :class:`ApiErrorData`: the service answered with an error status."""


ErrorClass = Union[
    Literal["InvalidInputError"],
    Literal["ParseError"],
    Literal["BadRequestError"],
    Literal["UnauthorizedError"],
    Literal["MfaRequiredError"],
    Literal["ForbiddenError"],
    Literal["NotFoundError"],
    Literal["ConflictError"],
    Literal["RateLimitedError"],
    Literal["ServerError"],
    Literal["UnexpectedStatusError"],
    Literal["TransportError"],
    Literal["CancelledError"],
]
"""The class the core gives an error (``rackconnect::Error::class``): the exception raised."""

# `class` is a Python keyword: the functional form names it.
_ErrorMessage = TypedDict(
    "_ErrorMessage",
    {
        # ``str(err)``: what was expected, and where.
        "message": str,
        # The exception class (the core's classification).
        "class": ErrorClass,
        # True for a configuration error (a refused input, an insecure or malformed URL, an
        # unknown region): retrying cannot fix it, and a wait ends at once.
        "configuration": bool,
    },
)


class InvalidInputErrorData(_ErrorMessage):
    """An input was rejected before it reached a URL or body (``InvalidInputError``)."""

    kind: Literal["invalid_input"]
    field: str
    expected: str
    found: str
    """The rejected value, shortened (a credential shows as ``<redacted>``)."""


class JsonErrorData(_ErrorMessage):
    """A JSON body was malformed or had the wrong shape (``ParseError``)."""

    kind: Literal["json"]
    pointer: str
    """An RFC 6901 pointer to the offending value; empty for the document."""
    line: int
    """1-based; 0 when unknown (as ``column``)."""
    column: int
    detail: str


class XmlErrorData(_ErrorMessage):
    """An XML body was malformed or had the wrong shape (``ParseError``)."""

    kind: Literal["xml"]
    path: str
    position: int
    detail: str


class XmlDoctypeErrorData(_ErrorMessage):
    """An XML body carried a ``<!DOCTYPE>``, refused before expansion (``ParseError``)."""

    kind: Literal["xml_doctype"]
    position: int


class TextErrorData(_ErrorMessage):
    """A text body did not hold the single value expected (``ParseError``)."""

    kind: Literal["text"]
    line: int
    column: int
    expected: str
    found: str


class BodyTooLargeErrorData(_ErrorMessage):
    """A body was larger than the parser accepts (``ParseError``)."""

    kind: Literal["body_too_large"]
    limit: int
    size: int


class TooDeepErrorData(_ErrorMessage):
    """A body nested deeper than the parser accepts (``ParseError``)."""

    kind: Literal["too_deep"]
    limit: int
    at: str


class MissingHeaderErrorData(_ErrorMessage):
    """A response lacked a header the operation needs (``ParseError``)."""

    kind: Literal["missing_header"]
    header: str
    expected: str


class ApiErrorData(_ErrorMessage):
    """The service answered with an error status (``ApiError`` and its subclasses)."""

    kind: ApiErrorKind
    status: int
    fault: Optional[str]
    """The fault name of an Identity or Nova ``{"<fault>": {...}}`` body, e.g. ``unauthorized``."""
    messages: List[str]
    conflicts: List[Conflict]
    """For a 409, each message classified; else empty."""
    retry_after: Optional[int]
    """Seconds to wait (``Retry-After``, Nova's ``retryAfter``)."""
    mfa_factor: Optional[str]
    """The factor Identity asks for on an MFA 401, e.g. ``PASSCODE``."""
    raw: str
    """The body as received (at most 4 KiB)."""


class TransportErrorData(_ErrorMessage):
    """A request could not be carried through (``TransportError``)."""

    kind: Literal["transport"]
    transport_kind: str
    """``insecure_url``, ``connect``, ``timeout``, ``io`` or ``too_large``."""
    detail: str


class CancelledErrorData(_ErrorMessage):
    """The work was cancelled before it ended (``CancelledError``)."""

    kind: Literal["cancelled"]


ErrorData = Union[
    InvalidInputErrorData,
    JsonErrorData,
    XmlErrorData,
    XmlDoctypeErrorData,
    TextErrorData,
    BodyTooLargeErrorData,
    TooDeepErrorData,
    MissingHeaderErrorData,
    ApiErrorData,
    TransportErrorData,
    CancelledErrorData,
]
"""An error's JSON form. ``err.data`` is typed ``Dict[str, Any]`` on the exceptions (which
import no typing); ``cast(ErrorData, err.data)`` to narrow it on ``kind``."""


# ---------------------------------------------------------------------------------------------
# Waits (``rackconnect::wait``): ``wait_v2``, ``V2.wait``, ``Session.wait_server``, and the
# progress callback's events.

Outcome = Union[
    Literal["done"],
    Literal["failed"],
    Literal["not_applicable"],
    Literal["timed_out"],
    Literal["cancelled"],
    Literal["forbidden"],
    Literal["error"],
]
"""How a wait or an ensure ended. ``not_applicable``: RackConnect (or Managed Operations) does
not apply to the server; the caller decides whether that is success."""


class WaitResult(TypedDict):
    """The result of a wait (``wait::WaitResult``)."""

    outcome: Outcome
    status: Optional[str]
    """The last status seen (``DEPLOYED``, ``In Progress``, ...)."""
    reason: Optional[str]
    """Why it failed, does not apply or timed out, when known."""
    tasks: List[Task]
    """For a v2 ``FAILED``: the tasks of ``automation_status/details``."""
    error: Optional[ErrorData]
    """The error behind ``error`` and ``forbidden`` outcomes."""
    requests: int
    elapsed_ms: Millis
    ok: bool
    """The core's verdict, the same in every front door: true for ``done``, and for
    ``not_applicable`` when ``not_applicable_ok`` (the default)."""
    summary: str
    """One line saying how it ended, in the words every front door uses."""


class ServerWaitResult(WaitResult):
    """What ``Session.wait_server`` gives: the wait's result and the address to reach the
    server by."""

    reachable_ipv4: Optional[str]
    """The server's ``accessIPv4`` as last read (the RackConnect public IP once deployed)."""


class StatusEvent(TypedDict):
    """A status was read."""

    event: Literal["status"]
    at: Millis
    what: str
    """What is waited for: ``rackconnect``, ``managed``, ``node`` or ``public_ip``."""
    id: Optional[str]
    """Which one: the node, public IP or server id; None for v2 (the server that asks)."""
    status: str
    """The status (a node that vanished while being added reads ``GONE``)."""
    changed: bool
    """True when it differs from the last one seen for the same ``id``."""


class UnknownStatusEvent(TypedDict):
    """A status the core does not know: surfaced, and waited through until the deadline."""

    event: Literal["unknown_status"]
    at: Millis
    what: str
    status: str


class KeyMissingEvent(TypedDict):
    """A metadata key is not written yet: waiting within the grace period."""

    event: Literal["key_missing"]
    at: Millis
    key: str
    grace_until: Millis


class RateLimitedEvent(TypedDict):
    """The service said to slow down: no request until ``until``."""

    event: Literal["rate_limited"]
    at: Millis
    until: Millis


class RetryingEvent(TypedDict):
    """A request failed and will be retried at ``until``."""

    event: Literal["retrying"]
    at: Millis
    until: Millis
    reason: str


ProgressEvent = Union[StatusEvent, UnknownStatusEvent, KeyMissingEvent, RateLimitedEvent, RetryingEvent]
"""What a ``progress`` callback receives (``wait::Event``); narrow on ``event``."""


# ---------------------------------------------------------------------------------------------
# Ensure (``rackconnect::ensure``): ``Session.ensure_pool_members`` and ``ensure_public_ip``.


class _PairNames(TypedDict, total=False):
    server_name: str
    """The server's name, when the run knows it (the user named the server)."""
    pool_name: str
    """The pool's name, when the run knows it (the user named the pool)."""


class Pair(_PairNames):
    """A (server, pool) pair: the ids, and the names the run learned."""

    server_id: str
    pool_id: str


class PairFailure(TypedDict):
    """A pair that could not be brought to the wanted state."""

    pair: Pair
    reason: str


class MembershipPlan(TypedDict):
    """What the planner found and meant to do (all a dry run does)."""

    add: List[Pair]
    remove: List[Pair]
    unchanged: List[Pair]


class MembershipResult(TypedDict):
    """How ``ensure_pool_members`` ended (``ensure::MembershipResult``)."""

    outcome: Outcome
    changed: bool
    """True when a pair was added or removed (in a dry run: would be)."""
    plan: MembershipPlan
    """The plan as first made (kept as it was, whatever the service answered)."""
    settled_by_conflict: List[Pair]
    """Pairs of the plan that the service's 409 showed were already as wanted."""
    added: List[Pair]
    removed: List[Pair]
    failed: List[PairFailure]
    reason: Optional[str]
    requests: int
    elapsed_ms: Millis
    dry_run: bool
    ok: bool
    """The core's verdict: true when it ended well (the same in every front door)."""
    summary: str
    """One line saying how it ended, in the words every front door uses."""


class NoAction(TypedDict):
    """Nothing to change."""

    action: Literal["none"]


class CreateAction(TypedDict):
    """``POST /public_ips``."""

    action: Literal["create"]
    retain: bool


class SetRetainAction(TypedDict):
    """``PATCH /public_ips/{id}`` with ``retain``."""

    action: Literal["set_retain"]
    id: str
    retain: bool


class MoveAction(TypedDict):
    """``PATCH /public_ips/{id}`` with the server (and ``retain``, if asked)."""

    action: Literal["move"]
    id: str
    retain: Optional[bool]


class UnassignAction(TypedDict):
    """``PATCH /public_ips/{id}`` with ``{"cloud_server": null}``: the IP is kept, on no server
    (``retain``: retained by the same request)."""

    action: Literal["unassign"]
    id: str
    retain: bool


class DeleteAction(TypedDict):
    """``DELETE /public_ips/{id}``."""

    action: Literal["delete"]
    id: str


PublicIpAction = Union[NoAction, CreateAction, SetRetainAction, MoveAction, UnassignAction, DeleteAction]
"""The change ``ensure_public_ip`` plans (``ensure::PublicIpAction``); narrow on ``action``."""


class PublicIpResult(TypedDict):
    """How ``ensure_public_ip`` ended (``ensure::PublicIpResult``)."""

    outcome: Outcome
    changed: bool
    """True when the change was made (in a dry run: would be)."""
    plan: PublicIpAction
    public_ip: Optional[PublicIp]
    """The public IP as last read (with its address once ``ACTIVE``); ``None`` after a delete."""
    reason: Optional[str]
    requests: int
    elapsed_ms: Millis
    dry_run: bool
    ok: bool
    """The core's verdict: true when it ended well (the same in every front door)."""
    summary: str
    """One line saying how it ended, in the words every front door uses."""


# ---------------------------------------------------------------------------------------------
# Inventory (``rackconnect::inventory``): ``Session.inventory``.

Automation = Union[Literal["done"], Literal["running"], Literal["failed"], Literal["not_applicable"]]
"""Where a server's build and automation stand; only ``done`` servers are ready for post-build work."""

ReachedBy = Union[
    Literal["access_network"],
    Literal["rackconnect_v2"],
    Literal["rackconnect_v3_public_ip"],
    Literal["access_ip"],
    Literal["public"],
    Literal["cloud_network"],
    Literal["servicenet"],
]
"""Where a host's address came from (the core's rule, in that order unless a network is named)."""


class HostPool(TypedDict):
    """A RackConnect v3 pool a host is a member of."""

    id: str
    name: Optional[str]
    node_id: str
    node_status: NodeStatus


class HostPublicIp(TypedDict):
    """A RackConnect v3 public IP of a host."""

    id: str
    address: Optional[str]
    retain: bool
    status: PublicIpStatus


class HostVars(TypedDict):
    """A host's variables, each named ``rackconnect_...``."""

    rackconnect_server_id: str
    rackconnect_server_name: Optional[str]
    rackconnect_region: str
    rackconnect_status: Optional[str]
    """Nova's status."""
    rackconnect_automation: Automation
    rackconnect_automation_status: Optional[AutomationStatus]
    rackconnect_unprocessable_reason: Optional[str]
    rackconnect_managed_status: Optional[ManagedStatus]
    rackconnect_reachable_ip: Optional[str]
    rackconnect_reached_by: Optional[ReachedBy]
    rackconnect_access_ipv4: Optional[str]
    rackconnect_access_ipv6: Optional[str]
    rackconnect_addresses: Dict[str, List[Address]]
    rackconnect_pools: List[HostPool]
    rackconnect_public_ips: List[HostPublicIp]
    rackconnect_v3_read: bool
    """Whether RackConnect v3 was read for the host's region (else pools and public IPs are unknown)."""
    rackconnect_metadata: Dict[str, str]


class InventoryHost(TypedDict):
    """One host: its name, the address to connect to, its groups and its variables."""

    name: str
    address: Optional[str]
    groups: List[str]
    vars: HostVars


class Inventory(TypedDict):
    """An inventory (``Session.inventory``)."""

    hosts: List[InventoryHost]
    groups: Dict[str, List[str]]
    """Every automation group (``rackconnect_done``, ``_running``, ``_failed``, ``_not_applicable``), empty ones too."""
    regions: Dict[str, bool]
    """The regions read, and whether RackConnect v3 was read in each."""
