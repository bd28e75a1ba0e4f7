//! Writes the types of the Python package (`python/rackconnect/types.py`) and of the npm package
//! (`wasm/npm/types.d.ts`) from the core's one description, `rackconnect::schema::description()`:
//! a JSON Schema per type, derived from the Rust types and their doc comments. Neither file is
//! edited by hand; `tests/current.rs` fails when either differs from what this writes.
//!
//! The renderer knows exactly the schema forms the description uses (objects, tagged unions,
//! string sets, open string sets, arrays, tuples, maps, nullable values) and stops with a message
//! naming the type and the form for anything else, so a new form is a decision, not a guess.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

mod python;
mod typescript;

pub use python::python;
pub use typescript::typescript;

/// Where each file goes, relative to the repository root.
pub const PYTHON_PATH: &str = "python/rackconnect/types.py";
/// Where the TypeScript declarations go, relative to the repository root.
pub const TYPESCRIPT_PATH: &str = "wasm/npm/types.d.ts";

/// The description, read into what both renderers need.
pub struct Model {
    /// Operation name → the schema of its result.
    pub operations: Vec<(String, Value)>,
    /// Type name → schema, in an order where a name is defined before an alias uses it.
    pub types: Vec<(String, Value)>,
}

impl Model {
    /// Reads the core's description.
    pub fn load() -> Result<Model, String> {
        Model::from_description(&rackconnect::schema::description())
    }

    /// Reads a description.
    pub fn from_description(description: &Value) -> Result<Model, String> {
        let operations = object(description, "operations")?.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let all = object(description, "types")?;
        let mut order = Vec::new();
        let mut seen = BTreeSet::new();
        for name in all.keys() {
            visit(name, all, &mut seen, &mut order);
        }
        let types = order.into_iter().map(|name| (name.clone(), all[&name].clone())).collect();
        Ok(Model { operations, types })
    }
}

fn object<'a>(value: &'a Value, key: &str) -> Result<&'a Map<String, Value>, String> {
    value.get(key).and_then(Value::as_object).ok_or_else(|| format!("the description lacks `{key}`"))
}

/// Depth-first, dependencies first: aliases (`X = Union[A, B]`) are evaluated at import time.
fn visit(name: &str, all: &Map<String, Value>, seen: &mut BTreeSet<String>, order: &mut Vec<String>) {
    if !seen.insert(name.to_owned()) {
        return;
    }
    let mut refs = BTreeSet::new();
    collect_refs(&all[name], &mut refs);
    for dependency in refs {
        if all.contains_key(&dependency) {
            visit(&dependency, all, seen, order);
        }
    }
    order.push(name.to_owned());
}

fn collect_refs(value: &Value, refs: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                refs.insert(ref_name(reference).to_owned());
            }
            map.values().for_each(|item| collect_refs(item, refs));
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

