//! The tokio/hyper shell around the [`engine`]: HTTP/1.1 on a real socket, many
//! clients at once. It only does I/O and time: it reads each request (bounded in time, and in
//! size as the engine's [`body_plan`] says), hands it to the engine with the real time, carries
//! out a delay, reset or truncation the engine asks for, and writes the answer.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::clock::RealTime;
use crate::engine::{
    self, BODY_TIMEOUT, BodyPlan, Disposition, Engine, HEADER_TIMEOUT, Step, accept_backoff, body_plan,
};

type ResponseBody = BoxBody<Bytes, io::Error>;

/// The shared engine, recovering from a poisoned lock (a panicking handler must not wedge the
/// emulator for everyone else).
pub fn lock(engine: &Mutex<Engine>) -> MutexGuard<'_, Engine> {
    engine.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The real time, for the engine: the wall clock when started, moved on by a monotonic clock (so
/// that a wall clock set back never moves the emulated time back).
#[derive(Clone, Copy, Debug)]
pub struct RealClock {
    wall_at_start: RealTime,
    started: Instant,
}

impl RealClock {
    /// Starts at the wall-clock time now.
    pub fn new() -> Self {
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros());
        RealClock {
            wall_at_start: RealTime::from_unix_micros(i64::try_from(wall).unwrap_or(0)),
            started: Instant::now(),
        }
    }

    /// The real time now.
    pub fn now(&self) -> RealTime {
        let elapsed = i64::try_from(self.started.elapsed().as_micros()).unwrap_or(i64::MAX);
        RealTime::from_unix_micros(self.wall_at_start.unix_micros().saturating_add(elapsed))
    }
}

impl Default for RealClock {
    fn default() -> Self {
        Self::new()
    }
}

/// Serves until `shutdown` fires.
pub async fn serve(
    listener: TcpListener,
    engine: Arc<Mutex<Engine>>,
    clock: RealClock,
    mut shutdown: oneshot::Receiver<()>,
) {
    // After a failed accept, wait before the next (`accept_backoff`).
    let mut pause = Duration::ZERO;
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => {
                        pause = Duration::ZERO;
                        accepted
                    }
                    Err(_) => {
                        pause = accept_backoff(pause);
                        tokio::time::sleep(pause).await;
                        continue;
                    }
                };
                let engine = engine.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(req, peer, engine.clone(), clock));
                    // A client that hangs up, or an injected reset, ends the connection; neither
                    // concerns anyone else. A head that does not arrive in time (a slow or idle
                    // client) ends it too.
                    let _closed = http1::Builder::new()
                        .timer(hyper_util::rt::TokioTimer::new())
                        .header_read_timeout(HEADER_TIMEOUT)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

/// A body that sends its first part, then fails, so the connection closes mid-body. It pauses
/// before failing: hyper writes what it has only when the body stops producing, and drops the
/// buffer if the failure comes at once.
struct Truncated {
    part: Option<Bytes>,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body for Truncated {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if let Some(data) = this.part.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        let pause = this.pause.get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(50))));
        match pause.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(Some(Err(io::Error::other("injected truncation")))),
        }
    }
}

/// Writes the engine's answer as its disposition says.
fn to_response(answer: engine::Response) -> Result<Response<ResponseBody>, io::Error> {
    let mut builder = Response::builder().status(answer.status);
    for (name, value) in &answer.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = match answer.disposition {
        // An error from the service makes hyper close the connection without answering.
        Disposition::Reset => return Err(io::Error::other("injected connection reset")),
        Disposition::Truncate { at } => {
            let length = answer.body.len();
            builder = builder.header("Content-Length", length.to_string());
            let part = Bytes::from(answer.body).slice(..at.min(length));
            Truncated { part: Some(part), pause: None }.boxed()
        }
        Disposition::Complete => {
            Full::new(Bytes::from(answer.body)).map_err(|never: Infallible| match never {}).boxed()
        }
    };
    builder.body(body).map_err(io::Error::other)
}

async fn handle(
    req: Request<Incoming>,
    peer: SocketAddr,
    engine: Arc<Mutex<Engine>>,
    clock: RealClock,
) -> Result<Response<ResponseBody>, io::Error> {
    let method = req.method().as_str().to_owned();
    let target = req.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let base_url = headers
        .iter()
        .find(|(n, _)| n == "host")
        .map_or_else(|| format!("http://{peer}"), |(_, host)| format!("http://{host}"));
    let body = match body_plan(&headers) {
        BodyPlan::Refuse => engine::Body::TooLarge,
        BodyPlan::Read { limit } => {
            match tokio::time::timeout(BODY_TIMEOUT, Limited::new(req.into_body(), limit).collect()).await {
                Ok(Ok(collected)) => engine::Body::Complete(Vec::from(collected.to_bytes())),
                Ok(Err(_)) => engine::Body::TooLarge,
                Err(_) => engine::Body::TimedOut,
            }
        }
    };
    let request = engine::Request { method, target, headers, body, source_ip: peer.ip().to_string(), base_url };
    let step = lock(&engine).handle(request, clock.now());
    let answer = match step {
        Step::Answer(answer) => answer,
        Step::Wait { delay_ms, held } => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            lock(&engine).resume(held, clock.now())
        }
    };
    to_response(answer)
}
