//! RackConnect v2 over real HTTP: the server is known by the request's source address, answers
//! come in text, JSON and XML, automation moves with the emulated clock, and each server may ask
//! 30 times per emulated minute before it gets 403.

mod common;

use std::net::Ipv4Addr;

use rackconnect::v2::{self, AutomationStatus, FeatureState, V2Answer, V2Format, V2Operation};
use rackconnect::{Request, Response};
use rackconnect_emulator::Emulator;
use serde_json::{Value, json};

use common::demo;

/// The default tasks of the scenario's automation, in order.
const TASKS: [&str; 4] = [
    "Cloud Server Created: Add \"rackconnect\" user",
    "Cloud Server Created: Update access on dedicated network devices",
    "Cloud Server Created: Configure network stack",
    "Cloud Server Created: Manage software firewall",
];
const GATEWAY: Ipv4Addr = Ipv4Addr::new(10, 1, 2, 1);
const FEATURES: [&str; 3] = ["configure_network_stack", "manage_software_firewall", "provision_public_ip"];
const FRESH_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 8);
const UNMAPPED_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 99);

fn request(emu: &Emulator, op: V2Operation, format: Option<V2Format>) -> Request {
    op.request(&common::v2_endpoint(emu), format).expect("a v2 request")
}

/// Asks v2 from `source`.
fn ask(emu: &Emulator, source: Ipv4Addr, op: V2Operation, format: Option<V2Format>) -> Response {
    common::send_request_from(emu, source, &request(emu, op, format))
}

/// Asks v2 from `source` with `?format=` written as given (e.g. `JSON`).
fn ask_with_format_text(emu: &Emulator, source: Ipv4Addr, op: V2Operation, format: &str) -> Response {
    let mut request = request(emu, op, None);
    request.url = format!("{}?format={format}", request.url);
    common::send_request_from(emu, source, &request)
}

fn body(response: &Response) -> String {
    String::from_utf8_lossy(&response.body).into_owned()
}

fn json_of(response: &Response) -> Value {
    serde_json::from_slice(&response.body).unwrap_or_else(|e| panic!("a JSON body ({e}): {}", body(response)))
}

fn content_type(response: &Response) -> &str {
    response.header("Content-Type").unwrap_or_default()
}

fn status_of(emu: &Emulator, source: Ipv4Addr, format: Option<V2Format>) -> AutomationStatus {
    let response = ask(emu, source, V2Operation::AutomationStatus, format);
    assert_eq!(response.status, 200, "{}", body(&response));
    match v2::parse_automation_status(&response).expect("the status parses") {
        V2Answer::Answer(status) => status,
        other => panic!("expected a status, got {other:?}"),
    }
}

fn details_of(emu: &Emulator, source: Ipv4Addr, format: Option<V2Format>) -> v2::AutomationDetails {
    let response = ask(emu, source, V2Operation::Details, format);
    assert_eq!(response.status, 200, "{}", body(&response));
    match v2::parse_details(&response).expect("the details parse") {
        V2Answer::Answer(details) => details,
        other => panic!("expected details, got {other:?}"),
    }
}

fn gateway_of(emu: &Emulator, source: Ipv4Addr) -> V2Answer<Ipv4Addr> {
    v2::parse_gateway_ip(&ask(emu, source, V2Operation::GatewayIp, None)).expect("the gateway answer parses")
}

fn task_states(details: &v2::AutomationDetails) -> Vec<&str> {
    details.tasks.iter().map(|t| t.status.as_str()).collect()
}

fn task_names(details: &v2::AutomationDetails) -> Vec<&str> {
    details.tasks.iter().map(|t| t.name.as_str()).collect()
}

#[test]
fn web1_status_in_text_json_and_xml() {
    let emu = common::start();

    let text = ask(&emu, demo::WEB1_IP, V2Operation::AutomationStatus, Some(V2Format::Text));
    assert_eq!(text.status, 200);
    assert_eq!(body(&text).trim(), "DEPLOYED");
    assert!(content_type(&text).starts_with("text/plain"), "{:?}", text.headers);
    assert_eq!(v2::parse_automation_status(&text).expect("text"), V2Answer::Answer(AutomationStatus::Deployed));

    let json = ask(&emu, demo::WEB1_IP, V2Operation::AutomationStatus, Some(V2Format::Json));
    assert_eq!(json.status, 200);
    assert_eq!(json_of(&json), json!({"automation_status": "DEPLOYED"}));
    assert!(content_type(&json).contains("json"), "{:?}", json.headers);
    assert_eq!(v2::parse_automation_status(&json).expect("json"), V2Answer::Answer(AutomationStatus::Deployed));

    let xml = ask(&emu, demo::WEB1_IP, V2Operation::AutomationStatus, Some(V2Format::Xml));
    assert_eq!(xml.status, 200);
    assert_eq!(body(&xml).trim(), "<automation_status>DEPLOYED</automation_status>");
    assert!(content_type(&xml).contains("xml"), "{:?}", xml.headers);
    assert_eq!(v2::parse_automation_status(&xml).expect("xml"), V2Answer::Answer(AutomationStatus::Deployed));
}

