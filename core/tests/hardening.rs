//! Hardening (issue 11): one test per finding, named after it.

use rackconnect::Response;
use rackconnect::ops::Operation;

#[test]
fn error_messages_are_bounded_and_keep_every_message_in_the_data() {
    let one = format!("\"{}\"", "x".repeat(1_000));
    let body = format!(r#"{{"errors": [{}]}}"#, vec![one; 15_000].join(","));
    let op = Operation::from_name("v3.bulk_add_nodes").expect("op");
    let error = op.parse(&Response::new(409, body)).expect_err("a 409 is an error");
    let message = error.to_string();
    assert!(message.len() < 4_000, "{} bytes", message.len());
    assert!(message.ends_with("and 14995 more"), "{}", &message[message.len() - 40..]);
    let data = error.to_json();
    assert_eq!(data["messages"].as_array().map(Vec::len), Some(15_000), "the data keeps them all");
}

#[test]
fn xml_attributes_given_twice_are_refused() {
    let op = Operation::from_name("v2.automation_status").expect("op");
    let error = op
        .parse(&Response::new(200, r#"<automation_status a="1" a="2">DEPLOYED</automation_status>"#))
        .expect_err("a duplicate attribute");
    assert!(error.to_string().contains("attribute a given twice"), "{error}");
}

#[test]
fn duplicate_json_keys_are_refused_in_v2_and_metadata_answers() {
    for (op, body) in [
        ("v2.automation_status", r#"{"automation_status":"DEPLOYED","automation_status":"FAILED"}"#),
        ("v2.automation_status", r#"{"automation_status":"FAILED","automation_status":"DEPLOYED"}"#),
        (
            "servers.metadata",
            r#"{"metadata": {"rackconnect_automation_status": "DEPLOYED", "rackconnect_automation_status": "FAILED"}}"#,
        ),
    ] {
        let op = Operation::from_name(op).expect("op");
        let error = op.parse(&Response::new(200, body)).expect_err("a key given twice");
        assert_eq!(error.kind(), "json", "{error}");
        assert!(error.to_string().contains("given twice"), "{error}");
    }
}

#[test]
fn ipv4_octets_with_leading_zeros_are_refused() {
    let op = Operation::from_name("v2.gateway_ip").expect("op");
    for body in ["0010.01.0002.1", "10.01.2.1", "010.1.2.1"] {
        let error = op.parse(&Response::new(200, body)).expect_err("leading zeros");
        assert!(error.to_string().contains("dotted-quad"), "{body}: {error}");
    }
    let fine = op.parse(&Response::new(200, "10.0.2.1")).expect("an address");
    assert_eq!(fine["value"], "10.0.2.1", "{fine}");
}

#[test]
fn an_unknown_wrapper_is_not_read_as_a_status() {
    let op = Operation::from_name("v2.automation_status").expect("op");
    for body in [
        r#"{"error": {"automation_status": "DEPLOYED"}}"#,
        "<html><automation_status>DEPLOYED</automation_status></html>",
    ] {
        assert!(op.parse(&Response::new(200, body)).is_err(), "{body} read as a status");
    }
    let known = op.parse(&Response::new(200, r#"{"response": {"automation_status": "FAILED"}}"#)).expect("known");
    assert_eq!(known["value"], "FAILED", "{known}");
}

#[test]
fn ids_with_control_characters_are_refused() {
    let op = Operation::from_name("v3.list_pools").expect("op");
    let body = r#"[{"id": "web\u001b[2J", "name": "web", "port": 80, "status": "ACTIVE"}]"#;
    let error = op.parse(&Response::new(200, body)).expect_err("an id with ESC");
    assert!(error.to_string().contains("without control characters"), "{error}");
    assert!(!error.to_string().contains('\u{1b}'), "the message escapes it: {error}");
}

mod lost_answers {
    use rackconnect::ensure::{EnsureOptions, MembershipPlanner, Presence, PublicIpPlanner, PublicIpSpec};
    use rackconnect::v3::V3Endpoint;
    use rackconnect::wait::{Machine, RateBudget, Step};
    use rackconnect::{BaseUrl, PoolId, Request, Response, ServerId, Token};
    use serde_json::json;

    const SERVER: &str = "d95ae0c4-6ab8-4873-b82f-f8433840cff2";
    const POOL: &str = "d6d3aa7c-dfa5-4e61-96ee-1d54ac1075d2";
    const IP: &str = "2d0f586b-37a7-4ae0-adac-2743d5feb450";

    fn endpoint() -> V3Endpoint {
        V3Endpoint::BaseUrl(BaseUrl::new("endpoint", "https://dfw.rc.example.test/v3/1").expect("url"))
    }

    /// Drives `machine`; `answer` gives a response, or `None` for a lost answer.
    fn drive<M: Machine>(machine: &mut M, mut answer: impl FnMut(&Request) -> Option<Response>) -> M::Output {
        let (mut now, mut budget) = (0, RateBudget::api());
        for _ in 0..10_000 {
            match machine.poll(now, &mut budget) {
                Step::Send(request) => match answer(&request) {
                    Some(response) => machine.on_response(now, &response),
                    None => machine.on_transport_error(now, "transport error (io): the body ended early"),
                },
                Step::SleepUntil(at) => now = at.max(now + 1),
                Step::Finished(output) => return output,
            }
            now += 10;
        }
        panic!("never finished");
    }

    #[test]
    fn an_add_applied_whose_answer_was_lost_counts_as_changed() {
        let pairs = vec![(ServerId::new(SERVER).expect("id"), PoolId::new(POOL).expect("id"))];
        let mut planner =
            MembershipPlanner::new(endpoint(), Token::new("t"), pairs, Presence::Present, EnsureOptions::default(), 0);
        let mut added = false;
        let node = json!({"id": "n1", "cloud_server": {"id": SERVER}, "load_balancer_pool": {"id": POOL},
            "status": "ACTIVE", "status_detail": null, "created": "2014-05-30T03:23:42Z", "updated": null});
        let result = drive(&mut planner, |request| match request.method.as_str() {
            "POST" => {
                // Applied by the service, but the answer never arrives.
                added = true;
                None
            }
            _ => Some(Response::new(200, if added { json!([node]) } else { json!([]) }.to_string())),
        });
        assert!(result.changed, "{result:?}");
        assert_eq!(result.added.len(), 1, "{result:?}");
    }

    #[test]
    fn a_public_ip_created_whose_answer_was_lost_counts_as_changed() {
        let spec = PublicIpSpec {
            server_id: ServerId::new(SERVER).expect("id"),
            presence: Presence::Present,
            retain: None,
            public_ip_id: None,
            unassign: false,
        };
        let mut planner = PublicIpPlanner::new(endpoint(), Token::new("t"), spec, EnsureOptions::default(), 0);
        let mut created = false;
        let ip = json!({"id": IP, "cloud_server": {"id": SERVER}, "public_ip_v4": "203.0.113.17", "status": "ACTIVE",
            "status_detail": null, "retain": false, "created": "2014-05-30T03:23:42Z", "updated": null});
        let result = drive(&mut planner, |request| match request.method.as_str() {
            "POST" => {
                created = true;
                None
            }
            _ if request.url.contains("/public_ips/") => Some(Response::new(200, ip.to_string())),
            _ => Some(Response::new(200, if created { json!([ip]) } else { json!([]) }.to_string())),
        });
        assert!(result.changed, "{result:?}");
        assert!(matches!(result.plan, rackconnect::ensure::PublicIpAction::Create { .. }), "{result:?}");
    }
}

#[cfg(feature = "exact-numbers")]
#[test]
fn numbers_in_kept_fields_are_kept_exactly() {
    let exact =
        ["123456789012345678901234567890", "-98765432109876543210", "0.1000000000000000055511151231257827", "1.5e+400"];
    for number in exact {
        // A typed v3 object keeps its unknown fields, under `extra`.
        let pool = format!(
            r#"{{"id":"d6d3aa7c-dfa5-4e61-96ee-1d54ac1075d2","port":8080,"node_counts":{{"total":7,"big":{number}}},"serial":{number}}}"#
        );
        let parsed = Operation::from_name("v3.get_pool").expect("op").parse(&Response::new(200, pool)).expect("a pool");
        let text = parsed.to_string();
        assert!(text.contains(&format!(r#""serial":{number}"#)), "{number} became {text}");
        assert!(text.contains(&format!(r#""big":{number}"#)), "{number} became {text}");
        assert_eq!(parsed["port"], 8080, "{text}");
        assert_eq!(parsed["node_counts"]["total"], 7, "{text}");
        assert!(parsed["extra"]["serial"].is_number() && parsed["node_counts"]["extra"]["big"].is_number(), "{text}");
    }
}
