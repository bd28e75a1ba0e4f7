"""rackconnect for asyncio: the same session, inventory, waits and ensures as coroutines.

A third driver of the core's driver contract, beside the Rust one (``Session``) and the
JavaScript one: it sends what an exchange of the core asks with ``httpx`` (``pip install
rackconnect[aio]``), sleeps with ``asyncio.sleep`` and reports back, deciding nothing itself:
sign-in and renewal, retries, pauses, endpoints and the https-or-loopback rule are the core's.
It replays the same driver traces (``tests/traces``) as the other two.

Cancelling the task that awaits a call (``asyncio.timeout``, ``task.cancel()``) stops the
exchange at once and raises ``asyncio.CancelledError``; a wait's result as it stood is on the
exception as ``rackconnect_result``.

    async with rackconnect.aio.Session("us", username="me", api_key=KEY, region="dfw") as session:
        pools = await session.list_pools()
        done = await session.wait_server(SERVER_ID, managed=True)
        batch = await session.wait_servers(["web1", "web2", "web3"], managed=True)
        hosts = (await session.inventory(["dfw", "iad"], filters={"automation": "done"}))["hosts"]
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Awaitable, Callable, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union

import httpx

from rackconnect import _native
from rackconnect.exceptions import from_data

__all__ = ["Session", "drive", "wait_v2"]

Progress = Optional[Callable[[Dict[str, Any]], object]]
_Answer = Tuple[int, List[Tuple[str, str]], bytes]


def contract_clock() -> Callable[[], float]:
    """The driver contract's clock: wall-clock milliseconds at the start, then monotonic."""
    wall = time.time() * 1000.0
    start = time.monotonic()
    return lambda: wall + (time.monotonic() - start) * 1000.0


async def _sleep(ms: float) -> None:
    await asyncio.sleep(max(ms, 1.0) / 1000.0)


def _own_client() -> httpx.AsyncClient:
    # No proxies or certificates from the environment beyond the defaults' checks; no connection
    # reused once idle past the core's limit (httpx's own is 5 s, as long as many servers keep
    # one: a request could go out on a connection being closed).
    return httpx.AsyncClient(trust_env=False, limits=httpx.Limits(keepalive_expiry=_native.IDLE_REUSE))


async def _send(client: httpx.AsyncClient, step: Dict[str, Any]) -> Tuple[Optional[_Answer], Optional[Tuple[str, str]]]:
    """Sends one request as the exchange asked: ``(answer, None)`` or ``(None, (kind, detail))``."""
    request = step["request"]
    cap = int(step["max_body_bytes"])
    what = "%s %s" % (request["method"], request["url"])
    body = request["body"].encode("utf-8") if request["body"] is not None else None
    timeout = max(float(step["timeout_ms"]), 1.0) / 1000.0
    try:
        async with client.stream(
            request["method"],
            request["url"],
            headers=[(name, value) for name, value in request["headers"]],
            content=body,
            timeout=timeout,
            # A redirect could carry a credential elsewhere: none is followed (a 3xx is an answer).
            follow_redirects=False,
        ) as response:
            declared = response.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > cap:
                return None, ("too_large", "%s: the answer's Content-Length is %s bytes, over the cap of %d" % (what, declared, cap))
            received = bytearray()
            async for chunk in response.aiter_bytes():
                received += chunk
                if len(received) > cap:
                    return None, ("too_large", "%s: the body is over the cap of %d bytes" % (what, cap))
            headers = [(name, value) for name, value in response.headers.multi_items()]
            return (response.status_code, headers, bytes(received)), None
    except httpx.TimeoutException:
        return None, ("timeout", "%s: no answer within %d ms" % (what, int(timeout * 1000)))
    except httpx.ConnectError as exc:
        return None, ("connect", "%s: %s" % (what, exc))
    except httpx.TransportError as exc:
        return None, ("io", "%s: %s" % (what, exc))


