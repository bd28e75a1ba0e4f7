//! The verdict of a wait or an ensure: whether it ended well, and one line saying how. Every
//! front door (the CLI, Ansible, Salt, npm, the console) shows these words and reads `ok`; none
//! decides it again.

use super::work::{MetadataWait, NodesWait, PublicIpWait};
use crate::ensure::{MembershipResult, PublicIpAction, PublicIpResult};
use crate::wait::Outcome;

/// A result that can judge itself: it sets its `ok` and `summary`.
/// [`MachineTask`](super::MachineTask) judges every output it hands to a driver.
pub trait Verdict {
    /// Sets `ok` and `summary` from what the result holds.
    fn judge(&mut self);
    /// Counts `sent` more requests: those sent for it before its machine started (the
    /// listing that resolved the names it was given).
    fn add_requests(&mut self, sent: u32);
    /// The mistake of the caller's input this result turned out to be (a selection that
    /// selected nothing), which the task ends with instead of the result: every front door then
    /// reports it as it reports a bad input, at once.
    fn input_error(&self) -> Option<crate::Error> {
        None
    }
}

/// How an outcome is said at the head of a summary.
pub fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Done => "done",
        Outcome::Failed => "FAILED",
        Outcome::NotApplicable => "not applicable",
        Outcome::TimedOut => "timed out",
        Outcome::Cancelled => "cancelled",
        Outcome::Forbidden => "refused",
        Outcome::Error => "error",
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The head word of an ensure's summary: a timeout says how long it took.
fn ended(outcome: Outcome, elapsed_ms: u64) -> String {
    match outcome {
        Outcome::TimedOut => format!("timed out after {} s", elapsed_ms / 1000),
        other => outcome_word(other).to_owned(),
    }
}

/// `; reason` for a result that did not end done.
fn because(outcome: Outcome, reason: Option<&str>) -> String {
    reason.filter(|_| outcome != Outcome::Done).map(|r| format!("; {r}")).unwrap_or_default()
}

impl Verdict for MembershipResult {
    fn add_requests(&mut self, sent: u32) {
        self.requests += sent;
    }

    fn judge(&mut self) {
        self.ok = self.outcome == Outcome::Done;
        let plan = &self.plan;
        let mut counts = format!(
            "{} to add, {} to remove, {} already as wanted",
            plan.add.len(),
            plan.remove.len(),
            plan.unchanged.len()
        );
        if !self.settled_by_conflict.is_empty() {
            counts.push_str(&format!(", {} found already done", self.settled_by_conflict.len()));
        }
        let word = ended(self.outcome, self.elapsed_ms);
        let head = match (self.dry_run, self.outcome) {
            (true, Outcome::Done) => {
                format!("dry run: {} ({counts})", if self.changed { "would change" } else { "nothing to change" })
            }
            (true, _) => format!("dry run: {word} ({counts})"),
            (false, Outcome::Done) => {
                format!("done: {} ({counts})", if self.changed { "changed" } else { "no change needed" })
            }
            (false, _) => {
                let made = self.added.len() + self.removed.len();
                format!("{word}: {} made before it stopped ({counts})", plural(made, "change"))
            }
        };
        // The failed pairs are in the reason when there are some.
        self.summary = format!("{head}{}", because(self.outcome, self.reason.as_deref()));
    }
}

impl Verdict for PublicIpResult {
    fn add_requests(&mut self, sent: u32) {
        self.requests += sent;
    }

    fn judge(&mut self) {
        self.ok = self.outcome == Outcome::Done;
        // A delete names the IP as it was before the delete, in a real run as in a dry run.
        let public_ip = self.public_ip.as_ref().or(self.deleted.as_ref());
        let retained = |id: &str| public_ip.filter(|ip| ip.id == id && ip.retain).map_or("", |_| " (a retained IP)");
        let (action, done) = match &self.plan {
            PublicIpAction::None => ("change nothing".to_owned(), "no change needed".to_owned()),
            PublicIpAction::Create { retain } => {
                let what = if *retain { "a retained public IP" } else { "a public IP" };
                (format!("create {what}"), format!("created {what}"))
            }
            PublicIpAction::SetRetain { id, retain } => {
                (format!("set retain to {retain} on {id}"), format!("set retain to {retain} on {id}"))
            }
            PublicIpAction::Move { id, .. } => {
                (format!("move {id} to the server"), format!("moved {id} to the server"))
            }
            PublicIpAction::Unassign { id, .. } => (
                format!("unassign {id} from the server, keeping it retained"),
                format!("unassigned {id} from the server, keeping it retained"),
            ),
            PublicIpAction::Delete { id } => {
                (format!("delete {id}{}", retained(id)), format!("deleted {id}{}", retained(id)))
            }
        };
        let word = ended(self.outcome, self.elapsed_ms);
        let head = match (self.dry_run, self.outcome, &self.plan) {
            (true, Outcome::Done, PublicIpAction::None) => "dry run: no change needed".to_owned(),
            (true, Outcome::Done, _) => format!("dry run: would {action}"),
            (_, Outcome::Done, _) => format!("done: {done}"),
            (_, _, _) if self.changed => format!("{word}: sent, but did not settle: {action}"),
            (_, _, PublicIpAction::None) => format!("{word}: nothing was changed"),
            (_, _, _) => format!("{word}: could not {action}"),
        };
        // Done: the address; otherwise what the IP was doing when it stopped.
        let address = match public_ip {
            Some(ip) if self.outcome == Outcome::Done => ip.public_ip_v4.as_deref().map(|a| format!(" ({a})")),
            Some(ip) => Some(format!(" (the public IP was {})", ip.status)),
            None => None,
        }
        .unwrap_or_default();
        self.summary = format!("{head}{address}{}", because(self.outcome, self.reason.as_deref()));
    }
}

impl Verdict for NodesWait {
    fn judge(&mut self) {
        self.result.judge();
    }

    fn add_requests(&mut self, sent: u32) {
        self.result.add_requests(sent);
    }
}

impl Verdict for PublicIpWait {
    fn judge(&mut self) {
        self.result.judge();
    }

    fn add_requests(&mut self, sent: u32) {
        self.result.add_requests(sent);
    }
}

impl Verdict for MetadataWait {
    fn judge(&mut self) {
        self.result.judge();
    }

    fn add_requests(&mut self, sent: u32) {
        self.result.add_requests(sent);
    }
}