/// `#/types/Pool` → `Pool`.
pub fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// What a schema is, in the forms the description uses.
#[derive(Debug)]
pub enum Shape<'a> {
    /// `{"$ref": …}`.
    Ref(&'a str),
    /// A scalar JSON type: `string`, `integer`, `number`, `boolean`, `null`.
    Scalar(&'a str),
    /// One fixed string.
    Const(&'a str),
    /// A closed set of strings (`oneOf` of consts, or `enum`).
    Strings(Vec<&'a str>),
    /// A string with known values, others kept (`x-known-values`).
    OpenStrings(Vec<&'a str>),
    /// `T` or null.
    Nullable(Box<Shape<'a>>),
    /// A list.
    Array(Box<Shape<'a>>),
    /// A fixed-length list.
    Tuple(Vec<Shape<'a>>),
    /// An object with any keys, all of one shape; `None`: any value.
    Map(Option<Box<Shape<'a>>>),
    /// An object with named properties.
    Object(&'a Value),
    /// A union of objects told apart by one property (`tag`).
    Tagged {
        /// The property whose value tells the variants apart.
        tag: String,
        /// Each variant's object schema.
        variants: Vec<&'a Value>,
    },
}

/// Reads a schema's shape. `at` names it in an error.
pub fn shape<'a>(schema: &'a Value, at: &str) -> Result<Shape<'a>, String> {
    let fail = |what: &str| Err(format!("{at}: {what} in {}", brief(schema)));
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return Ok(Shape::Ref(ref_name(reference)));
    }
    if let Some(Value::Array(known)) = schema.get("x-known-values") {
        return Ok(Shape::OpenStrings(known.iter().filter_map(Value::as_str).collect()));
    }
    if let Some(text) = schema.get("const").and_then(Value::as_str) {
        return Ok(Shape::Const(text));
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        return Ok(Shape::Strings(values.iter().filter_map(Value::as_str).collect()));
    }
    if let Some(Value::Array(members)) = schema.get("anyOf") {
        let (nulls, others): (Vec<&Value>, Vec<&Value>) =
            members.iter().partition(|m| m.get("type").and_then(Value::as_str) == Some("null"));
        if nulls.len() == 1 && others.len() == 1 {
            return Ok(Shape::Nullable(Box::new(shape(others[0], at)?)));
        }
        return fail("an anyOf other than `T or null`");
    }
    if let Some(Value::Array(members)) = schema.get("oneOf") {
        if members.iter().all(|m| m.get("const").is_some()) {
            return Ok(Shape::Strings(members.iter().filter_map(|m| m["const"].as_str()).collect()));
        }
        let tag =
            tag_of(members).ok_or_else(|| format!("{at}: a oneOf without one tag property in {}", brief(schema)))?;
        return Ok(Shape::Tagged { tag, variants: members.iter().collect() });
    }
    match schema.get("type") {
        Some(Value::Array(types)) => {
            let names: Vec<&'a str> = types.iter().filter_map(Value::as_str).collect();
            match names.as_slice() {
                [one, "null"] | ["null", one] => Ok(Shape::Nullable(Box::new(typed(schema, one, at)?))),
                _ => fail("a type list other than [T, null]"),
            }
        }
        Some(Value::String(kind)) => typed(schema, kind, at),
        _ => fail("a schema without a type"),
    }
}

/// A schema, shortened for a message.
fn brief(schema: &Value) -> String {
    let text = schema.to_string();
    if text.chars().count() > 160 { format!("{}…", text.chars().take(160).collect::<String>()) } else { text }
}

/// The shape of a schema whose JSON type is `kind`.
fn typed<'a>(schema: &'a Value, kind: &'a str, at: &str) -> Result<Shape<'a>, String> {
    let fail = |what: &str| Err(format!("{at}: {what} in {}", brief(schema)));
    match kind {
        "string" | "integer" | "number" | "boolean" | "null" => Ok(Shape::Scalar(kind)),
        "array" => {
            if let Some(Value::Array(items)) = schema.get("prefixItems") {
                let items: Result<Vec<Shape>, String> = items.iter().map(|i| shape(i, at)).collect();
                return Ok(Shape::Tuple(items?));
            }
            match schema.get("items") {
                Some(items) => Ok(Shape::Array(Box::new(shape(items, at)?))),
                None => fail("an array without items"),
            }
        }
        "object" => {
            if schema.get("properties").is_some() {
                return Ok(Shape::Object(schema));
            }
            match schema.get("additionalProperties") {
                Some(Value::Bool(true)) | None => Ok(Shape::Map(None)),
                Some(more @ Value::Object(_)) => Ok(Shape::Map(Some(Box::new(shape(more, at)?)))),
                _ => fail("an object that allows no properties"),
            }
        }
        _ => fail("an unknown type"),
    }
}

/// The property that tells the variants apart: fixed to a constant in each variant (or, in one
/// that stands for several, a named set of strings such as `ApiErrorKind`).
fn tag_of(variants: &[Value]) -> Option<String> {
    let first = variants.first()?.get("properties")?.as_object()?;
    first
        .keys()
        .find(|name| {
            let fixed = |v: &Value| v["properties"][name.as_str()].get("const").is_some();
            let named = |v: &Value| v["properties"][name.as_str()].get("$ref").is_some();
            variants.iter().any(fixed) && variants.iter().all(|v| fixed(v) || named(v))
        })
        .cloned()
}

/// The properties of an object schema: name, schema, required, in the schema's order.
pub fn properties(schema: &Value) -> Vec<(&str, &Value, bool)> {
    let required: BTreeSet<&str> =
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, item)| (name.as_str(), item, required.contains(name.as_str())))
        .collect()
}

/// A schema's description with rustdoc's intra-doc links reduced to their text.
pub fn describe(schema: &Value) -> Option<String> {
    let text = schema.get("description").and_then(Value::as_str)?.trim();
    if text.is_empty() {
        return None;
    }
    // Doc comments joined by hand keep the space after `///`.
    let lines: Vec<&str> = text.lines().map(str::trim_start).collect();
    let text = lines.join("\n");
    let text = text.as_str();
    // "[`Outcome::Error`]" → "`Outcome::Error`"; "[text](url)" stays.
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("[`") {
        let Some(end) = rest[start..].find("`]") else { break };
        let end = start + end;
        let after = &rest[end + 2..];
        out.push_str(&rest[..start]);
        if after.starts_with('(') {
            out.push_str(&rest[start..end + 2]);
        } else {
            out.push_str(&rest[start + 1..end + 1]);
        }
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

/// `set_retain` → `SetRetain`.
pub fn camel(text: &str) -> String {
    text.split(['_', '-', ':', ' ']).filter(|w| !w.is_empty()).map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

/// The name of a tagged union's variant: its title, or the union's name and the tag's value.
pub fn variant_name(union: &str, tag: &str, variant: &Value) -> String {
    match variant.get("title").and_then(Value::as_str) {
        Some(title) => title.to_owned(),
        None => format!("{union}{}", camel(variant["properties"][tag]["const"].as_str().unwrap_or("Other"))),
    }
}

/// Names for anonymous objects, by where they sit (`V2RateLimited.value` → `V2RateLimitedValue`);
/// one name per distinct shape.
#[derive(Default)]
pub struct Anonymous {
    /// Name → schema, in the order found.
    pub found: Vec<(String, Value)>,
    by_schema: BTreeMap<String, String>,
}

impl Anonymous {
    /// The name for an inline object at `owner.field`.
    pub fn name(&mut self, owner: &str, field: &str, schema: &Value) -> String {
        let key = schema.to_string();
        if let Some(name) = self.by_schema.get(&key) {
            return name.clone();
        }
        let name = format!("{owner}{}", camel(field));
        self.by_schema.insert(key, name.clone());
        let mut schema = schema.clone();
        if schema.get("description").is_none() {
            schema["description"] = format!("The `{field}` of a `{owner}`.").into();
        }
        self.found.push((name.clone(), schema));
        name
    }
}
