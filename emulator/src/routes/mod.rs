//! The router: which handler answers which path. Every handler is a plain function of the world
//! and the call; the [engine](crate::engine) calls them, with no socket in sight, and the
//! integration tests reach them over real HTTP.

pub mod control;
pub mod dashboard;
pub mod identity;
pub mod operations;
pub mod servers;
pub mod v2;
pub mod v3;

use crate::reply::Reply;
use crate::world::{TokenState, World};

/// The reserved prefix of the control API.
pub const CONTROL_PREFIX: &str = "/__emulator/";

/// A request, as handlers see it.
#[derive(Debug)]
pub struct Call<'a> {
    /// The method, upper case.
    pub method: &'a str,
    /// The path, without the query.
    pub path: &'a str,
    /// The query pairs, percent-decoding not applied (ids never need it).
    pub query: Vec<(String, String)>,
    /// The headers (names lower case).
    pub headers: &'a [(String, String)],
    /// The body.
    pub body: &'a [u8],
    /// The client's address.
    pub source_ip: String,
    /// The emulator's own base URL as the client reached it (`http://127.0.0.1:PORT`).
    pub base_url: String,
}

impl Call<'_> {
    /// A header by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A query parameter.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(self.body).ok()
    }
}

/// Splits `a=b&c=d`.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (p.to_owned(), String::new()),
        })
        .collect()
}

/// Answers a call to the emulated APIs (not the control API).
pub fn route(world: &mut World, call: &Call) -> Reply {
    let segments: Vec<&str> = call.path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        [""] => identity::versions(call),
        ["v2.0", rest @ ..] => identity::route(world, call, rest),
        ["v1.0", rest @ ..] => identity::route_v1(world, call, rest),
        ["v1", rest @ ..] => v2::route(world, call, rest),
        ["servers", region, "v2", tenant, rest @ ..] => servers::route(world, call, region, tenant, rest),
        ["servers", _] | ["servers", _, "v2"] => servers::version_root(),
        ["rackconnect", region, "v3", tenant, rest @ ..] => v3::route(world, call, region, tenant, rest),
        _ => Reply::not_found(call.path),
    }
}

/// The token of a call, if it is valid and unexpired; else the 401 to answer.
pub fn authenticate(world: &World, call: &Call) -> Result<TokenState, Reply> {
    const MESSAGE: &str = "No valid token provided. Please use the 'X-Auth-Token' header with a valid token.";
    let token = call.header("X-Auth-Token").ok_or_else(|| Reply::fault(401, "unauthorized", MESSAGE))?;
    match world.tokens.get(token) {
        Some(state) if state.expires > world.now() => Ok(state.clone()),
        _ => Err(Reply::fault(401, "unauthorized", MESSAGE)),
    }
}

/// The token of a call, if it is valid and may act on `tenant`; else the 401 to answer.
pub fn authenticate_for(world: &World, call: &Call, tenant: &str) -> Result<TokenState, Reply> {
    let token = authenticate(world, call)?;
    authorize_tenant(&token, tenant)?;
    Ok(token)
}

/// Checks that a token may act on a tenant.
pub fn authorize_tenant(token: &TokenState, tenant: &str) -> Result<(), Reply> {
    if token.tenant == tenant {
        Ok(())
    } else {
        Err(Reply::fault(401, "unauthorized", &format!("Token is not valid for tenant {tenant}")))
    }
}
