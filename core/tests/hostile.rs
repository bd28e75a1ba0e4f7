//! Hostile input: every parser answers a value or an error, never a panic, whatever the bytes;
//! bodies are bounded in size and nesting; XML with a DTD is refused before anything expands.

use proptest::prelude::*;
use rackconnect::ops::Operation;
use rackconnect::{MAX_BODY_BYTES, MAX_DEPTH, Response};

const STATUSES: [u16; 9] = [200, 201, 204, 401, 403, 404, 409, 413, 500];

/// Bytes that look like the APIs' bodies often enough to get past the first checks.
fn body_like() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        "[ \\[\\]{}\":,a-zA-Z0-9_.\\-\\n]{0,200}".prop_map(String::into_bytes),
        "[ <>/=\"'?!a-z_:&;#0-9\\n\\[\\]]{0,200}".prop_map(String::into_bytes),
        // A valid-looking v3 node with one mutated byte.
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(at, byte)| {
            let mut body = br#"[{"id":"n1","cloud_server":{"id":"s"},"load_balancer_pool":{"id":"p"},"status":"ACTIVE","created":"2014-09-12T13:26:54Z"}]"#.to_vec();
            let i = at.index(body.len());
            body[i] = byte;
            body
        }),
        // A valid-looking v2 details XML with one mutated byte.
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(at, byte)| {
            let mut body = b"<automation_status_details><automation_status>DEPLOYING</automation_status><tasks><task><name>a</name><status>b</status></task></tasks></automation_status_details>".to_vec();
            let i = at.index(body.len());
            body[i] = byte;
            body
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_parser_answers_value_or_error(
        body in body_like(),
        status in proptest::sample::select(STATUSES.to_vec()),
        op in proptest::sample::select(Operation::ALL.to_vec()),
        www_authenticate in proptest::option::of("OS-MF[ a-zA-Z='_,]{0,40}"),
        retry_after in proptest::option::of("[0-9a-z ]{0,6}"),
    ) {
        let mut response = Response { status, headers: Vec::new(), body };
        if let Some(value) = www_authenticate {
            response.headers.push(("WWW-Authenticate".into(), value));
        }
        if let Some(value) = retry_after {
            response.headers.push(("Retry-After".into(), value));
        }
        // Either outcome is fine; the property is that this returns at all.
        let _value_or_error = op.parse(&response);
    }

    #[test]
    fn no_builder_puts_an_unsafe_id_into_a_url(
        op in proptest::sample::select(Operation::ALL.to_vec()),
        raw in "[ -~]{0,20}",
        region in "[a-zA-Z]{0,4}",
    ) {
        // Delimited, so the id cannot be mistaken for a part of the endpoint.
        let id = format!("zq{raw}zq");
        let input = serde_json::json!({
            "endpoint": "http://127.0.0.1:1/v3/1", "token": "t", "server_id": id, "pool_id": id,
        });
        let safe = id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if let Ok(request) = op.build(&input) {
            prop_assert!(safe || !request.url.contains(&id), "{} put {:?} into {}", op.name(), id, request.url);
        }
        let _request_or_error = op.build(&serde_json::json!({"region": region, "token": "t", "tenant_id": "1"}));
    }
}

fn parse(op: &str, body: &[u8]) -> rackconnect::Result<serde_json::Value> {
    Operation::from_name(op)?.parse(&Response::new(200, body.to_vec()))
}

#[test]
fn oversized_bodies_are_refused_with_the_limit() {
    let mut body = b"[".to_vec();
    body.resize(MAX_BODY_BYTES + 1, b' ');
    for op in ["v3.list_public_ips", "v2.automation_status", "v2.details"] {
        let err = parse(op, &body).expect_err(op);
        assert_eq!(err.kind(), "body_too_large", "{op}: {err}");
        assert!(err.to_string().contains(&MAX_BODY_BYTES.to_string()), "{err}");
    }
}

#[test]
fn deep_nesting_is_refused_where_it_happens() {
    let json = format!("{}{}", "[".repeat(MAX_DEPTH + 10), "]".repeat(MAX_DEPTH + 10));
    let err = parse("v2.details", json.as_bytes()).expect_err("deep json");
    assert_eq!(err.kind(), "too_deep", "{err}");
    // Past serde_json's own guard too, without overflowing the stack.
    let json = "[".repeat(200_000);
    assert_eq!(parse("v2.details", json.as_bytes()).expect_err("deeper").kind(), "too_deep");
    // Unknown fields are kept as free-form JSON: their nesting is bounded too.
    let pool = format!(r#"[{{"id": "p", "kept": {}{}}}]"#, "[".repeat(200_000), "]".repeat(200_000));
    assert_eq!(parse("v3.list_pools", pool.as_bytes()).expect_err("deep unknown field").kind(), "too_deep");
    let xml = format!("{}{}", "<a>".repeat(MAX_DEPTH + 10), "</a>".repeat(MAX_DEPTH + 10));
    let err = parse("v2.automation_features", xml.as_bytes()).expect_err("deep xml");
    assert_eq!(err.kind(), "too_deep", "{err}");
    assert!(err.to_string().contains("/a/a/a"), "{err}");
}

#[test]
fn xml_with_a_dtd_is_refused_without_expanding() {
    let billion_laughs = concat!(
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">",
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">",
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>",
        "<automation_status>&lol3;</automation_status>"
    );
    let err = parse("v2.automation_status", billion_laughs.as_bytes()).expect_err("dtd");
    assert_eq!(err.kind(), "xml_doctype");
    let external = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><gateway_ip>&e;</gateway_ip>";
    assert_eq!(parse("v2.gateway_ip", external.as_bytes()).expect_err("xxe").kind(), "xml_doctype");
    // An undeclared entity is refused, not passed through or dropped.
    let err = parse("v2.automation_status", b"<automation_status>&e;</automation_status>").expect_err("entity");
    assert_eq!(err.kind(), "xml");
    assert!(err.to_string().contains("unknown entity"), "{err}");
}

#[test]
fn secrets_stay_out_of_errors_and_debug() {
    let op = Operation::from_name("identity.token").expect("op");
    let request = op
        .build(&serde_json::json!({"username": "demo", "api_key": "SECRET-KEY-123", "tenant_id": "123456"}))
        .expect("request");
    assert!(request.body.as_deref().is_some_and(|b| b.contains("SECRET-KEY-123")), "the wire form carries it");
    assert!(!format!("{request:?}").contains("SECRET-KEY-123"));
    let validate = Operation::from_name("identity.validate")
        .expect("op")
        .build(&serde_json::json!({"token": "SECRETTOKEN"}))
        .expect("request");
    assert!(!format!("{validate:?}").contains("SECRETTOKEN"));
    // An MFA 401 keeps the factor but not the session id.
    let response = Response::new(
        401,
        r#"{"unauthorized": {"code": 401, "message": "Additional authentication credentials required"}}"#,
    )
    .with_header("WWW-Authenticate", "OS-MF sessionId='SESSION-SECRET', factor='PASSCODE'");
    let err = op.parse(&response).expect_err("mfa");
    assert_eq!(err.kind(), "mfa_required");
    let shown = format!("{err} {err:?} {}", err.to_json());
    assert!(!shown.contains("SESSION-SECRET"), "{shown}");
    assert!(shown.contains("PASSCODE"), "{shown}");
    // A bad token is refused without echoing it.
    let err = Operation::from_name("identity.validate")
        .expect("op")
        .build(&serde_json::json!({"token": "bad/SECRET"}))
        .expect_err("bad token");
    assert!(!err.to_string().contains("SECRET"), "{err}");
}
