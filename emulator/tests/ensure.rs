//! The ensure planners against the emulator over real HTTP. Time is simulated: the emulator's
//! clock is stopped, and each time a planner asks to sleep, the driver moves the emulator's clock
//! forward by exactly that much. So the tests are deterministic, and fast, yet every request is
//! real.

mod common;

use common::demo;
use rackconnect::client::Verdict;
use rackconnect::ensure::{
    EnsureOptions, MembershipPlanner, Pair, Presence, PublicIpAction, PublicIpPlanner, PublicIpSpec,
};
use rackconnect::v3::{self, V3Endpoint};
use rackconnect::wait::{Machine, Outcome, RateBudget, Step, WaitConfig};
use rackconnect::{PoolId, PublicIpId, Region, ServerId, Token};
use rackconnect_emulator::Emulator;

struct Ctx {
    emu: Emulator,
    token: Token,
    dfw: V3Endpoint,
}

fn setup() -> Ctx {
    let emu = common::start();
    let access = common::demo_token(&emu);
    let dfw = common::v3_endpoint(&access, Region::Dfw);
    Ctx { emu, token: access.token.id, dfw }
}

/// Drives a machine over real HTTP, moving the emulator's clock when it sleeps.
fn drive<M: Machine>(ctx: &Ctx, machine: &mut M) -> M::Output {
    let mut budget = RateBudget::api();
    let mut now = 0;
    for _ in 0..5_000 {
        match machine.poll(now, &mut budget) {
            Step::Send(request) => {
                let response = common::send_request(&ctx.emu, &request);
                machine.on_response(now, &response);
            }
            Step::SleepUntil(at) => {
                let at = at.max(now + 1);
                common::advance(&ctx.emu, (at - now) as f64 / 1000.0);
                now = at;
            }
            Step::Finished(output) => return output,
        }
    }
    panic!("the planner never finished");
}

