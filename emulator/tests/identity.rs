//! Identity v2.0 (tokens, validation, revocation, expiry) and first-generation v1.0 auth, over
//! real HTTP, with requests built and answers read by the core crate.

mod common;

use rackconnect::identity::{self, Access, Credentials, IdentityEndpoint, TenantScope};
use rackconnect::ops::Operation;
use rackconnect::servers::{self, v1};
use rackconnect::{ApiKey, BaseUrl, Password, Region, Response, ServerId, Token};
use rackconnect_emulator::Emulator;
use serde_json::{Value, json};

use common::demo;

const DEMO_TENANT: &str = "123456";
const BAD_CREDENTIALS: &str = "Unable to authenticate user with credentials provided.";
const DAY_MS: i64 = 86_400_000;

fn endpoint(emu: &Emulator) -> IdentityEndpoint {
    IdentityEndpoint::parse(&emu.url()).expect("identity url")
}

fn api_key(username: &str, key: &str) -> Credentials {
    Credentials::ApiKey { username: username.into(), api_key: ApiKey::new(key) }
}

fn password(username: &str, password: &str) -> Credentials {
    Credentials::Password { username: username.into(), password: Password::new(password) }
}

/// `POST /v2.0/tokens` built by the core.
fn ask_token(emu: &Emulator, creds: &Credentials, scope: Option<&TenantScope>) -> Response {
    let request = identity::token(&endpoint(emu), creds, scope).expect("a token request");
    common::send_request(emu, &request)
}

/// `POST /v2.0/tokens` with a body the core would not build.
fn post_raw_tokens(emu: &Emulator, body: &str) -> Response {
    common::send(
        emu,
        "POST",
        "/v2.0/tokens",
        &[("Content-Type", "application/json"), ("Accept", "application/json")],
        Some(body.as_bytes()),
    )
}

fn json_of(response: &Response) -> Value {
    serde_json::from_slice(&response.body)
        .unwrap_or_else(|e| panic!("a JSON body ({e}): {}", String::from_utf8_lossy(&response.body)))
}

/// The emulated time now, from the control API.
fn now_ms(emu: &Emulator) -> i64 {
    let (status, clock) = common::control(emu, "GET", "clock", None);
    assert_eq!(status, 200);
    clock["now_ms"].as_i64().expect("now_ms")
}

/// `GET /servers/{web1}` in DFW with `token`; the status tells whether the token is accepted.
fn show_web1(emu: &Emulator, access: &Access, token: &Token) -> Response {
    let endpoint = common::servers_endpoint(access, Region::Dfw);
    let request =
        servers::show_server(&endpoint, token, &ServerId::new(demo::WEB1).expect("id")).expect("a show request");
    common::send_request(emu, &request)
}

fn expect_api_error(result: rackconnect::Result<Access>) -> rackconnect::ApiError {
    match result {
        Ok(access) => panic!("expected an error, got a token for {:?}", access.user.name),
        Err(err) => err.as_api().unwrap_or_else(|| panic!("expected an API error, got {err}")).clone(),
    }
}

fn is_token_id(id: &str) -> bool {
    id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit())
}

