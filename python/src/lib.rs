//! `rackconnect._native`: the Rust core behind the `rackconnect` Python package.
//!
//! Python only converts and adapts: every operation is built and parsed by
//! [`rackconnect::ops::Operation`], JSON crosses the boundary as the core's text, read into Python
//! objects in Rust ([`py_json`]), and every core error is raised, in [`to_py_err`], as the class of
//! its kind from `rackconnect.exceptions`, with the error's JSON form as `err.data`. [`PySession`] and
//! [`wait_v2`] adapt the core's `blocking` clients, planners and waiters: the GIL is released
//! while they run, and their events reach an optional Python callable as dicts.

mod emulator;
mod exchange;
mod py_json;

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use rackconnect::blocking::{self, HttpConfig, IdentityClient, Transport};
use rackconnect::client::defaults;
use rackconnect::client::json::inventory_inputs;
use rackconnect::client::work::FleetSelection;
use rackconnect::ensure::{EnsureOptions, Presence, PublicIpSpec};
use rackconnect::identity::{Credentials, IdentityEndpoint, TenantScope};
use rackconnect::ops::Operation;
use rackconnect::v2::{V2Answer, V2Endpoint};
use rackconnect::v3::PublicIpFilter;
use rackconnect::wait::{Event, MetadataWaitConfig, Millis, RateBudget, WaitConfig};
use rackconnect::{ApiKey, BaseUrl, Error, Password, PublicIpId, Region, Response};
use serde_json::Value;

/// The Python class (in `rackconnect.exceptions`) of an error's JSON form: its `class`, which
/// the core gives every error (`rackconnect::Error::class`); a form without one still raises
/// something catchable.
fn exception_class(class: &str, is_api: bool) -> &str {
    match class {
        "" if is_api => "ApiError",
        "" => "RackConnectError",
        class => class,
    }
}

/// The exception for an error in its JSON form, as wait and ensure results carry it under
/// `error`: `rackconnect.exceptions.from_data`.
#[pyfunction]
fn exception_from_data<'py>(py: Python<'py>, data: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyAny>> {
    let text = |key: &str| -> PyResult<String> {
        Ok(data.get_item(key)?.and_then(|v| v.extract::<String>().ok()).unwrap_or_default())
    };
    let class = text("class")?;
    let module = py.import("rackconnect.exceptions")?;
    let class = module
        .getattr(exception_class(&class, data.contains("status")?))
        .or_else(|_| module.getattr(exception_class("", data.contains("status")?)))?;
    class.call1((text("message")?, data))
}

/// Turns a core error into the Python exception of its kind: `str(err)` is the message and
/// `err.data` the error's JSON form (`kind`, `message` and the kind's fields).
pub(crate) fn to_py_err(py: Python<'_>, err: &Error) -> PyErr {
    let raise = || -> PyResult<PyErr> {
        let class = py.import("rackconnect.exceptions")?.getattr(err.class().as_str())?;
        let exc = class.call1((err.to_string(), to_py(py, &err.to_json())?))?;
        Ok(PyErr::from_value(exc))
    };
    raise().unwrap_or_else(|e| e)
}

/// A core value in its serde JSON form, as Python objects.
fn to_py_json<'py>(py: Python<'py>, value: serde_json::Result<Value>) -> PyResult<Bound<'py, PyAny>> {
    let value = value.map_err(|e| PyValueError::new_err(e.to_string()))?;
    to_py(py, &value)
}

/// A JSON value from the core as Python objects, through its text ([`py_json::loads`]).
fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))?;
    py_json::loads(py, &text)
}

/// An operation's input: a JSON object given as a `dict` (through `json.dumps`) or as JSON text.
fn input_json(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<Value> {
    let text: String = if input.is_instance_of::<PyString>() {
        input.extract()?
    } else if let Ok(dict) = input.cast::<PyDict>() {
        // A Secret (a token carried from `token_from_response`) goes in as its text, asked for
        // by name here and nowhere else.
        let revealed = PyDict::new(py);
        for (key, value) in dict.iter() {
            match value.cast::<PySecret>() {
                Ok(secret) => revealed.set_item(key, secret.get().token.expose())?,
                Err(_) => revealed.set_item(key, value)?,
            }
        }
        let kwargs = PyDict::new(py);
        kwargs.set_item("allow_nan", false)?;
        py.import("json")?
            .call_method("dumps", (revealed,), Some(&kwargs))
            .map_err(|e| to_py_err(py, &invalid_input("a dict of JSON values", &e.value(py).to_string())))?
            .extract()?
    } else {
        let found = input.get_type().name()?.to_string();
        return Err(to_py_err(py, &invalid_input("a dict or a JSON object as str", &found)));
    };
    serde_json::from_str(&text).map_err(|e| to_py_err(py, &invalid_input("a JSON object", &e.to_string())))
}

fn invalid_input(expected: &str, found: &str) -> Error {
    invalid("input", expected, found)
}

fn operation(py: Python<'_>, op: &str) -> PyResult<Operation> {
    Operation::from_name(op).map_err(|e| to_py_err(py, &e))
}

/// Builds the request of operation `op` (e.g. `"v3.list_pools"`) from its inputs (a dict, or a
/// JSON object as str): `{"method", "url", "headers": [(name, value)], "body": str | None}`.
#[pyfunction]
#[pyo3(signature = (op, input))]
fn build_request<'py>(py: Python<'py>, op: &str, input: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let op = operation(py, op)?;
    let request = op.build(&input_json(py, input)?).map_err(|e| to_py_err(py, &e))?;
    let out = PyDict::new(py);
    out.set_item("method", request.method.as_str())?;
    out.set_item("url", request.url)?;
    out.set_item("headers", request.headers)?;
    out.set_item("body", request.body)?;
    Ok(out)
}

