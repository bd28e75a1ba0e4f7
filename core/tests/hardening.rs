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
