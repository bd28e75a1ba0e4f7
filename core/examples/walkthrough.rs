//! The main job, told with canned answers: until the `rackconnect` command and the emulator land,
//! this walks a new server's story through the core. It builds each real request and parses an
//! answer of the kind the service gives, printing both.
//!
//! Run it with `cargo run --example walkthrough`.

use rackconnect::identity::{self, Credentials, IdentityEndpoint};
use rackconnect::v2::{self, AutomationStatus, V2Answer, V2Endpoint, V2Format};
use rackconnect::v3::{self, ConflictKind, V3Endpoint};
use rackconnect::{ApiKey, BaseUrl, PoolId, Region, Request, Response, ServerId, servers};

fn show(step: &str, request: &Request) {
    // Debug redacts credentials; printing the request is safe.
    println!("\n== {step}\n-> {} {}", request.method, request.url);
    for (name, value) in &request.redacted().headers {
        println!("   {name}: {value}");
    }
    if let Some(body) = &request.redacted().body {
        println!("   {body}");
    }
}

fn main() -> Result<(), rackconnect::Error> {
    let server = ServerId::new("8f3c5a6e-2b1d-4c7e-9a0b-1234567890ab")?;
    let web_pool = PoolId::new("d6d3aa7c-dfa5-4e61-96ee-1d54ac1075d2")?;
    let api_pool = PoolId::new("33021100-4abf-4836-9080-465a6d87ab68")?;

    // 1. On the server: is RackConnect automation done? (v2 knows the caller by its source IP.)
    let on_server = V2Endpoint::Region(Region::Dfw);
    show("v2 automation status, asked from the server", &v2::automation_status(&on_server, Some(V2Format::Json))?);
    for (status, body) in [(200, "{\"automation_status\": \"DEPLOYING\"}"), (403, "Forbidden"), (200, "DEPLOYED\n")] {
        let answer = v2::parse_automation_status(&Response::new(status, body))?;
        let meaning = match &answer {
            V2Answer::Answer(AutomationStatus::Deployed) => "done: post-build work may start".to_owned(),
            V2Answer::Answer(AutomationStatus::Failed) => "failed: read the details' tasks".to_owned(),
            V2Answer::Answer(other) => format!("{other}: keep waiting"),
            V2Answer::RateLimited { .. } => "rate limited (30/min per server): wait for the next minute".to_owned(),
            V2Answer::NotAssigned => "not assigned".to_owned(),
        };
        println!("<- HTTP {status} {body:?}\n   {meaning}");
    }

    // 2. The details, in XML this time, with a failed task.
    show("v2 details", &v2::details(&on_server, Some(V2Format::Xml))?);
    let xml = "<automation_status_details><automation_status>FAILED</automation_status><tasks>\
               <task><name>Cloud Server Created: Add \"rackconnect\" user</name><status>FAILED</status></task>\
               </tasks></automation_status_details>";
    if let Some(details) = v2::parse_details(&Response::new(200, xml))?.answer() {
        for task in &details.tasks {
            println!("<- task {:?}: {}", task.name, task.status);
        }
    }

    // 3. The gateway IP: 404 until automation assigns one.
    show("v2 gateway IP", &v2::gateway_ip(&on_server, None)?);
    for (status, body) in [(404, "Not Found"), (200, "10.1.2.1\n")] {
        match v2::parse_gateway_ip(&Response::new(status, body))? {
            V2Answer::Answer(ip) => println!("<- HTTP {status}: gateway {ip}"),
            V2Answer::NotAssigned => println!("<- HTTP {status}: no gateway assigned yet (keep waiting)"),
            V2Answer::RateLimited { .. } => println!("<- HTTP {status}: rate limited"),
        }
    }

    // 4. From anywhere: a token, then the server's metadata and the v3 endpoint.
    let creds = Credentials::ApiKey { username: "demo".into(), api_key: ApiKey::new("demo-api-key") };
    show("Identity token (the key never prints)", &identity::token(&IdentityEndpoint::Us, &creds, None)?);
    let access = identity::parse_token(&Response::new(
        200,
        r#"{"access": {"token": {"id": "4f0c1f6e", "expires": "2026-11-23T16:24:57.637Z", "tenant": {"id": "123456", "name": "123456"}},
            "serviceCatalog": [
              {"name": "cloudServersOpenStack", "type": "compute", "endpoints": [{"region": "DFW", "tenantId": "123456", "publicURL": "https://dfw.servers.api.rackspacecloud.com/v2/123456"}]},
              {"name": "rackconnect", "type": "rax:rackconnect", "endpoints": [{"region": "DFW", "tenantId": "123456", "publicURL": "https://dfw.rackconnect.api.rackspacecloud.com/v3/123456"}]}],
            "user": {"id": "1", "name": "demo", "roles": [{"name": "rackconnect:v3-DFW"}, {"name": "rax_managed"}], "RAX-AUTH:defaultRegion": "DFW"}}}"#,
    ))?;
    println!(
        "<- token {} expires {}; RCv3 in DFW: {}; managed: {}",
        access.token.id,
        access.token.expires,
        access.has_rackconnect_v3(Region::Dfw),
        access.is_managed()
    );

    let compute = access.compute_endpoint(Region::Dfw).map(|e| e.public_url.clone()).unwrap_or_default();
    let servers_endpoint = servers::ServersEndpoint::BaseUrl(BaseUrl::new("endpoint", &compute)?);
    show("Cloud Servers: show server", &servers::show_server(&servers_endpoint, &access.token.id, &server)?);
    let shown = servers::parse_server(&Response::new(
        200,
        r#"{"server": {"id": "8f3c5a6e-2b1d-4c7e-9a0b-1234567890ab", "name": "web1", "status": "ACTIVE", "accessIPv4": "162.242.140.8",
            "metadata": {"rackconnect_automation_status": "DEPLOYED", "rackconnect_automation_feature_provison_public_ip": "ENABLED",
                         "rax_service_level_automation": "In Progress"}}}"#,
    ))?;
    let or_absent = |v: Option<String>| v.unwrap_or_else(|| "(absent)".into());
    println!(
        "<- RackConnect {}, Managed Operations {}, reach it at {}",
        or_absent(shown.rackconnect.automation_status.map(|s| s.to_string())),
        or_absent(shown.rackconnect.managed_status.map(|s| s.to_string())),
        or_absent(shown.access_ipv4.clone())
    );

    // 5. v3: put the server into two pools at once; the 409 is atomic and names every problem.
    let rc = access.rackconnect_endpoint(Region::Dfw).map(|e| e.public_url.clone()).unwrap_or_default();
    let v3_endpoint = V3Endpoint::BaseUrl(BaseUrl::new("endpoint", &rc)?);
    let pairs = [(server.clone(), web_pool.clone()), (server.clone(), api_pool.clone())];
    show("v3 bulk add (B1)", &v3::bulk_add_nodes(&v3_endpoint, &access.token.id, &pairs)?);
    let conflict = Response::new(
        409,
        r#"{"errors": ["Cloud Server 8F3C5A6E-2B1D-4C7E-9A0B-1234567890AB is already a member of Load Balancer Pool D6D3AA7C-DFA5-4E61-96EE-1D54AC1075D2"]}"#,
    );
    let err = v3::parse_nodes(&conflict).expect_err("a 409");
    let remaining: Vec<_> = pairs
        .iter()
        .filter(|(s, p)| {
            !err.as_api().is_some_and(|api| {
                api.conflicts
                    .iter()
                    .any(|c| c.kind == ConflictKind::AlreadyMember && c.is_about(s.as_str(), p.as_str()))
            })
        })
        .cloned()
        .collect();
    println!(
        "<- {err}\n   already a member of one pool (ids compared in any case); re-sending {} pair",
        remaining.len()
    );
    show("v3 bulk add, the rest", &v3::bulk_add_nodes(&v3_endpoint, &access.token.id, &remaining)?);
    let nodes = v3::parse_nodes(&Response::new(
        201,
        r#"[{"id": "1860451d-fb89-45b8-b54e-151afceb50e5", "cloud_server": {"id": "8f3c5a6e-2b1d-4c7e-9a0b-1234567890ab"},
             "load_balancer_pool": {"id": "33021100-4abf-4836-9080-465a6d87ab68"}, "status": "ADDING", "created": "2026-11-22T14:01:02Z", "updated": null}]"#,
    ))?;
    for node in &nodes {
        println!("<- node {} in pool {}: {} (poll until ACTIVE)", node.id, node.load_balancer_pool.id, node.status);
    }

    // 6. And a public IP.
    show("v3 public IP (I2)", &v3::create_public_ip(&v3_endpoint, &access.token.id, Some(&server), None)?);
    let ip = v3::parse_public_ip(&Response::new(
        201,
        r#"{"id": "2d0f586b-37a7-4ae0-adac-2743d5feb450", "public_ip_v4": null, "status": "ADDING", "retain": false,
            "created": "2026-11-22T14:01:03Z", "updated": null, "cloud_server": {"id": "8f3c5a6e-2b1d-4c7e-9a0b-1234567890ab"}}"#,
    ))?;
    let address = ip.public_ip_v4.as_deref().unwrap_or("not yet");
    println!("<- public IP {}: {}, address {address} (allocated when ACTIVE)", ip.id, ip.status);
    Ok(())
}