/// Parses the response to operation `op` (status, `(name, value)` headers, raw body) into the
/// operation's result as Python objects, or raises the error's class from `rackconnect.exceptions`.
#[pyfunction]
#[pyo3(signature = (op, status, headers, body))]
fn parse_response<'py>(
    py: Python<'py>,
    op: &str,
    status: u16,
    headers: Vec<(String, String)>,
    body: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let op = operation(py, op)?;
    let body = body_bytes(body)?;
    let response = Response { status, headers, body };
    let text = py.detach(|| op.parse_to_text(&response)).map_err(|e| to_py_err(py, &e))?;
    py_json::loads(py, &text)
}

/// A secret that shows itself only when asked by name: `reveal()`. Its `repr` and `str` are
/// redacted and it cannot be pickled, so that it does not end up in a log or a cache by accident.
#[pyclass(name = "Secret", module = "rackconnect", frozen)]
struct PySecret {
    token: rackconnect::Token,
}

#[pymethods]
impl PySecret {
    /// The secret's text, for the one place it must go (an `X-Auth-Token` header).
    fn reveal(&self) -> String {
        self.token.expose().to_owned()
    }

    fn __repr__(&self) -> String {
        format!("Secret('{}')", rackconnect::REDACTED)
    }

    fn __str__(&self) -> String {
        rackconnect::REDACTED.to_owned()
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(pyo3::exceptions::PyTypeError::new_err("a Secret is not pickled: keep the token in memory"))
    }
}

/// The token of an Identity answer (`identity.token`'s response) as a [`PySecret`], for a
/// caller who brings their own HTTP client: `parse_response` redacts it, this keeps it.
#[pyfunction]
#[pyo3(signature = (status, headers, body))]
fn token_from_response(
    py: Python<'_>,
    status: u16,
    headers: Vec<(String, String)>,
    body: &Bound<'_, PyAny>,
) -> PyResult<PySecret> {
    let body = body_bytes(body)?;
    let response = Response { status, headers, body };
    let access = rackconnect::identity::parse_token(&response).map_err(|e| to_py_err(py, &e))?;
    Ok(PySecret { token: access.token.id })
}

/// A response body as received: bytes, or text taken as its UTF-8 encoding.
fn body_bytes(body: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(text) = body.cast::<PyString>() {
        return Ok(text.to_cow()?.as_bytes().to_vec());
    }
    body.extract().map_err(|_| type_error("body", "bytes or str", body))
}

/// A `TypeError` that names the argument, what it takes and what it got: pyo3's own says only
/// "Can't extract `str` to `Vec`".
fn type_error(name: &str, expected: &str, found: &Bound<'_, PyAny>) -> PyErr {
    let found = found.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".to_owned());
    pyo3::exceptions::PyTypeError::new_err(format!("{name}: expected {expected}, found {found}"))
}

/// A list (or tuple) of strings; a lone string is refused rather than split into characters.
fn string_list(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let expected = "a list of strings";
    if value.is_instance_of::<PyString>() {
        return Err(type_error(name, &format!("{expected} (a single id goes in a list: [\"...\"])"), value));
    }
    let items: Vec<Bound<'_, PyAny>> = value.extract().map_err(|_| type_error(name, expected, value))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| item.extract::<String>().map_err(|_| type_error(&format!("{name}[{i}]"), "a string", item)))
        .collect()
}

/// An inventory's arguments as Python gives them, in the core's JSON form (read by
/// `rackconnect::client::json::inventory_inputs`): one reading for `Session.inventory` and
/// `rackconnect.aio`'s, so that both refuse alike.
#[allow(clippy::too_many_arguments, reason = "the Python keyword arguments")]
pub(crate) fn inventory_spec(
    py: Python<'_>,
    regions: Option<&Bound<'_, PyAny>>,
    access_network: Option<String>,
    ip_version: i64,
    rackconnect_v3: bool,
    hostnames: &str,
    filters: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let regions = regions.map(|r| string_list("regions", r)).transpose()?.unwrap_or_default();
    let filters = filters.map(|f| input_json(py, f)).transpose()?.unwrap_or_else(|| serde_json::json!({}));
    let spec = serde_json::json!({
        "regions": regions,
        "options": {
            "access_network": access_network, "ip_version": ip_version, "rackconnect_v3": rackconnect_v3,
            "hostnames": hostnames, "filters": filters,
        },
    });
    Ok(spec.to_string())
}