#[test]
fn web1_details_list_the_tasks_in_json_and_xml() {
    let emu = common::start();

    let response = ask(&emu, demo::WEB1_IP, V2Operation::Details, Some(V2Format::Json));
    assert_eq!(response.status, 200);
    let raw = json_of(&response);
    assert_eq!(raw["automation_status"], "DEPLOYED");
    let raw_tasks = raw["tasks"].as_array().expect("a tasks array");
    assert_eq!(raw_tasks.len(), TASKS.len());
    for (task, name) in raw_tasks.iter().zip(TASKS) {
        assert_eq!(task, &json!({"name": name, "status": "COMPLETE"}));
    }

    for format in [V2Format::Json, V2Format::Xml] {
        let details = details_of(&emu, demo::WEB1_IP, Some(format));
        assert_eq!(details.automation_status, AutomationStatus::Deployed, "{format:?}");
        assert_eq!(task_names(&details), TASKS.to_vec(), "{format:?}");
        assert_eq!(task_states(&details), vec!["COMPLETE"; 4], "{format:?}");
    }

    let xml = body(&ask(&emu, demo::WEB1_IP, V2Operation::Details, Some(V2Format::Xml)));
    assert!(xml.contains("<automation_status>DEPLOYED</automation_status><tasks><task><name>"), "{xml}");
    assert!(xml.trim_end().ends_with("</tasks></automation_status_details>"), "{xml}");
}

#[test]
fn web1_gateway_ip_in_text_json_and_xml() {
    let emu = common::start();
    let text = ask(&emu, demo::WEB1_IP, V2Operation::GatewayIp, Some(V2Format::Text));
    assert_eq!((text.status, body(&text).trim()), (200, "10.1.2.1"));
    let json = ask(&emu, demo::WEB1_IP, V2Operation::GatewayIp, Some(V2Format::Json));
    assert_eq!(json_of(&json), json!({"gateway_ip": "10.1.2.1"}));
    let xml = ask(&emu, demo::WEB1_IP, V2Operation::GatewayIp, Some(V2Format::Xml));
    assert_eq!(body(&xml).trim(), "<gateway_ip>10.1.2.1</gateway_ip>");
    for response in [&text, &json, &xml] {
        assert_eq!(v2::parse_gateway_ip(response).expect("parses"), V2Answer::Answer(GATEWAY), "{}", body(response));
    }
}

#[test]
fn web1_features_in_json_and_xml() {
    let emu = common::start();
    let json = ask(&emu, demo::WEB1_IP, V2Operation::AutomationFeatures, Some(V2Format::Json));
    assert_eq!(json.status, 200);
    let expected: Vec<Value> = FEATURES.iter().map(|n| json!({"name": n, "status": "ENABLED"})).collect();
    assert_eq!(json_of(&json), json!({"automation_features": expected}));

    let xml = ask(&emu, demo::WEB1_IP, V2Operation::AutomationFeatures, Some(V2Format::Xml));
    assert_eq!(xml.status, 200);
    let expected: String =
        FEATURES.iter().map(|n| format!("<feature><name>{n}</name><status>ENABLED</status></feature>")).collect();
    assert_eq!(body(&xml).trim(), format!("<automation_features>{expected}</automation_features>"));

    for response in [&json, &xml] {
        let features = v2::parse_automation_features(response).expect("parses").answer().expect("an answer");
        let names: Vec<&str> = features.features.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, FEATURES.to_vec());
        for name in ["configure network stack", "manage software firewall", "provision public IP"] {
            assert_eq!(features.state_of(name), Some(&FeatureState::Enabled), "{name}");
        }
    }
}

#[test]
fn xml_answers_are_the_conventional_form() {
    // The spec's [ours] forms are served exactly; a declaration is only a variant the parsers
    // must tolerate.
    let emu = common::start();
    for (op, root) in [
        (V2Operation::AutomationStatus, "<automation_status>"),
        (V2Operation::Details, "<automation_status_details>"),
        (V2Operation::GatewayIp, "<gateway_ip>"),
        (V2Operation::AutomationFeatures, "<automation_features>"),
    ] {
        let xml = body(&ask(&emu, demo::WEB1_IP, op, Some(V2Format::Xml)));
        assert!(xml.starts_with(root), "{op:?} should start with {root}: {xml}");
    }
}

