//! Identity v2.0 (tokens, validation, revocation) and first-generation v1.0 auth.

use serde_json::{Value, json};

use super::{Call, authenticate};
use crate::clock::iso_millis;
use crate::reply::Reply;
use crate::scenario::{Account, User};
use crate::world::{TokenState, World};

/// The six regions, in catalog order.
pub const REGIONS: [&str; 6] = ["DFW", "HKG", "IAD", "LON", "ORD", "SYD"];

/// Answers `/v2.0/…`.
pub fn route(world: &mut World, call: &Call, rest: &[&str]) -> Reply {
    match (call.method, rest) {
        ("GET", []) => Reply::json(200, &json!({"version": v2_version(&call.base_url)})),
        (_, []) => Reply::method_not_allowed("GET"),
        ("POST", ["tokens"]) => issue(world, call),
        ("DELETE", ["tokens"]) => revoke(world, call),
        ("GET", ["tokens", id]) => validate(world, call, id),
        (_, ["tokens"]) => Reply::method_not_allowed("POST, DELETE"),
        (_, ["tokens", _]) => Reply::method_not_allowed("GET"),
        _ => Reply::not_found(call.path),
    }
}

/// Identity v2.0's version document, as Rackspace answered `GET /v2.0/` to keystoneauth
/// (`{"version": {"id": "v2.0", "updated": "2012-01-21T11:33:21-06:00", "status": "CURRENT",
/// "links": [{"rel": "self", …}, {"rel": "describedby", "type": "application/pdf", …}, …]}}`;
/// the rest of that body was not recorded: `media-types` and the WADL link are Keystone's form).
fn v2_version(base: &str) -> Value {
    json!({
        "id": "v2.0",
        "updated": "2012-01-21T11:33:21-06:00",
        "status": "CURRENT",
        "links": [
            {"rel": "self", "href": format!("{base}/v2.0")},
            {"rel": "describedby", "type": "application/pdf",
             "href": "http://docs.rackspacecloud.com/auth/api/v2.0/auth-client-devguide-latest.pdf"},
            {"rel": "describedby", "type": "application/vnd.sun.wadl+xml",
             "href": "http://docs.rackspacecloud.com/auth/api/v2.0/auth.wadl"},
        ],
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.identity-v2.0+json"},
            {"base": "application/xml", "type": "application/vnd.openstack.identity-v2.0+xml"},
        ],
    })
}

/// `GET /`: the Identity versions, in the form of Rackspace's Cloud Authentication guide ("List
/// Versions": `{"versions": {"values": [{"id", "status", "updated", "links"}, …]}}`), which is
/// also Keystone's and what keystoneauth reads. (The newer Identity v2 reference shows
/// `{"versions": {"version": [{…, "link": {…}}]}}`, a form keystoneauth cannot read.)
pub fn versions(call: &Call) -> Reply {
    if call.method != "GET" {
        return Reply::method_not_allowed("GET");
    }
    let base = &call.base_url;
    let v1 = json!({
        "id": "v1.0",
        "status": "DEPRECATED",
        "updated": "2011-07-19T22:30:00Z",
        "links": [{"rel": "self", "href": format!("{base}/v1.0")}],
    });
    Reply::json(200, &json!({"versions": {"values": [v1, v2_version(base)]}}))
}

fn bad_request(message: &str) -> Reply {
    Reply::fault(400, "badRequest", message)
}

fn unauthorized() -> Reply {
    Reply::fault(401, "unauthorized", "Unable to authenticate user with credentials provided.")
}

fn find_user<'a>(world: &'a World, username: &str) -> Option<(&'a Account, &'a User)> {
    world.accounts.iter().find_map(|a| a.users.iter().find(|u| u.username == username).map(|u| (a, u)))
}

