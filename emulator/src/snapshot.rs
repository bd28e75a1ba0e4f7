//! The world as a scenario document: `GET /__emulator/state` answers it, `PUT` loads one back,
//! the binary's `--state FILE` keeps it across runs. Ages (`built_seconds_ago`, a token's
//! `expires_in_seconds`) are taken at the emulated time of the snapshot, so a world loaded from it
//! stands where it stood; what a scenario cannot say (the request log, v2 rate-limit counters,
//! the creation times of nodes and public IPs, the emulated clock's lead on real time) starts
//! afresh.

use crate::clock::Millis;
use crate::scenario::{Node, PublicIp, Scenario, Token, Transitions};
use crate::world::World;

fn seconds_between(earlier: Millis, later: Millis) -> f64 {
    (later - earlier) as f64 / 1000.0
}

impl World {
    /// The world now, as a scenario that builds it again.
    pub fn snapshot(&self, description: &str) -> Scenario {
        let now = self.now();
        let servers = self
            .servers
            .iter()
            .filter(|s| !s.deleted)
            .map(|s| {
                let mut spec = s.spec.clone();
                spec.built_seconds_ago = seconds_between(s.created, now);
                spec.automation_started_seconds_ago =
                    (s.automation_started != s.created).then(|| seconds_between(s.automation_started, now));
                spec.automation_held = s.automation_held;
                spec
            })
            .collect();
        let nodes = self
            .nodes
            .iter()
            .map(|n| Node {
                id: Some(n.id.clone()),
                server_id: n.server_id.clone(),
                pool_id: n.pool_id.clone(),
                status: (n.status != "ACTIVE").then(|| n.status.clone()),
                status_detail: n.detail.clone(),
            })
            .collect();
        let public_ips = self
            .ips
            .iter()
            .map(|ip| PublicIp {
                id: Some(ip.id.clone()),
                tenant: ip.tenant.clone(),
                region: ip.region.clone(),
                public_ip_v4: ip.address.clone().unwrap_or_else(|| ip.pending_address.clone()),
                server_id: ip.server_id.clone(),
                retain: ip.retain,
                status: (ip.status != "ACTIVE").then(|| ip.status.clone()),
                status_detail: ip.detail.clone(),
            })
            .collect();
        let mut tokens: Vec<Token> = self
            .tokens
            .iter()
            .filter(|(_, t)| t.expires > now)
            .map(|(id, t)| Token {
                id: id.clone(),
                tenant: t.tenant.clone(),
                username: t.username.clone(),
                expires_in_seconds: seconds_between(now, t.expires),
                method: t.method.to_owned(),
            })
            .collect();
        tokens.sort_by(|a, b| a.id.cmp(&b.id));
        let mut timings = self.timings.clone();
        timings.clock_speed = self.clock.speed();
        Scenario {
            description: description.to_owned(),
            timings,
            accounts: self.accounts.clone(),
            networks: self.networks.clone(),
            pools: self.pools.iter().map(|p| p.spec.clone()).collect(),
            servers,
            nodes,
            public_ips,
            flavors: self.flavors.clone(),
            images: self.images.clone(),
            seed: self.given_seed,
            seed_position: if self.given_seed.is_some() { self.counter } else { 0 },
            transitions: Transitions { ..self.transitions.clone() },
            v3_throttle: self.v3_throttle.clone(),
            faults: self.faults.clone(),
            tokens,
        }
    }
}
