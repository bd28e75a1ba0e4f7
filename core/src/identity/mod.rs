//! Rackspace Identity v2.0: tokens and the service catalog.
//!
//! ```
//! use rackconnect::identity::{self, Credentials, IdentityEndpoint};
//! use rackconnect::{ApiKey, Region, Response};
//!
//! let creds = Credentials::ApiKey { username: "demo".into(), api_key: ApiKey::new("demo-api-key") };
//! let request = identity::token(&IdentityEndpoint::Us, &creds, None)?;
//! assert_eq!(request.url, "https://identity.api.rackspacecloud.com/v2.0/tokens");
//! assert!(!format!("{request:?}").contains("demo-api-key"));
//! # Ok::<(), rackconnect::Error>(())
//! ```

pub(crate) mod model;

pub use model::{Access, AuthToken, CatalogEntry, Endpoint, Role, TenantRef, User};

use serde_json::json;

use crate::error::{Error, Result};
use crate::fault::{Forbidden403, api_error};
use crate::format::json;
use crate::http::{Method, Request, Response};
use crate::id::BaseUrl;
use crate::secret::{ApiKey, Password, Token};

/// The US Identity endpoint (the default).
pub const US_IDENTITY_URL: &str = "https://identity.api.rackspacecloud.com";
/// The UK Identity endpoint.
pub const UK_IDENTITY_URL: &str = "https://lon.identity.api.rackspacecloud.com";

/// Which Identity service to ask.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum IdentityEndpoint {
    /// `https://identity.api.rackspacecloud.com`
    Us,
    /// `https://lon.identity.api.rackspacecloud.com`
    Uk,
    /// Any Identity-compatible URL (an emulator, another fake), with or without `/v2.0`.
    Url(BaseUrl),
}

impl IdentityEndpoint {
    /// Reads `us`, `uk` or a URL.
    pub fn parse(value: &str) -> Result<Self> {
        match value.to_ascii_lowercase().as_str() {
            "us" | "" => Ok(IdentityEndpoint::Us),
            "uk" | "lon" => Ok(IdentityEndpoint::Uk),
            _ => BaseUrl::new("identity_url", value).map(IdentityEndpoint::Url),
        }
    }

    /// The URL of `/v2.0`.
    pub fn v2_base(&self) -> String {
        let base = match self {
            IdentityEndpoint::Us => US_IDENTITY_URL,
            IdentityEndpoint::Uk => UK_IDENTITY_URL,
            IdentityEndpoint::Url(url) => url.as_str(),
        };
        let base = base.strip_suffix("/v2.0").unwrap_or(base);
        format!("{base}/v2.0")
    }
}

/// The credentials a token is asked for with.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Credentials {
    /// `RAX-KSKEY:apiKeyCredentials`
    ApiKey {
        /// The user name.
        username: String,
        /// The API key.
        api_key: ApiKey,
    },
    /// `passwordCredentials`
    Password {
        /// The user name.
        username: String,
        /// The password.
        password: Password,
    },
}

impl Credentials {
    /// The user name.
    pub fn username(&self) -> &str {
        match self {
            Credentials::ApiKey { username, .. } | Credentials::Password { username, .. } => username,
        }
    }
}

/// Scopes a token to one tenant (by id or by name; Identity refuses both at once).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TenantScope {
    /// `"tenantId"`
    Id(String),
    /// `"tenantName"`
    Name(String),
}

pub(crate) fn check_username(username: &str) -> Result<()> {
    if username.trim().is_empty() || username.len() > 256 || username.chars().any(char::is_control) {
        return Err(Error::invalid("username", "a non-empty user name without control characters", username));
    }
    Ok(())
}

fn check_tenant(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() || value.len() > 256 || value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "a non-empty tenant without control characters", value));
    }
    Ok(())
}

/// `POST /v2.0/tokens`. The request body holds the secret: its `Debug` form redacts it.
pub fn token(endpoint: &IdentityEndpoint, credentials: &Credentials, tenant: Option<&TenantScope>) -> Result<Request> {
    check_username(credentials.username())?;
    let mut auth = match credentials {
        Credentials::ApiKey { username, api_key } => {
            if api_key.is_empty() {
                return Err(Error::invalid("api_key", "a non-empty API key", ""));
            }
            json!({"RAX-KSKEY:apiKeyCredentials": {"username": username, "apiKey": api_key.expose()}})
        }
        Credentials::Password { username, password } => {
            if password.is_empty() {
                return Err(Error::invalid("password", "a non-empty password", ""));
            }
            json!({"passwordCredentials": {"username": username, "password": password.expose()}})
        }
    };
    match tenant {
        Some(TenantScope::Id(id)) => {
            check_tenant("tenant_id", id)?;
            auth["tenantId"] = json!(id);
        }
        Some(TenantScope::Name(name)) => {
            check_tenant("tenant_name", name)?;
            auth["tenantName"] = json!(name);
        }
        None => {}
    }
    let mut request = Request::new(Method::Post, format!("{}/tokens", endpoint.v2_base()))
        .header("Accept", "application/json")
        .json_body(&json!({ "auth": auth }));
    request.sensitive_body = true;
    Ok(request)
}

fn check_token_for_path(token: &Token) -> Result<()> {
    let ok = !token.is_empty()
        && token.expose().len() <= 4096
        && token.expose().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        // The value is a credential: say what is wrong without echoing it.
        Err(Error::invalid("token", "1 to 4096 characters from A-Z a-z 0-9 - _", crate::secret::REDACTED))
    }
}

/// `GET /v2.0/tokens/{token}`: validates `token`, asked with `auth_token` (may be the same).
/// The URL holds the token, so the request's `Debug` form redacts it.
pub fn validate_token(endpoint: &IdentityEndpoint, auth_token: &Token, token: &Token) -> Result<Request> {
    check_token_for_path(token)?;
    auth_token.check_for_header("auth_token")?;
    let mut request = Request::new(Method::Get, format!("{}/tokens/{}", endpoint.v2_base(), token.expose()))
        .header("X-Auth-Token", auth_token.expose())
        .header("Accept", "application/json");
    request.sensitive_url = true;
    Ok(request)
}

/// `DELETE /v2.0/tokens`: revokes the caller's own token (204).
pub fn revoke_token(endpoint: &IdentityEndpoint, token: &Token) -> Result<Request> {
    token.check_for_header("token")?;
    Ok(Request::new(Method::Delete, format!("{}/tokens", endpoint.v2_base()))
        .header("X-Auth-Token", token.expose())
        .header("Accept", "application/json"))
}

fn check(response: &Response) -> Result<()> {
    if response.is_success() { Ok(()) } else { Err(api_error(response, Forbidden403::Forbidden)) }
}

/// Reads the answer of a token request (or of a token validation): the token, its tenant, the
/// catalog and the user. Faults (`unauthorized`, `badRequest`, the MFA 401 …) become
/// [`Error::Api`].
pub fn parse_token(response: &Response) -> Result<Access> {
    check(response)?;
    let root: model::AccessDocument = json::parse(&response.body)?;
    Ok(root.access)
}

/// Reads the answer of a token revocation (204).
pub fn parse_revoke(response: &Response) -> Result<()> {
    check(response)
}