fn issue(world: &mut World, call: &Call) -> Reply {
    let Some(body) = call.json() else { return bad_request("Invalid json request body") };
    let Some(auth) = body.get("auth").and_then(Value::as_object) else {
        return bad_request("Invalid json request body: expected an \"auth\" object");
    };
    let tenant_id = auth.get("tenantId").and_then(Value::as_str);
    let tenant_name = auth.get("tenantName").and_then(Value::as_str);
    if tenant_id.is_some() && tenant_name.is_some() {
        return bad_request("Invalid request. Specify tenantId OR tenantName, not both.");
    }
    let (username, secret, method) = if let Some(c) = auth.get("RAX-KSKEY:apiKeyCredentials") {
        (c.get("username").and_then(Value::as_str), c.get("apiKey").and_then(Value::as_str), "APIKEY")
    } else if let Some(c) = auth.get("passwordCredentials") {
        (c.get("username").and_then(Value::as_str), c.get("password").and_then(Value::as_str), "PASSWORD")
    } else {
        return bad_request("Invalid json request body: expected apiKeyCredentials or passwordCredentials");
    };
    let (Some(username), Some(secret)) = (username, secret) else {
        return bad_request("Invalid json request body: username and credential are required");
    };
    let Some((account, user)) = find_user(world, username) else { return unauthorized() };
    let matches = match method {
        "APIKEY" => user.api_key.as_deref() == Some(secret),
        _ => user.password.as_deref() == Some(secret),
    };
    if !matches {
        return unauthorized();
    }
    if !user.enabled {
        return Reply::fault(403, "forbidden", &format!("User '{username}' is disabled."));
    }
    if user.mfa && method == "PASSWORD" {
        let session = world.new_token_id();
        return Reply::fault(401, "unauthorized", "Additional authentication credentials required")
            .with_header("WWW-Authenticate", format!("OS-MF sessionId='{session}', factor='PASSCODE'"));
    }
    if let Some(t) = tenant_id.or(tenant_name)
        && t != account.tenant
    {
        return Reply::fault(
            401,
            "unauthorized",
            &format!("Tenant with Name/Id: '{t}' is not valid for User '{username}'"),
        );
    }
    let (tenant, user) = (account.tenant.clone(), user.clone());
    let id = world.new_token_id();
    let expires = world.now() + (world.timings.token_lifetime_seconds * 1000.0) as i64;
    let state = TokenState { tenant, username: user.username.clone(), expires, method };
    world.keep_token(id.clone(), state.clone());
    Reply::json(200, &access(world, call, &id, &state, true))
}

fn validate(world: &mut World, call: &Call, id: &str) -> Reply {
    if let Err(reply) = authenticate(world, call) {
        return reply;
    }
    match world.tokens.get(id).cloned() {
        Some(state) if state.expires > world.now() => Reply::json(200, &access(world, call, id, &state, false)),
        _ => Reply::fault(404, "itemNotFound", "Token not found."),
    }
}

fn revoke(world: &mut World, call: &Call) -> Reply {
    if let Err(reply) = authenticate(world, call) {
        return reply;
    }
    if let Some(token) = call.header("X-Auth-Token") {
        world.tokens.remove(token);
    }
    Reply::empty(204)
}

fn roles(account: &Account) -> Vec<Value> {
    let mut roles = vec![json!({"id": "6", "name": "compute:default"}), json!({"id": "3", "name": "identity:default"})];
    if account.rackconnect_v2 {
        roles.push(json!({"id": "10000150", "name": "rack_connect"}));
    }
    for region in &account.rackconnect_v3_regions {
        roles.push(
            json!({"name": format!("rackconnect:v3-{}", region.to_ascii_uppercase()), "tenantId": account.tenant}),
        );
    }
    if account.managed {
        roles.push(json!({"id": "10000151", "name": "rax_managed"}));
    }
    roles
}

