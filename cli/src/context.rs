//! What every command needs: credentials, endpoints, transports (v2's bound to
//! `--source-address`, the others not), an in-process emulator with `--emulated`, and a session
//! made on first use.

use std::net::IpAddr;

use rackconnect::blocking::{HttpConfig, IdentityClient, Session, Transport, settings};
use rackconnect::identity::{IdentityEndpoint, TenantScope};
use rackconnect::v2::V2Endpoint;
use rackconnect::{BaseUrl, Region};
use rackconnect_emulator::{Emulator, Options, Scenario};

use crate::args::Global;
use crate::output::{self, Progress};
use crate::{Failure, credentials, exit};

/// The source address `--emulated` asks v2 from by default: `web2`, a server being built.
const EMULATED_V2_SOURCE: &str = "127.0.0.3";

/// Everything a command needs: endpoints, transports, and (lazily) a session.
pub struct Context {
    pub(crate) global: Global,
    /// Keeps the in-process emulator running for the command's lifetime.
    _emulator: Option<Emulator>,
    emulator_url: Option<String>,
    api: Transport,
    pub(crate) v2: Transport,
    v2_endpoint: Option<V2Endpoint>,
    identity_url: IdentityEndpoint,
    session: Option<Session>,
}

impl Context {
    pub(crate) fn new(global: Global) -> Result<Self, Failure> {
        let (emulator, emulator_url) = if global.emulated {
            let options = Options { clock_speed: Some(global.emulated_speed), ..Options::default() };
            let emulator = Emulator::start(Scenario::demo(), options)
                .map_err(|e| Failure::new(exit::TRANSPORT, format!("cannot start the emulator: {e}")))?;
            let url = emulator.url();
            if !global.quiet {
                eprintln!(
                    "emulated: a local RackConnect at {url} (the demo account; clock x{})",
                    global.emulated_speed
                );
            }
            (Some(emulator), Some(url))
        } else {
            (None, None)
        };
        let source: Option<IpAddr> = match (global.source_address, &emulator_url) {
            (Some(address), _) => Some(address),
            (None, Some(_)) => EMULATED_V2_SOURCE.parse().ok(),
            (None, None) => None,
        };
        let api = crate::verbose::transport(HttpConfig::default(), global.verbose);
        let v2 =
            crate::verbose::transport(HttpConfig { local_address: source, ..HttpConfig::default() }, global.verbose);
        // --emulated with --identity-url or --v2-url is refused before this (main.rs).
        let identity_url = match &emulator_url {
            Some(url) => IdentityEndpoint::parse(url)?,
            None => settings::identity_endpoint(global.identity_url.as_deref(), &settings::process_env)?,
        };
        // A region that is given (or exported) is checked even when the command does not need
        // one; a mistake in RAX_REGION is named as such.
        let region = settings::region(global.region.as_deref(), &settings::process_env)?;
        let v2_url = global
            .v2_url
            .clone()
            .or_else(|| emulator_url.clone())
            .or_else(|| settings::process_env("RAX_RACKCONNECT_V2_URL"));
        let v2_endpoint = match v2_url {
            Some(url) => Some(V2Endpoint::BaseUrl(BaseUrl::new("v2_url", &url)?)),
            None => region.map(V2Endpoint::Region),
        };
        Ok(Self { global, _emulator: emulator, emulator_url, api, v2, v2_endpoint, identity_url, session: None })
    }

    pub(crate) fn v2_endpoint(&self) -> Result<V2Endpoint, Failure> {
        self.v2_endpoint.clone().ok_or_else(|| Failure::usage("v2 needs --region (or RAX_REGION) or --v2-url"))
    }

    pub(crate) fn session(&mut self) -> Result<&mut Session, Failure> {
        if self.session.is_none() {
            let mut given = credentials::Given {
                username: self.global.username.clone(),
                api_key: self.global.api_key.clone(),
                password: self.global.password.clone(),
                file: self.global.credentials.clone(),
            };
            if self.emulator_url.is_some()
                && given.api_key.is_none()
                && given.password.is_none()
                && given.file.is_none()
            {
                // The emulator knows only its demo account: real credentials exported for
                // Rackspace are not sent to it.
                given.username = Some("demo".into());
                given.api_key = Some("demo-api-key".into());
            } else if given.api_key.is_some() || given.password.is_some() {
                output::warn(
                    "a secret given on the command line is visible to other users of this machine (ps, shell history); use RAX_API_KEY, RAX_PASSWORD or --credentials FILE",
                );
            }
            let (credentials, warning) = credentials::resolve(&given).map_err(Failure::usage)?;
            // Said once: the session, and so this, is made once per run.
            if let Some(warning) = warning {
                output::warn(&warning);
            }
            let tenant = settings::tenant(self.global.tenant.as_deref(), &settings::process_env).map(TenantScope::Id);
            let identity = IdentityClient::new(self.identity_url.clone(), credentials, tenant);
            self.session = Some(Session::new(self.api.clone(), identity));
        }
        self.session.as_mut().ok_or_else(|| Failure::usage("no session"))
    }

    /// The region for token APIs: --region, RAX_REGION, or the user's default region.
    pub(crate) fn region(&mut self) -> Result<Region, Failure> {
        if let Some(region) = settings::region(self.global.region.as_deref(), &settings::process_env)? {
            return Ok(region);
        }
        let access = self.session()?.access()?;
        match access.user.default_region.clone().filter(|r| !r.is_empty()) {
            Some(region) => Ok(Region::parse(&region)?),
            None => Err(Failure::usage("no region: give --region or set RAX_REGION")),
        }
    }

    pub(crate) fn progress(&self, label: &str) -> Progress {
        Progress::new(label, self.global.quiet)
    }
}
