//! The one-pass reader (`format::shape`, behind `Operation::parse_to_text` for v3) against the
//! typed parsers (`v3::parse_*`, then serde_json): the same text for every body either accepts,
//! the same error for every body either refuses. On the corpus's v3 bodies, and on thousands of
//! bodies made from them by random, seeded edits of the kinds a service or a proxy produces
//! (fields dropped, reordered, given twice, nulled, retyped; unknown fields; escapes; numbers in
//! other forms; blanks), which is where the two could part.

use std::fs;
use std::path::{Path, PathBuf};

use rackconnect::ops::Operation;
use rackconnect::{Response, v3};
use serde_json::Value;

fn typed_text(op: Operation, response: &Response) -> rackconnect::Result<String> {
    fn text<T: serde::Serialize>(value: rackconnect::Result<T>) -> rackconnect::Result<String> {
        value.map(|v| serde_json::to_string(&v).expect("a model serializes"))
    }
    match op.name() {
        "v3.list_networks" => text(v3::parse_networks(response)),
        "v3.get_network" => text(v3::parse_network(response)),
        "v3.list_pools" => text(v3::parse_pools(response)),
        "v3.get_pool" => text(v3::parse_pool(response)),
        "v3.list_nodes" | "v3.bulk_add_nodes" => text(v3::parse_nodes(response)),
        "v3.add_node" | "v3.get_node" => text(v3::parse_node(response)),
        "v3.list_node_details" => text(v3::parse_node_details_list(response)),
        "v3.get_node_details" => text(v3::parse_node_details(response)),
        "v3.server_node_details" => text(v3::parse_server_node_details(response)),
        "v3.list_public_ips" => text(v3::parse_public_ips(response)),
        "v3.create_public_ip" | "v3.get_public_ip" | "v3.update_public_ip" => text(v3::parse_public_ip(response)),
        other => panic!("no typed parser listed for {other}"),
    }
}

/// Both ways agree on `body`; true when it was accepted.
fn agree(op: Operation, status: u16, body: &[u8]) -> bool {
    let response =
        Response { status, headers: vec![("Content-Type".into(), "application/json".into())], body: body.to_vec() };
    let one_pass = op.parse_to_text(&response);
    let typed = typed_text(op, &response);
    let shown = String::from_utf8_lossy(body);
    match (one_pass, typed) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "{} on {shown}", op.name());
            true
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.to_json(), b.to_json(), "{} on {shown}", op.name());
            false
        }
        (a, b) => panic!("{} on {shown}: one pass {a:?}, typed {b:?}", op.name()),
    }
}

/// The v3 corpus's successful JSON answers: (operation, status, body).
fn corpus_bodies() -> Vec<(Operation, u16, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus/responses/v3");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("the v3 corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let case: Value = serde_json::from_slice(&fs::read(&path).expect("a case")).expect("a case is JSON");
        let op = Operation::from_name(case["op"].as_str().expect("op")).expect("a known op");
        let status = case["status"].as_u64().expect("status") as u16;
        let body = case["body_file"].as_str().map(|f| fs::read(dir.join(f)).expect("a body")).unwrap_or_default();
        if (200..300).contains(&status) && body.iter().any(|b| !b.is_ascii_whitespace()) {
            out.push((op, status, body));
        }
    }
    out
}

#[test]
fn the_corpus_reads_the_same_both_ways() {
    let bodies = corpus_bodies();
    assert!(bodies.len() >= 20, "only {} v3 bodies", bodies.len());
    let accepted = bodies.iter().filter(|(op, status, body)| agree(*op, *status, body)).count();
    assert!(accepted >= 15, "only {accepted} of the corpus's v3 bodies read");
}

/// A JSON tree that can hold what `Value` cannot: keys given twice, keys in any order.
#[derive(Clone, Debug)]
enum Tree {
    Raw(String),
    Text(String),
    List(Vec<Tree>),
    Object(Vec<(String, Tree)>),
}