async def drive(
    exchange: Any,
    client: httpx.AsyncClient,
    *,
    progress: Progress = None,
    auth: Any = None,
    now: Optional[Callable[[], float]] = None,
    pause: Optional[Callable[[float], Awaitable[None]]] = None,
) -> Any:
    """Drives one of the core's exchanges (``rackconnect._native.Exchange``) to its end: poll,
    send what it asks, report the answer, sleep until it says. ``now`` and ``pause`` replace the
    clock and ``asyncio.sleep`` (the trace replays do); ``auth`` adopts the exchange's token."""
    clock = now or contract_clock()
    sleep = pause or _sleep
    cancelled: Optional[BaseException] = None
    try:
        while True:
            step = json.loads(exchange.poll(clock()))
            if progress is not None:
                for event in step["events"]:
                    progress(event)
            if step["step"] == "finished":
                if cancelled is not None:
                    setattr(cancelled, "rackconnect_result", step["output"])
                    raise cancelled
                return step["output"]
            if step["step"] == "failed":
                if cancelled is not None:
                    raise cancelled
                raise from_data(step["error"])
            try:
                if step["step"] == "sleep":
                    await sleep(step["until"] - clock())
                    continue
                answer, failure = await _send(client, step)
            except asyncio.CancelledError as exc:
                # Stop the exchange, and let its next poll end it; the cancellation goes on.
                cancelled = exc
                exchange.cancel()
                continue
            if answer is not None:
                status, headers, body = answer
                events = exchange.on_response(clock(), status, json.dumps(headers), body)
            else:
                assert failure is not None
                events = exchange.on_transport_error(clock(), failure[0], failure[1])
            if progress is not None:
                for event in json.loads(events):
                    progress(event)
    finally:
        if auth is not None:
            auth.adopt(exchange)


def _seconds_to_ms(name: str, seconds: Optional[float]) -> Optional[int]:
    if seconds is None:
        return None
    # As the blocking Session's arguments are read: a number (not a text such as "30m").
    if not isinstance(seconds, (int, float)):
        raise TypeError(f"{name}: expected a number of seconds, found {type(seconds).__name__} {seconds!r}")
    return _native.seconds_to_millis(name, float(seconds))


def _wait(timeout: Optional[float], not_applicable_ok: bool) -> Dict[str, Any]:
    wait: Dict[str, Any] = {"not_applicable_ok": not_applicable_ok}
    if timeout is not None:
        wait["timeout_ms"] = _seconds_to_ms("timeout", timeout)
    return wait


