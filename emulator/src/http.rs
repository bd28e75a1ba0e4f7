//! Serving the world over HTTP/1.1 on a real socket, many clients at once: body limits, CORS,
//! injected faults (status, delay, reset, truncated body) and the request log.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

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

use crate::reply::Reply;
use crate::routes::{self, CONTROL_PREFIX, Call, control};
use crate::world::{LogEntry, World};

/// The largest request body accepted (413 above).
pub const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// How long a client may take to send a request's head (a slow or idle connection is closed).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client may take to send a request's body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

type ResponseBody = BoxBody<Bytes, io::Error>;

/// The shared world, recovering from a poisoned lock (a panicking handler must not wedge the
/// emulator for everyone else).
pub fn lock(world: &Mutex<World>) -> MutexGuard<'_, World> {
    world.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Serves until `shutdown` fires.
pub async fn serve(listener: TcpListener, world: Arc<Mutex<World>>, cors: bool, mut shutdown: oneshot::Receiver<()>) {
    // After a failed accept (out of descriptors, most often), wait before the next: 10 ms,
    // doubling to a second, so the loop never spins a core while the condition lasts.
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
                        pause = (pause * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                        tokio::time::sleep(pause).await;
                        continue;
                    }
                };
                let world = world.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(req, peer, world.clone(), cors));
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

fn full(body: Vec<u8>) -> ResponseBody {
    Full::new(Bytes::from(body)).map_err(|never: Infallible| match never {}).boxed()
}

/// A body that sends its first half, then fails, so the connection closes mid-body. It pauses
/// before failing: hyper writes what it has only when the body stops producing, and drops the
/// buffer if the failure comes at once.
struct Truncated {
    half: Option<Bytes>,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body for Truncated {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if let Some(data) = this.half.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        let pause = this.pause.get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(50))));
        match pause.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(Some(Err(io::Error::other("injected truncation")))),
        }
    }
}

fn cors_headers(reply: Reply) -> Reply {
    reply
        .with_header("Access-Control-Allow-Origin", "*")
        .with_header("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS")
        .with_header("Access-Control-Allow-Headers", "X-Auth-Token, Content-Type, Accept")
        .with_header(
            "Access-Control-Expose-Headers",
            "X-Auth-Token, X-Server-Management-Url, WWW-Authenticate, Retry-After",
        )
        .with_header("Access-Control-Max-Age", "600")
}

fn to_response(reply: Reply, truncate: bool) -> Result<Response<ResponseBody>, io::Error> {
    let mut builder = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = if truncate && reply.body.len() > 1 {
        let length = reply.body.len();
        builder = builder.header("Content-Length", length.to_string());
        let half = Bytes::from(reply.body).slice(..length / 2);
        Truncated { half: Some(half), pause: None }.boxed()
    } else {
        full(reply.body)
    };
    builder.body(body).map_err(io::Error::other)
}

async fn handle(
    req: Request<Incoming>,
    peer: SocketAddr,
    world: Arc<Mutex<World>>,
    cors: bool,
) -> Result<Response<ResponseBody>, io::Error> {
    let method = req.method().as_str().to_owned();
    let target = req.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let base_url = headers
        .iter()
        .find(|(n, _)| n == "host")
        .map_or_else(|| format!("http://{peer}"), |(_, host)| format!("http://{host}"));
    let finish = |reply: Reply| if cors { cors_headers(reply) } else { reply };
    if method == "OPTIONS" && cors {
        return to_response(finish(Reply::empty(204)), false);
    }
    let too_large = || Reply::fault(413, "overLimit", &format!("Request body larger than {MAX_REQUEST_BODY} bytes"));
    // A declared length over the limit is refused before a byte of the body is read.
    let declared = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_REQUEST_BODY as u64) {
        return to_response(finish(too_large()), false);
    }
    let body = match tokio::time::timeout(BODY_TIMEOUT, Limited::new(req.into_body(), MAX_REQUEST_BODY).collect()).await
    {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(_)) => return to_response(finish(too_large()), false),
        Err(_) => {
            let reply = Reply::fault(408, "requestTimeout", "The request body did not arrive in time.");
            return to_response(finish(reply), false);
        }
    };
    let source_ip = peer.ip().to_string();
    let control = path.starts_with(CONTROL_PREFIX);
    let fault = if control { None } else { lock(&world).take_fault(path) };
    let mut truncate = false;
    let mut fault_name = None;
    if let Some(fault) = &fault {
        fault_name = Some(fault.kind.clone());
        match fault.kind.as_str() {
            "delay" => tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await,
            "truncate" => truncate = true,
            _ => {}
        }
    }
    let call = Call {
        method: &method,
        path,
        query: routes::parse_query(query),
        headers: &headers,
        body: &body,
        source_ip: source_ip.clone(),
        base_url,
    };
    let reply = {
        let mut w = lock(&world);
        w.settle();
        let v2_server =
            path.starts_with("/v1/").then(|| w.server_by_source(&source_ip).map(|s| s.spec.id.clone())).flatten();
        let reply = match &fault {
            _ if control => control::route(&mut w, &call),
            Some(f) if f.kind == "reset" => Reply::empty(0),
            Some(f) if f.kind == "status" => {
                let reply = Reply::errors(f.status, &["Injected fault".to_owned()]);
                match f.retry_after {
                    Some(secs) => reply.with_header("Retry-After", secs.to_string()),
                    None => reply,
                }
            }
            _ => routes::route(&mut w, &call),
        };
        let reply = reply.with_header("Date", crate::clock::http_date(w.now()));
        if !control {
            let entry = LogEntry {
                seq: 0,
                real_ms: w.real_ms(),
                emulated_ms: w.now(),
                method: method.clone(),
                path: target.clone(),
                status: reply.status,
                source_ip,
                server_id: v2_server,
                fault: fault_name,
            };
            w.record(entry);
        }
        reply
    };
    if reply.status == 0 {
        // An error from the service makes hyper close the connection without answering.
        return Err(io::Error::other("injected connection reset"));
    }
    to_response(finish(reply), truncate)
}
