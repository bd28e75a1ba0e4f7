//! `docs/emulator.md` shows Rust users the way in with the body of `the_rust_way_in` below: the
//! test runs it, and `the_page_shows_it_as_written` fails when the page and the test part.

#[test]
fn the_rust_way_in() -> Result<(), Box<dyn std::error::Error>> {
    // docs:begin
    use rackconnect::blocking::{HttpConfig, IdentityClient, Session, Transport};
    use rackconnect::identity::{Credentials, IdentityEndpoint};
    use rackconnect::{ApiKey, Region};
    use rackconnect_emulator::{Emulator, Options, Scenario};

    let emulator = Emulator::start(Scenario::demo(), Options { seed: Some(7), ..Options::default() })?;
    let credentials = Credentials::ApiKey { username: "demo".into(), api_key: ApiKey::new("demo-api-key") };
    let identity = IdentityClient::new(IdentityEndpoint::parse(&emulator.url())?, credentials, None);
    let mut session = Session::new(Transport::new(HttpConfig::default()), identity);
    let pools = session.v3(Region::Dfw)?.list_pools()?;
    assert!(pools.iter().any(|pool| pool.name.as_deref() == Some("dfw-web-80")));
    emulator.stop();
    // docs:end
    Ok(())
}

#[test]
fn the_page_shows_it_as_written() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("../docs/emulator.md")).expect("docs/emulator.md");
    let source = std::fs::read_to_string(root.join("tests/docs.rs")).expect("this file");
    let (_, body) = source.split_once("    // docs:begin\n").expect("the begin marker");
    let (body, _) = body.split_once("    // docs:end\n").expect("the end marker");
    let body: String = body.lines().map(|line| format!("{}\n", line.strip_prefix("    ").unwrap_or(line))).collect();
    let (_, shown) = page.split_once("```rust\n").expect("a Rust block on the page");
    let (shown, _) = shown.split_once("```").expect("its end");
    assert_eq!(shown, body, "docs/emulator.md's Rust block is not the body of the_rust_way_in");
}