fn invalid(field: &str, expected: &str, found: &str) -> Error {
    Error::InvalidInput { field: field.to_owned(), expected: expected.to_owned(), found: found.to_owned() }
}

/// An optional text as Python shows it in a repr: `None` or the quoted text.
fn py_repr(value: Option<&str>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| format!("{v:?}"))
}

/// Seconds from Python into the core's milliseconds.
fn millis(field: &str, seconds: f64) -> Result<Millis, Error> {
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(invalid(field, "a number of seconds, 0 or more", &seconds.to_string()));
    }
    Ok((seconds * 1000.0).round() as Millis)
}

/// Runs a wait or a planner with the GIL released. Every event goes, as a dict, to `progress`
/// (with the GIL re-acquired); a signal (Ctrl-C) or an exception from `progress` cancels the
/// wait, and is raised once it has ended.
///
/// The work runs on a scoped thread while this (the calling) thread checks for signals every
/// 50 ms: Python runs signal handlers only on the main thread, and a long sleep between polls
/// sends no events, so checking only when an event arrives could leave Ctrl-C unanswered for
/// minutes.
fn detached<T: Send>(
    py: Python<'_>,
    progress: Option<&Py<PyAny>>,
    work: impl FnOnce(&AtomicBool, &mut dyn FnMut(&Event)) -> Result<T, Error> + Send,
) -> PyResult<T> {
    let cancel = AtomicBool::new(false);
    let failure: Mutex<Option<PyErr>> = Mutex::new(None);
    let fail = |e: PyErr| {
        let mut slot = failure.lock().unwrap_or_else(PoisonError::into_inner);
        slot.get_or_insert(e);
        cancel.store(true, Ordering::SeqCst);
    };
    let done = (Mutex::new(false), Condvar::new());
    let out = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let mut on_event = |event: &Event| {
                let Some(callback) = progress else { return };
                if cancel.load(Ordering::SeqCst) {
                    return;
                }
                let sent = Python::attach(|py| -> PyResult<()> {
                    callback.call1(py, (to_py_json(py, serde_json::to_value(event))?,))?;
                    Ok(())
                });
                if let Err(e) = sent {
                    fail(e);
                }
            };
            let out = work(&cancel, &mut on_event);
            *done.0.lock().unwrap_or_else(PoisonError::into_inner) = true;
            done.1.notify_all();
            out
        });
        // Woken at once when the work ends (a quick list pays no polling delay), else every
        // 50 ms to look for signals.
        while !worker.is_finished() {
            let finished = py.detach(|| {
                let guard = done.0.lock().unwrap_or_else(PoisonError::into_inner);
                let (guard, _) = done
                    .1
                    .wait_timeout_while(guard, Duration::from_millis(50), |finished| !*finished)
                    .unwrap_or_else(PoisonError::into_inner);
                *guard
            });
            if finished {
                break;
            }
            if let Err(e) = py.check_signals() {
                fail(e);
            }
        }
        worker.join()
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(PoisonError::into_inner) {
        return Err(e);
    }
    match out {
        Ok(out) => out.map_err(|e| to_py_err(py, &e)),
        Err(_) => {
            Err(pyo3::exceptions::PyRuntimeError::new_err("the wait stopped unexpectedly (a panic in rackconnect)"))
        }
    }
}

/// A session with Identity: a token, cached and renewed, for Cloud Servers and RackConnect v3.
/// Every call blocks (with the GIL released); errors raise the classes of
/// `rackconnect.exceptions`. No credential appears in its repr or in any error.
#[pyclass(module = "rackconnect._native", name = "Session", frozen)]
struct PySession {
    inner: Mutex<blocking::Session>,
    region: Option<Region>,
    shown: String,
}

impl PySession {
    /// Runs `work` on the session and its region, with the GIL released.
    fn call<T: Send>(
        &self,
        py: Python<'_>,
        progress: Option<&Py<PyAny>>,
        work: impl FnOnce(&mut blocking::Session, Region, &AtomicBool, &mut dyn FnMut(&Event)) -> Result<T, Error> + Send,
    ) -> PyResult<T> {
        let region = self.region;
        detached(py, progress, |cancel, on_event| {
            let mut session = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            let region = match region {
                Some(region) => region,
                None => {
                    let access = session.access()?;
                    let default = access.user.default_region.clone().filter(|r| !r.is_empty());
                    Region::parse(&default.ok_or_else(|| {
                        invalid("region", "a region (none given, and the user has no default region)", "")
                    })?)?
                }
            };
            work(&mut session, region, cancel, on_event)
        })
    }
}

