"""Uses rackconnect's types the way a user would. Never run: ``test_types.py`` has ``mypy --strict``
check it (with ``warn_unused_ignores``), so a result that loses its type fails the suite.

Each assignment to an annotated name is an assertion: mypy refuses it unless the result has that
type. The lines marked ``# type: ignore[...]`` must fail to type-check: if the types grew loose
(``Any``), the ignore would be unused, and that is an error too.
"""

from typing import List, Mapping, Optional, Tuple, cast

import rackconnect
from rackconnect import NotFoundError, Session
from rackconnect.types import (
    Access,
    ApiErrorData,
    CloudNetwork,
    ErrorData,
    FleetServer,
    FleetWaitResult,
    MembershipResult,
    Node,
    NodeDetails,
    Outcome,
    Pool,
    ProgressEvent,
    PublicIp,
    PublicIpResult,
    Request,
    Server,
    ServerNodeDetails,
    ServerWaitResult,
    V2GatewayIpAnswer,
    V2StatusAnswer,
    WaitResult,
)


def parse_by_operation(body: bytes, op_from_config: str) -> None:
    request: Request = rackconnect.build_request("v3.list_public_ips", {"endpoint": "https://x/v3/1", "token": "t"})
    method: str = request["method"]
    headers: List[Tuple[str, str]] = request["headers"]
    ips: List[PublicIp] = rackconnect.parse_response("v3.list_public_ips", 200, headers, body)
    first_address: Optional[str] = ips[0]["public_ip_v4"]
    pool: Pool = rackconnect.parse_response("v3.get_pool", 200, [], body)
    port: Optional[int] = pool["port"]
    # Unknown fields through the one declared key; a misspelt known key is refused.
    tags: object = pool.get("extra", {}).get("tags")
    misspelt = pool["stauts"]  # type: ignore[typeddict-item]
    nodes: List[Node] = rackconnect.parse_response("v3.bulk_add_nodes", 201, [], body)
    node_server: str = nodes[0]["cloud_server"]["id"]
    details: NodeDetails = rackconnect.parse_response("v3.get_node_details", 200, [], body)
    memberships: List[ServerNodeDetails] = rackconnect.parse_response("v3.server_node_details", 200, [], body)
    network: CloudNetwork = rackconnect.parse_response("v3.get_network", 200, [], body)
    access: Access = rackconnect.parse_response("identity.token", 200, [], body)
    default_region: Optional[str] = access["user"]["RAX-AUTH:defaultRegion"]
    endpoint_url: str = access["serviceCatalog"][0]["endpoints"][0]["publicURL"]
    server: Server = rackconnect.parse_response("servers.v1_show", 200, [], body)
    managed: Optional[str] = server["rackconnect"]["managed_status"]
    nothing: None = rackconnect.parse_response("v3.delete_public_ip", 204, [], body)
    # An operation name only known at run time: the fallback, Any.
    anything: int = rackconnect.parse_response(op_from_config, 200, [], body)
    print(method, first_address, port, node_server, details, memberships, network, default_region, endpoint_url)
    print(managed, nothing, anything, tags, misspelt)


def v2_answers(body: bytes) -> None:
    status: V2StatusAnswer = rackconnect.parse_response("v2.automation_status", 200, [], body)
    if status["outcome"] == "answer":
        deployed: bool = status["value"] == "DEPLOYED"
        print(deployed)
    elif status["outcome"] == "rate_limited":
        wait_seconds: Optional[int] = status["value"]["retry_after"]
        print(wait_seconds)
    gateway: V2GatewayIpAnswer = rackconnect.V2(region="dfw").gateway_ip()
    if gateway["outcome"] == "not_assigned":
        return
    if gateway["outcome"] == "answer":
        address: str = gateway["value"]
        print(address)
    details = rackconnect.V2(region="dfw").details()
    if details["outcome"] == "answer":
        task_names: List[str] = [task["name"] for task in details["value"]["tasks"]]
        print(task_names)


