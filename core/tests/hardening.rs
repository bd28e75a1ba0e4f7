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