/// The ensure options: what is not given (`None`) stays the core's default.
fn ensure_options(dry_run: bool, wait: bool, timeout: Option<f64>) -> Result<EnsureOptions, Error> {
    let mut options = EnsureOptions { dry_run, no_wait: !wait, ..EnsureOptions::default() };
    if let Some(timeout) = timeout {
        options.wait.timeout_ms = millis("timeout", timeout)?;
    }
    Ok(options)
}

/// A metadata wait's configuration (one server or a batch): what is not given (`None`) stays
/// the core's default.
fn metadata_config(
    managed: bool,
    rackconnect: bool,
    timeout: Option<f64>,
    grace: Option<f64>,
    not_applicable_ok: bool,
) -> Result<MetadataWaitConfig, Error> {
    let mut config = MetadataWaitConfig { rackconnect, managed, ..MetadataWaitConfig::default() };
    config.wait.not_applicable_ok = not_applicable_ok;
    if let Some(timeout) = timeout {
        config.wait.timeout_ms = millis("timeout", timeout)?;
    }
    if let Some(grace) = grace {
        config.grace_ms = millis("grace", grace)?;
    }
    Ok(config)
}

/// A wait's configuration: what is not given (`None`) stays the core's default.
fn wait_config(timeout: Option<f64>, not_applicable_ok: bool) -> Result<WaitConfig, Error> {
    let mut config = WaitConfig { not_applicable_ok, ..WaitConfig::default() };
    if let Some(timeout) = timeout {
        config.timeout_ms = millis("timeout", timeout)?;
    }
    Ok(config)
}

impl PySession {
    /// The session, with what its repr shows (never a secret).
    fn with(
        identity_url: &str,
        endpoint: IdentityEndpoint,
        credentials: Credentials,
        region: Option<Region>,
        tenant: Option<String>,
    ) -> Self {
        let shown = format!(
            "Session(identity_url={identity_url:?}, username={:?}, region={}, tenant={})",
            credentials.username(),
            py_repr(region.map(|r| r.lower())),
            py_repr(tenant.as_deref())
        );
        let identity = IdentityClient::new(endpoint, credentials, tenant.map(TenantScope::Id));
        let inner = Mutex::new(blocking::Session::new(Transport::new(HttpConfig::default()), identity));
        Self { inner, region, shown }
    }
}

#[pymethods]
impl PySession {
    #[new]
    #[pyo3(signature = (identity_url = None, *, username, api_key = None, password = None, region = None, tenant = None))]
    fn new(
        py: Python<'_>,
        identity_url: Option<&str>,
        username: String,
        api_key: Option<String>,
        password: Option<String>,
        region: Option<&str>,
        tenant: Option<String>,
    ) -> PyResult<Self> {
        let build = || -> Result<Self, Error> {
            let identity_url = identity_url.unwrap_or(rackconnect::client::defaults::IDENTITY);
            let endpoint = IdentityEndpoint::parse(identity_url)?;
            let credentials = match (api_key, password) {
                (Some(key), None) => Credentials::ApiKey { username: username.clone(), api_key: ApiKey::new(key) },
                (None, Some(password)) => {
                    Credentials::Password { username: username.clone(), password: Password::new(password) }
                }
                (None, None) => return Err(invalid("credentials", "one of api_key and password", "neither")),
                (Some(_), Some(_)) => {
                    return Err(invalid("credentials", "one of api_key and password, not both", "both"));
                }
            };
            let region = region.map(Region::parse).transpose()?;
            Ok(Self::with(identity_url, endpoint, credentials, region, tenant))
        };
        build().map_err(|e| to_py_err(py, &e))
    }

    fn __repr__(&self) -> String {
        self.shown.clone()
    }

    /// A session from the environment, read as the `rackconnect` command reads it: credentials
    /// from ``credentials_file``, else ``RAX_USERNAME`` with ``RAX_API_KEY`` or ``RAX_PASSWORD``,
    /// else ``RAX_CREDS_FILE`` or ``~/.rackspace_cloud_credentials``; the region, tenant and
    /// Identity from the arguments, else ``RAX_REGION``, ``RAX_TENANT``, ``RAX_IDENTITY_URL``. A
    /// credentials file others can read draws a ``UserWarning``.
    #[staticmethod]
    #[pyo3(signature = (identity_url = None, *, region = None, tenant = None, credentials_file = None))]
    fn from_env(
        py: Python<'_>,
        identity_url: Option<&str>,
        region: Option<&str>,
        tenant: Option<&str>,
        credentials_file: Option<std::path::PathBuf>,
    ) -> PyResult<Self> {
        use rackconnect::blocking::settings::{self, CredentialSource, GivenCredentials, PYTHON_NAMES};
        let env = settings::process_env;
        let build = || -> Result<(Self, Option<String>), Error> {
            let shown_url = settings::identity_url(identity_url, &env);
            let endpoint = IdentityEndpoint::parse(&shown_url)?;
            let given = GivenCredentials { file: credentials_file, ..GivenCredentials::default() };
            let (credentials, source) = settings::credentials(&given, PYTHON_NAMES, &env)?;
            let warning = match &source {
                CredentialSource::File(path) => settings::credentials_file_warning(path),
                _ => None,
            };
            let region = settings::region(region, &env)?;
            let tenant = settings::tenant(tenant, &env);
            Ok((Self::with(&shown_url, endpoint, credentials, region, tenant), warning))
        };
        let (session, warning) = build().map_err(|e| to_py_err(py, &e))?;
        if let Some(warning) = warning {
            py.import("warnings")?.call_method1("warn", (warning,))?;
        }
        Ok(session)
    }