class Session:
    """A session with Identity, for Cloud Servers and RackConnect v3, as coroutines. The same
    arguments as ``rackconnect.Session``, and an optional ``httpx.AsyncClient`` (the session
    makes and closes its own otherwise: use ``async with``)."""

    def __init__(
        self,
        identity_url: Optional[str] = None,
        *,
        username: str,
        api_key: Optional[str] = None,
        password: Optional[str] = None,
        region: Optional[str] = None,
        tenant: Optional[str] = None,
        client: Optional[httpx.AsyncClient] = None,
    ) -> None:
        spec: Dict[str, Any] = {"identity_url": identity_url, "username": username, "tenant_id": tenant}
        if api_key is not None:
            spec["api_key"] = api_key
        if password is not None:
            spec["password"] = password
        self._auth = _native.Auth(json.dumps(spec))
        self._driver = json.dumps({"region": region} if region is not None else {})
        self._client = client
        self._own_client = client is None
        self._shown = "aio.Session(identity_url=%r, username=%r, region=%r)" % (identity_url, username, region)

    def __repr__(self) -> str:
        return self._shown

    async def __aenter__(self) -> "Session":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the HTTP client the session made (not one it was given)."""
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = _own_client()
        return self._client

    async def _run(self, exchange: Any, progress: Progress = None) -> Any:
        return await drive(exchange, self._http(), progress=progress, auth=self._auth)

    async def call(self, op: str, **inputs: Any) -> Any:
        """Any operation by name (``v3.list_pools``, ``servers.show`` …) with its inputs."""
        return await self._run(_native.Exchange.call(self._auth, op, json.dumps(inputs), self._driver))

    async def list_pools(self) -> List[Dict[str, Any]]:
        """The load balancer pools of the region."""
        pools: List[Dict[str, Any]] = await self.call("v3.list_pools")
        return pools

    async def list_servers(self) -> List[Dict[str, Any]]:
        """Every server of the region (Cloud Servers, all pages)."""
        servers: List[Dict[str, Any]] = await self._run(_native.Exchange.all_servers(self._auth, self._driver))
        return servers

    async def list_networks(self) -> List[Dict[str, Any]]:
        """The cloud networks of the region that RackConnect knows."""
        networks: List[Dict[str, Any]] = await self.call("v3.list_networks")
        return networks

    async def list_nodes(self, pool_id: str) -> List[Dict[str, Any]]:
        """The nodes of a pool: its id, or its name in the region."""
        nodes: List[Dict[str, Any]] = await self.call("v3.list_nodes", pool_id=pool_id)
        return nodes

    async def list_public_ips(self, server_id: Optional[str] = None, retain: Optional[bool] = None) -> List[Dict[str, Any]]:
        """The public IPs, of one server (id or name) and/or only retained (or only not) ones."""
        inputs: Dict[str, Any] = {}
        if server_id is not None:
            inputs["cloud_server_id"] = server_id
        if retain is not None:
            inputs["retain"] = retain
        ips: List[Dict[str, Any]] = await self.call("v3.list_public_ips", **inputs)
        return ips

    async def show_server(self, server_id: str) -> Dict[str, Any]:
        """One server (its id, or a name only it has in the region), with its RackConnect view."""
        server: Dict[str, Any] = await self.call("servers.show", server_id=server_id)
        return server

    async def inventory(
        self,
        regions: Optional[Sequence[str]] = None,
        *,
        access_network: Optional[str] = None,
        ip_version: int = 4,
        rackconnect_v3: bool = True,
        hostnames: Literal["name", "id"] = "name",
        filters: Optional[Mapping[str, Union[str, Sequence[str]]]] = None,
    ) -> Dict[str, Any]:
        """An inventory of the servers of ``regions`` (the session's region when left out), as
        ``rackconnect.Session.inventory``: the same arguments, result and errors. The arguments
        are refused before anything is sent; then the core reads each region in turn (servers,
        then RackConnect v3's public IPs and pools with their nodes, where the region has it)
        and builds the inventory (groups, addresses, the grace by the answer's ``Date``)."""
        exchange = _native.Exchange.inventory(
            self._auth,
            self._driver,
            regions,
            access_network=access_network,
            ip_version=ip_version,
            rackconnect_v3=rackconnect_v3,
            hostnames=hostnames,
            filters=filters,
        )
        inventory: Dict[str, Any] = await self._run(exchange)
        return inventory

    async def wait_server(
        self,
        server_id: str,
        *,
        managed: bool = False,
        rackconnect: bool = True,
        timeout: Optional[float] = None,
        grace: Optional[float] = None,
        not_applicable_ok: bool = True,
        progress: Progress = None,
    ) -> Dict[str, Any]:
        """Waits on a server's metadata for RackConnect and/or Managed Operations (as
        ``rackconnect.Session.wait_server``)."""
        config: Dict[str, Any] = {"rackconnect": rackconnect, "managed": managed, "wait": _wait(timeout, not_applicable_ok)}
        if grace is not None:
            config["grace_ms"] = _seconds_to_ms("grace", grace)
        spec = {"kind": "metadata", "server_id": server_id, "config": config}
        result: Dict[str, Any] = await self._run(_native.Exchange.wait(self._auth, json.dumps(spec), self._driver), progress)
        return result

    async def wait_servers(
        self,
        servers: Optional[Sequence[str]] = None,
        *,
        built_within: Optional[float] = None,
        managed: bool = False,
        rackconnect: bool = True,
        timeout: Optional[float] = None,
        grace: Optional[float] = None,
        not_applicable_ok: bool = True,
        progress: Progress = None,
    ) -> Dict[str, Any]:
        """Waits for a batch of servers at once through ``servers/detail`` pages (as
        ``rackconnect.Session.wait_servers``): ``servers`` by id or name, or every server built
        within ``built_within`` seconds; each ends on its own status, with its reachable IP."""
        if isinstance(servers, str):
            raise TypeError('servers: expected a list of strings (a single id goes in a list: ["..."]), found str')
        config: Dict[str, Any] = {"rackconnect": rackconnect, "managed": managed, "wait": _wait(timeout, not_applicable_ok)}
        if grace is not None:
            config["grace_ms"] = _seconds_to_ms("grace", grace)
        spec: Dict[str, Any] = {
            "kind": "servers",
            "servers": list(servers or ()),
            "config": config,
            # The core's errors then name this method's arguments.
            "input_names": ["servers", "built_within"],
        }
        if built_within is not None:
            spec["built_within_ms"] = _seconds_to_ms("built_within", built_within)
        result: Dict[str, Any] = await self._run(_native.Exchange.wait(self._auth, json.dumps(spec), self._driver), progress)
        return result

    async def wait_nodes(
        self,
        nodes: Sequence[Tuple[str, str]],
        *,
        target: str = "active",
        timeout: Optional[float] = None,
        progress: Progress = None,
    ) -> Dict[str, Any]:
        """Waits for pool nodes, ``(pool, node_id)`` pairs (a pool by id or name), to be
        ``active`` or ``gone`` (as the CLI's ``v3 nodes add`` waits)."""
        spec: Dict[str, Any] = {
            "kind": "nodes",
            "nodes": [{"pool_id": pool, "node_id": node} for pool, node in nodes],
            "target": target,
            "wait": _wait(timeout, True),
        }
        result: Dict[str, Any] = await self._run(_native.Exchange.wait(self._auth, json.dumps(spec), self._driver), progress)
        return result

    async def wait_public_ip(
        self, public_ip_id: str, *, target: str = "active", timeout: Optional[float] = None, progress: Progress = None
    ) -> Dict[str, Any]:
        """Waits for a public IP to be ``active`` (with its address) or ``gone``."""
        spec = {"kind": "public_ip", "public_ip_id": public_ip_id, "target": target, "wait": _wait(timeout, True)}
        result: Dict[str, Any] = await self._run(_native.Exchange.wait(self._auth, json.dumps(spec), self._driver), progress)
        return result

    async def ensure_pool_members(
        self,
        servers: Sequence[str],
        pools: Sequence[str],
        *,
        present: bool = True,
        dry_run: bool = False,
        wait: bool = True,
        timeout: Optional[float] = None,
        progress: Progress = None,
    ) -> Dict[str, Any]:
        """Every server in (or out of) every pool, in one bulk request for the difference (as
        ``rackconnect.Session.ensure_pool_members``)."""
        options: Dict[str, Any] = {"dry_run": dry_run, "no_wait": not wait}
        if timeout is not None:
            options["wait"] = {"timeout_ms": _seconds_to_ms("timeout", timeout)}
        spec = {"kind": "pool_members", "servers": list(servers), "pools": list(pools), "present": present, "options": options}
        result: Dict[str, Any] = await self._run(_native.Exchange.ensure(self._auth, json.dumps(spec), self._driver), progress)
        return result


    async def ensure_public_ip(
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
        progress: Progress = None,
    ) -> Dict[str, Any]:
        """A server's public IP: present (optionally retained, or moved from a retained one),
        absent, or unassigned (as ``rackconnect.Session.ensure_public_ip``)."""
        options: Dict[str, Any] = {"dry_run": dry_run, "no_wait": not wait}
        if timeout is not None:
            options["wait"] = {"timeout_ms": _seconds_to_ms("timeout", timeout)}
        spec: Dict[str, Any] = {"kind": "public_ip", "server_id": server_id, "unassign": unassign, "options": options}
        # "present" left out when unassigning: the core's reading of the two together.
        if not unassign or not present:
            spec["present"] = present
        if retain is not None:
            spec["retain"] = retain
        if move_ip is not None:
            spec["move_ip"] = move_ip
        result: Dict[str, Any] = await self._run(_native.Exchange.ensure(self._auth, json.dumps(spec), self._driver), progress)
        return result


async def wait_v2(
    base_url: Optional[str] = None,
    *,
    region: Optional[str] = None,
    timeout: Optional[float] = None,
    not_applicable_ok: bool = True,
    progress: Progress = None,
    client: Optional[httpx.AsyncClient] = None,
) -> Dict[str, Any]:
    """Waits for RackConnect v2 automation of the server this runs on (as
    ``rackconnect.wait_v2``); ``client`` may bind the source address
    (``httpx.AsyncHTTPTransport(local_address=...)``)."""
    spec: Dict[str, Any] = {"wait": _wait(timeout, not_applicable_ok)}
    if base_url is not None:
        spec["base_url"] = base_url
    if region is not None:
        spec["region"] = region
    exchange = _native.Exchange.wait_v2(json.dumps(spec), "")
    if client is not None:
        result: Dict[str, Any] = await drive(exchange, client, progress=progress)
        return result
    async with _own_client() as own:
        result = await drive(exchange, own, progress=progress)
        return result
