//! "Ensure" planners: idempotent changes as sans-IO state machines ([`crate::wait::Machine`]).
//!
//! Each planner reads the current state, makes a plan (what it would change: returned alone in
//! dry-run mode, for Ansible's check mode and the CLI's `--dry-run`), applies it with as few
//! requests as the API allows, converges on the conflicts the API answers, waits for the result
//! to settle, and reports whether anything `changed`.

mod membership;
mod pool_names;
mod public_ip;
pub(crate) mod server_check;
mod server_names;

pub use membership::{MembershipPlan, MembershipPlanner, MembershipResult, Pair, PairFailure, every_pair};
pub use pool_names::{looks_like_id, needs_pool_list, resolve_pool_name, resolve_pool_names};
pub use public_ip::{PublicIpAction, PublicIpPlanner, PublicIpResult, PublicIpSpec};
pub use server_names::{needs_server_list, resolve_server_name, resolve_server_names};

use serde::{Deserialize, Serialize};

use crate::wait::{Millis, WaitConfig};

/// Whether something should exist.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Make it exist.
    Present,
    /// Make it not exist.
    Absent,
}

/// How a planner runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnsureOptions {
    /// Stop after the plan: report what would change, change nothing.
    pub dry_run: bool,
    /// Do not wait for the changes to settle (ACTIVE or gone).
    pub no_wait: bool,
    /// The deadline, pace and jitter of the whole run (the wait included).
    pub wait: WaitConfig,
    /// How long "server does not exist" or "is unprocessable" is retried for one server: long
    /// enough for RackConnect to learn of a new build, short enough that a mistyped id fails
    /// soon, with the API's message.
    pub post_build_grace_ms: Millis,
}

impl Default for EnsureOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            no_wait: false,
            wait: WaitConfig::default(),
            post_build_grace_ms: crate::client::defaults::POST_BUILD_GRACE_MS,
        }
    }
}
