//! # rackconnect
//!
//! A sans-IO client core for Rackspace RackConnect: it builds every request and reads every
//! response of RackConnect v2.0 (asked from the server itself), Cloud Servers metadata, Identity
//! v2.0 (and first-generation v1.0 auth) and RackConnect v3.0. It opens no socket, reads no clock
//! and no environment: you send the [`Request`] with any HTTP client and hand back the
//! [`Response`]. It builds for `wasm32-unknown-unknown`.
//!
//! ```
//! use rackconnect::{identity, v3, Region, Response, ApiKey};
//! use rackconnect::identity::{Credentials, IdentityEndpoint};
//!
//! // 1. Build: a token request. Its Debug form never shows the key.
//! let creds = Credentials::ApiKey { username: "demo".into(), api_key: ApiKey::new("demo-api-key") };
//! let request = identity::token(&IdentityEndpoint::Us, &creds, None)?;
//! assert_eq!(request.method.as_str(), "POST");
//!
//! // 2. Send it with any HTTP client; here, a canned answer.
//! let answer = Response::new(200, r#"{"access": {
//!     "token": {"id": "0123abcd", "expires": "2026-11-23T16:24:57.637Z", "tenant": {"id": "123456", "name": "123456"}},
//!     "serviceCatalog": [{"name": "rackconnect", "type": "rax:rackconnect", "endpoints": [
//!         {"region": "DFW", "tenantId": "123456", "publicURL": "https://dfw.rackconnect.api.rackspacecloud.com/v3/123456"}]}],
//!     "user": {"id": "1", "name": "demo", "roles": [{"name": "rackconnect:v3-DFW"}]}}}"#);
//!
//! // 3. Parse: typed, validated, and the token stays secret when printed.
//! let access = identity::parse_token(&answer)?;
//! assert!(access.has_rackconnect_v3(Region::Dfw));
//! let endpoint = access.rackconnect_endpoint(Region::Dfw).expect("RCv3 in DFW");
//! assert!(endpoint.public_url.ends_with("/v3/123456"));
//! assert!(!format!("{access:?}").contains("0123abcd"));
//!
//! // 4. Build the next request with what was parsed.
//! let v3_endpoint = v3::V3Endpoint::BaseUrl(rackconnect::BaseUrl::new("endpoint", &endpoint.public_url)?);
//! let pools = v3::list_pools(&v3_endpoint, &access.token.id)?;
//! assert_eq!(pools.url, "https://dfw.rackconnect.api.rackspacecloud.com/v3/123456/load_balancer_pools");
//! # Ok::<(), rackconnect::Error>(())
//! ```
//!
//! ## What is here
//! - [`v2`]: RackConnect v2.0 (status, details, gateway IP, features) in text, JSON and XML.
//! - [`servers`]: Cloud Servers (show, metadata, one item, servers/detail) and [`servers::v1`] auth.
//! - [`identity`]: Identity v2.0 tokens, the catalog, roles and faults.
//! - [`v3`]: RackConnect v3.0, all 18 operations, with 409 conflicts classified.
//! - [`ensure`]: idempotent pool membership and public IP planners, with a dry-run plan.
//! - [`wait`]: waiters as sans-IO state machines (v2, metadata, v3 nodes and public IPs).
//! - [`ops`]: every operation by name, JSON in and JSON out (what the bindings and corpus use).
//! - [`client`]: every decision a client makes (sign-in and renewal, endpoints, retries and
//!   backoff, paging, timeouts, the https-or-loopback rule) as one sans-IO machine, `Exchange`.
//! - `blocking` (feature `blocking`): a driver for those machines (ureq, rustls, a real clock).
//!   Not for wasm32.
//! - Feature `exact-numbers`: numbers in kept unknown fields keep every digit (serde_json's
//!   `arbitrary_precision`); off by default, on in the CLI and Python.
//!
//! ## What is not
//! No I/O, no TLS, no clock: a driver sends, sleeps and reports what happened. Every parser bounds the
//! body's size ([`MAX_BODY_BYTES`]) and nesting ([`MAX_DEPTH`]), refuses XML with a `<!DOCTYPE>`,
//! and answers a value or an [`Error`], never a panic.

#![forbid(unsafe_code)]
// docs.rs (nightly, `--cfg docsrs`) labels feature-gated items such as `blocking`.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
mod fault;
mod format;
mod http;
mod id;
mod open_enum;
mod secret;
mod time;

#[cfg(feature = "blocking")]
pub mod blocking;
pub mod client;
pub mod ensure;
pub mod identity;
pub mod inventory;
pub mod ops;
#[cfg(feature = "schema")]
pub mod schema;
pub mod servers;
pub mod unknown;
pub mod v2;
pub mod v3;
pub mod wait;

// The crate's README (its page on crates.io) runs as doctests, so it cannot drift from the code.
// It is the crate's own file, so the doctests also run from the published `.crate`.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use error::{ApiError, ApiErrorKind, Error, ErrorClass, Result};
pub use format::{MAX_BODY_BYTES, MAX_DEPTH};
pub use http::{Method, Request, Response, is_sensitive_header};
pub use id::{BaseUrl, MetadataKey, NetworkId, NodeId, PoolId, PublicIpId, Region, ServerId, TenantId};
pub use secret::{ApiKey, Password, REDACTED, Token};
pub use time::Timestamp;
