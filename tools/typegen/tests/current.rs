//! The generated types are current: `types.py` and `types.d.ts` are exactly what the core's
//! description gives today. A change to a type of the core fails here until
//! `cargo run -p rackconnect-typegen` is run and its output committed.

use std::path::Path;

fn checked_in(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn model() -> rackconnect_typegen::Model {
    rackconnect_typegen::Model::load().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn python_types_are_current() {
    let generated = rackconnect_typegen::python(&model()).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        generated == checked_in(rackconnect_typegen::PYTHON_PATH),
        "{} is stale: run `cargo run -p rackconnect-typegen` and commit the result",
        rackconnect_typegen::PYTHON_PATH
    );
}

#[test]
fn typescript_types_are_current() {
    let generated = rackconnect_typegen::typescript(&model()).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        generated == checked_in(rackconnect_typegen::TYPESCRIPT_PATH),
        "{} is stale: run `cargo run -p rackconnect-typegen` and commit the result",
        rackconnect_typegen::TYPESCRIPT_PATH
    );
}

#[test]
fn a_form_the_renderers_do_not_know_is_refused_by_name() {
    let description = serde_json::json!({
        "operations": {},
        "types": {"Odd": {"type": "object", "properties": {"x": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}}}
    });
    let model = rackconnect_typegen::Model::from_description(&description).unwrap_or_else(|e| panic!("{e}"));
    let error = rackconnect_typegen::python(&model).err().unwrap_or_default();
    assert!(error.starts_with("Odd.x: an anyOf other than"), "{error}");
}
