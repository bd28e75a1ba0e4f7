//! The core's JSON text into Python objects, read in Rust: the objects `json.loads` would give
//! (dicts in the text's key order, lists, str, int, float, bool, None), without the round trip
//! through Python's `json` module (a sixth less time for `parse_response` on a large answer).
//!
//! The core builds with `exact-numbers` (serde_json's `arbitrary_precision`): a number that does
//! not fit a 64-bit integer reaches the visitor as serde_json's one-entry number map, its digits
//! kept; it becomes a Python `int` (every digit) or `float`, as `json.loads` would make it.

use std::fmt;

use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Keys remembered per call: the results' objects have a few dozen distinct keys, found by a
/// linear search faster than a hash; past that (keys of arbitrary kept objects) they are made anew.
const MAX_KEYS: usize = 64;

/// The key serde_json gives a number kept as its digits (`serde_json::Number`'s private token).
/// The core reads the same key in a body as a number too, so its text never holds it as a key.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// JSON text (the core's, so well formed) as Python objects.
pub(crate) fn loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    // The cyclic collector would walk the growing result every few hundred containers (a tenth
    // of the time on 10,000 public IPs) and can find nothing in it: fresh, acyclic, and nothing
    // else runs while the GIL is held here. Paused, and resumed as it was, around the build.
    let gc = py.import(intern!(py, "gc"))?;
    let was_enabled = gc.call_method0(intern!(py, "isenabled"))?.is_truthy()?;
    if was_enabled {
        gc.call_method0(intern!(py, "disable"))?;
    }
    let value = build(py, text);
    if was_enabled {
        gc.call_method0(intern!(py, "enable"))?;
    }
    value
}

fn build<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let mut reader = Reader { py, keys: Vec::new(), failure: None };
    let mut de = serde_json::Deserializer::from_str(text);
    // The text comes from the core, which parsed the same values within serde_json's depth limit.
    let value = Node { reader: &mut reader }.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    match (value, reader.failure) {
        (_, Some(err)) => Err(err),
        (Ok(value), None) => Ok(value),
        (Err(err), None) => Err(PyValueError::new_err(format!("the core's JSON could not be read: {err}"))),
    }
}

struct Reader<'py, 'de> {
    py: Python<'py>,
    /// Object keys made once per call, as `json.loads` does: a list of 10,000 alike objects
    /// repeats a handful of keys.
    keys: Vec<(&'de str, Bound<'py, PyString>)>,
    /// A Python error met while building (memory), raised instead of serde's message.
    failure: Option<PyErr>,
}

impl<'py> Reader<'py, '_> {
    fn fail<E: de::Error>(&mut self, err: PyErr) -> E {
        let message = err.to_string();
        self.failure = Some(err);
        E::custom(message)
    }
}

/// One JSON value.
struct Node<'r, 'py, 'de> {
    reader: &'r mut Reader<'py, 'de>,
}

impl<'de, 'py> DeserializeSeed<'de> for Node<'_, 'py, 'de> {
    type Value = Bound<'py, PyAny>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, 'py> Visitor<'de> for Node<'_, 'py, 'de> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.reader.py.None().into_bound(self.reader.py))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(PyBool::new(self.reader.py, v).to_owned().into_any())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(PyInt::new(self.reader.py, v).into_any())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(PyInt::new(self.reader.py, v).into_any())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(PyFloat::new(self.reader.py, v).into_any())
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(PyString::new(self.reader.py, v).into_any())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(PyString::new(self.reader.py, v).into_any())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Node { reader: &mut *self.reader })? {
            items.push(item);
        }
        match PyList::new(self.reader.py, items) {
            Ok(list) => Ok(list.into_any()),
            Err(err) => Err(self.reader.fail(err)),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let py = self.reader.py;
        let dict = PyDict::new(py);
        while let Some(key) = map.next_key_seed(Key { reader: &mut *self.reader })? {
            let key = match key {
                KeyOrNumber::Key(key) => key,
                KeyOrNumber::Number => {
                    let digits: String = map.next_value()?;
                    return number(py, &digits).map_err(|err| self.reader.fail(err));
                }
            };
            let value = map.next_value_seed(Node { reader: &mut *self.reader })?;
            if let Err(err) = dict.set_item(key, value) {
                return Err(self.reader.fail(err));
            }
        }
        Ok(dict.into_any())
    }
}

/// A number serde_json kept as its digits (beyond 64 bits, or with a fraction or exponent): an
/// `int` of every digit, else a `float`, as `json.loads` reads them.
fn number<'py>(py: Python<'py>, digits: &str) -> PyResult<Bound<'py, PyAny>> {
    if digits.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        let value: f64 = digits.parse().map_err(|_| PyValueError::new_err(format!("not a number: {digits}")))?;
        Ok(PyFloat::new(py, value).into_any())
    } else {
        py.get_type::<PyInt>().call1((digits,))
    }
}

enum KeyOrNumber<'py> {
    Key(Bound<'py, PyString>),
    /// serde_json's number token: the value that follows is a number's digits.
    Number,
}

/// An object key, made once per call when the text holds it unescaped.
struct Key<'r, 'py, 'de> {
    reader: &'r mut Reader<'py, 'de>,
}

impl<'de, 'py> DeserializeSeed<'de> for Key<'_, 'py, 'de> {
    type Value = KeyOrNumber<'py>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, 'py> Visitor<'de> for Key<'_, 'py, 'de> {
    type Value = KeyOrNumber<'py>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        if v == NUMBER_TOKEN {
            return Ok(KeyOrNumber::Number);
        }
        let py = self.reader.py;
        let keys = &mut self.reader.keys;
        if let Some((_, key)) = keys.iter().find(|(known, _)| *known == v) {
            return Ok(KeyOrNumber::Key(key.clone()));
        }
        let key = PyString::new(py, v);
        if keys.len() < MAX_KEYS {
            keys.push((v, key.clone()));
        }
        Ok(KeyOrNumber::Key(key))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(KeyOrNumber::Key(PyString::new(self.reader.py, v)))
    }
}
