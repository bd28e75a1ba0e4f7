//! Every operation by name, with JSON in and JSON out.
//!
//! This is the one entry point the shared test corpus, the Python binding and the JS binding
//! use: [`Operation::build`] turns a JSON object of inputs into a [`Request`], and
//! [`Operation::parse`] turns a [`Response`] into the typed result, serialized to JSON. The
//! typed builders and parsers in [`crate::v2`], [`crate::servers`], [`crate::identity`] and
//! [`crate::v3`] do the work; this module only reads inputs and picks the function.
//!
//! ```
//! use rackconnect::ops::Operation;
//! use rackconnect::Response;
//!
//! let op = Operation::from_name("v3.get_pool")?;
//! let request = op.build(&serde_json::json!({
//!     "endpoint": "http://127.0.0.1:8080/v3/123456", "token": "t", "pool_id": "p1"
//! }))?;
//! assert_eq!(request.url, "http://127.0.0.1:8080/v3/123456/load_balancer_pools/p1");
//! let pool = op.parse(&Response::new(200, r#"{"id": "p1", "status": "ACTIVE", "port": 80}"#))?;
//! assert_eq!(pool["port"], 80);
//! # Ok::<(), rackconnect::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::format::shape::{self, Shape};
use crate::http::{Request, Response};
use crate::id::{BaseUrl, MetadataKey, NetworkId, NodeId, PoolId, PublicIpId, Region, ServerId, TenantId};
use crate::identity::{self, Credentials, IdentityEndpoint, TenantScope};
use crate::secret::{ApiKey, Password, Token};
use crate::servers::{self, ServersEndpoint};
use crate::v2::{self, V2Endpoint, V2Format, V2Operation};
use crate::v3::{self, PublicIpFilter, V3Endpoint};

macro_rules! operations {
    ($($(#[$doc:meta])* $variant:ident = $name:literal),+ $(,)?) => {
        /// Every operation this crate can build and parse.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum Operation {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)+
        }

        impl Operation {
            /// All operations, in the order of the API notes.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)+];

            /// The stable name, e.g. `v3.bulk_add_nodes`.
            pub fn name(self) -> &'static str {
                match self { $(Operation::$variant => $name,)+ }
            }

            /// Looks an operation up by its stable name.
            pub fn from_name(name: &str) -> Result<Operation> {
                match name {
                    $($name => Ok(Operation::$variant),)+
                    _ => {
                        // Every name, so that a guess (or the emulator's own operation names,
                        // which cover more than this crate calls) can be put right at once.
                        let names: Vec<&str> = Operation::ALL.iter().map(|op| op.name()).collect();
                        Err(Error::invalid("op", format!("the name of an operation: one of {}", names.join(", ")), name))
                    }
                }
            }
        }
    };
}

operations! {
    /// v2 `GET /v1/automation_status`
    V2AutomationStatus = "v2.automation_status",
    /// v2 `GET /v1/automation_status/details`
    V2Details = "v2.details",
    /// v2 `GET /v1/gateway_ip`
    V2GatewayIp = "v2.gateway_ip",
    /// v2 `GET /v1/automation_features`
    V2AutomationFeatures = "v2.automation_features",
    /// Cloud Servers `GET /servers/{id}`
    ServersShow = "servers.show",
    /// Cloud Servers `GET /servers/{id}/metadata`
    ServersMetadata = "servers.metadata",
    /// Cloud Servers `GET /servers/{id}/metadata/{key}`
    ServersMetadataItem = "servers.metadata_item",
    /// Cloud Servers `GET /servers/detail`
    ServersListDetail = "servers.list_detail",
    /// First-generation `GET /v1.0` auth
    ServersV1Auth = "servers.v1_auth",
    /// First-generation `GET {management URL}/servers/{id}`
    ServersV1Show = "servers.v1_show",
    /// Identity `POST /v2.0/tokens`
    IdentityToken = "identity.token",
    /// Identity `GET /v2.0/tokens/{id}`
    IdentityValidate = "identity.validate",
    /// Identity `DELETE /v2.0/tokens`
    IdentityRevoke = "identity.revoke",
    /// N1
    V3ListNetworks = "v3.list_networks",
    /// N2
    V3GetNetwork = "v3.get_network",
    /// P1
    V3ListPools = "v3.list_pools",
    /// P2
    V3GetPool = "v3.get_pool",
    /// P3
    V3ListNodes = "v3.list_nodes",
    /// P4
    V3AddNode = "v3.add_node",
    /// P5
    V3ListNodeDetails = "v3.list_node_details",
    /// P6
    V3GetNode = "v3.get_node",
    /// P7
    V3RemoveNode = "v3.remove_node",
    /// P8
    V3GetNodeDetails = "v3.get_node_details",
    /// B1
    V3BulkAddNodes = "v3.bulk_add_nodes",
    /// B2
    V3BulkRemoveNodes = "v3.bulk_remove_nodes",
    /// B3
    V3ServerNodeDetails = "v3.server_node_details",
    /// I1
    V3ListPublicIps = "v3.list_public_ips",
    /// I2
    V3CreatePublicIp = "v3.create_public_ip",
    /// I3
    V3GetPublicIp = "v3.get_public_ip",
    /// I4
    V3UpdatePublicIp = "v3.update_public_ip",
    /// I5
    V3DeletePublicIp = "v3.delete_public_ip",
}

