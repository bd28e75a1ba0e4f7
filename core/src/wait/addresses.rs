//! After a server wait: the read of the region's RackConnect v3 public IPs, for the servers'
//! addresses. The inventory's rule ([`crate::inventory::reachable`]) puts a server's active
//! RackConnect v3 public IP before Cloud Servers' own addresses; only RackConnect v2's address,
//! once `DEPLOYED`, comes first. So a wait reads the public IPs once, after its servers have
//! ended, when the region has RackConnect v3 and a server is not reached by its v2 address.
//! The read never changes how the wait ended: refused (an account without RackConnect v3
//! there), failing twice, or cut short by the deadline, Cloud Servers' addresses stand.

use super::{Clock, Millis};
use crate::http::{Request, Response};
use crate::id::ServerId;
use crate::inventory::{InventoryOptions, ReachedBy, reachable};
use crate::secret::Token;
use crate::servers::Server;
use crate::v3::{self, PublicIp, PublicIpFilter, V3Endpoint};

/// Attempts at the read: as any read, one more after a 5xx or a transport error.
const ATTEMPTS: u32 = 2;

#[derive(Debug, Default)]
enum State {
    #[default]
    Unread,
    /// This many attempts sent.
    Reading(u32),
    Read(Vec<PublicIp>),
}

/// The read of the public IPs, from the region's RackConnect v3 endpoint (none: never read).
#[derive(Debug, Default)]
pub(super) struct AddressRead {
    endpoint: Option<V3Endpoint>,
    state: State,
}

impl AddressRead {
    pub(super) fn new(endpoint: Option<V3Endpoint>) -> Self {
        Self { endpoint, state: State::Unread }
    }

    /// Begins the read, due at once on the wait's `clock`, when it could change an address: the
    /// region has RackConnect v3 and one of `servers` is not reached by its RackConnect v2
    /// address. False when there is nothing to read.
    pub(super) fn begin<'a>(
        &mut self,
        mut servers: impl Iterator<Item = &'a Server>,
        clock: &mut Clock,
        now: Millis,
    ) -> bool {
        let wanted = self.endpoint.is_some()
            && matches!(self.state, State::Unread)
            && servers.any(|s| {
                !matches!(reachable(s, &[], &InventoryOptions::default()), Some((_, ReachedBy::RackconnectV2)))
            });
        if wanted {
            self.state = State::Reading(0);
            clock.backoff.reset();
            clock.next_at = now;
        }
        wanted
    }

    /// Whether the read is under way (the wait's servers have all ended).
    pub(super) fn reading(&self) -> bool {
        matches!(self.state, State::Reading(_))
    }

    /// The request of the next attempt (of `server`'s IPs only, or the region's), counted as sent.
    pub(super) fn request(&mut self, token: &Token, server: Option<&ServerId>) -> Option<crate::Result<Request>> {
        let (State::Reading(sent), Some(endpoint)) = (&mut self.state, &self.endpoint) else { return None };
        *sent += 1;
        let filter = PublicIpFilter { cloud_server_id: server.cloned(), ..PublicIpFilter::default() };
        Some(v3::list_public_ips(endpoint, token, &filter))
    }

    /// An answer. True when the read is over; false when another attempt is due (a 5xx, once),
    /// scheduled on the wait's `clock`.
    pub(super) fn on_response(&mut self, response: &Response, clock: &mut Clock, now: Millis) -> bool {
        match v3::parse_public_ips(response) {
            Ok(ips) => {
                self.state = State::Read(ips);
                true
            }
            Err(error) if super::is_retryable(&error) => self.failed(error.to_string(), clock, now),
            // Refused or unreadable: Cloud Servers' addresses stand.
            Err(_) => {
                self.state = State::Read(Vec::new());
                true
            }
        }
    }

    /// An attempt that got no answer (or a 5xx). True when the read is over; false when another
    /// attempt is due, scheduled on the wait's `clock`.
    pub(super) fn failed(&mut self, reason: String, clock: &mut Clock, now: Millis) -> bool {
        match self.state {
            State::Reading(sent) if sent < ATTEMPTS => {
                clock.retry(now, reason, None);
                false
            }
            _ => {
                self.state = State::Read(Vec::new());
                true
            }
        }
    }

    /// Ends the read where it stands (the deadline, a cancellation): without public IPs.
    pub(super) fn stop(&mut self) {
        if self.reading() {
            self.state = State::Read(Vec::new());
        }
    }

    /// `server`'s address by the inventory's rule, with its public IPs once read.
    pub(super) fn reachable(&self, server: &Server, id: &str) -> Option<(String, ReachedBy)> {
        let ips: Vec<&PublicIp> = match &self.state {
            State::Read(ips) => ips
                .iter()
                .filter(|ip| ip.cloud_server.as_ref().is_some_and(|s| s.id.eq_ignore_ascii_case(id)))
                .collect(),
            _ => Vec::new(),
        };
        reachable(server, &ips, &InventoryOptions::default())
    }
}