    /// The cloud networks of the region that RackConnect knows.
    fn list_networks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let networks = self.call(py, None, |s, region, _, _| s.v3(region)?.list_networks())?;
        to_py_json(py, serde_json::to_value(&networks))
    }

    /// The load balancer pools of the region.
    fn list_pools<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pools = self.call(py, None, |s, region, _, _| s.v3(region)?.list_pools())?;
        to_py_json(py, serde_json::to_value(&pools))
    }

    /// The nodes of a pool (its id, or its name in the region).
    fn list_nodes<'py>(&self, py: Python<'py>, pool_id: &str) -> PyResult<Bound<'py, PyAny>> {
        let nodes = self.call(py, None, |s, region, _, _| {
            let pool = s.pool_id(region, pool_id, "pool_id")?;
            s.v3(region)?.list_nodes(&pool)
        })?;
        to_py_json(py, serde_json::to_value(&nodes))
    }

    /// The nodes of a pool (its id, or its name in the region), each with its server's and
    /// pool's details.
    fn list_node_details<'py>(&self, py: Python<'py>, pool_id: &str) -> PyResult<Bound<'py, PyAny>> {
        let nodes = self.call(py, None, |s, region, _, _| {
            let pool = s.pool_id(region, pool_id, "pool_id")?;
            s.v3(region)?.list_node_details(&pool)
        })?;
        to_py_json(py, serde_json::to_value(&nodes))
    }

    /// The public IPs, of one server and/or only retained (or only non-retained) ones.
    #[pyo3(signature = (server_id = None, retain = None))]
    fn list_public_ips<'py>(
        &self,
        py: Python<'py>,
        server_id: Option<&str>,
        retain: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let ips = self.call(py, None, |s, region, _, _| {
            let cloud_server_id = server_id.map(|server| s.server_id(region, server, "server_id")).transpose()?;
            s.v3(region)?.list_public_ips(&PublicIpFilter { cloud_server_id, retain })
        })?;
        to_py_json(py, serde_json::to_value(&ips))
    }

    /// Every server of the region (Cloud Servers, all pages).
    fn list_servers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let servers = self.call(py, None, |s, region, _, _| s.servers(region)?.all_servers(100))?;
        to_py_json(py, serde_json::to_value(&servers))
    }

    /// An inventory of the servers of `regions` (the session's region when left out): each
    /// host with its automation's state, the address to reach it by and its RackConnect v3
    /// pools and public IPs, and the groups (see ``rackconnect::inventory``).
    #[pyo3(signature = (regions = None, *, access_network = None, ip_version = 4, rackconnect_v3 = true, hostnames = "name", filters = None))]
    #[allow(clippy::too_many_arguments, reason = "the Python keyword arguments")]
    fn inventory<'py>(
        &self,
        py: Python<'py>,
        regions: Option<&Bound<'py, PyAny>>,
        access_network: Option<String>,
        ip_version: i64,
        rackconnect_v3: bool,
        hostnames: &str,
        filters: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let spec = inventory_spec(py, regions, access_network, ip_version, rackconnect_v3, hostnames, filters)?;
        let (regions, options) = inventory_inputs(&spec).map_err(|e| to_py_err(py, &e))?;
        // Left out: the session's region, else (in the core) the user's default.
        let regions = if regions.is_empty() { self.region.into_iter().collect() } else { regions };
        let inventory = detached(py, None, |_, _| {
            self.inner.lock().unwrap_or_else(PoisonError::into_inner).inventory(&regions, &options)
        })?;
        to_py_json(py, serde_json::to_value(&inventory))
    }

    /// One server (its id, or a name only it has in the region), with its RackConnect view.
    fn show_server<'py>(&self, py: Python<'py>, server_id: &str) -> PyResult<Bound<'py, PyAny>> {
        let server = self.call(py, None, |s, region, _, _| {
            let id = s.server_id(region, server_id, "server_id")?;
            s.servers(region)?.show_server(&id)
        })?;
        to_py_json(py, serde_json::to_value(&server))
    }

    /// Waits on a server's metadata for RackConnect and/or Managed Operations: the wait's result
    /// plus `reachable_ipv4` (the address by the inventory's rule), `reached_by` and the last
    /// `server` read.
    #[pyo3(signature = (server_id, *, managed = false, rackconnect = true, timeout = None, grace = None, not_applicable_ok = true, progress = None))]
    #[allow(clippy::too_many_arguments, reason = "the Python keyword arguments")]
    fn wait_server<'py>(
        &self,
        py: Python<'py>,
        server_id: &str,
        managed: bool,
        rackconnect: bool,
        timeout: Option<f64>,
        grace: Option<f64>,
        not_applicable_ok: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let config =
            metadata_config(managed, rackconnect, timeout, grace, not_applicable_ok).map_err(|e| to_py_err(py, &e))?;
        let waited = self.call(py, progress.as_ref(), |s, region, cancel, on_event| {
            s.servers(region)?.wait_metadata_named(
                server_id,
                "server_id",
                config,
                &mut RateBudget::api(),
                cancel,
                on_event,
            )
        })?;
        // The core's one shape (as aio, npm and the CLI give it): the result, `reachable_ipv4`
        // and the last `server` read.
        to_py_json(py, serde_json::to_value(&waited))
    }

    /// Waits for a batch of servers at once (ids, or names only one server of the region has;
    /// or, with `built_within` seconds, every server built that recently), reading
    /// `servers/detail` pages rather than one server at a time: each server ends on its own
    /// status, with its reachable IP; the batch's result has `servers`, `counts` and the verdict.
    #[pyo3(signature = (servers = None, *, built_within = None, managed = false, rackconnect = true, timeout = None, grace = None, not_applicable_ok = true, progress = None))]
    #[allow(clippy::too_many_arguments, reason = "the Python keyword arguments")]
    fn wait_servers<'py>(
        &self,
        py: Python<'py>,
        servers: Option<&Bound<'py, PyAny>>,
        built_within: Option<f64>,
        managed: bool,
        rackconnect: bool,
        timeout: Option<f64>,
        grace: Option<f64>,
        not_applicable_ok: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let servers = servers.map(|s| string_list("servers", s)).transpose()?.unwrap_or_default();
        let prepare = || -> Result<_, Error> {
            let within = built_within.map(|w| millis("built_within", w)).transpose()?;
            let selection = FleetSelection::of(servers, within, ("servers", "built_within"))?;
            Ok((selection, metadata_config(managed, rackconnect, timeout, grace, not_applicable_ok)?))
        };
        let (selection, config) = prepare().map_err(|e| to_py_err(py, &e))?;
        let waited = self.call(py, progress.as_ref(), |s, region, cancel, on_event| {
            s.wait_servers(region, selection, config, ("servers", "built_within"), cancel, on_event)
        })?;
        to_py_json(py, serde_json::to_value(&waited))
    }

    /// Makes every server a member (or not) of every pool (ids, or names of pools in the region):
    /// the planner's result, with `changed`.
    #[pyo3(signature = (servers, pools, *, present = true, dry_run = false, wait = true, timeout = None, progress = None))]
    #[allow(clippy::too_many_arguments, reason = "the Python keyword arguments")]
    fn ensure_pool_members<'py>(
        &self,
        py: Python<'py>,
        servers: &Bound<'py, PyAny>,
        pools: &Bound<'py, PyAny>,
        present: bool,
        dry_run: bool,
        wait: bool,
        timeout: Option<f64>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (servers, pools) = (string_list("servers", servers)?, string_list("pools", pools)?);
        let options = ensure_options(dry_run, wait, timeout).map_err(|e| to_py_err(py, &e))?;
        let presence = if present { Presence::Present } else { Presence::Absent };
        let result = self.call(py, progress.as_ref(), |s, region, cancel, on_event| {
            s.ensure_pool_members(region, &servers, &pools, ("servers", "pools"), presence, options, cancel, on_event)
        })?;
        to_py_json(py, serde_json::to_value(&result))
    }

    /// Gives a server a public IP (or takes it away; with `unassign`, takes its retained IP off
    /// it but keeps the IP): the planner's result, with `changed`.
    #[pyo3(signature = (server_id, *, present = true, retain = None, move_ip = None, unassign = false, dry_run = false, wait = true, timeout = None, progress = None))]
    #[allow(clippy::too_many_arguments, reason = "the Python keyword arguments")]
    fn ensure_public_ip<'py>(
        &self,
        py: Python<'py>,
        server_id: &str,
        present: bool,
        retain: Option<bool>,
        move_ip: Option<&str>,
        unassign: bool,
        dry_run: bool,
        wait: bool,
        timeout: Option<f64>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // Unassigning leaves the server without a public IP: it implies present=False.
        let presence = if present && !unassign { Presence::Present } else { Presence::Absent };
        let prepare = || -> Result<_, Error> {
            PublicIpSpec::check_options(presence, retain, move_ip.is_some(), unassign)?;
            let moving = move_ip.map(|id| PublicIpId::new_as("move_ip", id)).transpose()?;
            Ok((moving, ensure_options(dry_run, wait, timeout)?))
        };
        let (public_ip_id, options) = prepare().map_err(|e| to_py_err(py, &e))?;
        let result = self.call(py, progress.as_ref(), |s, region, cancel, on_event| {
            // The server by id, or by a name only it has in the region.
            let server_id = s.server_id(region, server_id, "server_id")?;
            let spec = PublicIpSpec { server_id, presence, retain, public_ip_id, unassign };
            s.ensure_public_ip(region, spec, options, cancel, on_event)
        })?;
        to_py_json(py, serde_json::to_value(&result))
    }
}

