"""A small harness for the client checks: each check prints `ok - NAME` or `FAIL - NAME: why`,
and the script's exit status says whether all passed. `run` counts the lines."""

import sys
import traceback

# The demo account (emulator/scenarios/default.json).
USERNAME = "demo"
PASSWORD = "demo-password"
API_KEY = "demo-api-key"
TENANT = "123456"
REGION = "DFW"
WEB1 = "00000001-cccc-4ccc-8ccc-000000000001"
WEB1_FLAVOR = ("general1-1", "1 GB General Purpose v1")
WEB1_IMAGE = ("00000001-dddd-4ddd-8ddd-000000000001", "Ubuntu 22.04 LTS (Jammy Jellyfish) (PVHVM)")
DFW_SERVERS = {"web1", "web2", "app-failed", "db-build-error", "db-auth-error", "fresh", "web-add-fails", "unmanaged"}


class Checks:
    def __init__(self, client):
        self.client = client
        self.failed = 0

    def check(self, name, fn):
        """Runs one check; an exception or a false assertion is a failure, reported and counted."""
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported the same way
            self.failed += 1
            detail = "".join(traceback.format_exception_only(type(e), e)).strip()
            print(f"FAIL - {self.client}: {name}: {detail}", flush=True)
            traceback.print_exc(limit=4, file=sys.stderr)
        else:
            print(f"ok - {self.client}: {name}", flush=True)

    def done(self):
        sys.exit(1 if self.failed else 0)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)
