//! Tokens: asking Identity, caching the answer, and sending token requests with one re-auth.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use super::clients::{ServersClient, V3Client};
use super::transport::Transport;
use crate::error::{Error, Result};
use crate::http::{Request, Response};
use crate::id::{BaseUrl, Region};
use crate::identity::{self, Access, Credentials, IdentityEndpoint, TenantScope};
use crate::secret::Token;
use crate::servers::ServersEndpoint;
use crate::v3::V3Endpoint;

/// A cached token is renewed this long before Identity says it expires.
pub const REFRESH_MARGIN_MS: i64 = 5 * 60 * 1000;

/// Gets tokens from Identity v2.0 and caches the answer (token, catalog, roles) until
/// [`REFRESH_MARGIN_MS`] before the token's `expires`, read against the wall clock.
///
/// Its `Debug` form names the endpoint, the user and the token's expiry, never a credential.
pub struct IdentityClient {
    endpoint: IdentityEndpoint,
    credentials: Credentials,
    tenant: Option<TenantScope>,
    cached: Option<Access>,
}

impl fmt::Debug for IdentityClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityClient")
            .field("endpoint", &self.endpoint)
            .field("username", &self.credentials.username())
            .field("tenant", &self.tenant)
            .field("token_expires", &self.cached.as_ref().map(|a| a.token.expires.to_string()))
            .finish()
    }
}

fn wall_clock_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl IdentityClient {
    /// A client for `endpoint` that authenticates with `credentials`, optionally scoped to a
    /// tenant. It asks for nothing until a token is needed.
    pub fn new(endpoint: IdentityEndpoint, credentials: Credentials, tenant: Option<TenantScope>) -> Self {
        Self { endpoint, credentials, tenant, cached: None }
    }

    /// The Identity endpoint.
    pub fn endpoint(&self) -> &IdentityEndpoint {
        &self.endpoint
    }

    /// The last answer, if any, even when it is about to expire.
    pub fn cached(&self) -> Option<&Access> {
        self.cached.as_ref()
    }

    /// True when a cached token is good for at least [`REFRESH_MARGIN_MS`] more.
    pub fn is_fresh(&self) -> bool {
        let now = wall_clock_ms();
        self.cached.as_ref().is_some_and(|a| now < a.token.expires.unix_millis().saturating_sub(REFRESH_MARGIN_MS))
    }

    /// Forgets the cached token (after a 401, or to force a new one).
    pub fn invalidate(&mut self) {
        self.cached = None;
    }

    /// Asks Identity for a new token now, and caches it.
    ///
    /// Errors: Identity's faults as [`Error::Api`] (`unauthorized` for wrong credentials,
    /// `mfa_required`, `forbidden` for a disabled user …), or a transport error.
    pub fn authenticate(&mut self, transport: &Transport) -> Result<&Access> {
        self.cached = None;
        let request = identity::token(&self.endpoint, &self.credentials, self.tenant.as_ref())?;
        let access = identity::parse_token(&transport.send(&request)?)?;
        Ok(self.cached.insert(access))
    }

    /// The cached answer while it is fresh, otherwise a new one.
    pub fn access(&mut self, transport: &Transport) -> Result<&Access> {
        if !self.is_fresh() {
            return self.authenticate(transport);
        }
        // Fresh implies cached; the error cannot happen.
        self.cached.as_ref().ok_or_else(|| Error::invalid("token", "a cached token", crate::REDACTED))
    }

    /// The current token (see [`IdentityClient::access`]).
    pub fn token(&mut self, transport: &Transport) -> Result<Token> {
        Ok(self.access(transport)?.token.id.clone())
    }
}

/// A [`Transport`] and an [`IdentityClient`]: everything needed to call the token APIs (Cloud
/// Servers and RackConnect v3), with the endpoints read from the catalog.
///
/// Its `Debug` form never shows a credential.
#[derive(Debug)]
pub struct Session {
    transport: Transport,
    identity: IdentityClient,
}

impl Session {
    /// A session over `transport`, authenticating with `identity`.
    pub fn new(transport: Transport, identity: IdentityClient) -> Self {
        Self { transport, identity }
    }

    /// The transport.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The Identity client (its cache, its endpoint).
    pub fn identity(&self) -> &IdentityClient {
        &self.identity
    }

    /// The Identity answer (token, catalog, roles), cached while fresh.
    pub fn access(&mut self) -> Result<&Access> {
        self.identity.access(&self.transport)
    }

    /// The current token.
    pub fn token(&mut self) -> Result<Token> {
        self.identity.token(&self.transport)
    }

    /// Forgets the cached token.
    pub fn invalidate(&mut self) {
        self.identity.invalidate();
    }

    /// Sends a token request: sets `X-Auth-Token` to the current token (replacing any the
    /// request carries), sends, and on a 401 authenticates once more and sends again. A second
    /// 401 is returned as it came. Other statuses are returned as they came too.
    ///
    /// Only for requests to the token APIs: every request gets the token.
    pub fn send_authed(&mut self, request: &Request) -> Result<Response> {
        let token = self.token()?;
        let response = self.transport.send(&with_token(request, &token))?;
        if response.status != 401 {
            return Ok(response);
        }
        self.identity.invalidate();
        let token = self.token()?;
        self.transport.send(&with_token(request, &token))
    }

