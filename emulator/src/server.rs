//! The emulator as a server: the [`engine`](crate::engine) behind the tokio/hyper shell
//! ([`http`](crate::http)), on a thread of its own.

use std::io;
use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, MutexGuard};
use std::thread::JoinHandle;

use crate::engine::{self, Engine};
use crate::http::{self, RealClock};
use crate::scenario::Scenario;
use crate::world::World;

/// How to run the emulator.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where to listen (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Answer CORS preflights and add CORS headers, for browser consoles.
    pub cors: bool,
    /// Emulated seconds per real second; overrides the scenario's `timings.clock_speed`.
    pub clock_speed: Option<f64>,
    /// Seeds generated ids, addresses and fault draws; overrides the scenario's `seed`.
    pub seed: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Self { listen: SocketAddr::from(([127, 0, 0, 1], 0)), cors: false, clock_speed: None, seed: None }
    }
}

/// A running emulator. Dropping it stops it.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    engine: Arc<std::sync::Mutex<Engine>>,
    clock: RealClock,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// The world of a running emulator, locked (requests wait while it is held). Its clock has been
/// told the real time.
#[derive(Debug)]
pub struct WorldGuard<'a>(MutexGuard<'a, Engine>);

impl Deref for WorldGuard<'_> {
    type Target = World;

    fn deref(&self) -> &World {
        self.0.world()
    }
}

impl DerefMut for WorldGuard<'_> {
    fn deref_mut(&mut self) -> &mut World {
        self.0.world_mut()
    }
}

impl Emulator {
    /// Binds, then serves on a thread of its own until stopped.
    pub fn start(scenario: Scenario, options: Options) -> io::Result<Emulator> {
        let listener = std::net::TcpListener::bind(options.listen)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let clock = RealClock::new();
        let config = engine::Config { cors: options.cors, clock_speed: options.clock_speed, seed: options.seed };
        let engine = Arc::new(std::sync::Mutex::new(Engine::new(scenario, config, clock.now())));
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        let (shutdown, stopped) = tokio::sync::oneshot::channel();
        let shared = engine.clone();
        let thread = std::thread::Builder::new().name("rackconnect-emulator".into()).spawn(move || {
            runtime.block_on(async move {
                match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => http::serve(listener, shared, clock, stopped).await,
                    Err(e) => eprintln!("rackconnect-emulator: cannot serve: {e}"),
                }
            });
        })?;
        Ok(Emulator { addr, engine, clock, shutdown: Some(shutdown), thread: Some(thread) })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR:PORT`: the Identity URL, the v2 base URL and the root of everything else.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The engine, locked, its clock told the real time: for in-process inspection and control.
    pub fn engine(&self) -> MutexGuard<'_, Engine> {
        let mut engine = http::lock(&self.engine);
        engine.tell(self.clock.now());
        engine
    }

    /// The world, for in-process inspection and control.
    pub fn world(&self) -> WorldGuard<'_> {
        WorldGuard(self.engine())
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
