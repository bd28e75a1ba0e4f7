//! "Does Cloud Servers have this server?", asked once per server before a planner spends its
//! post-build grace on it (RackConnect says "does not exist" both of a server built seconds ago
//! and of a mistyped id; only Cloud Servers tells them apart), and before a dry run reports a
//! change for it.

use std::collections::{BTreeSet, VecDeque};

use crate::http::{Request, Response};
use crate::id::{Region, ServerId};
use crate::secret::Token;
use crate::servers::{self, ServersEndpoint};

/// What Cloud Servers said of a server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Known {
    /// It has it (perhaps freshly built): the grace applies.
    Yes,
    /// It does not (404): fail at once, in the one wording.
    No(String),
    /// The answer said neither (an error): carry on as if it had it.
    Unsure,
}

/// The servers to ask about, one request each, each asked at most once.
#[derive(Debug)]
pub(crate) struct ServerCheck {
    endpoint: ServersEndpoint,
    region: Region,
    asked: BTreeSet<String>,
    queue: VecDeque<ServerId>,
    in_flight: Option<ServerId>,
}

impl ServerCheck {
    pub(crate) fn new(endpoint: ServersEndpoint, region: Region) -> Self {
        Self { endpoint, region, asked: BTreeSet::new(), queue: VecDeque::new(), in_flight: None }
    }

    /// Queues `server` unless it was asked about already.
    pub(crate) fn want(&mut self, server: &ServerId) {
        if self.asked.insert(server.as_str().to_ascii_lowercase()) {
            self.queue.push_back(server.clone());
        }
    }

    /// True while a server is queued or asked about.
    pub(crate) fn busy(&self) -> bool {
        !self.queue.is_empty() || self.in_flight.is_some()
    }

    /// The next request to send, if a server is queued.
    pub(crate) fn next_request(&mut self, token: &Token) -> Option<crate::Result<Request>> {
        let server = self.queue.pop_front()?;
        let request = servers::show_server(&self.endpoint, token, &server);
        self.in_flight = Some(server);
        Some(request)
    }

    /// Reads the answer about the server asked about.
    pub(crate) fn on_response(&mut self, response: &Response) -> Option<(ServerId, Known)> {
        let server = self.in_flight.take()?;
        let known = match servers::parse_server(response) {
            Ok(_) => Known::Yes,
            Err(error) if error.as_api().is_some_and(|a| a.status == 404) => {
                Known::No(servers::not_found_message(server.as_str(), self.region))
            }
            Err(_) => Known::Unsure,
        };
        Some((server, known))
    }

    /// The request in flight failed in transport: it counts as unsure.
    pub(crate) fn on_transport_error(&mut self) -> Option<ServerId> {
        self.in_flight.take()
    }
}
