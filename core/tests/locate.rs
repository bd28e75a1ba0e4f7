//! The JSON pointer of a parse error, found again from its line and column (`format::locate`),
//! against the one a tracking reader (serde_path_to_error) gives, for every RackConnect v3
//! model, on the corpus's v3 bodies broken each way a service, a proxy or a cut connection
//! could: every cut, every byte dropped, a stray byte at each edge of a token, every scalar
//! swapped for values of other types. (The sign-in document and the strict tree are held to it
//! by the unit tests of `format::locate`, on samples of their own.)

use std::path::Path;

use rackconnect::{Error, Response, Result, v3};

// The same broken bodies as the unit tests of `format::locate`: one generator for both.
#[path = "../src/format/broken_json.rs"]
mod broken_json;
use broken_json::broken;
use serde::de::DeserializeOwned;

/// The pointer a tracking reader gives.
fn tracked<T: DeserializeOwned>(body: &[u8]) -> Option<String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let error = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => return de.end().err().map(|_| String::new()),
        Err(e) => e,
    };
    let mut pointer = String::new();
    for segment in error.path().iter() {
        let text = match segment {
            serde_path_to_error::Segment::Seq { index } => index.to_string(),
            serde_path_to_error::Segment::Map { key } => key.clone(),
            serde_path_to_error::Segment::Enum { variant } => variant.clone(),
            serde_path_to_error::Segment::Unknown => continue,
        };
        pointer.push('/');
        pointer.push_str(&text.replace('~', "~0").replace('/', "~1"));
    }
    Some(pointer)
}

/// The pointer the crate's parser gives.
fn located<T>(parse: fn(&Response) -> Result<T>, body: &[u8]) -> Option<String> {
    let response = Response { status: 200, headers: Vec::new(), body: body.to_vec() };
    match parse(&response) {
        Ok(_) => None,
        Err(Error::Json { pointer, .. }) => Some(pointer),
        Err(other) => Some(format!("not a JSON error: {other}")),
    }
}

fn same_as_tracked<T: DeserializeOwned>(parse: fn(&Response) -> Result<T>, bodies: &[Vec<u8>]) -> usize {
    let mut checked = 0;
    for body in bodies {
        if serde_json::from_slice::<T>(body).is_err() {
            continue; // a body of another answer
        }
        for broken in broken(body) {
            if broken.iter().all(u8::is_ascii_whitespace) {
                continue; // an empty list, by the v3 lists' rule, not an error
            }
            let (got, want) = (located(parse, &broken), tracked::<T>(&broken));
            if got != want {
                let at = body.iter().zip(&broken).position(|(a, b)| a != b).unwrap_or(body.len().min(broken.len()));
                let around = &broken[at.saturating_sub(60)..(at + 40).min(broken.len())];
                panic!("{got:?} where a tracking reader gives {want:?}, at …{}…", String::from_utf8_lossy(around));
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn finds_the_path_a_tracking_reader_gives_on_every_v3_model() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus/responses/v3/bodies");
    let mut paths: Vec<_> = std::fs::read_dir(folder)
        .expect("the corpus")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let bodies: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).expect("a body")).collect();
    let checked = same_as_tracked(v3::parse_networks, &bodies)
        + same_as_tracked(v3::parse_network, &bodies)
        + same_as_tracked(v3::parse_pools, &bodies)
        + same_as_tracked(v3::parse_pool, &bodies)
        + same_as_tracked(v3::parse_nodes, &bodies)
        + same_as_tracked(v3::parse_node, &bodies)
        + same_as_tracked(v3::parse_node_details_list, &bodies)
        + same_as_tracked(v3::parse_node_details, &bodies)
        + same_as_tracked(v3::parse_server_node_details, &bodies)
        + same_as_tracked(v3::parse_public_ips, &bodies)
        + same_as_tracked(v3::parse_public_ip, &bodies);
    eprintln!("{checked} broken bodies checked");
    assert!(checked > 100_000, "{checked} broken bodies checked");
}
