//! What RackConnect v2 answers.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::open_enum::open_enum;

open_enum!(
    /// The state of RackConnect v2 automation on a server. `UNPROCESSABLE` appears only in Cloud
    /// Servers metadata (the server was built where the RackConnect configuration does not apply).
    AutomationStatus {
        /// Automation is running.
        Deploying = "DEPLOYING",
        /// Automation finished: post-build work may start.
        Deployed = "DEPLOYED",
        /// Automation failed: see the details' tasks.
        Failed = "FAILED",
        /// RackConnect does not apply to this server; see the unprocessable reason.
        Unprocessable = "UNPROCESSABLE",
    }
);

impl AutomationStatus {
    /// True for a state automation will not leave (`DEPLOYED`, `FAILED`, `UNPROCESSABLE`).
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Deployed | Self::Failed | Self::Unprocessable)
    }
}

open_enum!(
    /// Whether an automation feature is on. Features are enabled or disabled together, per
    /// account, when a server is created.
    FeatureState {
        /// The feature is on.
        Enabled = "ENABLED",
        /// The feature is off (the value is the project's convention).
        Disabled = "DISABLED",
    }
);

/// One task of v2 automation, as listed by `automation_status/details`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Task {
    /// The task's name, e.g. `Cloud Server Created: Add "rackconnect" user`.
    pub name: String,
    /// The task's status as written by the API (an open set).
    pub status: String,
    /// Any other fields the task carried, kept as received.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// The answer of `automation_status/details`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AutomationDetails {
    /// The overall status.
    pub automation_status: AutomationStatus,
    /// The tasks, in the order given; empty when the answer lists none.
    pub tasks: Vec<Task>,
}

/// One automation feature, as listed by `automation_features`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Feature {
    /// The feature's name, e.g. `configure_network_stack`.
    pub name: String,
    /// Whether it is on.
    pub status: FeatureState,
    /// Any other fields the feature carried, kept as received.
    #[serde(flatten, serialize_with = "crate::unknown::nested")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::unknown::Nested"))]
    pub extra: Map<String, Value>,
}

/// The answer of `automation_features`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AutomationFeatures {
    /// The features, in the order given.
    pub features: Vec<Feature>,
}

impl AutomationFeatures {
    /// The state of a feature, matching names loosely (`provision public IP`,
    /// `provision_public_ip` and `PROVISION_PUBLIC_IP` are one feature).
    pub fn state_of(&self, name: &str) -> Option<&FeatureState> {
        let wanted = normalize_feature_name(name);
        self.features.iter().find(|f| normalize_feature_name(&f.name) == wanted).map(|f| &f.status)
    }
}

fn normalize_feature_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect::<String>()
        // Cloud Servers metadata spells it "provison"; treat both spellings as one feature.
        .replace("provison", "provision")
}

/// What a v2 call came back with: an answer, or one of the two outcomes that are not errors.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "outcome", content = "value", rename_all = "snake_case")]
pub enum V2Answer<T> {
    /// The service answered.
    Answer(T),
    /// HTTP 403: v2 allows 30 requests per minute per server and answers 403 above that. Wait
    /// for the next minute; only a 403 that persists means "not a RackConnect server".
    RateLimited {
        /// Seconds to wait, if the service said (`Retry-After`).
        retry_after: Option<u64>,
        /// The body text, for messages.
        body: String,
    },
    /// HTTP 404 from `gateway_ip`: no gateway is assigned yet (automation has not reached it).
    NotAssigned,
}

impl<T> V2Answer<T> {
    /// The answer, if the service gave one.
    pub fn answer(self) -> Option<T> {
        match self {
            V2Answer::Answer(value) => Some(value),
            _ => None,
        }
    }
}

/// The gateway IP of a server's RackConnect network.
pub type GatewayIp = Ipv4Addr;
