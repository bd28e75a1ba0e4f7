//! # rackconnect-emulator
//!
//! A faithful local RackConnect: Identity v2.0 (and v1.0 auth), RackConnect v2.0 (servers known
//! by their source address on loopback), RackConnect v3.0 and Cloud Servers metadata, served over
//! real HTTP on 127.0.0.1. Tests in this repository, and users' own tests, run against it.
//!
//! ```no_run
//! use rackconnect_emulator::{Emulator, Options, Scenario};
//!
//! let emulator = Emulator::start(Scenario::demo(), Options::default())?;
//! println!("Identity at {}/v2.0/tokens", emulator.url());
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! What it serves, its scenario format and its control API are described in
//! `emulator/README.md`.

#![forbid(unsafe_code)]

pub mod automation;
pub mod clock;
pub mod http;
pub mod reply;
pub mod routes;
pub mod scenario;
pub mod world;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

pub use scenario::Scenario;
pub use world::World;

/// How to run the emulator.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where to listen (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Answer CORS preflights and add CORS headers, for browser consoles.
    pub cors: bool,
    /// Emulated seconds per real second; overrides the scenario's `timings.clock_speed`.
    pub clock_speed: Option<f64>,
}

impl Default for Options {
    fn default() -> Self {
        Self { listen: SocketAddr::from(([127, 0, 0, 1], 0)), cors: false, clock_speed: None }
    }
}

/// A running emulator. Dropping it stops it.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    world: Arc<Mutex<World>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds, then serves on a thread of its own until stopped.
    pub fn start(scenario: Scenario, options: Options) -> io::Result<Emulator> {
        let listener = std::net::TcpListener::bind(options.listen)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let world = Arc::new(Mutex::new(World::new(scenario, options.clock_speed)));
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        let (shutdown, stopped) = tokio::sync::oneshot::channel();
        let shared = world.clone();
        let thread = std::thread::Builder::new().name("rackconnect-emulator".into()).spawn(move || {
            runtime.block_on(async move {
                match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => http::serve(listener, shared, options.cors, stopped).await,
                    Err(e) => eprintln!("rackconnect-emulator: cannot serve: {e}"),
                }
            });
        })?;
        Ok(Emulator { addr, world, shutdown: Some(shutdown), thread: Some(thread) })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR:PORT`: the Identity URL, the v2 base URL and the root of everything else.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The world, for in-process inspection and control.
    pub fn world(&self) -> MutexGuard<'_, World> {
        http::lock(&self.world)
    }

    /// Blocks until the emulator stops (it stops when dropped from another thread, or never).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _joined = thread.join();
        }
    }

    /// Stops serving and waits for the server thread.
    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _already_stopped = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _joined = thread.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}
