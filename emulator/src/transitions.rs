//! Per-resource transitions (moto calls them "progression"): how v3 pool nodes and public IPs
//! leave ADDING, UPDATING and REMOVING, and how v2 automation leaves DEPLOYING. Each kind is
//! `immediate`, `timed` (after the scenario's durations) or `manual` (held until
//! [`World::advance`], `POST /__emulator/transitions/advance`).

use serde::{Deserialize, Serialize};

use crate::automation;
use crate::clock::Millis;
use crate::scenario::{Mode, Transitions};
use crate::world::{MANUAL, Next, World};

/// A kind of resource with transitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// v3 pool nodes.
    PoolNodes,
    /// v3 public IPs.
    PublicIps,
    /// v2 automation (and Managed Operations after it).
    Automation,
}

impl World {
    /// When a transition of `seconds` (timed) started now happens, in `mode`.
    pub fn due(&self, mode: Mode, seconds: f64) -> Millis {
        match mode {
            Mode::Immediate => self.now(),
            Mode::Timed => self.now() + (seconds.max(0.0) * 1000.0) as Millis,
            Mode::Manual => MANUAL,
        }
    }

    /// The transition a node or public IP in `status` has pending (loaded from a scenario), if
    /// any: ADDING ends as the server's `v3_add_failure` says, UPDATING in ACTIVE, REMOVING gone.
    pub(crate) fn pending(&self, status: &str, server_id: &str, mode: Mode) -> Option<(Millis, Next)> {
        let t = &self.timings;
        match status {
            "ADDING" => {
                let next = match self.server(server_id).and_then(|s| s.spec.v3_add_failure.clone()) {
                    Some(detail) => Next::Fail("ADD_FAILED", detail),
                    None => Next::Activate,
                };
                Some((self.due(mode, t.v3_add_seconds), next))
            }
            "UPDATING" => Some((self.due(mode, t.v3_update_seconds), Next::Activate)),
            "REMOVING" => Some((self.due(mode, t.v3_remove_seconds), Next::Vanish)),
            _ => None,
        }
    }

    /// Changes the modes. Resources held by `manual` move on as the new mode says (at once, or
    /// after their durations from now); a kind turned `manual` holds what is still pending.
    pub fn set_transitions(&mut self, transitions: Transitions) {
        let old = std::mem::replace(&mut self.transitions, transitions.clone());
        let t = self.timings.clone();
        // How long a transition from `status` takes when timed.
        let duration = |status: &str| match status {
            "REMOVING" => t.v3_remove_seconds,
            "UPDATING" => t.v3_update_seconds,
            _ => t.v3_add_seconds,
        };
        let retime = |world: &World, at: Millis, seconds: f64, mode: Mode| -> Millis {
            match mode {
                Mode::Manual => MANUAL,
                Mode::Immediate => world.now(),
                Mode::Timed if at == MANUAL => world.due(Mode::Timed, seconds),
                Mode::Timed => at,
            }
        };
        if old.pool_nodes != transitions.pool_nodes {
            let mut nodes = std::mem::take(&mut self.nodes);
            for node in &mut nodes {
                if let Some((at, next)) = node.next.clone() {
                    node.next = Some((retime(self, at, duration(&node.status), transitions.pool_nodes), next));
                }
            }
            self.nodes = nodes;
        }
        if old.public_ips != transitions.public_ips {
            let mut ips = std::mem::take(&mut self.ips);
            for ip in &mut ips {
                if let Some((at, next)) = ip.next.clone() {
                    ip.next = Some((retime(self, at, duration(&ip.status), transitions.public_ips), next));
                }
            }
            self.ips = ips;
        }
        if old.automation != transitions.automation {
            let now = self.now();
            for server in self.servers.iter_mut().filter(|s| !s.deleted) {
                let total = automation::total_millis(&server.spec.automation);
                let running = server.automation_held || server.automation_started + total > now;
                match transitions.automation {
                    Mode::Manual => server.automation_held = running,
                    Mode::Immediate if running => {
                        server.automation_held = false;
                        server.automation_started = server.automation_started.min(now - total);
                    }
                    // Released from manual, it runs its tasks from now.
                    Mode::Timed if server.automation_held => {
                        server.automation_held = false;
                        server.automation_started = now;
                    }
                    _ => {}
                }
            }
        }
        self.settle();
    }

    /// Moves pending transitions on now: of one resource (`id`, a node, public IP or server id),
    /// of every resource of `kind`, or both filters at once; `None` and `None` moves all.
    /// Answers how many resources moved.
    pub fn advance(&mut self, kind: Option<Kind>, id: Option<&str>) -> usize {
        let now = self.now();
        let wanted = |k: Kind, resource: &str| {
            kind.is_none_or(|w| w == k) && id.is_none_or(|i| i.eq_ignore_ascii_case(resource))
        };
        let mut moved = 0;
        for node in &mut self.nodes {
            if let Some((_, next)) = node.next.clone()
                && wanted(Kind::PoolNodes, &node.id)
            {
                node.next = Some((now, next));
                moved += 1;
            }
        }
        for ip in &mut self.ips {
            if let Some((_, next)) = ip.next.clone()
                && wanted(Kind::PublicIps, &ip.id)
            {
                ip.next = Some((now, next));
                moved += 1;
            }
        }
        for server in self.servers.iter_mut().filter(|s| !s.deleted) {
            let total = automation::total_millis(&server.spec.automation);
            let running = server.automation_held || server.automation_started + total > now;
            if running && wanted(Kind::Automation, &server.spec.id) {
                server.automation_held = false;
                server.automation_started = now - total;
                moved += 1;
            }
        }
        self.settle();
        moved
    }
}