#[test]
fn without_a_format_status_and_gateway_are_text_details_and_features_json() {
    let emu = common::start();

    let status = ask(&emu, demo::WEB1_IP, V2Operation::AutomationStatus, None);
    assert_eq!((status.status, body(&status).trim()), (200, "DEPLOYED"));
    assert!(content_type(&status).starts_with("text/plain"), "{:?}", status.headers);

    let gateway = ask(&emu, demo::WEB1_IP, V2Operation::GatewayIp, None);
    assert_eq!((gateway.status, body(&gateway).trim()), (200, "10.1.2.1"));
    assert!(content_type(&gateway).starts_with("text/plain"), "{:?}", gateway.headers);

    let details = ask(&emu, demo::WEB1_IP, V2Operation::Details, None);
    assert_eq!(details.status, 200);
    assert!(content_type(&details).contains("json"), "{:?}", details.headers);
    assert_eq!(json_of(&details)["automation_status"], "DEPLOYED");

    let features = ask(&emu, demo::WEB1_IP, V2Operation::AutomationFeatures, None);
    assert_eq!(features.status, 200);
    assert!(content_type(&features).contains("json"), "{:?}", features.headers);
    assert_eq!(json_of(&features)["automation_features"].as_array().map(Vec::len), Some(3));
}

#[test]
fn the_format_value_is_case_insensitive() {
    let emu = common::start();

    let json = ask_with_format_text(&emu, demo::WEB1_IP, V2Operation::AutomationStatus, "JSON");
    assert_eq!(json.status, 200, "{}", body(&json));
    assert_eq!(json_of(&json), json!({"automation_status": "DEPLOYED"}));

    let text = ask_with_format_text(&emu, demo::WEB1_IP, V2Operation::AutomationStatus, "TEXT");
    assert_eq!((text.status, body(&text).trim()), (200, "DEPLOYED"));

    let gateway = ask_with_format_text(&emu, demo::WEB1_IP, V2Operation::GatewayIp, "Json");
    assert_eq!(json_of(&gateway), json!({"gateway_ip": "10.1.2.1"}));

    let details = ask_with_format_text(&emu, demo::WEB1_IP, V2Operation::Details, "XML");
    assert_eq!(details.status, 200, "{}", body(&details));
    assert!(body(&details).contains("<automation_status_details>"), "{}", body(&details));

    let features = ask_with_format_text(&emu, demo::WEB1_IP, V2Operation::AutomationFeatures, "JSON");
    assert_eq!(features.status, 200, "{}", body(&features));
    assert!(v2::parse_automation_features(&features).expect("parses").answer().is_some());
}

#[test]
fn an_unmapped_source_address_is_403() {
    let emu = common::start();
    for source in [UNMAPPED_IP, Ipv4Addr::LOCALHOST] {
        for op in [V2Operation::AutomationStatus, V2Operation::Details, V2Operation::GatewayIp] {
            let response = ask(&emu, source, op, None);
            assert_eq!(response.status, 403, "{source} {op:?}: {}", body(&response));
        }
        // A lone 403 reads as the rate limit first; only a persisting one means "not RackConnect".
        let response = ask(&emu, source, V2Operation::AutomationStatus, None);
        assert!(matches!(v2::parse_automation_status(&response), Ok(V2Answer::RateLimited { .. })));
    }
}

