//! Walking a JSON-shaped tree that came from JSON or XML, with errors in the source's syntax.

use serde_json::Value;

use super::{Syntax, json, sniff, xml};
use crate::error::{Error, Result};

/// One step into a tree.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// A parsed JSON or XML body.
pub(crate) struct Doc {
    pub root: Value,
    pub syntax: Syntax,
}

impl Doc {
    /// Reads a JSON or XML body, sniffed from its first byte. `None` for anything else.
    pub(crate) fn parse(body: &[u8]) -> Result<Option<Doc>> {
        match sniff(body) {
            Syntax::Json => Ok(Some(Doc { root: json::parse_value(body)?, syntax: Syntax::Json })),
            Syntax::Xml => Ok(Some(Doc { root: xml::parse_value(body)?, syntax: Syntax::Xml })),
            Syntax::Text => Ok(None),
        }
    }

    /// Renders a path as a JSON pointer (`/tasks/1/name`) or an XML path (`/tasks/task[2]/name`).
    pub(crate) fn render(&self, path: &[Step]) -> String {
        match self.syntax {
            Syntax::Xml => {
                let mut out = String::new();
                for step in path {
                    match step {
                        Step::Key(k) => {
                            out.push('/');
                            out.push_str(k);
                        }
                        Step::Index(i) => out.push_str(&format!("[{}]", i + 1)),
                    }
                }
                out
            }
            _ => {
                let segments: Vec<String> = path
                    .iter()
                    .map(|s| match s {
                        Step::Key(k) => k.clone(),
                        Step::Index(i) => i.to_string(),
                    })
                    .collect();
                json::escape_pointer(&segments)
            }
        }
    }

    /// An error at `path` saying what was expected there.
    pub(crate) fn error(&self, path: &[Step], expected: &str) -> Error {
        let at = self.render(path);
        let detail = format!("expected {expected}");
        match self.syntax {
            Syntax::Xml => Error::Xml { path: at, position: 0, detail },
            _ => Error::json(at, detail),
        }
    }
}

/// Pushes a key onto a path, for building child paths without cloning by hand.
pub(crate) fn child(path: &[Step], key: &str) -> Vec<Step> {
    let mut p = path.to_vec();
    p.push(Step::Key(key.to_owned()));
    p
}

/// Pushes an index onto a path.
pub(crate) fn index(path: &[Step], i: usize) -> Vec<Step> {
    let mut p = path.to_vec();
    p.push(Step::Index(i));
    p
}

/// The text of a leaf: a string, a number or a bool as written; an XML element with attributes
/// but only text content yields that text.
pub(crate) fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(map) => map.get(xml::TEXT_KEY).and_then(scalar),
        _ => None,
    }
}
