from typing import Any, Dict, Sequence, Tuple, Union

__all__ = ["__version__", "build_request", "parse_response"]
__version__: str

def build_request(op: str, input: Union[Dict[str, Any], str]) -> Dict[str, Any]:
    """Builds the request of operation ``op``: ``{"method", "url", "headers", "body"}``."""

def parse_response(
    op: str, status: int, headers: Sequence[Tuple[str, str]], body: bytes
) -> Any:
    """Parses the response to operation ``op`` into plain Python values."""
