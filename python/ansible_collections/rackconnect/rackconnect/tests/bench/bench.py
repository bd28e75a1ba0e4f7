# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Waiting for RackConnect v2 automation: rackconnect.rackconnect.automation_wait against the
ansible.builtin.uri + until loop that playbooks use today, in the same run, on emulators running
in real time (clock speed 1). Run by tests/bench/run, which passes the emulators' URLs.

Two servers per case are built at the same moment with the same automation, one asked by each
wait (RackConnect v2 tells servers apart by source address: the uri module cannot choose one, so
its server owns 127.0.0.1, and each case has its own emulator):

- deployed: DEPLOYED after DEPLOY_AFTER seconds, three times at once (one emulator each), 3 s apart
  so that the moment falls at different points of the uri loop's 10 s delay. Measured: the time
  from DEPLOYED to the end of the wait task (detection latency), and the v2 requests each wait sent.
- failed: FAILED after FAIL_AFTER seconds. Measured: the time from FAILED to the end of the task,
  the requests, and what the task said.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

# Long enough to cross a minute, so the rate budget (30 v2 requests a minute) shows; one per
# deployed emulator.
DEPLOY_AFTER = (75, 78, 81)
# Late enough that both waits are polling (eight ansible-playbook processes start at once on two cores).
FAIL_AFTER = 20
# The uri loop's usual settings: a 10 s delay keeps it at 6 requests a minute, well under v2's 30
# (other tools on the server share that budget), and 60 retries give it 10 minutes, a few times
# what one server's automation takes.
URI_RETRIES = 60
URI_DELAY = 10
# On FAILED the uri loop polls until its retries run out (retries x delay); 60 x 10 s would take
# 10 minutes, so the failed case runs it with 6 retries and scales the figure to 60.
URI_RETRIES_FAILED = 6
URI_SOURCE = "127.0.0.1"
MODULE_SOURCE = "127.0.0.31"
BOUND_SECONDS = 170