/// A (server, pool) pair of a bulk node operation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairInput {
    server_id: String,
    pool_id: String,
}

/// The inputs of every operation; each takes what it needs.
#[derive(Default)]
struct Input {
    // Where.
    region: Option<String>,
    base_url: Option<String>,
    endpoint: Option<String>,
    tenant_id: Option<String>,
    identity_url: Option<String>,
    auth_url: Option<String>,
    server_management_url: Option<String>,
    // Credentials.
    token: Option<Token>,
    auth_token: Option<Token>,
    username: Option<String>,
    api_key: Option<ApiKey>,
    password: Option<Password>,
    tenant_name: Option<String>,
    // What.
    format: Option<String>,
    server_id: Option<String>,
    key: Option<String>,
    limit: Option<u32>,
    marker: Option<String>,
    network_id: Option<String>,
    pool_id: Option<String>,
    node_id: Option<String>,
    public_ip_id: Option<String>,
    pairs: Option<Vec<PairInput>>,
    cloud_server_id: Option<String>,
    retain: Option<bool>,
}

impl Input {
    /// Reads the inputs from their JSON object in the order given, each by its type's own reader;
    /// the first that is not of its type is named as a path reader would name it (`limit`,
    /// `pairs[1]`, `pairs[0].server`). By hand, not derived: the derived reader of 25 optional
    /// fields was 9 KB of the npm `.wasm`.
    fn read(given: &serde_json::Map<String, Value>) -> std::result::Result<Input, (String, serde_json::Error)> {
        fn typed<T: serde::de::DeserializeOwned>(value: &Value) -> std::result::Result<Option<T>, serde_json::Error> {
            Option::<T>::deserialize(value)
        }
        let mut input = Input::default();
        for (name, value) in given {
            let named = |e| (name.clone(), e);
            match name.as_str() {
                "region" => input.region = typed(value).map_err(named)?,
                "base_url" => input.base_url = typed(value).map_err(named)?,
                "endpoint" => input.endpoint = typed(value).map_err(named)?,
                "tenant_id" => input.tenant_id = typed(value).map_err(named)?,
                "identity_url" => input.identity_url = typed(value).map_err(named)?,
                "auth_url" => input.auth_url = typed(value).map_err(named)?,
                "server_management_url" => input.server_management_url = typed(value).map_err(named)?,
                "token" => input.token = typed(value).map_err(named)?,
                "auth_token" => input.auth_token = typed(value).map_err(named)?,
                "username" => input.username = typed(value).map_err(named)?,
                "api_key" => input.api_key = typed(value).map_err(named)?,
                "password" => input.password = typed(value).map_err(named)?,
                "tenant_name" => input.tenant_name = typed(value).map_err(named)?,
                "format" => input.format = typed(value).map_err(named)?,
                "server_id" => input.server_id = typed(value).map_err(named)?,
                "key" => input.key = typed(value).map_err(named)?,
                "limit" => input.limit = typed(value).map_err(named)?,
                "marker" => input.marker = typed(value).map_err(named)?,
                "network_id" => input.network_id = typed(value).map_err(named)?,
                "pool_id" => input.pool_id = typed(value).map_err(named)?,
                "node_id" => input.node_id = typed(value).map_err(named)?,
                "public_ip_id" => input.public_ip_id = typed(value).map_err(named)?,
                "cloud_server_id" => input.cloud_server_id = typed(value).map_err(named)?,
                "retain" => input.retain = typed(value).map_err(named)?,
                "pairs" => input.pairs = typed(value).map_err(|e| (pair_path(name, value), e))?,
                _ => return Err((name.clone(), serde::de::Error::custom("not an input of any operation"))),
            }
        }
        Ok(input)
    }
}

