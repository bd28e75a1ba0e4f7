//! Tokens and sessions: the core's [`Auth`] held for the blocking driver, and every call run as an
//! [`Exchange`].

use std::fmt;
use std::sync::atomic::AtomicBool;

use super::clients::{ServersClient, V3Client};
use super::driver::{drive, random_seed};
use super::transport::Transport;
use crate::client::{self, Auth, Exchange, ExchangeConfig, Service, SignIn, Task};
use crate::error::Result;
use crate::id::Region;
use crate::identity::{Access, Credentials, IdentityEndpoint, TenantScope};
use crate::secret::Token;
use crate::servers::ServersEndpoint;
use crate::v3::V3Endpoint;
use crate::wait::{Event, RateBudget};

/// A cached token is renewed this long before Identity says it expires.
pub const REFRESH_MARGIN_MS: i64 = client::defaults::REFRESH_MARGIN_MS as i64;

/// Who signs in where, with the cached answer: the core's [`Auth`] (the token cached until
/// [`REFRESH_MARGIN_MS`] before it expires).
///
/// Its `Debug` form names the endpoint, the user and the token's expiry, never a credential.
#[derive(Clone)]
pub struct IdentityClient {
    auth: Auth,
}

impl fmt::Debug for IdentityClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdentityClient").field(&self.auth).finish()
    }
}

impl IdentityClient {
    /// A client for `endpoint` that authenticates with `credentials`, optionally scoped to a
    /// tenant. It asks for nothing until a token is needed.
    pub fn new(endpoint: IdentityEndpoint, credentials: Credentials, tenant: Option<TenantScope>) -> Self {
        Self { auth: Auth::new(endpoint, credentials, tenant) }
    }

    /// The Identity endpoint.
    pub fn endpoint(&self) -> &IdentityEndpoint {
        self.auth.endpoint()
    }

    /// The last answer, if any, even when it is about to expire.
    pub fn cached(&self) -> Option<&Access> {
        self.auth.access()
    }

    /// Forgets the cached token (to force a new one).
    pub fn invalidate(&mut self) {
        self.auth.invalidate();
    }

    /// The authentication state.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }
}

/// A [`Transport`] and an [`IdentityClient`]: everything needed to call the token APIs (Cloud
/// Servers and RackConnect v3). Every call is an [`Exchange`] of the core, driven by
/// [`drive`](super::drive): the core signs in, renews, finds endpoints and retries; this only
/// sends and sleeps.
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

    /// Runs `task` in `region` (`None`: the user's default region) to its end, sharing this
    /// session's token (renewed when the exchange signs in again).
    pub fn run<T: Task>(
        &mut self,
        task: T,
        region: Option<Region>,
        cancel: &AtomicBool,
        on_event: impl FnMut(&Event),
    ) -> Result<T::Output> {
        let budget = Exchange::<T>::budget_for(task.budget_kind());
        self.run_with_budget(task, region, budget, cancel, on_event).0
    }

    /// [`Session::run`] with a given rate budget, handed back with the result.
    pub fn run_with_budget<T: Task>(
        &mut self,
        task: T,
        region: Option<Region>,
        budget: RateBudget,
        cancel: &AtomicBool,
        on_event: impl FnMut(&Event),
    ) -> (Result<T::Output>, RateBudget) {
        let config = ExchangeConfig { region, seed: random_seed(), ..ExchangeConfig::default() };
        let mut exchange = Exchange::new(task, Some(self.identity.auth.clone()), budget, config);
        let result = drive(&mut exchange, &self.transport, cancel, on_event);
        if let Some(auth) = exchange.auth() {
            self.identity.auth.adopt(auth);
        }
        (result, exchange.budget().clone())
    }

    /// The Identity answer (token, catalog, roles), cached while fresh.
    pub fn access(&mut self) -> Result<Access> {
        self.run(SignIn::new(), None, &AtomicBool::new(false), |_| {})
    }

    /// The current token.
    pub fn token(&mut self) -> Result<Token> {
        Ok(self.access()?.token.id)
    }

    /// Forgets the cached token.
    pub fn invalidate(&mut self) {
        self.identity.invalidate();
    }

    fn endpoint(&mut self, region: Region, service: Service) -> Result<crate::BaseUrl> {
        client::endpoint(&self.access()?, Some(region), service)
    }

    /// RackConnect v3's endpoint in `region`, from the catalog (type `rax:rackconnect`).
    ///
    /// Errors: [`Error::InvalidInput`](crate::Error::InvalidInput) naming the region when the
    /// account has no RackConnect v3 there; an `insecure_url` transport error when the catalog
    /// gives a plain-http URL to a host that is not loopback; Identity's errors.
    pub fn v3_endpoint(&mut self, region: Region) -> Result<V3Endpoint> {
        self.endpoint(region, Service::RackConnect).map(V3Endpoint::BaseUrl)
    }

    /// Cloud Servers' endpoint in `region`, from the catalog (type `compute`); errors as
    /// [`Session::v3_endpoint`].
    pub fn servers_endpoint(&mut self, region: Region) -> Result<ServersEndpoint> {
        self.endpoint(region, Service::Compute).map(ServersEndpoint::BaseUrl)
    }

    /// A Cloud Servers client for `region` (endpoint from the catalog).
    pub fn servers(&mut self, region: Region) -> Result<ServersClient<'_>> {
        self.servers_endpoint(region)?;
        Ok(ServersClient::new(self, region))
    }

    /// A RackConnect v3 client for `region` (endpoint from the catalog).
    pub fn v3(&mut self, region: Region) -> Result<V3Client<'_>> {
        self.v3_endpoint(region)?;
        Ok(V3Client::new(self, region))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocking::HttpConfig;
    use crate::{ApiKey, Response, identity};

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
    fn secrets_never_print() {
        let mut identity = client();
        identity.auth.store(access("tok-0123abcd", "2999-01-01T00:00:00Z"));
        let session = Session::new(Transport::new(HttpConfig::default()), identity);
        let shown = format!("{session:?} {:?} {:#?}", session.identity(), session);
        for secret in ["tok-0123abcd", "sekrit-api-key"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("demo") && shown.contains("2999-01-01"), "{shown}");
    }
}
