//! The core's [`JsonExchange`] for Python's asyncio driver (`rackconnect.aio`): the same
//! contract the JavaScript driver runs, JSON text in and out. The driver sends, sleeps and
//! reports; every decision (sign-in, renewal, retries, pauses, the transport rule) is the
//! exchange's.

use pyo3::prelude::*;
use rackconnect::Response;
use rackconnect::client::Auth as CoreAuth;
use rackconnect::client::json::{JsonExchange, auth_from_spec, parse_input};
use rackconnect::wait::Millis;

use crate::{inventory_spec, to_py_err};

/// The driver contract's clock as Python hands it (float milliseconds) in the core's.
fn millis(now: f64) -> Millis {
    if now.is_finite() && now > 0.0 { now as Millis } else { 0 }
}

/// Who signs in where, and the cached token: opaque to Python (the token never becomes a
/// Python value outside a request about to be sent).
#[pyclass(name = "Auth", module = "rackconnect._native")]
pub struct PyAuth {
    inner: CoreAuth,
}

#[pymethods]
impl PyAuth {
    /// From `{identity_url, username, api_key | password, tenant_id}` as JSON text; checked now.
    #[new]
    fn new(py: Python<'_>, spec: &str) -> PyResult<Self> {
        auth_from_spec(spec).map(|inner| Self { inner }).map_err(|e| to_py_err(py, &e))
    }

    /// Takes the newer token of an exchange that ran with a copy of this.
    fn adopt(&mut self, exchange: &PyExchange) {
        if let Some(auth) = exchange.inner.finished_auth() {
            self.inner.adopt(auth);
        }
    }

    fn __repr__(&self) -> String {
        format!("Auth(username={:?})", self.inner.username())
    }
}

/// One exchange of the core, driven from Python: every method answers JSON text.
#[pyclass(name = "Exchange", module = "rackconnect._native", unsendable)]
pub struct PyExchange {
    inner: JsonExchange,
}

fn made(py: Python<'_>, exchange: Result<JsonExchange, rackconnect::Error>) -> PyResult<PyExchange> {
    exchange.map(|inner| PyExchange { inner }).map_err(|e| to_py_err(py, &e))
}

#[pymethods]
impl PyExchange {
    /// Any operation by name with its inputs as JSON text (no endpoint, no token).
    #[staticmethod]
    fn call(py: Python<'_>, auth: &PyAuth, op: &str, input: &str, driver: &str) -> PyResult<Self> {
        made(py, JsonExchange::operation(Some(&auth.inner), op, input, driver))
    }

    /// A RackConnect v2 operation by name (asked from the server itself: no credentials).
    #[staticmethod]
    fn call_v2(py: Python<'_>, op: &str, input: &str, driver: &str) -> PyResult<Self> {
        made(py, JsonExchange::operation(None, op, input, driver))
    }

    /// Every server of the region, following `servers/detail`'s pages.
    #[staticmethod]
    fn all_servers(py: Python<'_>, auth: &PyAuth, driver: &str) -> PyResult<Self> {
        made(py, JsonExchange::all_servers(&auth.inner, driver))
    }

    /// A RackConnect v2 wait: `{"base_url" | "region", "wait"}`.
    #[staticmethod]
    fn wait_v2(py: Python<'_>, spec: &str, driver: &str) -> PyResult<Self> {
        made(py, JsonExchange::wait_v2(spec, driver))
    }

    /// A wait by the core's `WaitSpec`.
    #[staticmethod]
    fn wait(py: Python<'_>, auth: &PyAuth, spec: &str, driver: &str) -> PyResult<Self> {
        made(py, JsonExchange::wait(&auth.inner, spec, driver))
    }

    /// An ensure by the core's `EnsureSpec`.
    #[staticmethod]
    fn ensure(py: Python<'_>, auth: &PyAuth, spec: &str, driver: &str) -> PyResult<Self> {
        made(py, JsonExchange::ensure(&auth.inner, spec, driver))
    }

    /// An inventory of the servers of `regions` (the driver's region when left out): the same
    /// arguments as `Session.inventory`, read alike (`inventory_spec`) and refused here,
    /// before anything is sent.
    #[staticmethod]
    #[pyo3(signature = (auth, driver, regions = None, *, access_network = None, ip_version = 4, rackconnect_v3 = true, hostnames = "name", filters = None))]
    #[allow(clippy::too_many_arguments, reason = "the Python keyword arguments")]
    fn inventory(
        py: Python<'_>,
        auth: &PyAuth,
        driver: &str,
        regions: Option<&Bound<'_, PyAny>>,
        access_network: Option<String>,
        ip_version: i64,
        rackconnect_v3: bool,
        hostnames: &str,
        filters: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let spec = inventory_spec(py, regions, access_network, ip_version, rackconnect_v3, hostnames, filters)?;
        made(py, JsonExchange::inventory(&auth.inner, &spec, driver))
    }

    /// What to do at `now`, with the events since the last call.
    fn poll(&mut self, now: f64) -> String {
        self.inner.poll(millis(now)).to_string()
    }

    /// The answer to the last request (headers as a JSON array of pairs); the new events.
    fn on_response(&mut self, py: Python<'_>, now: f64, status: u16, headers: &str, body: Vec<u8>) -> PyResult<String> {
        let headers: Vec<(String, String)> = parse_input("headers", headers).map_err(|e| to_py_err(py, &e))?;
        Ok(self.inner.on_response(millis(now), &Response { status, headers, body }).to_string())
    }

    /// The last request got no answer (`connect`, `io`, `timeout`, `too_large`); the new events.
    fn on_transport_error(&mut self, now: f64, kind: &str, detail: &str) -> String {
        self.inner.on_transport_error(millis(now), kind, detail).to_string()
    }

    /// Stops at the next poll (a request in flight is abandoned).
    fn cancel(&mut self) {
        self.inner.cancel();
    }

    /// Requests handed to the driver so far.
    #[getter]
    fn requests_sent(&self) -> u32 {
        self.inner.requests_sent()
    }
}
