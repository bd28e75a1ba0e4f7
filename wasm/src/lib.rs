//! `rackconnect-wasm`: the core behind the `rackconnect` npm package.
//!
//! This crate only converts: every operation is built and parsed by
//! [`rackconnect::ops::Operation`], the waiters and planners are the core's sans-IO machines
//! ([`machine::Machine`]), and data crosses as JSON text (module `convert`). The package's JavaScript
//! (in `npm/src/`) wraps these raw exports: it parses the JSON, throws every failure as the
//! `RackConnectError` subclass of its kind, and runs the machines with `fetch` and timers.

mod convert;
#[cfg(feature = "exchange")]
pub mod machine;

use rackconnect::identity::{self, Access};
use rackconnect::ops::Operation;
use rackconnect::{Error, Region};
use serde_json::{Map, Value, json};
use wasm_bindgen::prelude::*;

use convert::{Thrown, from_json, response, thrown, to_json};

fn operation(op: &str) -> Result<Operation, Thrown> {
    Operation::from_name(op).map_err(|e| thrown(&e))
}

/// Builds the request of operation `op` from its inputs (a JSON object as text):
/// `{"method", "url", "headers": [[name, value]], "body": text | null}` as JSON text.
#[wasm_bindgen(js_name = buildRequest)]
pub fn build_request(op: &str, input: &str) -> Result<String, Thrown> {
    let op = operation(op)?;
    let input: Value = from_json("input", input).map_err(|e| thrown(&e))?;
    let request = op.build(&input).map_err(|e| thrown(&e))?;
    to_json(&rackconnect::client::json::request_json(&request))
}

/// Parses the response to operation `op` (status, headers as a block and their number, raw
/// body: see `convert::response`) into the operation's result, as JSON text.
#[wasm_bindgen(js_name = parseResponse)]
pub fn parse_response(op: &str, status: u16, headers: &str, count: u32, body: Vec<u8>) -> Result<String, Thrown> {
    let op = operation(op)?;
    let response = response(status, headers, count, body).map_err(|e| thrown(&e))?;
    op.parse_to_text(&response).map_err(|e| thrown(&e))
}

/// [`parse_response`] with the operation by its index in [`operation_names`]: the package maps
/// names to indexes once, so that a call passes a number, not a string to encode and decode.
#[wasm_bindgen(js_name = parseResponseAt)]
pub fn parse_response_at(index: u32, status: u16, headers: &str, count: u32, body: Vec<u8>) -> Result<String, Thrown> {
    let op = Operation::ALL
        .get(index as usize)
        .copied()
        .ok_or_else(|| thrown(&convert::invalid("op", "an operation's index", &index.to_string())))?;
    let response = response(status, headers, count, body).map_err(|e| thrown(&e))?;
    op.parse_to_text(&response).map_err(|e| thrown(&e))
}

/// The names of every operation, as a JSON array.
#[wasm_bindgen(js_name = operationNames)]
pub fn operation_names() -> String {
    Value::from(Operation::ALL.iter().map(|op| op.name()).collect::<Vec<_>>()).to_string()
}

/// The region's catalog endpoints: RackConnect v3 and Cloud Servers (`null` where missing).
pub(crate) fn region_endpoints(access: &Access, region: Region) -> Value {
    json!({
        "rackconnect": access.rackconnect_endpoint(region).map(|e| e.public_url.clone()),
        "compute": access.compute_endpoint(region).map(|e| e.public_url.clone()),
    })
}

/// What a sign-in says about the account, as both `signIn` and `parseSignIn` show it: the
/// tenant, the expiry, the default region and the regions with RackConnect v3 (by role, and by
/// a `rax:rackconnect` endpoint in the catalog).
pub(crate) fn regions(access: &Access) -> Value {
    let default_region = access.user.default_region.as_deref().and_then(|r| Region::parse(r).ok()).map(Region::lower);
    let rackconnect_regions: Vec<&str> = access.rackconnect_v3_regions().into_iter().map(Region::lower).collect();
    let catalog_regions: Vec<&str> =
        Region::ALL.into_iter().filter(|r| access.rackconnect_endpoint(*r).is_some()).map(Region::lower).collect();
    json!({
        "tenantId": access.token.tenant.as_ref().map(|t| t.id.clone()),
        "expiresAt": access.token.expires.unix_millis(),
        "defaultRegion": default_region,
        "rackconnectRegions": rackconnect_regions,
        "catalogRegions": catalog_regions,
    })
}