/// Where in `pairs` its read failed: the first pair that does not read, and in it the first key
/// that is unknown or not a string (a pair is two strings under two known keys).
fn pair_path(name: &str, value: &Value) -> String {
    let Value::Array(pairs) = value else {
        return name.to_owned();
    };
    let Some((n, pair)) = pairs.iter().enumerate().find(|(_, pair)| PairInput::deserialize(*pair).is_err()) else {
        return name.to_owned();
    };
    let bad_key = pair.as_object().and_then(|fields| {
        fields.iter().find(|(k, v)| !["server_id", "pool_id"].contains(&k.as_str()) || !v.is_string()).map(|(k, _)| k)
    });
    match bad_key {
        Some(inner) => format!("{name}[{n}].{inner}"),
        None => format!("{name}[{n}]"),
    }
}

fn required<'a, T>(value: &'a Option<T>, field: &str, expected: &str) -> Result<&'a T> {
    value.as_ref().ok_or_else(|| Error::invalid(field, expected, "nothing"))
}

impl Input {
    fn v2_endpoint(&self) -> Result<V2Endpoint> {
        match (&self.region, &self.base_url) {
            (Some(region), None) => Ok(V2Endpoint::Region(Region::parse(region)?)),
            (None, Some(url)) => Ok(V2Endpoint::BaseUrl(BaseUrl::new("base_url", url)?)),
            _ => Err(Error::invalid("region", "exactly one of region and base_url", "both or neither")),
        }
    }

    fn format(&self) -> Result<Option<V2Format>> {
        self.format.as_deref().map(V2Format::parse).transpose()
    }

    fn region_tenant(&self) -> Result<Option<(Region, TenantId)>> {
        match (&self.region, &self.tenant_id, &self.endpoint) {
            (Some(region), Some(tenant), None) => Ok(Some((Region::parse(region)?, TenantId::new(tenant.clone())?))),
            (None, None, Some(_)) => Ok(None),
            _ => Err(Error::invalid("endpoint", "either endpoint, or region with tenant_id", "another combination")),
        }
    }

    fn endpoint_url(&self) -> Result<BaseUrl> {
        BaseUrl::new("endpoint", required(&self.endpoint, "endpoint", "a base URL")?)
    }

    fn servers_endpoint(&self) -> Result<ServersEndpoint> {
        Ok(match self.region_tenant()? {
            Some((region, tenant)) => ServersEndpoint::Region(region, tenant),
            None => ServersEndpoint::BaseUrl(self.endpoint_url()?),
        })
    }

    fn v3_endpoint(&self) -> Result<V3Endpoint> {
        Ok(match self.region_tenant()? {
            Some((region, tenant)) => V3Endpoint::Region(region, tenant),
            None => V3Endpoint::BaseUrl(self.endpoint_url()?),
        })
    }

    fn identity_endpoint(&self) -> Result<IdentityEndpoint> {
        self.identity_url.as_deref().map_or(Ok(IdentityEndpoint::Us), IdentityEndpoint::parse)
    }

    fn token(&self) -> Result<&Token> {
        required(&self.token, "token", "an Identity token")
    }

    fn server(&self) -> Result<ServerId> {
        ServerId::new(required(&self.server_id, "server_id", "a server id")?.clone())
    }

    fn pool(&self) -> Result<PoolId> {
        PoolId::new(required(&self.pool_id, "pool_id", "a pool id")?.clone())
    }

    fn node(&self) -> Result<NodeId> {
        NodeId::new(required(&self.node_id, "node_id", "a node id")?.clone())
    }

    fn public_ip(&self) -> Result<PublicIpId> {
        PublicIpId::new(required(&self.public_ip_id, "public_ip_id", "a public IP id")?.clone())
    }

    fn optional_server(&self) -> Result<Option<ServerId>> {
        self.cloud_server_id.clone().map(|id| ServerId::new_as("cloud_server_id", id)).transpose()
    }