#[test]
fn an_api_key_token_carries_roles_a_catalog_back_to_the_emulator_and_a_day_of_life() {
    let emu = common::start();
    let issued_at = now_ms(&emu);
    let response = ask_token(&emu, &api_key("demo", "demo-api-key"), None);
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    let raw = json_of(&response);
    let access = identity::parse_token(&response).expect("the answer parses");

    // The token: 32 hex digits, scoped to the demo tenant, obtained by API key.
    assert!(is_token_id(access.token.id.expose()), "token id {:?}", access.token.id.expose());
    let tenant = access.token.tenant.as_ref().expect("a tenant");
    assert_eq!(tenant.id, DEMO_TENANT);
    assert_eq!(tenant.name.as_deref(), Some(DEMO_TENANT));
    assert_eq!(access.token.authenticated_by, vec!["APIKEY".to_owned()]);

    // Expires about 24 h after issue (exactly, with the clock stopped), written with milliseconds.
    assert_eq!(access.token.expires.unix_millis(), issued_at + DAY_MS);
    let expires = raw["access"]["token"]["expires"].as_str().expect("expires is a string");
    assert_eq!(expires.len(), "2015-06-05T16:24:57.637Z".len(), "{expires}");
    assert_eq!(&expires[19..20], ".", "{expires}");
    assert!(expires.ends_with('Z'), "{expires}");

    // The user and the roles that matter.
    assert_eq!(access.user.name.as_deref(), Some("demo"));
    assert_eq!(access.user.default_region.as_deref(), Some("DFW"));
    assert!(access.has_role("rack_connect") && access.has_rackconnect_v2());
    assert!(access.has_role("rackconnect:v3-DFW"));
    assert!(access.has_role("rax_managed") && access.is_managed());
    assert_eq!(access.rackconnect_v3_regions(), Region::ALL.to_vec());

    // The catalog points back at the emulator, in every region, upper case.
    let url = emu.url();
    for region in Region::ALL {
        let r = region.upper();
        let compute = access.compute_endpoint(region).unwrap_or_else(|| panic!("compute in {r}"));
        assert_eq!(compute.public_url, format!("{url}/servers/{r}/v2/{DEMO_TENANT}"));
        assert_eq!(compute.region.as_deref(), Some(r));
        let rc = access.rackconnect_endpoint(region).unwrap_or_else(|| panic!("RCv3 in {r}"));
        assert_eq!(rc.public_url, format!("{url}/rackconnect/{r}/v3/{DEMO_TENANT}"));
        assert_eq!(rc.tenant_id.as_deref(), Some(DEMO_TENANT));
    }
    let rackconnect = access.service_catalog.iter().find(|e| e.service_type == "rax:rackconnect").expect("RCv3");
    assert_eq!(rackconnect.name, "rackconnect");

    // A first-generation compute entry without a region exists; the region lookup still picks
    // cloudServersOpenStack.
    let first_gen = access.service_catalog.iter().find(|e| e.name == "cloudServers").expect("a cloudServers entry");
    assert_eq!(first_gen.service_type, "compute");
    assert!(first_gen.endpoints.iter().all(|e| e.region.is_none()), "{first_gen:?}");
    assert!(first_gen.endpoints.iter().any(|e| e.public_url.starts_with(&url)), "{first_gen:?}");
    let openstack =
        access.service_catalog.iter().find(|e| e.name == "cloudServersOpenStack").expect("cloudServersOpenStack");
    assert_eq!(openstack.service_type, "compute");
    let dfw = access.compute_endpoint(Region::Dfw).expect("compute in DFW");
    assert!(openstack.endpoints.contains(dfw));
    assert!(!first_gen.endpoints.contains(dfw));

    // And the token works where the catalog says.
    assert_eq!(show_web1(&emu, &access, &access.token.id).status, 200);
}

#[test]
fn a_password_token_is_authenticated_by_password() {
    let emu = common::start();
    let access =
        identity::parse_token(&ask_token(&emu, &password("demo", "demo-password"), None)).expect("a password token");
    assert_eq!(access.token.authenticated_by, vec!["PASSWORD".to_owned()]);
    assert_eq!(access.token.tenant.as_ref().map(|t| t.id.as_str()), Some(DEMO_TENANT));
    assert!(access.has_rackconnect_v2() && access.is_managed() && access.has_rackconnect_v3(Region::Dfw));
    assert_eq!(show_web1(&emu, &access, &access.token.id).status, 200);

    // The same through the operation table the bindings use.
    let op = Operation::from_name("identity.token").expect("op");
    let request = op
        .build(&json!({"identity_url": emu.url(), "username": "demo", "password": "demo-password"}))
        .expect("request");
    let parsed = op.parse(&common::send_request(&emu, &request)).expect("parsed");
    assert_eq!(parsed["token"]["tenant"]["id"], DEMO_TENANT);
    assert_eq!(parsed["token"]["RAX-AUTH:authenticatedBy"], json!(["PASSWORD"]));
}

#[test]
fn a_tenant_scope_must_be_the_users_tenant() {
    let emu = common::start();
    let creds = api_key("demo", "demo-api-key");
    for scope in [TenantScope::Id(DEMO_TENANT.into()), TenantScope::Name(DEMO_TENANT.into())] {
        let access = identity::parse_token(&ask_token(&emu, &creds, Some(&scope)))
            .unwrap_or_else(|e| panic!("{scope:?} is the user's tenant: {e}"));
        assert_eq!(access.token.tenant.as_ref().map(|t| t.id.as_str()), Some(DEMO_TENANT));
    }

    let response = ask_token(&emu, &creds, Some(&TenantScope::Id("654321".into())));
    assert_eq!(response.status, 401);
    assert!(json_of(&response).get("unauthorized").is_some(), "{}", String::from_utf8_lossy(&response.body));
    let err = expect_api_error(identity::parse_token(&response));
    assert_eq!(err.kind.as_str(), "unauthorized");
    assert_eq!(err.fault.as_deref(), Some("unauthorized"));
}

