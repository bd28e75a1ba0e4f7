//! RackConnect v2 and Managed Operations automation, as a pure function of the emulated time.
//!
//! Tasks run one after another from the build; `DEPLOYED` when the last completes, `FAILED` when
//! the failing task ends, `UNPROCESSABLE` at once. Managed Operations starts after RackConnect
//! finishes (`Pending`, `In Progress`, then its outcome); when RackConnect fails, it ends in
//! `Build Error`.

use crate::clock::Millis;
use crate::scenario::{Automation, Managed};

/// Where a server's automation stands at some instant.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// `DEPLOYING`, `DEPLOYED`, `FAILED` or `UNPROCESSABLE`.
    pub status: &'static str,
    /// Each task's name and status (`PENDING`, `IN_PROGRESS`, `COMPLETE`, `FAILED`).
    pub tasks: Vec<(String, &'static str)>,
    /// The gateway IP, once assigned.
    pub gateway_ip: Option<String>,
    /// When automation reached its final state.
    pub finished_at: Option<Millis>,
    /// Whether the metadata key is written yet.
    pub metadata_visible: bool,
}

fn seconds(ms: Millis) -> f64 {
    ms as f64 / 1000.0
}

fn ms(seconds: f64) -> Millis {
    (seconds * 1000.0) as Millis
}

/// The progress of `automation` started at `started`, seen at `now`.
pub fn progress(automation: &Automation, started: Millis, now: Millis) -> Progress {
    let elapsed = seconds(now - started);
    let metadata_visible = elapsed >= automation.metadata_delay_seconds;
    if automation.outcome.eq_ignore_ascii_case("UNPROCESSABLE") {
        return Progress {
            status: "UNPROCESSABLE",
            tasks: Vec::new(),
            gateway_ip: None,
            finished_at: Some(started),
            metadata_visible,
        };
    }
    let failing = automation
        .outcome
        .eq_ignore_ascii_case("FAILED")
        .then(|| automation.failed_task.min(automation.tasks.len().saturating_sub(1)));
    let mut tasks = Vec::new();
    let mut gateway_ip = None;
    let mut end = 0.0;
    let mut status = "DEPLOYING";
    let mut finished_at = None;
    for (i, task) in automation.tasks.iter().enumerate() {
        let start = end;
        end += task.seconds.max(0.0);
        if status == "FAILED" {
            tasks.push((task.name.clone(), "PENDING"));
            continue;
        }
        let state = if elapsed >= end {
            if failing == Some(i) { "FAILED" } else { "COMPLETE" }
        } else if elapsed >= start {
            "IN_PROGRESS"
        } else {
            "PENDING"
        };
        tasks.push((task.name.clone(), state));
        if state == "FAILED" {
            status = "FAILED";
            finished_at = Some(started + ms(end));
        }
        if state == "COMPLETE" && i == automation.gateway_after_task {
            gateway_ip = Some(automation.gateway_ip.clone());
        }
    }
    if status == "DEPLOYING" && elapsed >= end {
        status = "DEPLOYED";
        finished_at = Some(started + ms(end));
        gateway_ip = Some(automation.gateway_ip.clone());
    }
    Progress { status, tasks, gateway_ip, finished_at, metadata_visible }
}

/// The instant `progress` reaches its final state, by construction of the timeline.
pub fn total_seconds(automation: &Automation) -> f64 {
    if automation.outcome.eq_ignore_ascii_case("UNPROCESSABLE") {
        return 0.0;
    }
    let upto = if automation.outcome.eq_ignore_ascii_case("FAILED") {
        automation.failed_task.min(automation.tasks.len().saturating_sub(1)) + 1
    } else {
        automation.tasks.len()
    };
    automation.tasks.iter().take(upto).map(|t| t.seconds.max(0.0)).sum()
}

/// [`total_seconds`] in milliseconds.
pub fn total_millis(automation: &Automation) -> Millis {
    ms(total_seconds(automation))
}

/// The Managed Operations status, given RackConnect's progress.
pub fn managed_status(managed: &Managed, rackconnect: &Progress, now: Millis) -> String {
    match (rackconnect.status, rackconnect.finished_at) {
        ("FAILED", _) => "Build Error".to_owned(),
        (_, Some(done)) => {
            let after = seconds(now - done);
            if after < managed.pending_seconds {
                "Pending".to_owned()
            } else if after < managed.pending_seconds + managed.seconds {
                "In Progress".to_owned()
            } else {
                managed.outcome.clone()
            }
        }
        _ => "Pending".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Task;

    fn automation(outcome: &str) -> Automation {
        Automation {
            outcome: outcome.to_owned(),
            tasks: vec![Task { name: "a".into(), seconds: 10.0 }, Task { name: "b".into(), seconds: 10.0 }],
            gateway_after_task: 0,
            ..Automation::default()
        }
    }

    #[test]
    fn deployed_after_the_last_task() {
        let a = automation("DEPLOYED");
        assert_eq!(progress(&a, 0, 5_000).status, "DEPLOYING");
        assert_eq!(progress(&a, 0, 5_000).gateway_ip, None);
        assert_eq!(progress(&a, 0, 10_000).gateway_ip.as_deref(), Some("10.1.2.1"));
        let done = progress(&a, 0, 20_000);
        assert_eq!((done.status, done.finished_at), ("DEPLOYED", Some(20_000)));
        assert_eq!(total_seconds(&a), 20.0);
    }

    #[test]
    fn failed_stops_at_the_failing_task() {
        let mut a = automation("FAILED");
        a.failed_task = 1;
        let p = progress(&a, 0, 25_000);
        assert_eq!(p.status, "FAILED");
        assert_eq!(p.tasks, vec![("a".to_owned(), "COMPLETE"), ("b".to_owned(), "FAILED")]);
        assert_eq!(managed_status(&Managed::default(), &p, 30_000), "Build Error");
    }

    #[test]
    fn managed_follows_rackconnect() {
        let a = automation("DEPLOYED");
        let m = Managed { outcome: "Complete".into(), pending_seconds: 5.0, seconds: 10.0 };
        assert_eq!(managed_status(&m, &progress(&a, 0, 1_000), 1_000), "Pending");
        assert_eq!(managed_status(&m, &progress(&a, 0, 26_000), 26_000), "In Progress");
        assert_eq!(managed_status(&m, &progress(&a, 0, 40_000), 40_000), "Complete");
    }
}
