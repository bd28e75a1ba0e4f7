from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union, final

__all__ = ["__version__", "build_request", "parse_response", "Session", "V2", "wait_v2"]
__version__: str

_Progress = Optional[Callable[[Dict[str, Any]], object]]

def build_request(op: str, input: Union[Dict[str, Any], str]) -> Dict[str, Any]:
    """Builds the request of operation ``op``: ``{"method", "url", "headers", "body"}``."""

def parse_response(
    op: str, status: int, headers: Sequence[Tuple[str, str]], body: bytes
) -> Any:
    """Parses the response to operation ``op`` into plain Python values."""

def wait_v2(
    base_url: Optional[str] = None,
    *,
    region: Optional[str] = None,
    source_address: Optional[str] = None,
    timeout: float = 1800.0,
    progress: _Progress = None,
) -> Dict[str, Any]:
    """Waits for RackConnect v2 automation: the wait's result (``V2(...).wait(...)``)."""

@final
class V2:
    """RackConnect v2, asked from the server this runs on (or the one ``source_address`` is).

    Each answer is ``{"outcome": "answer", "value": ...}``, ``{"outcome": "rate_limited", ...}``
    or, for the gateway, ``{"outcome": "not_assigned"}``.
    """

    def __new__(
        cls,
        base_url: Optional[str] = None,
        *,
        region: Optional[str] = None,
        source_address: Optional[str] = None,
    ) -> "V2": ...
    def status(self) -> Dict[str, Any]: ...
    def details(self) -> Dict[str, Any]: ...
    def gateway_ip(self) -> Dict[str, Any]: ...
    def features(self) -> Dict[str, Any]: ...
    def wait(self, *, timeout: float = 1800.0, progress: _Progress = None) -> Dict[str, Any]: ...

@final
class Session:
    """A session with Identity, for Cloud Servers and RackConnect v3 (blocking calls)."""

    def __new__(
        cls,
        identity_url: str = "us",
        *,
        username: str,
        api_key: Optional[str] = None,
        password: Optional[str] = None,
        region: Optional[str] = None,
        tenant: Optional[str] = None,
    ) -> "Session": ...
    def list_networks(self) -> List[Dict[str, Any]]: ...
    def list_pools(self) -> List[Dict[str, Any]]: ...
    def list_nodes(self, pool_id: str) -> List[Dict[str, Any]]: ...
    def list_node_details(self, pool_id: str) -> List[Dict[str, Any]]: ...
    def list_public_ips(
        self, server_id: Optional[str] = None, retain: Optional[bool] = None
    ) -> List[Dict[str, Any]]: ...
    def list_servers(self) -> List[Dict[str, Any]]: ...
    def show_server(self, server_id: str) -> Dict[str, Any]: ...
    def wait_server(
        self,
        server_id: str,
        *,
        managed: bool = False,
        rackconnect: bool = True,
        timeout: float = 1800.0,
        grace: float = 300.0,
        progress: _Progress = None,
    ) -> Dict[str, Any]: ...
    def ensure_pool_members(
        self,
        servers: List[str],
        pools: List[str],
        *,
        present: bool = True,
        dry_run: bool = False,
        wait: bool = True,
        timeout: float = 1800.0,
        progress: _Progress = None,
    ) -> Dict[str, Any]: ...
    def ensure_public_ip(
        self,
        server_id: str,
        *,
        present: bool = True,
        retain: Optional[bool] = None,
        move_ip: Optional[str] = None,
        dry_run: bool = False,
        wait: bool = True,
        timeout: float = 1800.0,
        progress: _Progress = None,
    ) -> Dict[str, Any]: ...
