//! `rackconnect._native`: the Rust core behind the `rackconnect` Python package.
//!
//! Python only converts and adapts: every operation is built and parsed by
//! [`rackconnect::ops::Operation`], JSON crosses the boundary through Python's `json` module, and
//! every core error is raised, in [`to_py_err`], as the class of its kind from
//! `rackconnect.exceptions`, with the error's JSON form as `err.data`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use rackconnect::ops::Operation;
use rackconnect::{Error, Response};
use serde_json::Value;

/// The Python class (in `rackconnect.exceptions`) of every core error kind: the one place where
/// kinds meet classes.
fn exception_class(err: &Error) -> &'static str {
    match err.kind() {
        "invalid_input" => "InvalidInputError",
        "json" | "xml" | "xml_doctype" | "text" | "body_too_large" | "too_deep" | "missing_header" => "ParseError",
        "bad_request" => "BadRequestError",
        "unauthorized" => "UnauthorizedError",
        "mfa_required" => "MfaRequiredError",
        "forbidden" => "ForbiddenError",
        "not_found" => "NotFoundError",
        "conflict" => "ConflictError",
        "rate_limited" => "RateLimitedError",
        "server_error" => "ServerError",
        "unexpected_status" => "UnexpectedStatusError",
        "transport" => "TransportError",
        // A kind added to the core later still raises something catchable.
        _ if err.as_api().is_some() => "ApiError",
        _ => "RackConnectError",
    }
}

/// Turns a core error into the Python exception of its kind: `str(err)` is the message and
/// `err.data` the error's JSON form (`kind`, `message` and the kind's fields).
fn to_py_err(py: Python<'_>, err: &Error) -> PyErr {
    let raise = || -> PyResult<PyErr> {
        let class = py.import("rackconnect.exceptions")?.getattr(exception_class(err))?;
        let exc = class.call1((err.to_string(), to_py(py, &err.to_json())?))?;
        Ok(PyErr::from_value(exc))
    };
    raise().unwrap_or_else(|e| e)
}

/// JSON text from the core into Python objects, through `json.loads`.
fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// An operation's input: a JSON object given as a `dict` (through `json.dumps`) or as JSON text.
fn input_json(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<Value> {
    let text: String = if input.is_instance_of::<PyString>() {
        input.extract()?
    } else if input.is_instance_of::<PyDict>() {
        let kwargs = PyDict::new(py);
        kwargs.set_item("allow_nan", false)?;
        py.import("json")?
            .call_method("dumps", (input,), Some(&kwargs))
            .map_err(|e| to_py_err(py, &invalid_input("a dict of JSON values", &e.value(py).to_string())))?
            .extract()?
    } else {
        let found = input.get_type().name()?.to_string();
        return Err(to_py_err(py, &invalid_input("a dict or a JSON object as str", &found)));
    };
    serde_json::from_str(&text).map_err(|e| to_py_err(py, &invalid_input("a JSON object", &e.to_string())))
}

fn invalid_input(expected: &str, found: &str) -> Error {
    Error::InvalidInput { field: "input".to_owned(), expected: expected.to_owned(), found: found.to_owned() }
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
    body: Vec<u8>,
) -> PyResult<Bound<'py, PyAny>> {
    let op = operation(py, op)?;
    let response = Response { status, headers, body };
    let value = py.detach(|| op.parse(&response)).map_err(|e| to_py_err(py, &e))?;
    to_py(py, &value)
}

/// The native module: `build_request`, `parse_response` and `__version__`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(build_request, m)?)?;
    m.add_function(wrap_pyfunction!(parse_response, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