    fn pairs(&self) -> Result<Vec<(ServerId, PoolId)>> {
        required(&self.pairs, "pairs", "a list of {server_id, pool_id}")?
            .iter()
            .enumerate()
            .map(|(n, p)| {
                let server = ServerId::new_as(&format!("pairs[{n}].server_id"), p.server_id.clone())?;
                let pool = PoolId::new_as(&format!("pairs[{n}].pool_id"), p.pool_id.clone())?;
                Ok((server, pool))
            })
            .collect()
    }

    fn credentials(&self) -> Result<Credentials> {
        let username = required(&self.username, "username", "a user name")?.clone();
        match (&self.api_key, &self.password) {
            (Some(api_key), None) => Ok(Credentials::ApiKey { username, api_key: api_key.clone() }),
            (None, Some(password)) => Ok(Credentials::Password { username, password: password.clone() }),
            _ => Err(Error::invalid("api_key", "exactly one of api_key and password", "both or neither")),
        }
    }

    fn tenant_scope(&self) -> Result<Option<TenantScope>> {
        match (&self.tenant_id, &self.tenant_name) {
            (Some(id), None) => Ok(Some(TenantScope::Id(id.clone()))),
            (None, Some(name)) => Ok(Some(TenantScope::Name(name.clone()))),
            (None, None) => Ok(None),
            // Identity answers 400 to both; refuse before sending.
            (Some(_), Some(_)) => Err(Error::invalid("tenant_id", "at most one of tenant_id and tenant_name", "both")),
        }
    }
}

