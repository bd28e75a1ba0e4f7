//! First-generation (v1.0) auth, for first-generation servers: `GET /v1.0` with `X-Auth-User`
//! and `X-Auth-Key`, answered by 204 with the token and the server management URL in headers.
//! Servers are then read from `{X-Server-Management-Url}/servers/{id}` with
//! [`super::parse_server`].

use serde::Serialize;

use crate::error::{Error, Result};
use crate::fault::{Forbidden403, api_error};
use crate::http::{Method, Request, Response};
use crate::id::{BaseUrl, ServerId};
use crate::secret::{ApiKey, Token};

/// The US v1.0 auth endpoint.
pub const DEFAULT_V1_AUTH_URL: &str = "https://auth.api.rackspacecloud.com/v1.0";

/// `GET /v1.0` with `X-Auth-User` and `X-Auth-Key`. `auth_url` is the full URL (default
/// [`DEFAULT_V1_AUTH_URL`]).
pub fn auth(auth_url: Option<&BaseUrl>, username: &str, api_key: &ApiKey) -> Result<Request> {
    crate::identity::check_username(username)?;
    api_key.check_for_header("api_key")?;
    let url = auth_url.map_or_else(|| DEFAULT_V1_AUTH_URL.to_owned(), |u| u.as_str().to_owned());
    Ok(Request::new(Method::Get, url).header("X-Auth-User", username).header("X-Auth-Key", api_key.expose()))
}

/// What v1.0 auth answers in its headers.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct V1Auth {
    /// `X-Auth-Token` (redacted when printed).
    pub token: Token,
    /// `X-Server-Management-Url`: the first-generation servers API of the account.
    pub server_management_url: String,
    /// `X-Storage-Url`, if given.
    pub storage_url: Option<String>,
    /// `X-CDN-Management-Url`, if given.
    pub cdn_management_url: Option<String>,
}

/// Reads the 204 (or 200) answer of v1.0 auth.
pub fn parse_auth(response: &Response) -> Result<V1Auth> {
    if !response.is_success() {
        return Err(api_error(response, Forbidden403::Forbidden));
    }
    let required = |name: &str, why: &str| {
        response
            .header(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::MissingHeader { header: name.to_owned(), expected: why.to_owned() })
    };
    Ok(V1Auth {
        token: Token::new(required("X-Auth-Token", "the token v1.0 auth issues")?),
        server_management_url: required("X-Server-Management-Url", "the servers API URL v1.0 auth returns")?,
        storage_url: response.header("X-Storage-Url").map(str::to_owned),
        cdn_management_url: response.header("X-CDN-Management-Url").map(str::to_owned),
    })
}

/// `GET {server_management_url}/servers/{id}` with the v1.0 token; read with
/// [`super::parse_server`].
pub fn show_server(server_management_url: &BaseUrl, token: &Token, server: &ServerId) -> Result<Request> {
    token.check_for_header("token")?;
    Ok(Request::new(Method::Get, server_management_url.join(&format!("/servers/{server}")))
        .header("X-Auth-Token", token.expose())
        .header("Accept", "application/json"))
}