#[test]
fn another_accounts_roles_and_catalog_follow_that_account() {
    let emu = common::start();
    let access =
        identity::parse_token(&ask_token(&emu, &api_key("other", "other-api-key"), None)).expect("other's token");
    assert_eq!(access.token.tenant.as_ref().map(|t| t.id.as_str()), Some("654321"));
    assert_eq!(access.user.default_region.as_deref(), Some("ORD"));
    assert!(!access.has_rackconnect_v2(), "tenant 654321 has no RackConnect v2");
    assert!(!access.is_managed(), "tenant 654321 is not managed");
    assert_eq!(access.rackconnect_v3_regions(), vec![Region::Ord]);
    let ord = access.rackconnect_endpoint(Region::Ord).expect("RCv3 in ORD");
    assert_eq!(ord.public_url, format!("{}/rackconnect/ORD/v3/654321", emu.url()));
    assert!(access.rackconnect_endpoint(Region::Dfw).is_none(), "no RCv3 catalog entry in DFW");
    let compute = access.compute_endpoint(Region::Dfw).expect("compute in DFW");
    assert_eq!(compute.public_url, format!("{}/servers/DFW/v2/654321", emu.url()));
}

#[test]
fn tenant_id_and_tenant_name_together_are_a_400() {
    let emu = common::start();
    // The core refuses to build it ...
    let refused = Operation::IdentityToken.build(&json!({
        "identity_url": emu.url(), "username": "demo", "api_key": "demo-api-key",
        "tenant_id": DEMO_TENANT, "tenant_name": DEMO_TENANT,
    }));
    assert_eq!(refused.expect_err("both scopes").kind(), "invalid_input");

    // ... so it goes raw, with otherwise valid credentials.
    let body = json!({"auth": {
        "RAX-KSKEY:apiKeyCredentials": {"username": "demo", "apiKey": "demo-api-key"},
        "tenantId": DEMO_TENANT, "tenantName": DEMO_TENANT,
    }});
    let response = post_raw_tokens(&emu, &body.to_string());
    assert_eq!(response.status, 400);
    assert_eq!(json_of(&response)["badRequest"]["code"], 400);
    let err = expect_api_error(identity::parse_token(&response));
    assert_eq!(err.kind.as_str(), "bad_request");
    assert_eq!(err.fault.as_deref(), Some("badRequest"));
}

#[test]
fn bad_credentials_are_401_with_identitys_message() {
    let emu = common::start();
    for creds in
        [api_key("demo", "not-the-key"), password("demo", "not-the-password"), api_key("nobody-at-all", "demo-api-key")]
    {
        let response = ask_token(&emu, &creds, None);
        assert_eq!(response.status, 401, "{creds:?}");
        let body = json_of(&response);
        assert_eq!(body, json!({"unauthorized": {"code": 401, "message": BAD_CREDENTIALS}}), "{creds:?}");
        assert!(response.header("WWW-Authenticate").is_none(), "not an MFA challenge: {creds:?}");
        let err = expect_api_error(identity::parse_token(&response));
        assert_eq!(err.kind.as_str(), "unauthorized");
        assert_eq!(err.messages, vec![BAD_CREDENTIALS.to_owned()]);
    }
}

#[test]
fn a_disabled_user_is_403_forbidden() {
    let emu = common::start();
    let response = ask_token(&emu, &api_key("demo-disabled", "demo-disabled-key"), None);
    assert_eq!(response.status, 403);
    assert_eq!(json_of(&response)["forbidden"]["code"], 403);
    let err = expect_api_error(identity::parse_token(&response));
    assert_eq!(err.kind.as_str(), "forbidden");
    assert_eq!(err.fault.as_deref(), Some("forbidden"));
    assert!(!err.messages.is_empty());
}