/// The catalog of a tenant, pointing back at this emulator.
pub fn catalog(base: &str, account: &Account) -> Vec<Value> {
    let tenant = &account.tenant;
    let compute: Vec<Value> = REGIONS
        .iter()
        .map(|r| json!({"region": r, "tenantId": tenant, "publicURL": format!("{base}/servers/{r}/v2/{tenant}"), "versionId": "2"}))
        .collect();
    let mut catalog = vec![
        // First-generation servers: type compute too, without a region (why lookups need one).
        json!({"name": "cloudServers", "type": "compute", "endpoints": [
            {"tenantId": tenant, "publicURL": format!("{base}/v1.0/{tenant}"), "versionId": "1.0"}]}),
        json!({"name": "cloudServersOpenStack", "type": "compute", "endpoints": compute}),
    ];
    let rackconnect: Vec<Value> = account
        .rackconnect_v3_regions
        .iter()
        .map(|r| {
            let r = r.to_ascii_uppercase();
            json!({"region": r, "tenantId": tenant, "publicURL": format!("{base}/rackconnect/{r}/v3/{tenant}")})
        })
        .collect();
    if !rackconnect.is_empty() {
        catalog.push(json!({"name": "rackconnect", "type": "rax:rackconnect", "endpoints": rackconnect}));
    }
    catalog
}

fn access(world: &World, call: &Call, id: &str, state: &TokenState, with_catalog: bool) -> Value {
    let account = world.account(&state.tenant).cloned();
    let user = account.as_ref().and_then(|a| a.users.iter().find(|u| u.username == state.username)).cloned();
    let mut access = json!({
        "token": {
            "id": id,
            "expires": iso_millis(state.expires),
            "tenant": {"id": state.tenant, "name": state.tenant},
            "RAX-AUTH:authenticatedBy": [state.method],
        },
        "user": {
            "id": super::servers::user_id(&state.username),
            "name": state.username,
            "roles": account.as_ref().map(roles).unwrap_or_default(),
            "RAX-AUTH:defaultRegion": user.and_then(|u| u.default_region).unwrap_or_default(),
        },
    });
    if with_catalog && let Some(account) = &account {
        access["serviceCatalog"] = Value::Array(catalog(&call.base_url, account));
    }
    json!({ "access": access })
}

/// v1.0: `GET /v1.0` with `X-Auth-User`/`X-Auth-Key`, and `GET /v1.0/{tenant}/servers/{id}`.
pub fn route_v1(world: &mut World, call: &Call, rest: &[&str]) -> Reply {
    match (call.method, rest) {
        ("GET", [] | [""]) => v1_auth(world, call),
        ("GET", [tenant, "servers", id]) => {
            if let Err(reply) = super::authenticate_for(world, call, tenant) {
                return reply;
            }
            match world.server(id).filter(|s| s.spec.tenant == *tenant) {
                Some(server) => {
                    let server = server.clone();
                    let metadata = world.metadata(&server);
                    Reply::json(
                        200,
                        &json!({"server": {"id": server.spec.id, "name": server.spec.name, "metadata": metadata}}),
                    )
                }
                None => Reply::fault(404, "itemNotFound", "The server could not be found"),
            }
        }
        _ => Reply::not_found(call.path),
    }
}

fn v1_auth(world: &mut World, call: &Call) -> Reply {
    let (Some(username), Some(key)) = (call.header("X-Auth-User"), call.header("X-Auth-Key")) else {
        return Reply::text(401, "Unauthorized");
    };
    let Some((account, user)) = find_user(world, username) else { return Reply::text(401, "Unauthorized") };
    if user.api_key.as_deref() != Some(key) || !user.enabled {
        return Reply::text(401, "Unauthorized");
    }
    let tenant = account.tenant.clone();
    let id = world.new_token_id();
    let expires = world.now() + (world.timings.token_lifetime_seconds * 1000.0) as i64;
    world.keep_token(
        id.clone(),
        TokenState { tenant: tenant.clone(), username: username.to_owned(), expires, method: "APIKEY" },
    );
    Reply::empty(204)
        .with_header("X-Auth-Token", id)
        .with_header("X-Server-Management-Url", format!("{}/v1.0/{tenant}", call.base_url))
        .with_header("X-Storage-Url", format!("{}/storage/v1/MossoCloudFS_{tenant}", call.base_url))
        .with_header("X-CDN-Management-Url", format!("{}/cdn/v1/MossoCloudFS_{tenant}", call.base_url))
}
