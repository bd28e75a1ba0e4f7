//! JSON with errors that say where: line and column for syntax, a JSON pointer for shape.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{MAX_DEPTH, check_size};
use crate::error::{Error, Result};

/// Parses a typed value. Shape errors carry a JSON pointer and the line and column.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    check_size(body)?;
    let body = strip_bom(body);
    // Read once, untracked; a failure finds its path again from its position (`locate`).
    serde_json::from_slice(body).map_err(|e| {
        let pointer = super::locate::pointer_of_error(body, &e);
        from_serde(e, pointer)
    })
}

/// Reads a string and checks it within the reader's own visit of it. A check made after the
/// read is an error the reader places at the end of the object around the string, and so is
/// located there (`locate`); made within, it is placed, and located, at the string.
pub(crate) fn checked_string<'de, D, T>(
    deserializer: D,
    check: fn(String) -> std::result::Result<T, String>,
) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Checked<T>(fn(String) -> std::result::Result<T, String>);

    impl<T> serde::de::Visitor<'_> for Checked<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<T, E> {
            (self.0)(v.to_owned()).map_err(E::custom)
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<T, E> {
            (self.0)(v).map_err(E::custom)
        }
    }

    deserializer.deserialize_string(Checked(check))
}

/// Parses into a tree, bounded by [`MAX_DEPTH`]. A key given twice in one object is refused:
/// "last one wins" would let `{"automation_status":"DEPLOYED","automation_status":"FAILED"}`
/// mean either, depending on the reader.
pub(crate) fn parse_value(body: &[u8]) -> Result<Value> {
    let StrictValue(value) = parse(body)?;
    check_depth(&value, &mut Vec::new())?;
    Ok(value)
}

/// How serde_json (with `arbitrary_precision`: the `exact-numbers` feature) hands a number
/// that is not a plain `u64`/`i64` to a visitor: a one-entry map under this key, holding the text.
/// serde_json's own `Value` reads it the same way.
const EXACT_NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A JSON tree whose objects have each key once.
pub(crate) struct StrictValue(pub(crate) Value);

impl<'de> serde::Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = StrictValue;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(Value::String(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(Value::String(v)))
    }
    fn visit_unit<E>(self) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(Value::Null))
    }
    fn visit_none<E>(self) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(Value::Null))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<StrictValue, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(StrictValue(Value::Array(items)))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<StrictValue, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.is_empty() && key == EXACT_NUMBER_TOKEN {
                let digits: String = map.next_value()?;
                let number = digits.parse::<serde_json::Number>().map_err(serde::de::Error::custom)?;
                return Ok(StrictValue(Value::Number(number)));
            }
            if object.contains_key(&key) {
                let shown = crate::error::shorten(&key);
                return Err(serde::de::Error::custom(format!("key \"{shown}\" given twice: expected each key once")));
            }
            let StrictValue(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(StrictValue(Value::Object(object)))
    }
}

pub(crate) fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