#[test]
fn an_mfa_user_gets_an_os_mf_challenge() {
    let emu = common::start();
    let response = ask_token(&emu, &password("demo-mfa", "demo-mfa-password"), None);
    assert_eq!(response.status, 401);
    let challenge = response.header("WWW-Authenticate").expect("a WWW-Authenticate header");
    assert!(challenge.starts_with("OS-MF"), "{challenge}");
    assert!(challenge.contains("factor='PASSCODE'"), "{challenge}");
    let session = challenge.split("sessionId='").nth(1).and_then(|s| s.split('\'').next()).unwrap_or_default();
    assert!(!session.is_empty(), "a session id: {challenge}");

    let err = expect_api_error(identity::parse_token(&response));
    assert_eq!(err.kind.as_str(), "mfa_required");
    assert_eq!(err.status, 401);
    assert_eq!(err.mfa_factor.as_deref(), Some("PASSCODE"));
}

#[test]
fn malformed_json_is_400_bad_request() {
    let emu = common::start();
    for body in [r#"{"auth": {"passwordCredentials": "#, "not json at all", r#"{"notauth": {}}"#] {
        let response = post_raw_tokens(&emu, body);
        assert_eq!(response.status, 400, "{body}");
        assert_eq!(json_of(&response)["badRequest"]["code"], 400, "{body}");
        let err = expect_api_error(identity::parse_token(&response));
        assert_eq!(err.kind.as_str(), "bad_request", "{body}");
        assert_eq!(err.fault.as_deref(), Some("badRequest"), "{body}");
    }
}

#[test]
fn a_token_validates_without_a_catalog_and_an_unknown_one_is_404() {
    let emu = common::start();
    let access = common::demo_token(&emu);
    let token = &access.token.id;

    let request = identity::validate_token(&endpoint(&emu), token, token).expect("request");
    let response = common::send_request(&emu, &request);
    assert_eq!(response.status, 200);
    assert!(json_of(&response)["access"].get("serviceCatalog").is_none(), "no catalog in a validation");
    let validated = identity::parse_token(&response).expect("a validation parses");
    assert_eq!(validated.token.id, *token);
    assert_eq!(validated.token.expires, access.token.expires);
    assert_eq!(validated.token.tenant.as_ref().map(|t| t.id.as_str()), Some(DEMO_TENANT));
    assert!(validated.service_catalog.is_empty());
    assert_eq!(validated.user.name.as_deref(), Some("demo"));

    // Another user's token, validated with ours.
    let other = identity::parse_token(&ask_token(&emu, &api_key("other", "other-api-key"), None)).expect("other");
    let request = identity::validate_token(&endpoint(&emu), token, &other.token.id).expect("request");
    let validated = identity::parse_token(&common::send_request(&emu, &request)).expect("other validates");
    assert_eq!(validated.token.tenant.as_ref().map(|t| t.id.as_str()), Some("654321"));

    let unknown = Token::new("0123456789abcdef0123456789abcdef");
    let request = identity::validate_token(&endpoint(&emu), token, &unknown).expect("request");
    let response = common::send_request(&emu, &request);
    assert_eq!(response.status, 404);
    assert_eq!(json_of(&response)["itemNotFound"]["code"], 404);
    let err = expect_api_error(identity::parse_token(&response));
    assert_eq!(err.kind.as_str(), "not_found");
}

#[test]
fn a_revoked_token_is_refused_by_cloud_servers() {
    let emu = common::start();
    let access = common::demo_token(&emu);
    let kept = common::demo_token(&emu);
    assert_eq!(show_web1(&emu, &access, &access.token.id).status, 200);

    let request = identity::revoke_token(&endpoint(&emu), &access.token.id).expect("request");
    let response = common::send_request(&emu, &request);
    assert_eq!(response.status, 204);
    assert!(response.body.is_empty());
    identity::parse_revoke(&response).expect("204 parses");

    let refused = show_web1(&emu, &access, &access.token.id);
    assert_eq!(refused.status, 401);
    assert_eq!(json_of(&refused)["unauthorized"]["code"], 401);
    let err = servers::parse_server(&refused).expect_err("revoked");
    assert_eq!(err.kind(), "unauthorized");

    // Revocation is per token.
    assert_eq!(show_web1(&emu, &kept, &kept.token.id).status, 200);
}