/// RackConnect v2, asked from the server this runs on (or the one `source_address` is), at
/// `base_url` or in `region`. Every answer is `{"outcome": "answer", "value": ...}`, or
/// `{"outcome": "rate_limited", ...}` (a 403: 30 requests a minute), or, for the gateway,
/// `{"outcome": "not_assigned"}` (a 404: no gateway yet). `request_timeout` (seconds) bounds
/// connecting and each answer; left out, the transport's defaults apply.
#[pyclass(module = "rackconnect._native", name = "V2", frozen)]
struct PyV2 {
    client: blocking::V2Client,
    shown: String,
}

impl PyV2 {
    fn answer<'py, T: serde::Serialize + Send>(
        &self,
        py: Python<'py>,
        ask: impl FnOnce(&blocking::V2Client) -> Result<V2Answer<T>, Error> + Send,
    ) -> PyResult<Bound<'py, PyAny>> {
        let answer = py.detach(|| ask(&self.client)).map_err(|e| to_py_err(py, &e))?;
        to_py_json(py, serde_json::to_value(&answer))
    }
}

impl PyV2 {
    /// The client for `endpoint`; `base_url` and `region` as given, for its repr.
    fn with(
        endpoint: V2Endpoint,
        base_url: Option<&str>,
        region: Option<&str>,
        source_address: Option<&str>,
        request_timeout: Option<f64>,
    ) -> Result<Self, Error> {
        let local_address = source_address
            .map(|a| a.parse::<IpAddr>().map_err(|_| invalid("source_address", "an IP address", a)))
            .transpose()?;
        let shown = format!(
            "V2(base_url={}, region={}, source_address={})",
            py_repr(base_url),
            py_repr(region),
            py_repr(source_address)
        );
        let mut http = HttpConfig { local_address, ..HttpConfig::default() };
        if let Some(seconds) = request_timeout {
            // One bound for connecting and for the answer: a caller that must not be held up.
            let limit = Duration::from_millis(millis("request_timeout", seconds)?);
            http.connect_timeout = limit;
            http.read_timeout = limit;
        }
        Ok(Self { client: blocking::V2Client::new(Transport::new(http), endpoint), shown })
    }
}

