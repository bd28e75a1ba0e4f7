//! Fields the service sent that this crate does not know. They are read from the object's own
//! level (every model flattens them into its `extra` map) and written back under one key,
//! `extra`, and only when there are some: so a typed consumer (TypeScript, a Python
//! `TypedDict`) reaches them through one documented property, and a misspelt known field is
//! still an error there instead of an unknown one.

use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

/// The key the unknown fields are written under.
pub const KEY: &str = "extra";

/// `serialize_with` for a flattened `extra` map: `{"extra": {…}}` when it holds anything.
pub(crate) fn nested<S: Serializer>(extra: &Map<String, Value>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(usize::from(!extra.is_empty())))?;
    if !extra.is_empty() {
        map.serialize_entry(KEY, extra)?;
    }
    map.end()
}

/// The schema of a flattened `extra` map as written: one optional key, `extra`.
#[cfg(feature = "schema")]
#[derive(schemars::JsonSchema)]
pub(crate) struct Nested {
    /// The fields the service sent that the core does not know, as received; present only when
    /// there are some.
    #[serde(skip_serializing_if = "absent")]
    #[allow(dead_code)] // Read by the schema derive only.
    extra: UnknownFields,
}

// Named for the derive, which reads `skip_serializing_if` as "this key may be absent".
#[allow(dead_code, reason = "read by the schema derive only")]
#[cfg(feature = "schema")]
fn absent(_: &UnknownFields) -> bool {
    true
}

/// Fields the service sent that the core does not know, as received (a JSON object).
#[cfg(feature = "schema")]
pub struct UnknownFields;

#[cfg(feature = "schema")]
impl schemars::JsonSchema for UnknownFields {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "UnknownFields".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "additionalProperties": true,
            "description": "Fields the service sent that the core does not know, as received."
        })
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::{Map, Value, json};

    #[derive(Serialize, Deserialize)]
    struct Thing {
        id: String,
        #[serde(flatten, serialize_with = "super::nested")]
        extra: Map<String, Value>,
    }

    #[test]
    fn unknown_fields_are_read_flat_and_written_nested() {
        let thing: Thing =
            serde_json::from_value(json!({"id": "a", "tags": [1], "extra": 2})).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            serde_json::to_value(&thing).unwrap_or_else(|e| panic!("{e}")),
            json!({"id": "a", "extra": {"tags": [1], "extra": 2}})
        );
    }

    #[test]
    fn no_unknown_fields_no_key() {
        let thing: Thing = serde_json::from_value(json!({"id": "a"})).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(serde_json::to_value(&thing).unwrap_or_else(|e| panic!("{e}")), json!({"id": "a"}));
    }
}
