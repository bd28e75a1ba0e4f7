"""The runner ``rackconnect.wait_servers`` on a real master (salt-factories daemon, in a
temporary directory): from ``salt-run``, and as a ``salt.runner`` state of an orchestration,
which fails when a server of the batch did not end well."""

from __future__ import annotations

import textwrap

import pytest
from saltfactories.utils import random_string

from functional.conftest import demo_settings

BATCH = {
    "orch-batch-ok": {},
    "orch-batch-failed": {"automation": {"outcome": "FAILED", "failed_task": 1}},
    "orch-batch-unprocessable": {"automation": {"outcome": "UNPROCESSABLE", "unprocessable_reason": "wrong region"}},
}


@pytest.fixture(scope="module")
def master(salt_factories, emulator_url, tmp_path_factory):
    roots = tmp_path_factory.mktemp("master-file-roots")
    (roots / "orch").mkdir()
    (roots / "orch" / "batch.sls").write_text(
        textwrap.dedent(
            """\
            wait_for_the_batch:
              salt.runner:
                - name: rackconnect.wait_servers
                - servers: {{ pillar['servers'] }}
                - timeout: 120
            """
        )
    )
    overrides = {
        "interface": "127.0.0.1",
        "file_roots": {"base": [str(roots)]},
        "rackconnect": demo_settings(emulator_url),
    }
    return salt_factories.salt_master_daemon(random_string("orch-master-"), overrides=overrides)


def test_the_runner_and_an_orchestration_wait_for_a_batch(master, emulator_control) -> None:
    for name, spec in BATCH.items():
        emulator_control("servers", {"name": name, "region": "DFW", **spec})
    run = master.salt_run_cli(timeout=300)
    with master.started(start_timeout=120):
        waited = run.run("rackconnect.wait_servers", "servers=" + ",".join(BATCH), "timeout=120")
        assert waited.returncode != 0, waited
        result = waited.data
        assert result["success"] is False and result["outcome"] == "failed", result
        assert {s["name"]: s["outcome"] for s in result["servers"]} == {
            "orch-batch-ok": "done",
            "orch-batch-failed": "failed",
            "orch-batch-unprocessable": "not_applicable",
        }, result

        fine = run.run("rackconnect.wait_servers", "servers=orch-batch-ok,orch-batch-unprocessable", "timeout=60")
        assert fine.returncode == 0 and fine.data["success"] is True, fine

        # A mistake is said once, as the result, without a traceback: an unknown name.
        mistake = run.run("rackconnect.wait_servers", "servers=orch-batch-ok,no-such-server", "timeout=60")
        assert mistake.returncode != 0, mistake
        assert mistake.data["success"] is False and "no-such-server" in mistake.data["comment"], mistake
        assert "Traceback" not in mistake.stdout + mistake.stderr, mistake

        # Orchestrations: the batch that failed fails its state; the one that did not, passes.
        failed = run.run("state.orchestrate", "orch.batch", 'pillar={"servers": ["orch-batch-ok", "orch-batch-failed"]}')
        assert failed.returncode != 0, failed
        states = list(failed.data["data"].values())[0]
        state = next(iter(states.values()))
        assert state["result"] is False, state
        passed = run.run("state.orchestrate", "orch.batch", 'pillar={"servers": ["orch-batch-ok"]}')
        assert passed.returncode == 0, passed
        state = next(iter(list(passed.data["data"].values())[0].values()))
        assert state["result"] is True, state
        servers = state["changes"]["return"]["servers"]
        assert servers[0]["name"] == "orch-batch-ok" and servers[0]["reachable_ip"].startswith("198.51.100."), state
