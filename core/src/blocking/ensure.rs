//! The ensure planners run over a [`Session`] (the tasks are the core's
//! [`client::work`](crate::client::work)).

use std::sync::atomic::AtomicBool;

use super::Session;
use crate::Region;
use crate::client::work;
use crate::ensure::{EnsureOptions, MembershipResult, Presence, PublicIpResult, PublicIpSpec};
use crate::error::Result;
use crate::wait::Event;

impl Session {
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
