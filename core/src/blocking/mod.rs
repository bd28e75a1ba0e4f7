//! A blocking client over the sans-IO core (feature `blocking`): HTTP/1.1 with ureq and rustls,
//! Identity tokens cached and renewed, thin clients for every operation, and a runner that
//! drives the [`wait`](crate::wait) machines with a real clock.
//!
//! - [`Transport`]: sends a core [`Request`](crate::Request) and returns the
//!   [`Response`](crate::Response), whatever its status; HTTPS only (plain HTTP to loopback
//!   for emulators), connect and read timeouts, a body cap, an optional source address (v2
//!   knows servers by it), no retries.
//! - [`drive`]: the Rust driver of the core's [driver contract](crate::client): it runs an
//!   [`Exchange`](crate::client::Exchange) with a real clock, real sleeps and this transport,
//!   and decides nothing itself.
//! - [`IdentityClient`] and [`Session`]: the core's [`Auth`](crate::client::Auth) kept between
//!   calls; [`Session::run`] runs any [`Task`](crate::client::Task) in a region.
//! - [`V2Client`], [`ServersClient`], [`V3Client`]: one method per operation, each an exchange
//!   (the core retries a read once, a create on the post-build 409, a change never).
//! - [`wait_v2`], [`wait_metadata`], [`V3Client::wait_nodes`] and [`V3Client::wait_public_ip`]
//!   are the common waits; [`Session::ensure_pool_members`] and [`Session::ensure_public_ip`]
//!   run the planners; [`run`] runs a machine built by hand.
//!
//! Failures to carry a request are [`Error::Transport`](crate::Error::Transport) (kinds
//! `insecure_url`, `connect`, `timeout`, `io`, `too_large`). No credential appears in any
//! `Debug` or `Display` form or error.
//!
//! ```no_run
//! use std::sync::atomic::AtomicBool;
//! use rackconnect::blocking::{HttpConfig, IdentityClient, Session, Transport, V2Client};
//! use rackconnect::identity::{Credentials, IdentityEndpoint};
//! use rackconnect::v2::V2Endpoint;
//! use rackconnect::wait::{Outcome, RateBudget, WaitConfig};
//! use rackconnect::{ApiKey, Region, ServerId};
//!
//! // On the server itself: wait for RackConnect v2 automation.
//! let v2 = V2Client::new(Transport::new(HttpConfig::default()), V2Endpoint::Region(Region::Dfw));
//! let cancel = AtomicBool::new(false);
//! let result = v2.wait(WaitConfig::default(), &mut RateBudget::v2(), &cancel, |event| eprintln!("{event:?}"))?;
//! assert_eq!(result.outcome, Outcome::Done);
//!
//! // From anywhere, with a token: the pools, and a server's metadata.
//! let creds = Credentials::ApiKey { username: "demo".into(), api_key: ApiKey::new("…") };
//! let identity = IdentityClient::new(IdentityEndpoint::Us, creds, None);
//! let mut session = Session::new(Transport::new(HttpConfig::default()), identity);
//! let pools = session.v3(Region::Dfw)?.list_pools()?;
//! let server = session.servers(Region::Dfw)?.show_server(&ServerId::new("0000-…")?)?;
//! println!("{} pools; reach the server at {:?}", pools.len(), server.access_ipv4);
//! # Ok::<(), rackconnect::Error>(())
//! ```

#![cfg_attr(docsrs, doc(cfg(feature = "blocking")))]

mod clients;
mod driver;
mod ensure;
mod identity;
mod runner;
pub mod settings;
mod shared_budget;
mod transport;

pub use crate::client::{MetadataWait, NodesWait, PublicIpWait};
pub use clients::{POST_BUILD_RETRY_MS, ServersClient, V2Client, V3Client};
pub use driver::{Io, SLEEP_SLICE_MS, drive, drive_with, random_seed};
pub use identity::{IdentityClient, REFRESH_MARGIN_MS, Session};
pub use runner::{run, wait_metadata, wait_v2};
pub use shared_budget::SharedBudget;
pub use transport::{HttpConfig, HttpTrace, TraceObserver, Transport};