#[test]
fn the_control_api_expires_one_token_or_all() {
    let emu = common::start();
    let first = common::demo_token(&emu);
    let second = common::demo_token(&emu);

    let (status, answer) =
        common::control(&emu, "POST", "tokens/expire", Some(json!({"token": first.token.id.expose()})));
    assert_eq!(status, 200);
    assert_eq!(answer["expired"], 1);
    assert_eq!(show_web1(&emu, &first, &first.token.id).status, 401);
    assert_eq!(show_web1(&emu, &second, &second.token.id).status, 200);

    let (status, _) = common::control(&emu, "POST", "tokens/expire", Some(json!({})));
    assert_eq!(status, 200);
    assert_eq!(show_web1(&emu, &second, &second.token.id).status, 401);
    // An expired token does not validate either.
    let third = common::demo_token(&emu);
    let request = identity::validate_token(&endpoint(&emu), &third.token.id, &second.token.id).expect("request");
    assert_eq!(common::send_request(&emu, &request).status, 404);
}

#[test]
fn a_token_expires_after_24_emulated_hours() {
    let emu = common::start();
    let access = common::demo_token(&emu);
    common::advance(&emu, 86_399.0);
    assert_eq!(show_web1(&emu, &access, &access.token.id).status, 200, "still valid a second before a day");
    common::advance(&emu, 2.0);
    let response = show_web1(&emu, &access, &access.token.id);
    assert_eq!(response.status, 401, "expired after a day");
    assert_eq!(servers::parse_server(&response).expect_err("expired").kind(), "unauthorized");
    // A new token, issued now, works.
    let fresh = common::demo_token(&emu);
    assert_eq!(show_web1(&emu, &fresh, &fresh.token.id).status, 200);
}

#[test]
fn a_wrong_method_is_405() {
    let emu = common::start();
    let response = common::send(&emu, "GET", "/v2.0/tokens", &[], None);
    assert_eq!(response.status, 405);
    let allow = response.header("Allow").expect("an Allow header");
    assert!(allow.contains("POST"), "{allow}");

    let access = common::demo_token(&emu);
    let path = format!("/v2.0/tokens/{}", access.token.id.expose());
    let response = common::send(&emu, "PATCH", &path, &[("X-Auth-Token", access.token.id.expose())], Some(b"{}"));
    assert_eq!(response.status, 405);
    assert_eq!(response.header("Allow"), Some("GET"));
}

#[test]
fn v1_auth_gives_a_token_and_a_management_url_that_serves_servers() {
    let emu = common::start();
    let auth_url = BaseUrl::new("auth_url", &format!("{}/v1.0", emu.url())).expect("url");
    let request = v1::auth(Some(&auth_url), "demo", &ApiKey::new("demo-api-key")).expect("request");
    let response = common::send_request(&emu, &request);
    assert_eq!(response.status, 204);
    assert!(response.body.is_empty());
    assert!(response.header("X-Auth-Token").is_some_and(is_token_id), "{:?}", response.headers);

    let auth = v1::parse_auth(&response).expect("v1 auth parses");
    assert_eq!(auth.server_management_url, format!("{}/v1.0/{DEMO_TENANT}", emu.url()));

    let management = BaseUrl::new("server_management_url", &auth.server_management_url).expect("url");
    let request = v1::show_server(&management, &auth.token, &ServerId::new(demo::WEB1).expect("id")).expect("req");
    let response = common::send_request(&emu, &request);
    assert_eq!(response.status, 200);
    let server = servers::parse_server(&response).expect("the v1 server parses");
    assert_eq!(server.id.as_deref(), Some(demo::WEB1));
    assert_eq!(server.name.as_deref(), Some("web1"));
    assert_eq!(server.rackconnect.automation_status, Some(rackconnect::v2::AutomationStatus::Deployed));
    assert_eq!(server.rackconnect.managed_status, Some(servers::ManagedStatus::Complete));

    // The same URL with no token is refused.
    let path = format!("/v1.0/{DEMO_TENANT}/servers/{}", demo::WEB1);
    assert_eq!(common::send(&emu, "GET", &path, &[], None).status, 401);
}

#[test]
fn v1_auth_with_a_bad_key_is_401() {
    let emu = common::start();
    let auth_url = BaseUrl::new("auth_url", &format!("{}/v1.0", emu.url())).expect("url");
    let request = v1::auth(Some(&auth_url), "demo", &ApiKey::new("not-the-key")).expect("request");
    let response = common::send_request(&emu, &request);
    assert_eq!(response.status, 401);
    assert!(response.header("X-Auth-Token").is_none());
    let err = v1::parse_auth(&response).expect_err("a bad key");
    assert_eq!(err.kind(), "unauthorized");
}
