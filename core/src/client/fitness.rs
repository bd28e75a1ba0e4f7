//! Which pools and servers a front door offers first (as the default of a picker), and why the
//! others are not: one rule for every console, so none decides it again.
//!
//! A pool is fit when it is `ACTIVE` (RackConnect refuses changes to any other: "Load Balancer
//! Pool … is not in an ACTIVE state"). A server is fit unless its automation failed or does not
//! apply: RackConnect automation `FAILED` or `UNPROCESSABLE`, Managed Operations `Build Error`
//! or `Authentication Error`, or Cloud Servers' status `ERROR`. A server still being built is
//! fit: it is on its way, and the waits ride out its first minutes. Unfit ones stay choosable;
//! they are only never the default.

use serde::Serialize;

use crate::servers::{ManagedStatus, Server};
use crate::v2::AutomationStatus;
use crate::v3::Pool;

/// Whether a pool or a server is fit to be offered as a default, and if not, why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Fitness {
    /// True when it may be the default.
    pub fit: bool,
    /// Why it is not fit (`None` when it is), in words a person reads beside its name.
    pub reason: Option<String>,
}

impl Fitness {
    fn fit() -> Self {
        Self { fit: true, reason: None }
    }

    fn unfit(reason: String) -> Self {
        Self { fit: false, reason: Some(reason) }
    }
}

fn with_detail(head: String, detail: Option<&str>) -> String {
    match detail.map(str::trim).filter(|d| !d.is_empty()) {
        Some(detail) => format!("{head}: {detail}"),
        None => head,
    }
}

/// A pool from its `status` and `status_detail`: fit only when `ACTIVE` (a missing status is
/// taken as `ACTIVE`, as RackConnect's oldest answers omit it).
pub fn pool_fitness(status: Option<&str>, status_detail: Option<&str>) -> Fitness {
    match status {
        None => Fitness::fit(),
        Some(s) if s.eq_ignore_ascii_case("ACTIVE") => Fitness::fit(),
        Some(s) => Fitness::unfit(with_detail(format!("pool {s}, not ACTIVE"), status_detail)),
    }
}

/// A server from Cloud Servers' `status` and its RackConnect and Managed Operations metadata
/// (the values as the API writes them; `None` for a missing key).
pub fn server_fitness(
    status: Option<&str>,
    automation_status: Option<&str>,
    unprocessable_reason: Option<&str>,
    managed_status: Option<&str>,
) -> Fitness {
    match automation_status.map(AutomationStatus::parse) {
        Some(AutomationStatus::Failed) => return Fitness::unfit("RackConnect automation FAILED".to_owned()),
        Some(AutomationStatus::Unprocessable) => {
            return Fitness::unfit(with_detail(
                "RackConnect does not apply (UNPROCESSABLE)".to_owned(),
                unprocessable_reason,
            ));
        }
        _ => {}
    }
    if let Some(managed) = managed_status.map(ManagedStatus::parse).filter(ManagedStatus::is_failure) {
        return Fitness::unfit(format!("Managed Operations automation: {managed}"));
    }
    if status.is_some_and(|s| s.eq_ignore_ascii_case("ERROR")) {
        return Fitness::unfit("Cloud Servers status ERROR".to_owned());
    }
    Fitness::fit()
}

impl Pool {
    /// Whether the pool may be offered as a default (see [`pool_fitness`]).
    pub fn fitness(&self) -> Fitness {
        pool_fitness(self.status.as_ref().map(|s| s.as_str()), self.status_detail.as_deref())
    }
}

impl Server {
    /// Whether the server may be offered as a default (see [`server_fitness`]).
    pub fn fitness(&self) -> Fitness {
        let view = &self.rackconnect;
        server_fitness(
            self.status.as_deref(),
            view.automation_status.as_ref().map(|s| s.as_str()),
            view.unprocessable_reason.as_deref(),
            view.managed_status.as_ref().map(|s| s.as_str()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_only_active_ones_are_fit() {
        assert_eq!(pool_fitness(Some("ACTIVE"), None), Fitness::fit());
        assert_eq!(pool_fitness(None, None), Fitness::fit());
        assert_eq!(
            pool_fitness(Some("UPDATING"), Some("Pool is being reconfigured by Rackspace")),
            Fitness::unfit("pool UPDATING, not ACTIVE: Pool is being reconfigured by Rackspace".into())
        );
        assert_eq!(pool_fitness(Some("UPDATING"), Some(" ")).reason.as_deref(), Some("pool UPDATING, not ACTIVE"));
    }

    #[test]
    fn servers_whose_automation_failed_are_not_fit() {
        assert!(server_fitness(Some("ACTIVE"), Some("DEPLOYED"), None, Some("Complete")).fit);
        assert!(server_fitness(Some("BUILD"), Some("DEPLOYING"), None, Some("Pending")).fit, "on its way");
        assert!(server_fitness(Some("ACTIVE"), None, None, None).fit, "no key yet, no Managed Operations");
        let reason = |f: Fitness| f.reason.unwrap_or_default();
        assert_eq!(
            reason(server_fitness(Some("ACTIVE"), Some("FAILED"), None, Some("Complete"))),
            "RackConnect automation FAILED"
        );
        assert_eq!(
            reason(server_fitness(Some("ACTIVE"), Some("UNPROCESSABLE"), Some("region mismatch"), None)),
            "RackConnect does not apply (UNPROCESSABLE): region mismatch"
        );
        assert_eq!(
            reason(server_fitness(Some("ACTIVE"), Some("DEPLOYED"), None, Some("Build Error"))),
            "Managed Operations automation: Build Error"
        );
        assert_eq!(
            reason(server_fitness(Some("ACTIVE"), Some("DEPLOYED"), None, Some("Authentication Error"))),
            "Managed Operations automation: Authentication Error"
        );
        assert_eq!(reason(server_fitness(Some("ERROR"), None, None, None)), "Cloud Servers status ERROR");
    }
}
