"""``python -m rackconnect.emulator`` (also the ``rackconnect-emulator`` command of the wheel): the
emulator from the wheel, until Ctrl-C or SIGTERM. The first line on stdout is
``listening on http://ADDRESS:PORT``, as the ``rackconnect emulator`` command prints it.

    python -m rackconnect.emulator --listen 127.0.0.1:0 --clock-speed 60
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import Any, Dict, List, Optional, Sequence

__all__ = ["main"]

PROG = "rackconnect-emulator"

DESCRIPTION = """\
A faithful local RackConnect (Identity, v2 by source address, v3, Cloud Servers metadata) for
tests, from the rackconnect wheel. With no arguments it serves the demo account (username demo,
API key demo-api-key, password demo-password, tenant 123456) on 127.0.0.1:8080. The first line on
stdout is "listening on URL"; Ctrl-C or SIGTERM stops it.
"""


def _parser() -> argparse.ArgumentParser:
    from rackconnect.testing import BUILT_IN_SCENARIOS

    names = ", ".join(BUILT_IN_SCENARIOS)
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION)
    parser.add_argument(
        "--listen",
        default="127.0.0.1:8080",
        metavar="ADDR:PORT",
        help="where to listen; port 0 picks a free port (default: %(default)s)",
    )
    parser.add_argument(
        "--scenario",
        metavar="NAME|FILE",
        help=f"a built-in scenario ({names}) or a scenario file (JSON; see the emulator's README); default: demo",
    )
    parser.add_argument(
        "--clock-speed",
        type=float,
        metavar="SPEED",
        help="emulated seconds per real second (60 makes a ten-minute automation take ten seconds)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed generated ids, tokens and addresses: the same seed and the same requests give the same answers",
    )
    parser.add_argument(
        "--state",
        metavar="FILE",
        help="keep the world in FILE across runs: loaded at start when it exists (instead of the scenario), "
        "written there when stopped (Ctrl-C or SIGTERM)",
    )
    parser.add_argument(
        "--cors", action="store_true", help="answer CORS preflights and add CORS headers, for browser consoles"
    )
    parser.add_argument(
        "--public",
        action="store_true",
        help="allow --listen on an address other than loopback: the emulator serves its scenario's "
        "credentials to whoever can reach it",
    )
    parser.add_argument("--print-scenario", action="store_true", help="print the scenario (JSON) and exit")
    return parser


def _account(scenario: Dict[str, Any]) -> str:
    """Who signs in, without a secret: the scenario's first user and account."""
    account: Dict[str, Any] = (scenario.get("accounts") or [{}])[0]
    user: Dict[str, Any] = (account.get("users") or [{}])[0]
    region = f", region {user['default_region']}" if user.get("default_region") else ""
    return f"user {user.get('username', '?')}, tenant {account.get('tenant', '?')}{region}"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the emulator until Ctrl-C or SIGTERM: 0 when stopped so, 1 when it cannot listen,
    2 for a usage error."""
    args = _parser().parse_args(argv)
    from rackconnect._native import EmulatorServer
    from rackconnect.testing import Emulator, _scenario_text

    def usage(message: str) -> int:
        print(f"{PROG}: {message}", file=sys.stderr)
        return 2

    if args.print_scenario:
        try:
            sys.stdout.write(_scenario_text(args.scenario))
        except (OSError, ValueError) as e:
            return usage(str(e))
        return 0
    # The emulator's own rule (the credentials it hands out are the demo account's, published),
    # with this command's option names in its words.
    try:
        warning = EmulatorServer.check_listen(args.listen, args.public, "--listen", "--public")
    except ValueError as e:
        return usage(str(e))
    if warning is not None:
        print(f"warning: {warning}", file=sys.stderr)
    try:
        emulator = Emulator(
            args.scenario,
            clock_speed=args.clock_speed,
            listen=args.listen,
            public=args.public,
            cors=args.cors,
            seed=args.seed,
            state=args.state,
        )
    except ValueError as e:
        return usage(str(e))
    except OSError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1

    stopping = threading.Event()

    def stop(signum: int, frame: Optional[FrameType]) -> None:
        stopping.set()

    previous: List[Any] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous.append((signum, signal.signal(signum, stop)))
    try:
        print(f"listening on {emulator.url}", flush=True)
        # Secrets stay out of the output: the demo account's are in --help.
        print(f"sign in as {_account(emulator.scenario)}", flush=True)
        while not stopping.wait(0.2):
            pass
    finally:
        unsaved: Optional[OSError] = None
        try:
            emulator.stop()  # writes --state
        except OSError as e:
            unsaved = e
        for signum, handler in previous:
            signal.signal(signum, handler)
    if unsaved is not None:
        print(f"{PROG}: cannot write the state to {args.state}: {unsaved}", file=sys.stderr)
        return 1
    print(f"{PROG}: stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