/// Reads Identity's token answer for a client: the token (the one place it is exposed), its
/// expiry in Unix milliseconds, the tenant, the default region, the regions with RackConnect v3
/// (by role, and by a `rax:rackconnect` endpoint in the catalog), the endpoints per region and the redacted `access`, as JSON text (camelCase keys: this shape
/// is the package's, not the core's).
#[wasm_bindgen(js_name = parseSignIn)]
pub fn parse_sign_in(status: u16, headers: &str, count: u32, body: Vec<u8>) -> Result<String, Thrown> {
    let response = response(status, headers, count, body).map_err(|e| thrown(&e))?;
    let access = identity::parse_token(&response).map_err(|e| thrown(&e))?;
    let endpoints: Map<String, Value> =
        Region::ALL.iter().map(|r| (r.lower().to_owned(), region_endpoints(&access, *r))).collect();
    let mut shown = regions(&access);
    if let Value::Object(map) = &mut shown {
        map.insert("token".into(), json!(access.token.id.expose()));
        map.insert("endpoints".into(), Value::Object(endpoints));
        map.insert("access".into(), rackconnect::client::json::to_value(&access).unwrap_or(Value::Null));
    }
    to_json(&shown)
}

/// The syntax of a body as the v2 parsers read it: `text`, `json` or `xml`.
#[wasm_bindgen(js_name = bodySyntax)]
pub fn body_syntax(body: &[u8]) -> String {
    use rackconnect::v2::BodySyntax;
    match rackconnect::v2::body_syntax(body) {
        BodySyntax::Text => "text",
        BodySyntax::Json => "json",
        BodySyntax::Xml => "xml",
    }
    .to_owned()
}

/// Which of a details answer's tasks, given as their statuses in order (a JSON array of
/// strings), failed and which are still pending, by position: `{"failed": [i], "pending": [i]}`
/// as JSON text.
#[wasm_bindgen(js_name = v2FailedAndPending)]
pub fn v2_failed_and_pending(statuses: &str) -> Result<String, Thrown> {
    let statuses: Vec<String> = from_json("statuses", statuses).map_err(|e| thrown(&e))?;
    to_json(&rackconnect::v2::failed_and_pending(statuses.iter().map(String::as_str)))
}

/// The crate's version (the core's: they are released together).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Text from the API made safe to show: control characters (but newline and tab) escaped.
#[wasm_bindgen(js_name = terminalSafe)]
pub fn terminal_safe(text: &str) -> String {
    rackconnect::client::terminal_safe(text).into_owned()
}

/// A region name checked by the core (lower case), for the JS client's `region` option.
#[wasm_bindgen(js_name = checkRegion)]
pub fn check_region(region: &str) -> Result<String, Thrown> {
    Region::parse(region).map(|r| r.lower().to_owned()).map_err(|e: Error| thrown(&e))
}

/// Whether a pool may be offered as a default, from its `status` and `status_detail`:
/// `{"fit", "reason"}` as JSON text (the core's `client::pool_fitness`).
#[wasm_bindgen(js_name = poolFitness)]
pub fn pool_fitness(status: Option<String>, status_detail: Option<String>) -> Result<String, Thrown> {
    to_json(&rackconnect::client::pool_fitness(status.as_deref(), status_detail.as_deref()))
}

/// Whether a server may be offered as a default, from Cloud Servers' `status` and its
/// RackConnect and Managed Operations metadata: `{"fit", "reason"}` as JSON text (the core's
/// `client::server_fitness`).
#[wasm_bindgen(js_name = serverFitness)]
pub fn server_fitness(
    status: Option<String>,
    automation_status: Option<String>,
    unprocessable_reason: Option<String>,
    managed_status: Option<String>,
) -> Result<String, Thrown> {
    to_json(&rackconnect::client::server_fitness(
        status.as_deref(),
        automation_status.as_deref(),
        unprocessable_reason.as_deref(),
        managed_status.as_deref(),
    ))
}