#[test]
fn web2_deploys_as_the_clock_advances() {
    let emu = common::start();

    // Built when the clock stopped: the first task is running, the gateway is not assigned.
    assert_eq!(status_of(&emu, demo::WEB2_IP, None), AutomationStatus::Deploying);
    assert_eq!(status_of(&emu, demo::WEB2_IP, Some(V2Format::Json)), AutomationStatus::Deploying);
    let details = details_of(&emu, demo::WEB2_IP, None);
    assert_eq!(details.automation_status, AutomationStatus::Deploying);
    assert_eq!(task_names(&details), TASKS.to_vec());
    assert_eq!(task_states(&details), vec!["IN_PROGRESS", "PENDING", "PENDING", "PENDING"]);
    let response = ask(&emu, demo::WEB2_IP, V2Operation::GatewayIp, None);
    assert_eq!(response.status, 404);
    assert_eq!(v2::parse_gateway_ip(&response).expect("a 404 is an outcome"), V2Answer::NotAssigned);

    // Past the first two tasks (20 s + 40 s): the gateway is assigned, automation goes on.
    common::advance(&emu, 61.0);
    assert_eq!(gateway_of(&emu, demo::WEB2_IP), V2Answer::Answer(GATEWAY));
    let details = details_of(&emu, demo::WEB2_IP, Some(V2Format::Xml));
    assert_eq!(details.automation_status, AutomationStatus::Deploying);
    assert_eq!(task_states(&details), vec!["COMPLETE", "COMPLETE", "IN_PROGRESS", "PENDING"]);
    assert_eq!(status_of(&emu, demo::WEB2_IP, None), AutomationStatus::Deploying);

    // Past all four (120 s): DEPLOYED, every task complete.
    common::advance(&emu, 60.0);
    assert_eq!(status_of(&emu, demo::WEB2_IP, None), AutomationStatus::Deployed);
    for format in [V2Format::Json, V2Format::Xml] {
        let details = details_of(&emu, demo::WEB2_IP, Some(format));
        assert_eq!(details.automation_status, AutomationStatus::Deployed);
        assert_eq!(task_states(&details), vec!["COMPLETE"; 4]);
    }
    assert_eq!(gateway_of(&emu, demo::WEB2_IP), V2Answer::Answer(GATEWAY));
}

#[test]
fn app_failed_is_failed_at_its_first_task() {
    let emu = common::start();
    for format in [None, Some(V2Format::Text), Some(V2Format::Json), Some(V2Format::Xml)] {
        assert_eq!(status_of(&emu, demo::FAILED_IP, format), AutomationStatus::Failed, "{format:?}");
    }
    let details = details_of(&emu, demo::FAILED_IP, None);
    assert_eq!(details.automation_status, AutomationStatus::Failed);
    assert_eq!(details.tasks[0].name, TASKS[0]);
    assert_eq!(details.tasks[0].status, "FAILED");
    assert!(details.tasks[1..].iter().all(|t| t.status != "COMPLETE" && t.status != "FAILED"), "{details:?}");
    // The gateway comes after the second task, which never ran.
    assert_eq!(gateway_of(&emu, demo::FAILED_IP), V2Answer::NotAssigned);
}

#[test]
fn app_unprocessable_is_unprocessable() {
    let emu = common::start();
    assert_eq!(status_of(&emu, demo::UNPROCESSABLE_IP, None), AutomationStatus::Unprocessable);
    let json = ask(&emu, demo::UNPROCESSABLE_IP, V2Operation::AutomationStatus, Some(V2Format::Json));
    assert_eq!(json_of(&json), json!({"automation_status": "UNPROCESSABLE"}));
    assert_eq!(details_of(&emu, demo::UNPROCESSABLE_IP, None).automation_status, AutomationStatus::Unprocessable);
}

#[test]
fn an_outcome_set_through_the_control_api_is_seen() {
    let emu = common::start();
    assert_eq!(status_of(&emu, demo::WEB2_IP, None), AutomationStatus::Deploying);

    let (status, answer) = common::control(
        &emu,
        "POST",
        &format!("servers/{}/automation", demo::WEB2),
        Some(json!({"outcome": "FAILED", "finish_now": true})),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, json!({"id": demo::WEB2, "automation_status": "FAILED"}));
    assert_eq!(status_of(&emu, demo::WEB2_IP, None), AutomationStatus::Failed);
    let details = details_of(&emu, demo::WEB2_IP, None);
    assert_eq!(details.automation_status, AutomationStatus::Failed);
    assert_eq!(details.tasks[0].status, "FAILED");

    // Finishing a build at once with success: DEPLOYED and a gateway.
    let (status, answer) = common::control(
        &emu,
        "POST",
        &format!("servers/{}/automation", demo::FRESH),
        Some(json!({"outcome": "DEPLOYED", "finish_now": true})),
    );
    assert_eq!((status, &answer["automation_status"]), (200, &json!("DEPLOYED")));
    assert_eq!(status_of(&emu, FRESH_IP, None), AutomationStatus::Deployed);
    assert_eq!(gateway_of(&emu, FRESH_IP), V2Answer::Answer(GATEWAY));

    // Mistakes are refused.
    let (status, _) = common::control(&emu, "POST", "servers/no-such-server/automation", Some(json!({})));
    assert_eq!(status, 404);
    let (status, _) = common::control(
        &emu,
        "POST",
        &format!("servers/{}/automation", demo::WEB1),
        Some(json!({"outcome": "HALF_DONE"})),
    );
    assert_eq!(status, 400);
    assert_eq!(status_of(&emu, demo::WEB1_IP, None), AutomationStatus::Deployed);
}