impl Tree {
    fn from_value(value: &Value) -> Tree {
        match value {
            Value::String(s) => Tree::Text(s.clone()),
            Value::Array(items) => Tree::List(items.iter().map(Tree::from_value).collect()),
            Value::Object(map) => Tree::Object(map.iter().map(|(k, v)| (k.clone(), Tree::from_value(v))).collect()),
            other => Tree::Raw(other.to_string()),
        }
    }
}

/// A seeded generator (xorshift64*): the same edits on every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, in_n: usize) -> bool {
        self.below(in_n) == 0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const KEYS: &[&str] = &[
    "id",
    "name",
    "status",
    "status_detail",
    "created",
    "updated",
    "port",
    "cloud_server",
    "load_balancer_pool",
    "node_counts",
    "total",
    "retain",
    "public_ip_v4",
    "cloud_network",
    "extra",
    "zz_new",
    "caf\u{e9}",
];

/// A value of the same kind as `like` (a number for a number, a string for a string), mostly.
fn similar_value(like: &Tree, dice: &mut Dice, depth: usize) -> Tree {
    match like {
        Tree::Raw(_) if !dice.chance(3) => Tree::Raw(dice.pick(RAW).to_string()),
        Tree::Text(_) if !dice.chance(3) => Tree::Text(dice.pick(TEXT).to_string()),
        _ => odd_value(dice, depth),
    }
}

const RAW: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "80",
    "080",
    "-0",
    "-1",
    "1.0",
    "1e2",
    "1E2",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "123456789012345678901234567890",
    "0.1",
    "-5.5e-3",
];
const TEXT: &[&str] = &[
    "ACTIVE",
    "active",
    " Active ",
    "ADD_FAILED",
    "NEW_STATE",
    "",
    "2014-09-12T13:26:54Z",
    "2014-09-12T13:26:54.450Z",
    "2014-09-12 13:26:54",
    "2014-09-12T13:26:54+02:00",
    "yesterday",
    "id-\u{7f}",
    "id-\u{85}",
    "caf\u{e9}",
    "quote\"back\\slash",
    "tab\there",
    "line\nbreak",
    "nul\u{0}",
    "\u{1F600}",
];

/// Values of the kinds the readers treat differently.
fn odd_value(dice: &mut Dice, depth: usize) -> Tree {
    match dice.below(if depth > 2 { 2 } else { 4 }) {
        0 => Tree::Raw(dice.pick(RAW).to_string()),
        1 => Tree::Text(dice.pick(TEXT).to_string()),
        2 => Tree::Object(
            (0..dice.below(3)).map(|_| (dice.pick(KEYS).to_string(), odd_value(dice, depth + 1))).collect(),
        ),
        _ => Tree::List((0..dice.below(3)).map(|_| odd_value(dice, depth + 1)).collect()),
    }
}

/// One random edit somewhere in the tree.
fn edit(tree: &mut Tree, dice: &mut Dice, depth: usize) {
    match tree {
        Tree::List(items) if !items.is_empty() && !dice.chance(6) => {
            let i = dice.below(items.len());
            edit(&mut items[i], dice, depth + 1);
        }
        Tree::Object(fields) if !fields.is_empty() && dice.chance(2) => {
            let i = dice.below(fields.len());
            edit(&mut fields[i].1, dice, depth + 1);
        }
        Tree::Object(fields) => match dice.below(8) {
            0 if !fields.is_empty() => {
                fields.remove(dice.below(fields.len()));
            }
            1 | 2 if !fields.is_empty() => {
                let i = dice.below(fields.len());
                fields[i].1 = similar_value(&fields[i].1, dice, depth);
            }
            3 if !fields.is_empty() => {
                let i = dice.below(fields.len());
                let copy = fields[i].clone();
                fields.insert(dice.below(fields.len() + 1), copy);
            }
            4 | 5 if fields.len() > 1 => {
                let (i, j) = (dice.below(fields.len()), dice.below(fields.len()));
                fields.swap(i, j);
            }
            _ => {
                let at = dice.below(fields.len() + 1);
                fields.insert(at, (dice.pick(KEYS).to_string(), odd_value(dice, depth)));
            }
        },
        other => *other = similar_value(other, dice, depth),
    }
}