fn check_depth(value: &Value, path: &mut Vec<String>) -> Result<()> {
    if path.len() > MAX_DEPTH {
        return Err(Error::TooDeep { limit: MAX_DEPTH, at: escape_pointer(path) });
    }
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                check_depth(item, path)?;
                path.pop();
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                path.push(k.clone());
                check_depth(item, path)?;
                path.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

pub(crate) fn escape_pointer<S: AsRef<str>>(segments: &[S]) -> String {
    let mut out = String::new();
    for s in segments {
        out.push('/');
        out.push_str(&s.as_ref().replace('~', "~0").replace('/', "~1"));
    }
    out
}

fn from_serde(e: serde_json::Error, pointer: String) -> Error {
    let (line, column) = (e.line(), e.column());
    let full = e.to_string();
    // serde_json appends " at line L column C"; the position has fields of its own here.
    let detail = full.rsplit_once(" at line ").map_or(full.as_str(), |(d, _)| d).to_owned();
    if detail.starts_with("recursion limit exceeded") {
        return Error::TooDeep { limit: 128, at: format!("line {line} column {column}") };
    }
    let detail = plain_words(&detail);
    let detail = match e.classify() {
        serde_json::error::Category::Eof => {
            format!("{detail}: expected more JSON, the body ended early")
        }
        serde_json::error::Category::Syntax => format!("{detail}: expected well-formed JSON"),
        _ => detail,
    };
    Error::Json { pointer, line, column, detail }
}

/// serde names Rust types ("expected u32", "expected struct Pool", "invalid type: map"); the
/// people reading these errors think in JSON.
fn plain_words(detail: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        ("expected u32", "expected a whole number from 0 to 4294967295"),
        ("expected u64", "expected a whole number, 0 or more"),
        ("expected i32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected an object"),
        ("invalid type: map", "invalid type: an object"),
        ("invalid type: sequence", "invalid type: a list"),
        ("invalid type: unit value", "invalid type: null"),
    ];
    let mut out = detail.to_owned();
    for (rust, json) in WORDS {
        if let Some(at) = out.find(rust) {
            // Only whole words: `expected u32` must not match inside `expected u320`.
            let end = at + rust.len();
            if !out[end..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
                out.replace_range(at..end, json);
            }
        }
    }
    // `expected struct Pool` (or `struct variant`) names a type, not a shape.
    if let Some(at) = out.find("expected struct ") {
        let rest = &out[at + "expected struct ".len()..];
        let name_len = rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '_').unwrap_or(rest.len());
        out.replace_range(at..at + "expected struct ".len() + name_len, "expected an object");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_speak_json_not_rust() {
        assert_eq!(
            plain_words("invalid type: string \"x\", expected u32"),
            "invalid type: string \"x\", expected a whole number from 0 to 4294967295"
        );
        assert_eq!(plain_words("invalid type: map, expected a sequence"), "invalid type: an object, expected a list");
        assert_eq!(
            plain_words("invalid type: integer `1`, expected struct Pool"),
            "invalid type: integer `1`, expected an object"
        );
        assert_eq!(plain_words("expected u320"), "expected u320");
        let err = parse::<Vec<crate::v3::Pool>>(b"[{\"id\": \"a\", \"port\": -1}]").expect_err("bad");
        assert!(err.to_string().contains("/0/port") && err.to_string().contains("a whole number"), "{err}");
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        id: String,
    }

    #[test]
    fn shape_errors_carry_pointer_and_position() {
        let err = parse::<Vec<Item>>(b"[{\"id\": \"a\"},\n {\"id\": 5}]").expect_err("bad");
        match &err {
            Error::Json { pointer, line, .. } => {
                assert_eq!(pointer, "/1/id");
                assert_eq!(*line, 2);
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("/1/id"), "{err}");
        assert!(err.to_string().contains("expected a string"), "{err}");
    }

    #[test]
    fn syntax_and_depth() {
        let err = parse_value(b"{\"a\": ").expect_err("eof");
        assert!(err.to_string().contains("line 1"), "{err}");
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(parse_value(deep.as_bytes()).expect_err("deep").kind(), "too_deep");
        let deeper = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        assert_eq!(parse_value(deeper.as_bytes()).expect_err("deep").kind(), "too_deep");
        assert_eq!(parse_value(b"{} x").expect_err("trailing").kind(), "json");
    }

    #[cfg(feature = "exact-numbers")]
    #[test]
    fn trees_keep_numbers_exactly() {
        let body = br#"{"big": 123456789012345678901234567890, "small": -1, "decimal": 0.10000000000000000555, "list": [1e+400]}"#;
        let value = parse_value(body).expect("a tree");
        assert_eq!(
            value.to_string(),
            r#"{"big":123456789012345678901234567890,"small":-1,"decimal":0.10000000000000000555,"list":[1e+400]}"#
        );
        assert_eq!(value["small"].as_i64(), Some(-1));
    }
}
