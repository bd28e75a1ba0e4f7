//! RackConnect v2.0, asked from the cloud server itself.
//!
//! The API knows the caller by its source IP, so there are no credentials; it allows 30 requests
//! per minute per server and answers 403 above that. Each operation has a builder and a parser;
//! parsers sniff the body's syntax (text, JSON or XML) rather than trusting the requested format,
//! and accept the tolerant variants listed in the project's API notes.
//!
//! ```
//! use rackconnect::v2::{self, V2Endpoint, V2Format, V2Answer, AutomationStatus};
//! use rackconnect::{Region, Response};
//!
//! let request = v2::automation_status(&V2Endpoint::Region(Region::Dfw), Some(V2Format::Json))?;
//! assert_eq!(request.url, "https://dfw.api.rackconnect.rackspace.com/v1/automation_status?format=json");
//! let answer = v2::parse_automation_status(&Response::new(200, r#"{"automation_status": "DEPLOYED"}"#))?;
//! assert_eq!(answer, V2Answer::Answer(AutomationStatus::Deployed));
//! let limited = v2::parse_automation_status(&Response::new(403, "Forbidden"))?;
//! assert!(matches!(limited, V2Answer::RateLimited { .. }));
//! # Ok::<(), rackconnect::Error>(())
//! ```

mod model;
mod parse;
mod syntax;
mod tasks;

pub use model::{
    AutomationDetails, AutomationFeatures, AutomationStatus, Feature, FeatureState, GatewayIp, Task, V2Answer,
};
pub use parse::{parse_automation_features, parse_automation_status, parse_details, parse_gateway_ip};
pub use syntax::{BodySyntax, body_syntax};
pub use tasks::{FailedAndPending, failed_and_pending};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::http::{Method, Request};
use crate::id::{BaseUrl, Region};

/// Requests per minute v2 allows each server before it answers 403.
pub const REQUESTS_PER_MINUTE: u32 = 30;

/// Where a server asks v2: its region's endpoint, or any base URL (an emulator, a proxy).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum V2Endpoint {
    /// `https://{region}.api.rackconnect.rackspace.com`
    Region(Region),
    /// A base URL without the `/v1/…` path.
    BaseUrl(BaseUrl),
}

impl V2Endpoint {
    /// The base URL, without a trailing slash.
    pub fn base(&self) -> String {
        match self {
            V2Endpoint::Region(region) => {
                format!("https://{}.api.rackconnect.rackspace.com", region.lower())
            }
            V2Endpoint::BaseUrl(url) => url.as_str().to_owned(),
        }
    }
}

/// The answer format v2 is asked for. Without one, v2 picks its default (text for status and
/// gateway IP, JSON for details and features).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum V2Format {
    /// `format=text`: the bare value.
    Text,
    /// `format=json`
    Json,
    /// `format=xml`
    Xml,
}

impl V2Format {
    /// The query value.
    pub fn as_str(self) -> &'static str {
        match self {
            V2Format::Text => "text",
            V2Format::Json => "json",
            V2Format::Xml => "xml",
        }
    }

    /// Parses a format name in any case.
    pub fn parse(value: &str) -> Result<Self> {
        match value.to_ascii_lowercase().as_str() {
            "text" => Ok(V2Format::Text),
            "json" => Ok(V2Format::Json),
            "xml" => Ok(V2Format::Xml),
            _ => Err(Error::invalid("format", "one of text, json, xml", value)),
        }
    }

    fn accept(self) -> &'static str {
        match self {
            V2Format::Text => "text/plain",
            V2Format::Json => "application/json",
            V2Format::Xml => "application/xml",
        }
    }
}

/// The four v2 operations.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum V2Operation {
    /// `GET /v1/automation_status`: text, json, xml; default text.
    AutomationStatus,
    /// `GET /v1/automation_status/details`: json, xml; default json.
    Details,
    /// `GET /v1/gateway_ip`: text, json, xml; default text. 404 until a gateway is assigned.
    GatewayIp,
    /// `GET /v1/automation_features`: json, xml; default json.
    AutomationFeatures,
}

impl V2Operation {
    /// The path below the base URL.
    pub fn path(self) -> &'static str {
        match self {
            V2Operation::AutomationStatus => "/v1/automation_status",
            V2Operation::Details => "/v1/automation_status/details",
            V2Operation::GatewayIp => "/v1/gateway_ip",
            V2Operation::AutomationFeatures => "/v1/automation_features",
        }
    }

    /// The formats the operation offers.
    pub fn formats(self) -> &'static [V2Format] {
        match self {
            V2Operation::AutomationStatus | V2Operation::GatewayIp => &[V2Format::Text, V2Format::Json, V2Format::Xml],
            V2Operation::Details | V2Operation::AutomationFeatures => &[V2Format::Json, V2Format::Xml],
        }
    }

    /// Builds the request.
    pub fn request(self, endpoint: &V2Endpoint, format: Option<V2Format>) -> Result<Request> {
        let mut url = format!("{}{}", endpoint.base(), self.path());
        let mut request_format = None;
        if let Some(format) = format {
            if !self.formats().contains(&format) {
                let offered: Vec<&str> = self.formats().iter().map(|f| f.as_str()).collect();
                return Err(Error::invalid(
                    "format",
                    format!("one of {} for {}", offered.join(", "), self.path()),
                    format.as_str(),
                ));
            }
            url.push_str("?format=");
            url.push_str(format.as_str());
            request_format = Some(format);
        }
        let request = Request::new(Method::Get, url);
        Ok(match request_format {
            Some(format) => request.header("Accept", format.accept()),
            None => request,
        })
    }
}

/// `GET /v1/automation_status`
pub fn automation_status(endpoint: &V2Endpoint, format: Option<V2Format>) -> Result<Request> {
    V2Operation::AutomationStatus.request(endpoint, format)
}

/// `GET /v1/automation_status/details`
pub fn details(endpoint: &V2Endpoint, format: Option<V2Format>) -> Result<Request> {
    V2Operation::Details.request(endpoint, format)
}

/// `GET /v1/gateway_ip`
pub fn gateway_ip(endpoint: &V2Endpoint, format: Option<V2Format>) -> Result<Request> {
    V2Operation::GatewayIp.request(endpoint, format)
}

/// `GET /v1/automation_features`
pub fn automation_features(endpoint: &V2Endpoint, format: Option<V2Format>) -> Result<Request> {
    V2Operation::AutomationFeatures.request(endpoint, format)
}