#[pymethods]
impl PyV2 {
    #[new]
    #[pyo3(signature = (base_url = None, *, region = None, source_address = None, request_timeout = None))]
    fn new(
        py: Python<'_>,
        base_url: Option<&str>,
        region: Option<&str>,
        source_address: Option<&str>,
        request_timeout: Option<f64>,
    ) -> PyResult<Self> {
        let build = || -> Result<Self, Error> {
            let endpoint = match (base_url, region) {
                // A base URL wins over a region: settings are layered (a region set for v3, a v2
                // URL for this host), as in the CLI.
                (Some(url), _) => V2Endpoint::BaseUrl(BaseUrl::new("base_url", url)?),
                (None, Some(region)) => V2Endpoint::Region(Region::parse(region)?),
                (None, None) => return Err(invalid("base_url", "a base URL or a region", "neither")),
            };
            Self::with(endpoint, base_url, region, source_address, request_timeout)
        };
        build().map_err(|e| to_py_err(py, &e))
    }

    fn __repr__(&self) -> String {
        self.shown.clone()
    }

    /// A v2 client from the environment, as the `rackconnect` command reads it:
    /// ``RAX_RACKCONNECT_V2_URL``, else the endpoint of ``RAX_REGION``.
    #[staticmethod]
    #[pyo3(signature = (*, source_address = None, request_timeout = None))]
    fn from_env(py: Python<'_>, source_address: Option<&str>, request_timeout: Option<f64>) -> PyResult<Self> {
        use rackconnect::blocking::settings;
        let build = || -> Result<Self, Error> {
            let endpoint = settings::v2_endpoint(None, None, &settings::process_env)?;
            let (base_url, region) = match &endpoint {
                V2Endpoint::BaseUrl(url) => (Some(url.as_str().to_owned()), None),
                V2Endpoint::Region(region) => (None, Some(region.lower().to_owned())),
            };
            Self::with(endpoint, base_url.as_deref(), region.as_deref(), source_address, request_timeout)
        };
        build().map_err(|e| to_py_err(py, &e))
    }

