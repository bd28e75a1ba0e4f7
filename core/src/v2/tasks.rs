//! Which tasks explain a `FAILED` automation: the ones marked `FAILED` are the cause; the ones
//! still `PENDING` never ran because of it. Every other task (`COMPLETE`, `RUNNING`, a status
//! RackConnect does not document) is neither, so it is not named as a cause.

use serde::Serialize;

/// The positions (in the order given) of the failed and of the pending tasks of a details
/// answer ([`Task`](super::Task)s). Positions rather than copies, so that a tool can point at the
/// rows it already shows.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize)]
pub struct FailedAndPending {
    /// Tasks whose status is `FAILED` (in any case).
    pub failed: Vec<usize>,
    /// Tasks whose status is `PENDING` (in any case).
    pub pending: Vec<usize>,
}

/// Sorts the tasks of a details answer, given by their statuses in order, into failed and
/// pending (see [`FailedAndPending`]). Statuses alone, because nothing else about a task
/// decides it, and so that a binding need not rebuild whole tasks:
/// `failed_and_pending(details.tasks.iter().map(|t| t.status.as_str()))`.
pub fn failed_and_pending<'a>(statuses: impl IntoIterator<Item = &'a str>) -> FailedAndPending {
    let mut sorted = FailedAndPending::default();
    for (position, status) in statuses.into_iter().enumerate() {
        let status = status.trim();
        if status.eq_ignore_ascii_case("FAILED") {
            sorted.failed.push(position);
        } else if status.eq_ignore_ascii_case("PENDING") {
            sorted.pending.push(position);
        }
    }
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v2::Task;

    fn task(name: &str, status: &str) -> Task {
        Task { name: name.to_owned(), status: status.to_owned(), extra: serde_json::Map::new() }
    }

    fn sort(tasks: &[Task]) -> FailedAndPending {
        failed_and_pending(tasks.iter().map(|t| t.status.as_str()))
    }

    #[test]
    fn names_only_failed_tasks_as_the_cause_and_pending_ones_apart() {
        let tasks = [
            task("Create user", "COMPLETE"),
            task("Add \"rackconnect\" user", "FAILED"),
            task("Update access on dedicated network devices", "PENDING"),
            task("Configure network stack", "RUNNING"),
            task("Second failure", " failed "),
            task("Not documented", "PARTIAL"),
            task("Later", "pending"),
        ];
        assert_eq!(sort(&tasks), FailedAndPending { failed: vec![1, 4], pending: vec![2, 6] });
    }

    #[test]
    fn no_tasks_or_no_failure_gives_empty_lists() {
        assert_eq!(sort(&[]), FailedAndPending::default());
        assert_eq!(sort(&[task("Create user", "COMPLETE")]), FailedAndPending::default());
        let json = serde_json::to_value(sort(&[task("a", "FAILED")])).ok();
        assert_eq!(json, Some(serde_json::json!({"failed": [0], "pending": []})));
    }
}
