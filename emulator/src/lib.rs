//! # rackconnect-emulator
//!
//! A faithful local RackConnect: Identity v2.0 (and v1.0 auth), RackConnect v2.0 (servers known
//! by their source address on loopback), RackConnect v3.0 and Cloud Servers (servers and their
//! metadata, flavors, images, as Nova clients read them), served over real HTTP on 127.0.0.1.
//! Tests in this repository, and users' own tests and OpenStack clients, run against it.
//!
//! ```no_run
//! # #[cfg(feature = "server")] {
//! use rackconnect_emulator::{Emulator, Options, Scenario};
//!
//! let emulator = Emulator::start(Scenario::demo(), Options::default())?;
//! println!("Identity at {}/v2.0/tokens", emulator.url());
//! # }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Two layers:
//!
//! - [`engine`]: the whole emulator without I/O. An [`Engine`] owns the world (accounts, servers,
//!   pools, nodes, public IPs, tokens), the emulated clock, the injected faults and the request
//!   log; it takes a request and the real time and gives the answer, or an instruction for the
//!   I/O it cannot do itself (wait, close, cut the body short). It has no socket, thread or clock
//!   of its own, and builds for `wasm32-unknown-unknown` without default features.
//! - With the default `server` feature, `Emulator`: a thin tokio/hyper shell around the engine
//!   (module `http`), and the `rackconnect-emulator` binary.
//!
//! What it serves, its scenario format and its control API are described in
//! `emulator/README.md`.

#![forbid(unsafe_code)]

pub mod automation;
pub mod clock;
pub mod engine;
pub mod host;
#[cfg(feature = "server")]
pub mod http;
pub mod reply;
pub mod routes;
pub mod scenario;
#[cfg(feature = "server")]
mod server;
pub mod snapshot;
pub mod transitions;
pub mod world;

pub use engine::Engine;
pub use scenario::Scenario;
#[cfg(feature = "server")]
pub use server::{Emulator, Options, WorldGuard};
pub use world::World;