    /// `automation_status`: DEPLOYING, DEPLOYED, FAILED (or another status, as given).
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.answer(py, |c| c.status())
    }

    /// `automation_status/details`: the status and its tasks.
    fn details<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.answer(py, |c| c.details())
    }

    /// `gateway_ip`: the gateway of the server's RackConnect network, once assigned.
    fn gateway_ip<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.answer(py, |c| c.gateway_ip())
    }

    /// `automation_features`: which automation features are on.
    fn features<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.answer(py, |c| c.features())
    }

    /// Waits for the automation to end (DEPLOYED, FAILED, or not applicable), within 30 requests
    /// a minute: the wait's result.
    #[pyo3(signature = (*, timeout = None, not_applicable_ok = true, progress = None))]
    fn wait<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<f64>,
        not_applicable_ok: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let config = wait_config(timeout, not_applicable_ok).map_err(|e| to_py_err(py, &e))?;
        let result = detached(py, progress.as_ref(), |cancel, on_event| {
            self.client.wait(config, &mut RateBudget::v2(), cancel, on_event)
        })?;
        to_py_json(py, serde_json::to_value(&result))
    }
}

/// Waits for RackConnect v2 automation of the server this runs on (or the one `source_address`
/// is), at `base_url` or in `region`: the wait's result. The same as `V2(...).wait(...)`.
#[pyfunction]
#[pyo3(signature = (base_url = None, *, region = None, source_address = None, timeout = None, not_applicable_ok = true, progress = None))]
#[allow(clippy::too_many_arguments, reason = "the Python keyword arguments")]
fn wait_v2<'py>(
    py: Python<'py>,
    base_url: Option<&str>,
    region: Option<&str>,
    source_address: Option<&str>,
    timeout: Option<f64>,
    not_applicable_ok: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    PyV2::new(py, base_url, region, source_address, None)?.wait(py, timeout, not_applicable_ok, progress)
}

/// Seconds, as every method of the package takes them, into the core's milliseconds; a
/// negative or non-finite number is refused, named `field` (for `rackconnect.aio`, which
/// builds the core's JSON specs itself).
#[pyfunction]
fn seconds_to_millis(py: Python<'_>, field: &str, seconds: f64) -> PyResult<Millis> {
    millis(field, seconds).map_err(|e| to_py_err(py, &e))
}

/// `text` with its control characters (escape sequences, NUL, carriage return) shown escaped,
/// newlines and tabs kept: for API text on its way to a terminal or a log.
#[pyfunction]
fn terminal_safe(text: &str) -> String {
    rackconnect::client::terminal_safe(text).into_owned()
}

/// The first of the environment variables `names` that is set, a blank value counting as unset,
/// as the core reads the environment everywhere: for hosts that look options up in the
/// environment themselves (the Ansible collection's option fallbacks).
#[pyfunction]
fn environment_value(names: Vec<String>) -> Option<String> {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    rackconnect::blocking::settings::first_set(&names, &rackconnect::blocking::settings::process_env)
}

/// The native module: `build_request`, `parse_response`, `Session`, `V2`, `wait_v2`, `terminal_safe`,
/// `environment_value`, `seconds_to_millis`,
/// `__version__`, the pacing constants `WATCH_INTERVAL`, `STATUS_CACHE_TTL`, `QUICK_LOOK_TIMEOUT`
/// and the connection limit `IDLE_REUSE`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(build_request, m)?)?;
    m.add_function(wrap_pyfunction!(parse_response, m)?)?;
    m.add_function(wrap_pyfunction!(wait_v2, m)?)?;
    m.add_function(wrap_pyfunction!(exception_from_data, m)?)?;
    m.add_function(wrap_pyfunction!(terminal_safe, m)?)?;
    m.add_function(wrap_pyfunction!(environment_value, m)?)?;
    m.add_function(wrap_pyfunction!(seconds_to_millis, m)?)?;
    m.add_function(wrap_pyfunction!(token_from_response, m)?)?;
    m.add_class::<PySecret>()?;
    m.add_class::<exchange::PyAuth>()?;
    m.add_class::<exchange::PyExchange>()?;
    m.add_class::<PySession>()?;
    m.add_class::<PyV2>()?;
    m.add_class::<emulator::PyEmulatorServer>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The core's pacing for callers that run unattended (Salt's beacon and grains), in seconds.
    let seconds = |ms: Millis| ms as f64 / 1000.0;
    m.add("WATCH_INTERVAL", seconds(defaults::WATCH_INTERVAL_MS))?;
    m.add("STATUS_CACHE_TTL", seconds(defaults::STATUS_CACHE_MS))?;
    m.add("QUICK_LOOK_TIMEOUT", seconds(defaults::QUICK_LOOK_TIMEOUT_MS))?;
    // And the longest a kept connection may sit idle before the next request (the async
    // driver's httpx pool; the blocking transport applies it itself).
    m.add("IDLE_REUSE", seconds(defaults::IDLE_REUSE_MS))?;
    Ok(())
}
