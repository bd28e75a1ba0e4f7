"""The pytest plugin of rackconnect, registered by the wheel (entry point ``pytest11``): a local
RackConnect for each test, with nothing to install but the wheel.

Fixtures:

- ``rackconnect_emulator``: an ``rackconnect.testing.Emulator`` of the demo scenario, started for
  the test and stopped after it. ``@pytest.mark.rackconnect_emulator(scenario, clock_speed=...,
  cors=...)`` on a test (or its class or module) starts it with another scenario (a built-in name,
  a path or a dict) or clock speed.
- ``rackconnect_emulator_factory``: starts as many as a test wants, each stopped after it.

::

    def test_the_pool_gets_both_servers(rackconnect_emulator):
        session = rackconnect_emulator.session()
        ...

Disable it with ``-p no:rackconnect``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, List, Optional

import pytest

if TYPE_CHECKING:
    from rackconnect.testing import Emulator, EmulatorFactory, ScenarioLike

MARKER = "rackconnect_emulator"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(scenario=None, *, clock_speed=None, cors=False, seed=None): how the rackconnect_emulator "
        "fixture starts its emulator (a built-in scenario's name, a path or a dict; emulated "
        "seconds per real second)",
    )


@pytest.fixture
def rackconnect_emulator_factory() -> Iterator[EmulatorFactory]:
    """Starts emulators (``factory(scenario, clock_speed=..., cors=..., seed=...)``), each stopped after the test."""
    # Imported here, so that a test session that uses no emulator does not load the native module.
    from rackconnect.testing import Emulator

    started: List[Emulator] = []

    def start(
        scenario: Optional[ScenarioLike] = None,
        *,
        clock_speed: Optional[float] = None,
        cors: bool = False,
        seed: Optional[int] = None,
    ) -> Emulator:
        emulator = Emulator(scenario, clock_speed=clock_speed, cors=cors, seed=seed)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture
def rackconnect_emulator(request: pytest.FixtureRequest, rackconnect_emulator_factory: EmulatorFactory) -> Emulator:
    """An emulator of the demo scenario (or the one ``@pytest.mark.rackconnect_emulator`` names),
    started for the test and stopped after it."""
    marker = request.node.get_closest_marker(MARKER)
    args: Any = marker.args if marker else ()
    kwargs: Any = marker.kwargs if marker else {}
    return rackconnect_emulator_factory(*args, **kwargs)