fn options() -> EnsureOptions {
    EnsureOptions { wait: WaitConfig { timeout_ms: 600_000, ..WaitConfig::default() }, ..EnsureOptions::default() }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(ServerId, PoolId)> {
    list.iter().map(|(s, p)| (ServerId::new(*s).expect("server"), PoolId::new(*p).expect("pool"))).collect()
}

fn membership(
    ctx: &Ctx,
    list: &[(&str, &str)],
    presence: Presence,
    options: EnsureOptions,
) -> rackconnect::ensure::MembershipResult {
    let mut planner = MembershipPlanner::new(ctx.dfw.clone(), ctx.token.clone(), pairs(list), presence, options, 0);
    drive(ctx, &mut planner)
}

fn members(ctx: &Ctx, pool: &str) -> Vec<(String, String)> {
    let request = v3::list_nodes(&ctx.dfw, &ctx.token, &PoolId::new(pool).expect("pool")).expect("request");
    v3::parse_nodes(&common::send_request(&ctx.emu, &request))
        .expect("nodes")
        .into_iter()
        .map(|n| (n.cloud_server.id.to_ascii_lowercase(), n.status.as_str().to_owned()))
        .collect()
}

fn pair(server: &str, pool: &str) -> Pair {
    Pair { server_id: server.to_owned(), pool_id: pool.to_owned(), server_name: None, pool_name: None }
}

#[test]
fn present_adds_only_the_difference_in_one_bulk_call_then_a_second_run_changes_nothing() {
    let ctx = setup();
    let wanted: Vec<(&str, &str)> = [demo::WEB1, demo::UNMANAGED, demo::BUILD_ERROR]
        .iter()
        .flat_map(|s| [(*s, demo::DFW_WEB_POOL), (*s, demo::DFW_API_POOL)])
        .collect();
    let result = membership(&ctx, &wanted, Presence::Present, options());
    assert_eq!(result.outcome, Outcome::Done, "{:?}", result.reason);
    assert!(result.changed);
    assert_eq!(result.plan.unchanged, vec![pair(demo::WEB1, demo::DFW_WEB_POOL)], "web1 was already in the web pool");
    assert_eq!(result.added.len(), 5);
    // Two reads (one list per pool) and one bulk add, then the waits.
    let log = common::control(&ctx.emu, "GET", "requests", None).1;
    let bulk_posts = log["requests"]
        .as_array()
        .expect("log")
        .iter()
        .filter(|r| {
            r["method"] == "POST" && r["path"].as_str().is_some_and(|p| p.ends_with("/load_balancer_pools/nodes"))
        })
        .count();
    assert_eq!(bulk_posts, 1);
    for pool in [demo::DFW_WEB_POOL, demo::DFW_API_POOL] {
        let nodes = members(&ctx, pool);
        assert_eq!(nodes.len(), 3, "{pool}: {nodes:?}");
        assert!(nodes.iter().all(|(_, status)| status == "ACTIVE"), "{nodes:?}");
    }
    let again = membership(&ctx, &wanted, Presence::Present, options());
    assert_eq!(again.outcome, Outcome::Done);
    assert!(!again.changed, "a second run has nothing left to change");
    assert!(again.plan.add.is_empty() && again.added.is_empty());
}

#[test]
fn absent_removes_and_waits_until_gone() {
    let ctx = setup();
    let result = membership(
        &ctx,
        &[(demo::WEB1, demo::DFW_WEB_POOL), (demo::UNMANAGED, demo::DFW_WEB_POOL)],
        Presence::Absent,
        options(),
    );
    assert_eq!(result.outcome, Outcome::Done, "{:?}", result.reason);
    assert!(result.changed);
    assert_eq!(result.removed, vec![pair(demo::WEB1, demo::DFW_WEB_POOL)]);
    assert!(members(&ctx, demo::DFW_WEB_POOL).is_empty(), "gone, not REMOVING, once the wait is over");
    let again = membership(&ctx, &[(demo::WEB1, demo::DFW_WEB_POOL)], Presence::Absent, options());
    assert!(!again.changed);
}

#[test]
fn dry_run_plans_and_changes_nothing() {
    let ctx = setup();
    let dry = EnsureOptions { dry_run: true, ..options() };
    let result = membership(
        &ctx,
        &[(demo::UNMANAGED, demo::DFW_WEB_POOL), (demo::WEB1, demo::DFW_WEB_POOL)],
        Presence::Present,
        dry,
    );
    assert!(result.changed, "would change");
    assert_eq!(result.plan.add, vec![pair(demo::UNMANAGED, demo::DFW_WEB_POOL)]);
    assert!(result.added.is_empty());
    assert_eq!(members(&ctx, demo::DFW_WEB_POOL).len(), 1, "nothing was added");
}

#[test]
fn just_built_servers_are_retried_until_rackconnect_knows_them() {
    let ctx = setup();
    // `fresh` was built at the start: v3 answers "does not exist", then "is unprocessable".
    let result = membership(
        &ctx,
        &[(demo::FRESH, demo::DFW_WEB_POOL), (demo::UNMANAGED, demo::DFW_WEB_POOL)],
        Presence::Present,
        options(),
    );
    assert_eq!(result.outcome, Outcome::Done, "{:?}", result.reason);
    assert_eq!(result.added.len(), 2);
    let log = common::control(&ctx.emu, "GET", "requests", None).1;
    let conflicts = log["requests"].as_array().expect("log").iter().filter(|r| r["status"] == 409).count();
    assert!(conflicts >= 1, "the atomic 409 was met and converged on");
    assert!(members(&ctx, demo::DFW_WEB_POOL).iter().any(|(s, status)| s == demo::FRESH && status == "ACTIVE"));
}

#[test]
fn a_missing_pool_fails_its_pairs_and_the_rest_still_converge() {
    let ctx = setup();
    let missing = "00000000-dead-4bad-8bad-000000000000";
    let result = membership(
        &ctx,
        &[(demo::UNMANAGED, missing), (demo::UNMANAGED, demo::DFW_API_POOL)],
        Presence::Present,
        options(),
    );
    assert_eq!(result.outcome, Outcome::Failed);
    assert!(result.changed, "the good pair was added");
    assert_eq!(result.failed.len(), 1);
    assert!(result.failed[0].reason.contains("does not exist"), "{:?}", result.failed);
    assert!(members(&ctx, demo::DFW_API_POOL).iter().any(|(s, _)| s == demo::UNMANAGED));
}

#[test]
fn add_failed_is_reported_with_its_detail() {
    let ctx = setup();
    let result = membership(&ctx, &[(demo::ADD_FAILS, demo::DFW_WEB_POOL)], Presence::Present, options());
    assert_eq!(result.outcome, Outcome::Failed);
    assert!(
        result.reason.as_deref().is_some_and(|r| r.contains("Unable to communicate with network device")),
        "{:?}",
        result.reason
    );
}

#[test]
fn conflicts_on_remove_converge_too() {
    let ctx = setup();
    // Add, and without waiting remove at once: the node is still ADDING, so the bulk remove
    // meets "not in an ACTIVE state" and is retried; a pair that was never a member is planned
    // as unchanged.
    let no_wait = EnsureOptions { no_wait: true, ..options() };
    let added = membership(&ctx, &[(demo::UNMANAGED, demo::DFW_API_POOL)], Presence::Present, no_wait);
    assert!(added.changed);
    let result = membership(
        &ctx,
        &[(demo::UNMANAGED, demo::DFW_API_POOL), (demo::AUTH_ERROR, demo::DFW_API_POOL)],
        Presence::Absent,
        options(),
    );
    assert_eq!(result.outcome, Outcome::Done, "{:?}", result.reason);
    assert_eq!(result.removed, vec![pair(demo::UNMANAGED, demo::DFW_API_POOL)]);
    assert!(members(&ctx, demo::DFW_API_POOL).is_empty());
}

#[test]
fn a_pair_added_by_someone_else_meanwhile_is_dropped_from_the_atomic_409() {
    let ctx = setup();
    let wanted = pairs(&[(demo::UNMANAGED, demo::DFW_API_POOL), (demo::AUTH_ERROR, demo::DFW_API_POOL)]);
    let mut planner =
        MembershipPlanner::new(ctx.dfw.clone(), ctx.token.clone(), wanted, Presence::Present, options(), 0);
    let mut budget = RateBudget::api();
    let mut now = 0;
    let mut raced = false;
    let result = loop {
        match planner.poll(now, &mut budget) {
            Step::Send(request) => {
                if request.method == rackconnect::Method::Post && !raced {
                    // Another client adds one of the pairs between our read and our write.
                    let other = v3::add_node(
                        &ctx.dfw,
                        &ctx.token,
                        &PoolId::new(demo::DFW_API_POOL).expect("pool"),
                        &ServerId::new(demo::AUTH_ERROR).expect("server"),
                    )
                    .expect("request");
                    assert_eq!(common::send_request(&ctx.emu, &other).status, 201);
                    raced = true;
                }
                planner.on_response(now, &common::send_request(&ctx.emu, &request));
            }
            Step::SleepUntil(at) => {
                common::advance(&ctx.emu, (at.max(now + 1) - now) as f64 / 1000.0);
                now = at.max(now + 1);
            }
            Step::Finished(result) => break result,
        }
    };
    assert_eq!(result.outcome, Outcome::Done, "{:?}", result.reason);
    assert_eq!(result.added, vec![pair(demo::UNMANAGED, demo::DFW_API_POOL)]);
    // The plan stays as first made; what the 409 settled is reported apart.
    assert!(result.plan.add.contains(&pair(demo::AUTH_ERROR, demo::DFW_API_POOL)), "{:?}", result.plan);
    assert_eq!(result.settled_by_conflict, vec![pair(demo::AUTH_ERROR, demo::DFW_API_POOL)]);
    let log = common::control(&ctx.emu, "GET", "requests", None).1;
    let statuses: Vec<u64> = log["requests"]
        .as_array()
        .expect("log")
        .iter()
        .filter(|r| {
            r["method"] == "POST" && r["path"].as_str().is_some_and(|p| p.ends_with("/load_balancer_pools/nodes"))
        })
        .map(|r| r["status"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(statuses, vec![409, 201], "one atomic 409, then the rest in one call");
}

fn public_ip(
    ctx: &Ctx,
    server: &str,
    presence: Presence,
    retain: Option<bool>,
    moving: Option<&str>,
) -> rackconnect::ensure::PublicIpResult {
    let spec = PublicIpSpec {
        server_id: ServerId::new(server).expect("server"),
        presence,
        retain,
        public_ip_id: moving.map(|m| PublicIpId::new(m).expect("id")),
        unassign: false,
    };
    let mut planner = PublicIpPlanner::new(ctx.dfw.clone(), ctx.token.clone(), spec, options(), 0);
    drive(ctx, &mut planner)
}

/// [`public_ip`] with or without `dry_run`.
fn public_ip_run(ctx: &Ctx, server: &str, presence: Presence, dry_run: bool) -> rackconnect::ensure::PublicIpResult {
    let spec = PublicIpSpec {
        server_id: ServerId::new(server).expect("server"),
        presence,
        retain: None,
        public_ip_id: None,
        unassign: false,
    };
    let options = EnsureOptions { dry_run, ..options() };
    let mut planner = PublicIpPlanner::new(ctx.dfw.clone(), ctx.token.clone(), spec, options, 0);
    drive(ctx, &mut planner)
}

#[test]
fn public_ip_present_retain_absent_each_idempotent() {
    let ctx = setup();
    let created = public_ip(&ctx, demo::UNMANAGED, Presence::Present, None, None);
    assert_eq!(created.outcome, Outcome::Done, "{:?}", created.reason);
    assert_eq!(created.plan, PublicIpAction::Create { retain: false });
    let ip = created.public_ip.clone().expect("an IP");
    assert_eq!(ip.status.as_str(), "ACTIVE");
    assert!(ip.public_ip_v4.is_some(), "the address is known once ACTIVE");
    assert!(!public_ip(&ctx, demo::UNMANAGED, Presence::Present, None, None).changed);

    let retained = public_ip(&ctx, demo::UNMANAGED, Presence::Present, Some(true), None);
    assert_eq!(retained.plan, PublicIpAction::SetRetain { id: ip.id.clone(), retain: true });
    assert!(retained.public_ip.as_ref().is_some_and(|i| i.retain && i.status.as_str() == "ACTIVE"));
    assert!(!public_ip(&ctx, demo::UNMANAGED, Presence::Present, Some(true), None).changed);

    // A delete names the IP it deletes, as read before the delete, in a dry run and in a real
    // run alike (the real run's `public_ip` is none: the IP is gone).
    let address = ip.public_ip_v4.clone().expect("an address");
    let mut would = public_ip_run(&ctx, demo::UNMANAGED, Presence::Absent, true);
    let mut removed = public_ip(&ctx, demo::UNMANAGED, Presence::Absent, None, None);
    assert_eq!(removed.outcome, Outcome::Done, "{:?}", removed.reason);
    assert!(removed.changed && removed.public_ip.is_none());
    for result in [&mut would, &mut removed] {
        assert_eq!(result.plan, PublicIpAction::Delete { id: ip.id.clone() });
        let deleted = result.deleted.as_ref().expect("the deleted IP");
        assert_eq!((deleted.id.as_str(), deleted.public_ip_v4.as_deref()), (ip.id.as_str(), Some(address.as_str())));
        result.judge();
    }
    assert_eq!(would.summary, format!("dry run: would delete {} (a retained IP) ({address})", ip.id));
    assert_eq!(removed.summary, format!("done: deleted {} (a retained IP) ({address})", ip.id));
    let again = public_ip(&ctx, demo::UNMANAGED, Presence::Absent, None, None);
    assert!(!again.changed && again.deleted.is_none(), "nothing to delete, nothing named");
}

#[test]
fn public_ip_for_a_just_built_server_retries_the_post_build_409() {
    let ctx = setup();
    let result = public_ip(&ctx, demo::FRESH, Presence::Present, None, None);
    assert_eq!(result.outcome, Outcome::Done, "{:?}", result.reason);
    assert!(result.changed);
}

#[test]
fn a_retained_ip_moves_to_a_server_without_one() {
    let ctx = setup();
    let filter = v3::PublicIpFilter { cloud_server_id: None, retain: Some(true) };
    let request = v3::list_public_ips(&ctx.dfw, &ctx.token, &filter).expect("request");
    let retained = v3::parse_public_ips(&common::send_request(&ctx.emu, &request)).expect("ips");
    let unassigned = retained.iter().find(|ip| ip.cloud_server.is_none()).expect("the demo's unassigned retained IP");
    let result = public_ip(&ctx, demo::UNMANAGED, Presence::Present, None, Some(&unassigned.id));
    assert_eq!(result.outcome, Outcome::Done, "{:?}", result.reason);
    assert_eq!(result.plan, PublicIpAction::Move { id: unassigned.id.clone(), retain: None });
    let moved = result.public_ip.expect("the IP");
    assert_eq!(moved.public_ip_v4.as_deref(), Some(demo::RETAINED_IP_ADDRESS));
    assert!(moved.cloud_server.is_some_and(|s| s.id.eq_ignore_ascii_case(demo::UNMANAGED)));
    // web1 has an IP already: moving another one to it is refused, clearly.
    let refused = public_ip(&ctx, demo::WEB1, Presence::Present, None, Some(&unassigned.id));
    assert_eq!(refused.outcome, Outcome::Failed);
    assert!(refused.reason.as_deref().is_some_and(|r| r.contains("already has public IP")), "{:?}", refused.reason);
}

#[test]
fn a_server_that_never_exists_fails_after_the_post_build_grace() {
    let ctx = setup();
    let options = EnsureOptions { post_build_grace_ms: 20_000, ..options() };
    let typo = "00000002-cccc-4ccc-8ccc-00000000000f";
    let result = membership(&ctx, &[(typo, demo::DFW_WEB_POOL)], Presence::Present, options);
    assert_eq!(result.outcome, Outcome::Failed, "{result:?}");
    let reason = &result.failed[0].reason;
    assert!(reason.contains("does not exist") && reason.contains("still refused after"), "{reason}");
    assert!((20_000..60_000).contains(&result.elapsed_ms), "{}", result.elapsed_ms);
}

#[test]
fn a_public_ip_ensure_that_times_out_says_what_it_last_heard() {
    let ctx = setup();
    let spec = PublicIpSpec {
        server_id: ServerId::new("00000002-cccc-4ccc-8ccc-00000000000f").expect("server"),
        presence: Presence::Present,
        retain: None,
        public_ip_id: None,
        unassign: false,
    };
    let options =
        EnsureOptions { wait: WaitConfig { timeout_ms: 30_000, ..WaitConfig::default() }, ..EnsureOptions::default() };
    let mut planner = PublicIpPlanner::new(ctx.dfw.clone(), ctx.token.clone(), spec, options, 0);
    let result = drive(&ctx, &mut planner);
    assert_eq!(result.outcome, Outcome::TimedOut, "{result:?}");
    let reason = result.reason.as_deref().unwrap_or_default();
    assert!(reason.starts_with("the last answer:") && reason.contains("does not exist"), "{reason}");
}

#[test]
fn a_failed_node_is_cleared_by_an_absent_ensure() {
    let ctx = setup();
    let pair = [(demo::ADD_FAILS, demo::DFW_WEB_POOL)];
    assert_eq!(membership(&ctx, &pair, Presence::Present, options()).outcome, Outcome::Failed);
    let again = membership(&ctx, &pair, Presence::Present, options());
    assert!(again.failed[0].reason.contains("remove it first"), "{:?}", again.failed);
    let cleared = membership(&ctx, &pair, Presence::Absent, options());
    assert_eq!(cleared.outcome, Outcome::Done, "{:?}", cleared.reason);
    assert!(cleared.changed);
    assert!(members(&ctx, demo::DFW_WEB_POOL).iter().all(|(s, _)| s != demo::ADD_FAILS));
}
