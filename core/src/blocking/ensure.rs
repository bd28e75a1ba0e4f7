//! The ensure planners run over a [`Session`]: what the CLI and the Python package both do, in
//! one place (pools named or by id, every server paired with every pool, the planner driven with
//! a real clock).

use std::sync::atomic::AtomicBool;

use super::{Session, run};
use crate::Region;
use crate::ensure::{
    EnsureOptions, MembershipPlanner, MembershipResult, Presence, PublicIpPlanner, PublicIpResult, PublicIpSpec,
    every_pair,
};
use crate::error::Result;
use crate::wait::{Event, RateBudget};

impl Session {
    /// Makes every server of `servers` a member (or not) of every pool of `pools` (ids, or names
    /// of pools in `region`). `fields` names the two inputs in errors (e.g. `("--server",
    /// "--pool")`). Errors before the planner starts (bad ids, an unknown pool name, refused
    /// credentials) are returned; everything after is in the result.
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
        let pools = self.v3(region)?.resolve_pools(pools, fields.1)?;
        let pairs = every_pair(servers, &pools, fields)?;
        let (endpoint, token) = (self.v3_endpoint(region)?, self.token()?);
        let mut planner = MembershipPlanner::new(endpoint, token, pairs, presence, options, 0);
        Ok(run(&mut planner, &mut *self, &mut RateBudget::api(), cancel, on_event))
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
        let (endpoint, token) = (self.v3_endpoint(region)?, self.token()?);
        let mut planner = PublicIpPlanner::new(endpoint, token, spec, options, 0);
        Ok(run(&mut planner, &mut *self, &mut RateBudget::api(), cancel, on_event))
    }
}
