//! The common waits, each a [`MachineTask`] run by [`drive`](super::drive).

use std::sync::atomic::AtomicBool;

use super::driver::{drive_shared, random_seed};
use super::identity::Session;
use super::shared_budget::SharedBudget;
use super::transport::Transport;
use crate::client::{Exchange, ExchangeConfig, MachineTask, MetadataWait, Needs, Start, work};
use crate::error::Result;
use crate::id::{Region, ServerId};
use crate::v2::V2Endpoint;
use crate::wait::{Event, Machine, MetadataWaitConfig, RateBudget, WaitConfig, WaitResult};

/// Waits for RackConnect v2 automation of the server the transport asks from (see
/// [`V2Waiter`](crate::wait::V2Waiter)). `budget` is the server's v2 budget (shared by every
/// wait on it). A configuration error (an insecure URL) is returned at once, before anything
/// is sent.
pub fn wait_v2(
    transport: &Transport,
    endpoint: V2Endpoint,
    config: WaitConfig,
    budget: &mut RateBudget,
    cancel: &AtomicBool,
    on_event: impl FnMut(&Event),
) -> Result<WaitResult> {
    let config_x = ExchangeConfig { seed: random_seed(), ..ExchangeConfig::default() };
    let shared = SharedBudget::for_server(&v2_server_key(transport, &endpoint));
    let mut exchange = Exchange::new(work::v2_wait(endpoint, config), None, budget.clone(), config_x);
    let result = drive_shared(&mut exchange, transport, shared.as_ref(), cancel, on_event);
    *budget = exchange.budget().clone();
    result
}

/// The server a v2 budget belongs to: the endpoint, asked from the transport's source address
/// (v2 knows a server by the address it asks from).
pub(crate) fn v2_server_key(transport: &Transport, endpoint: &V2Endpoint) -> String {
    let url = crate::v2::automation_status(endpoint, None).map(|r| r.url).unwrap_or_default();
    let host = url.split('/').take(3).collect::<Vec<_>>().join("/");
    let source = transport.config().local_address.map_or_else(|| "default".to_owned(), |a| a.to_string());
    format!("{host} {source}")
}

/// Waits on a server's Cloud Servers metadata in `region` for RackConnect and (if asked) Managed
/// Operations (see [`MetadataWaiter`](crate::wait::MetadataWaiter)), re-authenticating when
/// the token expires.
pub fn wait_metadata(
    session: &mut Session,
    region: Region,
    server: ServerId,
    config: MetadataWaitConfig,
    budget: &mut RateBudget,
    cancel: &AtomicBool,
    on_event: impl FnMut(&Event),
) -> Result<MetadataWait> {
    let task = work::metadata_wait(server, config);
    let (result, used) = session.run_with_budget(task, Some(region), budget.clone(), cancel, on_event);
    *budget = used;
    result
}

/// Runs a machine that was built with its endpoint and token already (the session's token is
/// stamped on each of its requests, renewed as needed) to its end.
pub fn run<M>(
    machine: M,
    session: &mut Session,
    timeout_ms: crate::wait::Millis,
    cancel: &AtomicBool,
    on_event: impl FnMut(&Event),
) -> Result<M::Output>
where
    M: Machine + 'static,
    M::Output: crate::client::Verdict,
{
    let kind = machine.budget_kind();
    let task = MachineTask::new(Needs::Token, timeout_ms, kind, move |_: &Start| Ok(machine), |_, output| output);
    session.run(task, None, cancel, on_event)
}
