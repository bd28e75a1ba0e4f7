//! The connections the blocking client keeps between requests, over 127.0.0.1.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rackconnect::blocking::{HttpConfig, Transport};
use rackconnect::client::defaults::IDLE_REUSE_MS;
use rackconnect::{Method, Request};

/// An HTTP/1.1 server that keeps every connection open and answers each request `200 ok`,
/// counting the connections it accepts: the emulator cannot show which connection a request
/// came on.
fn counting_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().expect("the stream");
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                loop {
                    line.clear();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        // The head ends at an empty line; these requests have no body.
                        Ok(_) if line == "\r\n" => {
                            let answered = writer.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                            if answered.is_err() {
                                return;
                            }
                        }
                        Ok(_) => {}
                    }
                }
            });
        }
    });
    (url, accepted)
}

fn get(url: &str) -> Request {
    Request {
        method: Method::Get,
        url: format!("{url}/ping"),
        headers: Vec::new(),
        body: None,
        sensitive_body: false,
        sensitive_url: false,
    }
}

#[test]
fn a_connection_idle_past_the_cores_limit_is_not_reused() {
    let (url, accepted) = counting_server();
    let transport = Transport::new(HttpConfig::default());
    for _ in 0..3 {
        assert_eq!(transport.send(&get(&url)).expect("an answer").status, 200);
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "requests close together share one connection");
    // Idle longer than the core allows (a server such as Apache closes at 5 s, and a request
    // sent as it closes would fail): the next request opens a new connection.
    std::thread::sleep(Duration::from_millis(IDLE_REUSE_MS + 500));
    assert_eq!(transport.send(&get(&url)).expect("an answer").status, 200);
    assert_eq!(accepted.load(Ordering::SeqCst), 2, "a connection idle for {} ms was reused", IDLE_REUSE_MS + 500);
}