/// Serializes a typed result to its JSON text.
/// A v3 answer's result text: the one-pass reader's ([`shape`]) wherever it is sure, else the
/// typed parser's, which also gives every error. The two write the same text (tested in
/// `format::shape`'s tests, on the corpus and on bodies mutated at random).
fn v3_text<T: Serialize>(
    response: &Response,
    read: fn(&[u8], &'static Shape) -> Option<String>,
    model: &'static Shape,
    typed: fn(&Response) -> Result<T>,
) -> Result<String> {
    // A blank list answer is an empty list, a blank object answer an error: the typed parser's rules.
    if response.is_success()
        && !response.body.iter().all(u8::is_ascii_whitespace)
        && let Some(text) = read(&response.body, model)
    {
        return Ok(text);
    }
    emit(typed(response)?)
}

fn emit<T: Serialize>(typed: T) -> Result<String> {
    serde_json::to_string(&typed).map_err(|e| Error::json("", format!("the result could not be serialized: {e}")))
}

const V2_WHERE: &[&str] = &["region", "base_url", "format"];
const SERVERS_WHERE: &[&str] = &["endpoint", "region", "tenant_id", "token"];

impl Operation {
    /// The input names the operation takes (see `tests/corpus/README.md`).
    pub fn inputs(self) -> Vec<&'static str> {
        use Operation::*;
        let (base, extra): (&[&str], &[&str]) = match self {
            V2AutomationStatus | V2Details | V2GatewayIp | V2AutomationFeatures => (V2_WHERE, &[]),
            ServersShow | ServersMetadata => (SERVERS_WHERE, &["server_id"]),
            ServersMetadataItem => (SERVERS_WHERE, &["server_id", "key"]),
            ServersListDetail => (SERVERS_WHERE, &["limit", "marker"]),
            ServersV1Auth => (&[], &["username", "api_key", "auth_url"]),
            ServersV1Show => (&[], &["server_management_url", "token", "server_id"]),
            IdentityToken => (&[], &["identity_url", "username", "api_key", "password", "tenant_id", "tenant_name"]),
            IdentityValidate => (&[], &["identity_url", "token", "auth_token"]),
            IdentityRevoke => (&[], &["identity_url", "token"]),
            V3ListNetworks | V3ListPools => (SERVERS_WHERE, &[]),
            V3GetNetwork => (SERVERS_WHERE, &["network_id"]),
            V3GetPool | V3ListNodes | V3ListNodeDetails => (SERVERS_WHERE, &["pool_id"]),
            V3AddNode => (SERVERS_WHERE, &["pool_id", "server_id"]),
            V3GetNode | V3RemoveNode | V3GetNodeDetails => (SERVERS_WHERE, &["pool_id", "node_id"]),
            V3BulkAddNodes | V3BulkRemoveNodes => (SERVERS_WHERE, &["pairs"]),
            V3ServerNodeDetails => (SERVERS_WHERE, &["server_id"]),
            V3ListPublicIps | V3CreatePublicIp => (SERVERS_WHERE, &["cloud_server_id", "retain"]),
            V3GetPublicIp | V3DeletePublicIp => (SERVERS_WHERE, &["public_ip_id"]),
            V3UpdatePublicIp => (SERVERS_WHERE, &["public_ip_id", "retain", "cloud_server_id"]),
        };
        base.iter().chain(extra).copied().collect()
    }

    /// Builds the request from a JSON object of inputs. The inputs are documented in
    /// `tests/corpus/README.md`; unknown input names are refused.
    pub fn build(self, input: &Value) -> Result<Request> {
        let Value::Object(given) = input else {
            return Err(Error::invalid(
                "input",
                format!("an object of the inputs of {}", self.name()),
                &input.to_string(),
            ));
        };
        let allowed = self.inputs();
        if let Some(unknown) = given.keys().find(|k| !allowed.contains(&k.as_str())) {
            // An input the operation does not take is a mistake to report, not to ignore.
            return Err(Error::invalid("input", format!("only {} for {}", allowed.join(", "), self.name()), unknown));
        }
        let input = Input::read(given).map_err(|(field, e)| {
            let secret = ["token", "auth_token", "api_key", "password"].contains(&field.as_str());
            let problem = e.to_string();
            // serde's message may quote the value; a credential is never echoed.
            let found = if secret { crate::secret::REDACTED.to_owned() } else { problem };
            Error::invalid(&field, format!("a value of the right type for {}", self.name()), &found)
        })?;
        let i = &input;
        use Operation::*;
        Ok(match self {
            V2AutomationStatus => V2Operation::AutomationStatus.request(&i.v2_endpoint()?, i.format()?)?,
            V2Details => V2Operation::Details.request(&i.v2_endpoint()?, i.format()?)?,
            V2GatewayIp => V2Operation::GatewayIp.request(&i.v2_endpoint()?, i.format()?)?,
            V2AutomationFeatures => V2Operation::AutomationFeatures.request(&i.v2_endpoint()?, i.format()?)?,
            ServersShow => servers::show_server(&i.servers_endpoint()?, i.token()?, &i.server()?)?,
            ServersMetadata => servers::server_metadata(&i.servers_endpoint()?, i.token()?, &i.server()?)?,
            ServersMetadataItem => {
                let key = MetadataKey::new_as("key", required(&i.key, "key", "a metadata key")?.clone())?;
                servers::metadata_item(&i.servers_endpoint()?, i.token()?, &i.server()?, &key)?
            }
            ServersListDetail => {
                let marker = i.marker.clone().map(|m| ServerId::new_as("marker", m)).transpose()?;
                servers::list_servers_detail(&i.servers_endpoint()?, i.token()?, i.limit, marker.as_ref())?
            }
            ServersV1Auth => {
                let url = i.auth_url.as_deref().map(|u| BaseUrl::new("auth_url", u)).transpose()?;
                let username = required(&i.username, "username", "a user name")?;
                let api_key = required(&i.api_key, "api_key", "an API key")?;
                servers::v1::auth(url.as_ref(), username, api_key)?
            }
            ServersV1Show => {
                let url = required(&i.server_management_url, "server_management_url", "the X-Server-Management-Url")?;
                servers::v1::show_server(&BaseUrl::new("server_management_url", url)?, i.token()?, &i.server()?)?
            }
            IdentityToken => identity::token(&i.identity_endpoint()?, &i.credentials()?, i.tenant_scope()?.as_ref())?,
            IdentityValidate => {
                let auth = i.auth_token.as_ref().unwrap_or(i.token()?);
                identity::validate_token(&i.identity_endpoint()?, auth, i.token()?)?
            }
            IdentityRevoke => identity::revoke_token(&i.identity_endpoint()?, i.token()?)?,
            V3ListNetworks => v3::list_networks(&i.v3_endpoint()?, i.token()?)?,
            V3GetNetwork => {
                let network = NetworkId::new(required(&i.network_id, "network_id", "a network id")?.clone())?;
                v3::get_network(&i.v3_endpoint()?, i.token()?, &network)?
            }
            V3ListPools => v3::list_pools(&i.v3_endpoint()?, i.token()?)?,
            V3GetPool => v3::get_pool(&i.v3_endpoint()?, i.token()?, &i.pool()?)?,
            V3ListNodes => v3::list_nodes(&i.v3_endpoint()?, i.token()?, &i.pool()?)?,
            V3AddNode => v3::add_node(&i.v3_endpoint()?, i.token()?, &i.pool()?, &i.server()?)?,
            V3ListNodeDetails => v3::list_node_details(&i.v3_endpoint()?, i.token()?, &i.pool()?)?,
            V3GetNode => v3::get_node(&i.v3_endpoint()?, i.token()?, &i.pool()?, &i.node()?)?,
            V3RemoveNode => v3::remove_node(&i.v3_endpoint()?, i.token()?, &i.pool()?, &i.node()?)?,
            V3GetNodeDetails => v3::get_node_details(&i.v3_endpoint()?, i.token()?, &i.pool()?, &i.node()?)?,
            V3BulkAddNodes => v3::bulk_add_nodes(&i.v3_endpoint()?, i.token()?, &i.pairs()?)?,
            V3BulkRemoveNodes => v3::bulk_remove_nodes(&i.v3_endpoint()?, i.token()?, &i.pairs()?)?,
            V3ServerNodeDetails => v3::server_node_details(&i.v3_endpoint()?, i.token()?, &i.server()?)?,
            V3ListPublicIps => {
                let filter = PublicIpFilter { cloud_server_id: i.optional_server()?, retain: i.retain };
                v3::list_public_ips(&i.v3_endpoint()?, i.token()?, &filter)?
            }
            V3CreatePublicIp => {
                v3::create_public_ip(&i.v3_endpoint()?, i.token()?, i.optional_server()?.as_ref(), i.retain)?
            }
            V3GetPublicIp => v3::get_public_ip(&i.v3_endpoint()?, i.token()?, &i.public_ip()?)?,
            // `"cloud_server_id": null`, given as such, unassigns the IP (kept) from its server.
            V3UpdatePublicIp if given.get("cloud_server_id").is_some_and(Value::is_null) => {
                v3::unassign_public_ip(&i.v3_endpoint()?, i.token()?, &i.public_ip()?, i.retain)?
            }
            V3UpdatePublicIp => v3::update_public_ip(
                &i.v3_endpoint()?,
                i.token()?,
                &i.public_ip()?,
                i.retain,
                i.optional_server()?.as_ref(),
            )?,
            V3DeletePublicIp => v3::delete_public_ip(&i.v3_endpoint()?, i.token()?, &i.public_ip()?)?,
        })
    }

    /// Parses a response to this operation and serializes the typed result to JSON.
    ///
    /// The [`Value`] is read back from [`Operation::parse_to_text`]'s text: one serialization
    /// of every model instead of two (to text and to a tree) keeps the wasm build smaller, and
    /// the text reads back to the same tree (numbers too: serde_json writes and reads both; the
    /// result nests a few levels deeper than the body at most, and bodies are limited to 64
    /// levels, well within serde_json's recursion limit of 128).
    pub fn parse(self, response: &Response) -> Result<Value> {
        let text = self.parse_to_text(response)?;
        serde_json::from_slice(text.as_bytes())
            .map_err(|e| Error::json("", format!("the result could not be read back: {e}")))
    }

    /// Parses a response to this operation into the typed result's JSON text: what a binding
    /// hands to its host's JSON parser (`json.loads`, `JSON.parse`), skipping the [`Value`] tree,
    /// which costs more to build than the text.
    pub fn parse_to_text(self, response: &Response) -> Result<String> {
        use Operation::*;
        match self {
            V2AutomationStatus => emit(v2::parse_automation_status(response)?),
            V2Details => emit(v2::parse_details(response)?),
            V2GatewayIp => emit(v2::parse_gateway_ip(response)?),
            V2AutomationFeatures => emit(v2::parse_automation_features(response)?),
            ServersShow | ServersV1Show => emit(servers::parse_server(response)?),
            ServersMetadata => emit(servers::parse_metadata(response)?),
            ServersMetadataItem => emit(servers::parse_metadata_item(response)?),
            ServersListDetail => emit(servers::parse_servers_detail(response)?),
            ServersV1Auth => emit(servers::v1::parse_auth(response)?),
            IdentityToken | IdentityValidate => emit(identity::parse_token(response)?),
            IdentityRevoke => emit(identity::parse_revoke(response)?),
            V3ListNetworks => v3_text(response, shape::list, &v3::shape::CLOUD_NETWORK, v3::parse_networks),
            V3GetNetwork => v3_text(response, shape::object, &v3::shape::CLOUD_NETWORK, v3::parse_network),
            V3ListPools => v3_text(response, shape::list, &v3::shape::POOL, v3::parse_pools),
            V3GetPool => v3_text(response, shape::object, &v3::shape::POOL, v3::parse_pool),
            V3ListNodes | V3BulkAddNodes => v3_text(response, shape::list, &v3::shape::NODE, v3::parse_nodes),
            V3AddNode | V3GetNode => v3_text(response, shape::object, &v3::shape::NODE, v3::parse_node),
            V3ListNodeDetails => v3_text(response, shape::list, &v3::shape::NODE_DETAILS, v3::parse_node_details_list),
            V3GetNodeDetails => v3_text(response, shape::object, &v3::shape::NODE_DETAILS, v3::parse_node_details),
            V3ServerNodeDetails => {
                v3_text(response, shape::list, &v3::shape::SERVER_NODE_DETAILS, v3::parse_server_node_details)
            }
            V3ListPublicIps => v3_text(response, shape::list, &v3::shape::PUBLIC_IP, v3::parse_public_ips),
            V3CreatePublicIp | V3GetPublicIp | V3UpdatePublicIp => {
                v3_text(response, shape::object, &v3::shape::PUBLIC_IP, v3::parse_public_ip)
            }
            V3RemoveNode | V3BulkRemoveNodes | V3DeletePublicIp => emit(v3::parse_no_content(response)?),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The inputs as serde derives their reader: what `Input::read` must match, field for field.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Derived {
        region: Option<String>,
        base_url: Option<String>,
        endpoint: Option<String>,
        tenant_id: Option<String>,
        identity_url: Option<String>,
        auth_url: Option<String>,
        server_management_url: Option<String>,
        token: Option<Token>,
        auth_token: Option<Token>,
        username: Option<String>,
        api_key: Option<ApiKey>,
        password: Option<Password>,
        tenant_name: Option<String>,
        format: Option<String>,
        server_id: Option<String>,
        key: Option<String>,
        limit: Option<u32>,
        marker: Option<String>,
        network_id: Option<String>,
        pool_id: Option<String>,
        node_id: Option<String>,
        public_ip_id: Option<String>,
        pairs: Option<Vec<PairInput>>,
        cloud_server_id: Option<String>,
        retain: Option<bool>,
    }

    /// The input a tracking reader of the derived reader names, and its message.
    fn tracked(input: &Value) -> Option<(String, String)> {
        serde_path_to_error::deserialize::<_, Derived>(input.clone())
            .err()
            .map(|e| (e.path().to_string(), e.into_inner().to_string()))
    }

    #[test]
    fn the_failing_input_and_its_message_are_the_derived_readers() {
        let wrong =
            [json!(5), json!(-1), json!(4294967296_u64), json!(null), json!("x"), json!(true), json!([]), json!({})];
        let mut cases = Vec::new();
        for name in Operation::ALL.iter().flat_map(|op| op.inputs()) {
            for value in &wrong {
                cases.push(json!({ "region": "DFW", *name: value, "key": "k" }));
            }
        }
        for pairs in [
            json!([{"server_id": "s", "pool_id": "p"}, {"server_id": 5, "pool_id": "p"}]),
            json!([{"server_id": "s", "pool_id": "p"}, {"pool_id": 5, "server_id": "s"}]),
            json!([{"server_id": "s"}]),
            json!([{"server_id": "s", "pool_id": "p", "server": "x"}]),
            json!([{"server": "x", "server_id": 5, "pool_id": "p"}]),
            json!([{"server_id": "s", "pool_id": "p"}, 5]),
            json!([null]),
            json!("pairs"),
            json!({"server_id": "s"}),
        ] {
            cases.push(json!({ "token": "t", "pairs": pairs }));
        }
        let mut failed = 0;
        for case in &cases {
            let given = case.as_object().expect("an object");
            let want = tracked(case);
            let got = Input::read(given).err().map(|(field, e)| (field, e.to_string()));
            assert_eq!(got, want, "{case}");
            failed += usize::from(want.is_some());
        }
        assert!(failed > 150, "{failed} of {} cases failed to read", cases.len());
    }
}