#[test]
fn thirty_requests_a_minute_per_server_then_403_until_the_next_minute() {
    let emu = common::start();
    let request = request(&emu, V2Operation::AutomationStatus, None);
    for n in 1..=v2::REQUESTS_PER_MINUTE {
        let response = common::send_request_from(&emu, demo::WEB1_IP, &request);
        assert_eq!(response.status, 200, "request {n} of the minute: {}", body(&response));
    }
    let response = common::send_request_from(&emu, demo::WEB1_IP, &request);
    assert_eq!(response.status, 403, "the 31st request of the minute");
    match v2::parse_automation_status(&response).expect("a 403 is an outcome") {
        V2Answer::RateLimited { .. } => {}
        other => panic!("expected RateLimited, got {other:?}"),
    }
    // Every operation of the same server is limited, ...
    let gateway = ask(&emu, demo::WEB1_IP, V2Operation::GatewayIp, None);
    assert!(matches!(v2::parse_gateway_ip(&gateway), Ok(V2Answer::RateLimited { .. })), "{}", gateway.status);
    // ... other servers are not.
    assert_eq!(status_of(&emu, demo::WEB2_IP, None), AutomationStatus::Deploying);
    assert_eq!(status_of(&emu, demo::FAILED_IP, None), AutomationStatus::Failed);

    // The next emulated minute, web1 is answered again.
    common::advance(&emu, 60.0);
    assert_eq!(status_of(&emu, demo::WEB1_IP, None), AutomationStatus::Deployed);
}

/// The request log's per-server v2 counts.
fn v2_counts(emu: &Emulator) -> serde_json::Map<String, Value> {
    let (status, log) = common::control(emu, "GET", "requests", None);
    assert_eq!(status, 200);
    log["servers"].as_object().cloned().unwrap_or_else(|| panic!("a servers object: {log}"))
}

#[test]
fn the_request_log_counts_v2_requests_per_server() {
    let emu = common::start();
    let request = request(&emu, V2Operation::AutomationStatus, None);
    for _ in 0..31 {
        common::send_request_from(&emu, demo::WEB1_IP, &request);
    }
    for _ in 0..2 {
        common::send_request_from(&emu, demo::WEB2_IP, &request);
    }
    common::send_request_from(&emu, UNMAPPED_IP, &request);
    common::advance(&emu, 60.0);
    assert_eq!(common::send_request_from(&emu, demo::WEB1_IP, &request).status, 200);

    let servers = v2_counts(&emu);
    assert_eq!(servers.len(), 2, "only mapped servers are counted: {servers:?}");
    assert_eq!(servers[demo::WEB1], json!({"v2_requests": 32, "max_in_any_60s": 31}));
    assert_eq!(servers[demo::WEB2], json!({"v2_requests": 2, "max_in_any_60s": 2}));

    // The log itself records each request with its status.
    let (_, log) = common::control(&emu, "GET", "requests", None);
    let entries = log["requests"].as_array().expect("a requests array");
    let statuses: Vec<u64> = entries
        .iter()
        .filter(|e| e["server_id"] == demo::WEB1)
        .map(|e| e["status"].as_u64().expect("a status"))
        .collect();
    assert_eq!(statuses.len(), 32);
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 31);
    assert_eq!(statuses[30], 403);
    let unmapped = entries.iter().find(|e| e["source_ip"] == "127.0.0.99").expect("the unmapped request is logged");
    assert_eq!(unmapped["status"], 403);
    assert!(unmapped["server_id"].is_null());
}

#[test]
fn the_request_logs_maximum_is_over_a_sliding_60_second_window() {
    let emu = common::start();
    let request = request(&emu, V2Operation::GatewayIp, None);
    for _ in 0..10 {
        common::send_request_from(&emu, demo::WEB1_IP, &request);
    }
    common::advance(&emu, 30.0);
    for _ in 0..10 {
        common::send_request_from(&emu, demo::WEB1_IP, &request);
    }
    common::advance(&emu, 30.0);
    for _ in 0..5 {
        common::send_request_from(&emu, demo::WEB1_IP, &request);
    }
    // 10 at 0 s and 10 at 30 s share a window; the 5 at 60 s share one with the 10 at 30 s only.
    assert_eq!(v2_counts(&emu)[demo::WEB1], json!({"v2_requests": 25, "max_in_any_60s": 20}));
}