    /// RackConnect v3's endpoint in `region`, from the catalog (type `rax:rackconnect`).
    ///
    /// Errors: [`Error::InvalidInput`] naming the region when the account has no RackConnect
    /// v3 there; Identity's errors.
    pub fn v3_endpoint(&mut self, region: Region) -> Result<V3Endpoint> {
        let access = self.access()?;
        let endpoint = access.rackconnect_endpoint(region).ok_or_else(|| {
            Error::invalid(
                "region",
                "a region where the account has RackConnect v3 (a rax:rackconnect endpoint in the catalog)",
                region.lower(),
            )
        })?;
        Ok(V3Endpoint::BaseUrl(BaseUrl::new("endpoint", &endpoint.public_url)?))
    }

    /// Cloud Servers' endpoint in `region`, from the catalog (type `compute`).
    ///
    /// Errors: [`Error::InvalidInput`] naming the region when the account has no Cloud Servers
    /// there; Identity's errors.
    pub fn servers_endpoint(&mut self, region: Region) -> Result<ServersEndpoint> {
        let access = self.access()?;
        let endpoint = access.compute_endpoint(region).ok_or_else(|| {
            Error::invalid(
                "region",
                "a region where the account has Cloud Servers (a compute endpoint in the catalog)",
                region.lower(),
            )
        })?;
        Ok(ServersEndpoint::BaseUrl(BaseUrl::new("endpoint", &endpoint.public_url)?))
    }

    /// A Cloud Servers client for `region` (endpoint from the catalog).
    pub fn servers(&mut self, region: Region) -> Result<ServersClient<'_>> {
        let endpoint = self.servers_endpoint(region)?;
        Ok(ServersClient::new(self, endpoint))
    }

    /// A RackConnect v3 client for `region` (endpoint from the catalog).
    pub fn v3(&mut self, region: Region) -> Result<V3Client<'_>> {
        let endpoint = self.v3_endpoint(region)?;
        Ok(V3Client::new(self, endpoint))
    }
}

/// A copy of `request` whose only `X-Auth-Token` is `token`.
fn with_token(request: &Request, token: &Token) -> Request {
    let mut request = request.clone();
    request.headers.retain(|(name, _)| !name.eq_ignore_ascii_case("x-auth-token"));
    request.headers.push(("X-Auth-Token".to_owned(), token.expose().to_owned()));
    request
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocking::HttpConfig;
    use crate::{ApiKey, Response};

    fn access(token: &str, expires: &str) -> Access {
        let body = format!(
            r#"{{"access": {{"token": {{"id": "{token}", "expires": "{expires}"}}, "serviceCatalog": [], "user": {{"name": "demo"}}}}}}"#
        );
        identity::parse_token(&Response::new(200, body)).unwrap_or_else(|e| panic!("{e}"))
    }

    fn client() -> IdentityClient {
        let credentials = Credentials::ApiKey { username: "demo".into(), api_key: ApiKey::new("sekrit-api-key") };
        IdentityClient::new(IdentityEndpoint::Us, credentials, Some(TenantScope::Id("123456".into())))
    }

    #[test]
    fn fresh_until_five_minutes_before_expiry() {
        let mut identity = client();
        assert!(!identity.is_fresh(), "nothing cached");
        identity.cached = Some(access("tok", "2999-01-01T00:00:00Z"));
        assert!(identity.is_fresh());
        let soon = wall_clock_ms() + REFRESH_MARGIN_MS - 10_000;
        let soon = crate::Timestamp::from_unix(soon / 1000, 0).to_string();
        identity.cached = Some(access("tok", &soon));
        assert!(!identity.is_fresh(), "expires within the margin");
        assert!(identity.cached().is_some(), "still readable");
        identity.invalidate();
        assert!(identity.cached().is_none());
    }

    #[test]
    fn the_token_header_is_replaced_not_added() {
        let endpoint =
            crate::v3::V3Endpoint::Region(Region::Dfw, crate::TenantId::new("1").unwrap_or_else(|e| panic!("{e}")));
        let request = crate::v3::list_pools(&endpoint, &Token::new("old")).unwrap_or_else(|e| panic!("{e}"));
        let sent = with_token(&request, &Token::new("new"));
        let tokens: Vec<&str> = sent
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("x-auth-token"))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(tokens, ["new"]);
    }

    #[test]
    fn secrets_never_print() {
        let mut identity = client();
        identity.cached = Some(access("tok-0123abcd", "2999-01-01T00:00:00Z"));
        let session = Session::new(Transport::new(HttpConfig::default()), identity);
        let shown = format!("{session:?} {:?} {:#?}", session.identity(), session);
        for secret in ["tok-0123abcd", "sekrit-api-key"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("demo") && shown.contains("2999-01-01"), "{shown}");
    }
}
