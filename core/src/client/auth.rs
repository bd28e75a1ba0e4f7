//! Authentication: the credentials, the cached Identity answer, and when it must be renewed.

use std::fmt;

use super::defaults::REFRESH_MARGIN_MS;
use crate::error::Result;
use crate::http::Request;
use crate::identity::{self, Access, Credentials, IdentityEndpoint, TenantScope};
use crate::secret::Token;
use crate::wait::Millis;

/// Who signs in, where, and the last answer. An [`Exchange`](super::Exchange) holds one while
/// it runs and hands it back renewed, so a driver keeps one per account and every call shares
/// its token.
///
/// Its `Debug` form names the endpoint, the user and the token's expiry, never a credential.
#[derive(Clone)]
pub struct Auth {
    endpoint: IdentityEndpoint,
    credentials: Credentials,
    tenant: Option<TenantScope>,
    access: Option<Access>,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("endpoint", &self.endpoint)
            .field("username", &self.credentials.username())
            .field("tenant", &self.tenant)
            .field("token_expires", &self.access.as_ref().map(|a| a.token.expires.to_string()))
            .finish()
    }
}

impl Auth {
    /// Credentials for `endpoint`, optionally scoped to a tenant; nothing cached yet. An
    /// exchange checks them before its first sign-in ([`Auth::check`]).
    pub fn new(endpoint: IdentityEndpoint, credentials: Credentials, tenant: Option<TenantScope>) -> Self {
        Self { endpoint, credentials, tenant, access: None }
    }

    /// Checks now what would stop a sign-in before anything is sent: a user name Identity cannot
    /// take ([`Error::InvalidInput`](crate::Error::InvalidInput)), or an Identity URL that breaks
    /// the transport rule (`insecure_url`). Both are configuration errors.
    pub fn check(&self) -> Result<()> {
        super::url_rule::check(&self.token_request()?)
    }

    /// The Identity endpoint.
    pub fn endpoint(&self) -> &IdentityEndpoint {
        &self.endpoint
    }

    /// The user name.
    pub fn username(&self) -> &str {
        self.credentials.username()
    }

    /// The last Identity answer, even when it is about to expire.
    pub fn access(&self) -> Option<&Access> {
        self.access.as_ref()
    }

    /// The cached answer while its token is good for at least [`REFRESH_MARGIN_MS`] more at
    /// `now` (Unix milliseconds).
    pub fn fresh_access(&self, now: Millis) -> Option<&Access> {
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        let margin = i64::try_from(REFRESH_MARGIN_MS).unwrap_or(0);
        self.access.as_ref().filter(|a| now < a.token.expires.unix_millis().saturating_sub(margin))
    }

    /// Keeps a new answer.
    pub fn store(&mut self, access: Access) {
        self.access = Some(access);
    }

    /// Forgets the cached answer (to force a new sign-in).
    pub fn invalidate(&mut self) {
        self.access = None;
    }

    /// Takes `other`'s answer when it is newer (it expires later): what a driver does when an
    /// exchange it ran has signed in again.
    pub fn adopt(&mut self, other: &Auth) {
        if let Some(theirs) = &other.access {
            let newer = self.access.as_ref().is_none_or(|mine| theirs.token.expires > mine.token.expires);
            if newer {
                self.access = Some(theirs.clone());
            }
        }
    }

    /// The token request (`POST /v2.0/tokens`; its `Debug` form hides the credentials).
    pub fn token_request(&self) -> Result<Request> {
        identity::token(&self.endpoint, &self.credentials, self.tenant.as_ref())
    }

    /// The request that revokes the cached token, if there is one.
    pub fn revoke_request(&self) -> Result<Option<Request>> {
        self.access.as_ref().map(|a| identity::revoke_token(&self.endpoint, &a.token.id)).transpose()
    }

    pub(crate) fn token(&self) -> Option<&Token> {
        self.access.as_ref().map(|a| &a.token.id)
    }
}
