# -*- coding: utf-8 -*-
# Copyright: The rackconnect developers
# SPDX-License-Identifier: MIT OR Apache-2.0

"""``RackConnectModule``: the AnsibleModule every module of the collection is (as amazon.aws's
``AnsibleAWSModule``). It owns the options the doc fragments describe (``auth`` for Identity,
``v2`` for RackConnect v2) with their environment fallbacks, fails early when the rackconnect
package is missing, checks the credentials, builds the clients, and turns rackconnect errors
and unfinished results into ``fail_json`` messages.

Private to the collection (the leading underscore): its interface may change in any release.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.rackconnect.rackconnect.plugins.module_utils.common import (
    RACKCONNECT_IMPORT_ERROR,
    error_summary,
    hint_for_exception,
    rackconnect,
    terminal_safe,
)


def rax_environment(*names):
    """An option's fallback to the environment (Ansible's ``env_fallback``), read as the core reads
    the environment everywhere: a variable exported empty (``RAX_REGION=``) counts as unset, so
    the option keeps its default rather than ``""``. Without the rackconnect package nothing is
    found; the module then fails saying the package is missing."""
    value = rackconnect._native.environment_value(list(names)) if rackconnect else None
    if value is None:
        raise AnsibleFallbackNotFound
    return value


# The options of the `rackconnect.rackconnect.auth` doc fragment (Identity, for Cloud Servers
# and RackConnect v3). username and the secrets are checked by check_credentials rather than by
# Ansible, whose messages cannot mention the environment variables the values may come from.
AUTH_ARGUMENT_SPEC = dict(
    identity_url=dict(type="str", default="us", fallback=(rax_environment, ["RAX_IDENTITY_URL"])),
    username=dict(type="str", fallback=(rax_environment, ["RAX_USERNAME"])),
    api_key=dict(type="str", no_log=True, fallback=(rax_environment, ["RAX_API_KEY"])),
    password=dict(type="str", no_log=True, fallback=(rax_environment, ["RAX_PASSWORD"])),
    region=dict(type="str", fallback=(rax_environment, ["RAX_REGION"])),
    tenant=dict(type="str", fallback=(rax_environment, ["RAX_TENANT"])),
)

# The options of the `rackconnect.rackconnect.v2` doc fragment (RackConnect v2, asked from the server).
V2_ARGUMENT_SPEC = dict(
    region=dict(type="str", fallback=(rax_environment, ["RAX_REGION"])),
    base_url=dict(type="str", fallback=(rax_environment, ["RAX_RACKCONNECT_V2_URL"])),
    source_address=dict(type="str"),
)


def _copy_spec(spec):
    return dict((name, dict(option)) for name, option in spec.items())


class RackConnectModule(AnsibleModule):
    """An AnsibleModule with the collection's shared options and its ways of failing.

    ``auth=True`` adds the Identity options, ``v2=True`` the RackConnect v2 ones; the module's own
    options come in ``argument_spec``. Check mode is supported unless told otherwise. Construction
    fails the module at once when the rackconnect package cannot be imported on the target.
    """

    def __init__(self, argument_spec=None, auth=False, v2=False, **kwargs):
        spec = {}
        if auth:
            spec.update(_copy_spec(AUTH_ARGUMENT_SPEC))
        if v2:
            spec.update(_copy_spec(V2_ARGUMENT_SPEC))
        spec.update(argument_spec or {})
        kwargs.setdefault("supports_check_mode", True)
        super().__init__(argument_spec=spec, **kwargs)
        self.require_rackconnect()

    def require_rackconnect(self):
        """Fails the module when the rackconnect package cannot be imported on the target."""
        if rackconnect is None:
            self.fail_json(msg=missing_required_lib("rackconnect"), exception=RACKCONNECT_IMPORT_ERROR)

    def option_sources(self, option):
        """How an option can be given, for messages: ``region (or RAX_REGION)``."""
        fallback = self.argument_spec.get(option, {}).get("fallback")
        if fallback and fallback[0] is rax_environment:
            return "%s (or %s)" % (option, " or ".join(fallback[1]))
        return option

    def option_source(self, option):
        """Where an option's value came from, for messages: the task or the environment."""
        fallback = self.argument_spec.get(option, {}).get("fallback")
        if fallback and fallback[0] is rax_environment:
            for variable in fallback[1]:
                try:
                    from_env = rax_environment(variable)
                except AnsibleFallbackNotFound:
                    continue
                if self.params[option] == from_env:
                    return "%s (from %s)" % (option, variable)
        return option

    def check_credentials(self):
        """Fails with a message naming options and environment variables alike, as Ansible's own
        required/mutually-exclusive checks cannot."""
        params = self.params
        if not params["username"]:
            self.fail_json(msg="a username is needed: the username option or RAX_USERNAME")
        key, password = params["api_key"], params["password"]
        if key is None and password is None:
            self.fail_json(msg="a secret is needed: %s or %s"
                           % (self.option_sources("api_key"), self.option_sources("password")))
        if key is not None and password is not None:
            self.fail_json(msg="give api_key or password, not both: found %s and %s"
                           % (self.option_source("api_key"), self.option_source("password")))

    def session(self):
        """A rackconnect.Session from the Identity options (authentication happens on its first call)."""
        self.check_credentials()
        params = self.params
        return self.call(
            "preparing the Identity session",
            rackconnect.Session,
            params["identity_url"],
            username=params["username"],
            api_key=params["api_key"],
            password=params["password"],
            region=params["region"],
            tenant=params["tenant"],
        )

    def v2_client(self):
        """A rackconnect.V2 client from the v2 options. Whether they are enough is the core's
        decision; a refusal with neither set names the options and variables that supply them."""
        params = self.params
        doing = "preparing the RackConnect v2 client"
        try:
            return rackconnect.V2(params["base_url"], region=params["region"],
                                  source_address=params["source_address"])
        except rackconnect.RackConnectError as exc:
            advice = None
            if params["base_url"] is None and params["region"] is None:
                advice = "set %s, or %s" % (self.option_sources("region"), self.option_sources("base_url"))
            self.fail_with_error(doing, exc, advice=advice)

    def fail_with_error(self, doing, exc, advice=None, **result):
        """Fails the module for a rackconnect exception raised while `doing` something; `advice`,
        when given, ends the message."""
        msg = "%s: %s: %s" % (doing, hint_for_exception(exc), str(exc))
        if advice:
            msg += "; " + advice
        self.fail_json(
            # What was being done names what the user typed, and the error quotes the API: both can
            # hold escapes, which are shown, not run.
            msg=terminal_safe(msg),
            error=error_summary(getattr(exc, "data", None) or {}),
            **result
        )

    def call(self, doing, function, *args, **kwargs):
        """Calls into rackconnect; any rackconnect error fails the module with a message saying what was being done."""
        try:
            return function(*args, **kwargs)
        except rackconnect.RackConnectError as exc:
            self.fail_with_error(doing, exc)

    def wait_timeout(self):
        """The timeout a wait runs with: in check mode 0, so that the core looks once and judges what
        it saw (as Salt's ``test=True`` does); else the task's (``None``: the core's default)."""
        return 0 if self.check_mode else self.params["timeout"]

    def exit_if_would_wait(self, doing, waited, **result):
        """In check mode, a wait whose one look found it still running reports what it saw and
        succeeds: running it for real would wait. Anything else is judged as usual."""
        if self.check_mode and waited["outcome"] == "timed_out":
            now = waited.get("status") or "not reported yet"
            result["outcome"] = waited["outcome"]
            self.exit_json(summary=terminal_safe("check mode: %s would wait; now %s" % (doing, now)), **result)

    def fail_unfinished(self, doing, result, **returned):
        """Fails the module for a wait or an ensure whose verdict (the core's ``ok``) is false, in the
        core's words (``summary``): the CLI, Salt and npm say the same.

        An error carried in the result (``error``) adds the hint of its exception class.
        """
        # API text (names, messages) reaches terminals and logs: its escapes are shown, not run.
        msg = terminal_safe("%s: %s" % (doing, result.get("summary") or ""))
        error = result.get("error")
        if error:
            # An error inside a result travels as data; the package gives back its exception class.
            msg += " (%s)" % hint_for_exception(rackconnect.exceptions.from_data(error))
            returned["error"] = error_summary(error)
        returned.setdefault("outcome", result.get("outcome"))
        self.fail_json(msg=msg, **returned)