/// Writes the tree as JSON, with blanks and escapes chosen by the dice.
fn write(tree: &Tree, dice: &mut Dice, out: &mut String) {
    let blank = |dice: &mut Dice, out: &mut String| {
        if dice.chance(8) {
            // A form feed is not a JSON blank: rarely, so that most bodies stay readable.
            const BLANKS: &[&str] = &[" ", "\n", "\t", "\r\n  ", " ", "\n", "\t", "\r\n  ", " ", "\u{c}"];
            let chosen = *dice.pick::<&str>(BLANKS);
            out.push_str(chosen);
        }
    };
    match tree {
        Tree::Raw(raw) => out.push_str(raw),
        Tree::Text(text) => write_string(text, dice, out),
        Tree::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                blank(dice, out);
                write(item, dice, out);
                blank(dice, out);
            }
            out.push(']');
        }
        Tree::Object(fields) => {
            out.push('{');
            for (i, (key, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                blank(dice, out);
                write_string(key, dice, out);
                blank(dice, out);
                out.push(':');
                blank(dice, out);
                write(value, dice, out);
            }
            blank(dice, out);
            out.push('}');
        }
    }
}

fn write_string(text: &str, dice: &mut Dice, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if dice.chance(40) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
            '/' if dice.chance(2) => out.push_str("\\/"),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[test]
fn edited_bodies_read_the_same_both_ways() {
    let bodies = corpus_bodies();
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    let (mut tried, mut accepted) = (0, 0);
    for (op, status, body) in &bodies {
        let Ok(value) = serde_json::from_slice::<Value>(body) else { continue };
        let base = Tree::from_value(&value);
        for round in 0..400 {
            let mut tree = base.clone();
            // A few rounds unedited but rewritten (blanks, escapes), most with one to three edits.
            for _ in 0..(round % 4) {
                edit(&mut tree, &mut dice, 0);
            }
            let mut text = String::new();
            write(&tree, &mut dice, &mut text);
            if dice.chance(20) {
                text.insert(0, '\u{feff}');
            }
            tried += 1;
            let ok = agree(*op, *status, text.as_bytes());
            accepted += usize::from(ok);
        }
    }
    // Most edits leave a readable body: the comparison is not only between two errors.
    assert!(tried >= 8_000 && accepted * 6 >= tried, "{accepted} of {tried} edited bodies read");
}

/// Every field of every corpus body given each of the odd values in turn: each bound (the
/// largest port, counts past `u64`), each form of number and each kind of string, everywhere.
#[test]
fn every_field_with_every_odd_value_reads_the_same_both_ways() {
    fn field_paths(tree: &Tree, path: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        match tree {
            Tree::List(items) => {
                for (i, item) in items.iter().enumerate().take(2) {
                    path.push(i);
                    field_paths(item, path, out);
                    path.pop();
                }
            }
            Tree::Object(fields) => {
                for (i, (_, value)) in fields.iter().enumerate() {
                    path.push(i);
                    out.push(path.clone());
                    field_paths(value, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    fn at<'t>(tree: &'t mut Tree, path: &[usize]) -> &'t mut Tree {
        match (tree, path) {
            (tree, []) => tree,
            (Tree::List(items), [i, rest @ ..]) => at(&mut items[*i], rest),
            (Tree::Object(fields), [i, rest @ ..]) => at(&mut fields[*i].1, rest),
            _ => unreachable!("paths come from the tree"),
        }
    }
    let mut dice = Dice(7);
    let mut tried = 0;
    for (op, status, body) in corpus_bodies() {
        let Ok(value) = serde_json::from_slice::<Value>(&body) else { continue };
        let base = Tree::from_value(&value);
        let mut paths = Vec::new();
        field_paths(&base, &mut Vec::new(), &mut paths);
        for path in paths {
            let odd =
                RAW.iter().map(|r| Tree::Raw(r.to_string())).chain(TEXT.iter().map(|t| Tree::Text(t.to_string())));
            for value in odd {
                let mut tree = base.clone();
                *at(&mut tree, &path) = value;
                let mut text = String::new();
                write(&tree, &mut dice, &mut text);
                agree(op, status, text.as_bytes());
                tried += 1;
            }
        }
    }
    assert!(tried >= 10_000, "only {tried} bodies");
}
