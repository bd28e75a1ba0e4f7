//! The 409 `errors` list, classified. Bulk node operations are atomic: one bad pair fails the
//! whole batch, and the list names every problem. An "ensure" planner reads these to converge:
//! already-member (on add) and not-member (on remove) mean "done"; unprocessable and
//! does-not-exist right after a server build are worth a retry.

use nom::branch::alt;
use nom::bytes::complete::{tag_no_case, take_while1};
use nom::combinator::{all_consuming, map};
use nom::{IResult, Parser};
use serde::Serialize;

/// What a conflict message says.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConflictKind {
    /// `Cloud Server {sid} is already a member of Load Balancer Pool {pid}`
    AlreadyMember,
    /// `Cloud Server {sid} is not a member of Load Balancer Pool {pid}`
    NotMember,
    /// `Node {nid} is not a member of Load Balancer Pool {pid}`
    NodeNotMember,
    /// `Load Balancer Pool {pid} is not in an ACTIVE state`
    PoolNotActive,
    /// `Load Balancer Pool {pid} does not exist`
    PoolDoesNotExist,
    /// `Cloud Server {sid} does not exist`
    ServerDoesNotExist,
    /// `Cloud Server {sid} is unprocessable`
    ServerUnprocessable,
    /// `Load Balancer Pool Node {nid} is not in an ACTIVE state`
    NodeNotActive,
    /// `Cloud Server {sid} already has a Public IP` (the wording is the project's convention:
    /// one public IP per server is documented, the text is not).
    ServerHasPublicIp,
    /// A message about the retained public IP limit (any text mentioning "retain" and "limit").
    RetainedLimitReached,
    /// A message this crate does not know; see [`Conflict::message`].
    Other,
}

impl ConflictKind {
    /// True for conflicts that right after a server build usually clear up on their own
    /// (the server is not yet known to RackConnect).
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::ServerDoesNotExist | Self::ServerUnprocessable | Self::PoolNotActive | Self::NodeNotActive)
    }
}

/// One classified conflict message.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Conflict {
    /// What it says.
    pub kind: ConflictKind,
    /// The server it names, as written.
    pub server_id: Option<String>,
    /// The pool it names, as written.
    pub pool_id: Option<String>,
    /// The node it names, as written.
    pub node_id: Option<String>,
    /// The message itself.
    pub message: String,
}

impl Conflict {
    /// True when the conflict names this server and pool (UUIDs compared in any case).
    pub fn is_about(&self, server_id: &str, pool_id: &str) -> bool {
        let same = |a: &Option<String>, b: &str| a.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(b));
        same(&self.server_id, server_id) && same(&self.pool_id, pool_id)
    }

    /// True when the conflict names this server (in any case).
    pub fn names_server(&self, server_id: &str) -> bool {
        self.server_id.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(server_id))
    }

    /// True when the conflict names this pool (in any case).
    pub fn names_pool(&self, pool_id: &str) -> bool {
        self.pool_id.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(pool_id))
    }
}

fn id(input: &str) -> IResult<&str, &str> {
    take_while1(|c: char| !c.is_whitespace())(input)
}

type Parsed<'a> = (ConflictKind, Option<&'a str>, Option<&'a str>, Option<&'a str>);

fn template(input: &str) -> IResult<&str, Parsed<'_>> {
    use ConflictKind::*;
    alt((
        map((tag_no_case("Load Balancer Pool Node "), id, tag_no_case(" is not in an ACTIVE state")), |(_, n, _)| {
            (NodeNotActive, None, None, Some(n))
        }),
        map(
            (tag_no_case("Cloud Server "), id, tag_no_case(" is already a member of Load Balancer Pool "), id),
            |(_, s, _, p)| (AlreadyMember, Some(s), Some(p), None),
        ),
        map(
            (tag_no_case("Cloud Server "), id, tag_no_case(" is not a member of Load Balancer Pool "), id),
            |(_, s, _, p)| (NotMember, Some(s), Some(p), None),
        ),
        map((tag_no_case("Node "), id, tag_no_case(" is not a member of Load Balancer Pool "), id), |(_, n, _, p)| {
            (NodeNotMember, None, Some(p), Some(n))
        }),
        map((tag_no_case("Load Balancer Pool "), id, tag_no_case(" is not in an ACTIVE state")), |(_, p, _)| {
            (PoolNotActive, None, Some(p), None)
        }),
        map((tag_no_case("Load Balancer Pool "), id, tag_no_case(" does not exist")), |(_, p, _)| {
            (PoolDoesNotExist, None, Some(p), None)
        }),
        map((tag_no_case("Cloud Server "), id, tag_no_case(" does not exist")), |(_, s, _)| {
            (ServerDoesNotExist, Some(s), None, None)
        }),
        map((tag_no_case("Cloud Server "), id, tag_no_case(" is unprocessable")), |(_, s, _)| {
            (ServerUnprocessable, Some(s), None, None)
        }),
        map((tag_no_case("Cloud Server "), id, tag_no_case(" already has a Public IP")), |(_, s, _)| {
            (ServerHasPublicIp, Some(s), None, None)
        }),
    ))
    .parse(input)
}

/// Classifies one message of a 409 `errors` list.
pub fn classify(message: &str) -> Conflict {
    let text = message.trim().trim_end_matches('.');
    let owned = |s: Option<&str>| s.map(str::to_owned);
    match all_consuming(template).parse(text) {
        Ok((_, (kind, server, pool, node))) => Conflict {
            kind,
            server_id: owned(server),
            pool_id: owned(pool),
            node_id: owned(node),
            message: message.to_owned(),
        },
        Err(_) => {
            let lower = text.to_ascii_lowercase();
            let kind = if lower.contains("retain") && lower.contains("limit") {
                ConflictKind::RetainedLimitReached
            } else {
                ConflictKind::Other
            };
            Conflict { kind, server_id: None, pool_id: None, node_id: None, message: message.to_owned() }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template() {
        let cases = [
            ("Cloud Server S1 is already a member of Load Balancer Pool P1", ConflictKind::AlreadyMember),
            ("cloud server s1 is not a member of load balancer pool p1.", ConflictKind::NotMember),
            ("Node N1 is not a member of Load Balancer Pool P1", ConflictKind::NodeNotMember),
            ("Load Balancer Pool P1 is not in an ACTIVE state", ConflictKind::PoolNotActive),
            ("Load Balancer Pool P1 does not exist", ConflictKind::PoolDoesNotExist),
            ("Cloud Server S1 does not exist", ConflictKind::ServerDoesNotExist),
            ("Cloud Server S1 is unprocessable", ConflictKind::ServerUnprocessable),
            ("Load Balancer Pool Node N1 is not in an ACTIVE state", ConflictKind::NodeNotActive),
            ("Cloud Server S1 already has a Public IP", ConflictKind::ServerHasPublicIp),
            ("Retained Public IP limit of 5 reached", ConflictKind::RetainedLimitReached),
            ("Something else", ConflictKind::Other),
        ];
        for (message, kind) in cases {
            assert_eq!(classify(message).kind, kind, "{message}");
        }
        assert!(classify("Cloud Server ABC is already a member of Load Balancer Pool DEF").is_about("abc", "def"));
    }
}