def control(base_url, method, path, body=None):
    """Calls the emulator's control API."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + "/__emulator" + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def build(base_url, name, source_ip, automation):
    """Builds a server now; returns its id and the wall-clock time of the build."""
    built = control(base_url, "POST", "/servers", {"name": name, "source_ip": source_ip, "automation": automation})
    return built["id"], time.time()


def run_wait(args, workdir, name, method, base_url, source_ip, retries):
    """Starts one ansible-playbook running tests/bench/wait.yml; returns (process, result file)."""
    result_file = os.path.join(workdir, "%s.json" % name)
    extra = {
        "method": method,
        "base_url": base_url,
        "source_address": source_ip,
        "retries": retries,
        "delay": URI_DELAY,
        "result_file": result_file,
    }
    log = open(os.path.join(workdir, "%s.log" % name), "w", encoding="utf-8")  # pylint: disable=consider-using-with
    process = subprocess.Popen(  # pylint: disable=consider-using-with
        ["ansible-playbook", "-i", args.inventory, "-e", json.dumps(extra), args.playbook],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    return process, result_file


def ratio(numerator, denominator):
    return "%.1fx" % (numerator / denominator) if denominator else "-"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployed-emulator", action="append", required=True,
                        help="one per DEPLOY_AFTER value")
    parser.add_argument("--failed-emulator", required=True)
    parser.add_argument("--inventory", required=True)
    parser.add_argument("--playbook", required=True)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="rackconnect-bench-")

    def slow_after(seconds):
        return {"tasks": [{"name": "Cloud Server Created: Add \"rackconnect\" user", "seconds": seconds}]}

    failing = {"outcome": "FAILED", "failed_task": 0,
               "tasks": [{"name": "Cloud Server Created: Add \"rackconnect\" user", "seconds": FAIL_AFTER}]}
    cases = {}
    runs = [("deployed", index, base_url, slow_after(after), after)
            for index, (base_url, after) in enumerate(zip(args.deployed_emulator, DEPLOY_AFTER))]
    runs.append(("failed", 0, args.failed_emulator, failing, FAIL_AFTER))
    for case, index, base_url, automation, after in runs:
        for method, source_ip in (("uri", URI_SOURCE), ("module", MODULE_SOURCE)):
            name = "%s%d-%s" % (case, index, method)
            server_id, built_at = build(base_url, name, source_ip, automation)
            retries = URI_RETRIES_FAILED if (case, method) == ("failed", "uri") else URI_RETRIES
            process, result_file = run_wait(args, workdir, name, method, base_url, source_ip, retries)
            cases[(case, index, method)] = dict(base_url=base_url, server_id=server_id, ends_at=built_at + after,
                                                process=process, result_file=result_file, retries=retries)

    deadline = time.time() + BOUND_SECONDS
    for key, item in cases.items():
        try:
            item["process"].wait(timeout=max(1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            item["process"].kill()
            sys.exit("bench: %s did not end within %d s (logs in %s)" % (key, BOUND_SECONDS, workdir))
        if item["process"].returncode != 0 or not os.path.exists(item["result_file"]):
            sys.exit("bench: ansible-playbook for %s failed (logs in %s)" % (key, workdir))
        with open(item["result_file"], encoding="utf-8") as result:
            item.update(json.load(result))
        log = control(item["base_url"], "GET", "/requests")
        counts = log["servers"].get(item["server_id"], {})
        item["requests"] = counts.get("v2_requests", 0)
        item["max_in_any_60s"] = counts.get("max_in_any_60s", 0)
        item["refused"] = sum(1 for entry in log["requests"]
                              if entry.get("server_id") == item["server_id"] and entry["status"] == 403)
        item["after_end"] = item["ended_at"] - item["ends_at"]

    deployed = dict((method, [item for key, item in cases.items() if key[0] == "deployed" and key[2] == method])
                    for method in ("uri", "module"))
    failed_uri, failed_module = cases[("failed", 0, "uri")], cases[("failed", 0, "module")]
    # On FAILED each further retry of the uri loop adds one delay and one request, whatever happens.
    missing_retries = URI_RETRIES - failed_uri["retries"]
    failed_uri_full_seconds = failed_uri["after_end"] + missing_retries * URI_DELAY
    failed_uri_full_requests = failed_uri["requests"] + missing_retries

    def mean(method, field):
        values = [item[field] for item in deployed[method]]
        return sum(values) / len(values)

    def each(method, field, form):
        return "%s (%s)" % (form % mean(method, field), ", ".join(form % item[field] for item in deployed[method]))

    samples = len(deployed["uri"])
    rows = [
        ("DEPLOYED after %s s: DEPLOYED -> task end (s), mean (each)" % "/".join(str(a) for a in DEPLOY_AFTER),
         each("uri", "after_end", "%.1f"), each("module", "after_end", "%.1f"),
         ratio(mean("uri", "after_end"), mean("module", "after_end"))),
        ("DEPLOYED: v2 requests, mean of %d" % samples, each("uri", "requests", "%.0f"),
         each("module", "requests", "%.0f"), ratio(mean("uri", "requests"), mean("module", "requests"))),
        ("DEPLOYED: most v2 requests in any 60 s (limit 30)",
         "%d" % max(item["max_in_any_60s"] for item in deployed["uri"]),
         "%d" % max(item["max_in_any_60s"] for item in deployed["module"]), ""),
        ("DEPLOYED: 403 (rate limited) answers", "%d" % sum(item["refused"] for item in deployed["uri"]),
         "%d" % sum(item["refused"] for item in deployed["module"]), ""),
        ("FAILED after %d s: FAILED -> task end (s), uri with %d retries" % (FAIL_AFTER, failed_uri["retries"]),
         "%.1f" % failed_uri["after_end"], "%.1f" % failed_module["after_end"],
         ratio(failed_uri["after_end"], failed_module["after_end"])),
        ("FAILED: v2 requests, uri with %d retries" % failed_uri["retries"], "%d" % failed_uri["requests"],
         "%d" % failed_module["requests"], ratio(failed_uri["requests"], failed_module["requests"])),
        ("FAILED, uri scaled to %d retries: FAILED -> task end (s)" % URI_RETRIES, "%.0f" % failed_uri_full_seconds,
         "%.1f" % failed_module["after_end"], ratio(failed_uri_full_seconds, failed_module["after_end"])),
        ("FAILED, uri scaled to %d retries: v2 requests" % URI_RETRIES, "%.0f" % failed_uri_full_requests,
         "%d" % failed_module["requests"], ratio(failed_uri_full_requests, failed_module["requests"])),
    ]
    header = ("measure", "uri + until (%d x %d s)" % (URI_RETRIES, URI_DELAY), "automation_wait", "uri / ours")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("uri loop on FAILED said: %r (content %r)" % (failed_uri["msg"], failed_uri["content"]))
    print("automation_wait on FAILED said: %r" % failed_module["msg"])
    print("logs: %s" % workdir)
    for key, item in cases.items():
        if item["failed"] != (key[0] == "failed"):
            sys.exit("bench: the %s wait on the %s server ended %s: %s"
                     % (key[2], key[0], "failed" if item["failed"] else "ok", item["msg"]))


if __name__ == "__main__":
    main()
