//! The ensure planners run over a [`Session`] (the tasks are the core's
//! [`client::work`](crate::client::work)).

use std::sync::atomic::AtomicBool;

use super::Session;
use crate::Region;
use crate::client::work;
use crate::ensure::{EnsureOptions, MembershipResult, Presence, PublicIpResult, PublicIpSpec};
use crate::error::Result;
use crate::id::{PoolId, ServerId};
use crate::wait::Event;

impl Session {
    /// The pool `pool` names in `region`: an id is taken as it is; a name is looked up among the
    /// region's pools (exactly, then ignoring case; an unknown or ambiguous name lists what there
    /// is). `field` names the input in errors (e.g. `--pool`, `pool_id`).
    pub fn pool_id(&mut self, region: Region, pool: &str, field: &str) -> Result<PoolId> {
        let id = match work::pool_id(pool, field) {
            None => pool.to_owned(),
            Some(task) => self.run(task, Some(region), &AtomicBool::new(false), |_| {})?,
        };
        PoolId::new_as(field, id)
    }

    /// The server `server` names in `region`: an id is taken as it is; a name is looked up among
    /// the region's servers (exactly, then ignoring case; an unknown name lists them, an
    /// ambiguous one the candidates' ids). `field` names the input in errors (e.g. `--server`).
    pub fn server_id(&mut self, region: Region, server: &str, field: &str) -> Result<ServerId> {
        let id = match work::server_id(server, field) {
            None => server.to_owned(),
            Some(task) => self.run(task, Some(region), &AtomicBool::new(false), |_| {})?,
        };
        ServerId::new_as(field, id)
    }

    /// Makes every server of `servers` a member (or not) of every pool of `pools` (ids, or names
    /// of pools in `region`). `fields` names the two inputs in errors (e.g. `("--server",
    /// "--pool")`). Errors before the planner starts (bad ids, an unknown pool name, refused
    /// credentials, a configuration error) are returned; everything after is in the result.
    #[allow(clippy::too_many_arguments, reason = "the planner's inputs, plus cancellation and progress")]
    pub fn ensure_pool_members(
        &mut self,
        region: Region,
        servers: &[String],
        pools: &[String],
        fields: (&str, &str),
        presence: Presence,
        options: EnsureOptions,
        cancel: &AtomicBool,
        on_event: impl FnMut(&Event),
    ) -> Result<MembershipResult> {
        let task = work::membership(servers.to_vec(), pools.to_vec(), fields, presence, options)?;
        self.run(task, Some(region), cancel, on_event)
    }

    /// Gives a server a public IP (or takes it away, or moves a retained one to it), as `spec`
    /// says.
    pub fn ensure_public_ip(
        &mut self,
        region: Region,
        spec: PublicIpSpec,
        options: EnsureOptions,
        cancel: &AtomicBool,
        on_event: impl FnMut(&Event),
    ) -> Result<PublicIpResult> {
        self.run(work::public_ip_ensure(spec, options), Some(region), cancel, on_event)
    }
}