def session_results(session: Session) -> None:
    ip: PublicIp = session.list_public_ips()[0]
    server_id: Optional[str] = ip["cloud_server"]["id"] if ip["cloud_server"] else None
    retained: bool = ip["retain"]
    pools: List[Pool] = session.list_pools()
    servers: List[Server] = session.list_servers()
    events: List[ProgressEvent] = []
    waited: ServerWaitResult = session.wait_server("s1", managed=True, progress=events.append)
    reachable: Optional[str] = waited["reachable_ipv4"]
    as_wait: WaitResult = waited
    for event in events:
        if event["event"] == "status":
            changed: bool = event["changed"]
            print(changed)
        elif event["event"] == "key_missing":
            grace_until: int = event["grace_until"]
            print(grace_until)
    members: MembershipResult = session.ensure_pool_members(["s1"], ["p1"], dry_run=True)
    to_add: List[str] = [pair["server_id"] for pair in members["plan"]["add"]]
    public_ip: PublicIpResult = session.ensure_public_ip("s1", retain=True, progress=print)
    plan = public_ip["plan"]
    if plan["action"] == "set_retain":
        plan_id: str = plan["id"]
        print(plan_id)
    outcome: Outcome = public_ip["outcome"]
    print(server_id, retained, pools, servers, reachable, as_wait, to_add, outcome)


def a_batch(session: Session) -> None:
    events: List[ProgressEvent] = []
    batch: FleetWaitResult = session.wait_servers(["web1", "web2"], managed=True, progress=events.append)
    recent: FleetWaitResult = session.wait_servers(built_within=1800)
    first: FleetServer = batch["servers"][0]
    address: Optional[str] = first["reachable_ip"]
    failed: int = batch["counts"]["failed"]
    for event in events:
        if event["event"] == "server_ended":
            ended: int = event["ended"]
            print(ended, event["total"], event["outcome"])
    print(recent["ok"], address, failed)


def a_generic_callback(event: Mapping[str, object]) -> None:
    """A callback that takes any mapping accepts every event."""
    print(event.get("event"))


def the_readmes_idioms(session: Session) -> None:
    # The README's way to raise a result's error, and tuples where any sequence will do.
    planned = session.ensure_pool_members(("s1", "s2"), ("web",), dry_run=True)
    print(planned["plan"])
    waited = session.wait_server("web1")
    if waited["error"]:
        raise rackconnect.exceptions.from_data(waited["error"])
    inventory = session.inventory(("dfw", "iad"), filters={"name": ("web*",), "automation": "done"})
    print([host["address"] for host in inventory["hosts"]])


def errors_and_callbacks() -> None:
    result: WaitResult = rackconnect.wait_v2(region="dfw", progress=a_generic_callback)
    error: Optional[ErrorData] = result["error"]
    if error is not None and error["kind"] == "json":
        pointer: str = error["pointer"]
        print(pointer)
    try:
        rackconnect.parse_response("v3.get_pool", 404, [], b"")
    except NotFoundError as err:
        # err.data is typed Dict[str, Any] (the exceptions import no typing): cast it to its form.
        data = cast(ApiErrorData, err.data)
        print(data["status"], data["retry_after"])


def must_not_type_check(session: Session, body: bytes) -> None:
    ip = session.list_public_ips()[0]
    # A key PublicIp does not have.
    print(ip["address"])  # type: ignore[typeddict-item]
    # A list of pools is not one pool.
    pool: Pool = session.list_pools()  # type: ignore[assignment]
    # An optional field used as if always present.
    ip["public_ip_v4"].split(".")  # type: ignore[union-attr]
    # The literal operation name selects the result type: a node is not a public IP.
    wrong: PublicIp = rackconnect.parse_response("v3.get_node", 200, [], body)  # type: ignore[assignment]
    # A closed set: an outcome the core never gives.
    outcome: Outcome = "succeeded"  # type: ignore[assignment]
    # A batch's result is not a one-server wait's.
    one: ServerWaitResult = session.wait_servers(["web1"])  # type: ignore[assignment]
    print(pool, wrong, outcome, one)
