//! A small, hardened XML reader that yields the JSON-shaped tree described in [`super`].
//!
//! Refused outright: `<!DOCTYPE>` (so no entity can be declared, let alone expanded), entity
//! references other than the five predefined ones and character references, more than one root,
//! text outside the root, and nesting deeper than [`MAX_DEPTH`]. Namespaces are dropped: an
//! element is known by its local name.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde_json::{Map, Value};

use super::{MAX_DEPTH, check_size};
use crate::error::{Error, Result};

/// The key under which an element's text is kept when it also has attributes or children.
pub(crate) const TEXT_KEY: &str = "$text";

struct Frame {
    name: String,
    fields: Map<String, Value>,
    text: String,
}

fn path_of(stack: &[Frame]) -> String {
    let mut out = String::new();
    for f in stack {
        out.push('/');
        out.push_str(&f.name);
    }
    out
}

fn err(stack: &[Frame], position: u64, detail: impl Into<String>) -> Error {
    Error::Xml {
        path: path_of(stack),
        position: usize::try_from(position).unwrap_or(usize::MAX),
        detail: detail.into(),
    }
}

fn local(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

fn open(stack: &mut Vec<Frame>, start: &BytesStart<'_>, position: u64) -> Result<()> {
    if stack.len() >= MAX_DEPTH {
        return Err(Error::TooDeep { limit: MAX_DEPTH, at: path_of(stack) });
    }
    let name = local(start.local_name().as_ref());
    let mut fields = Map::new();
    // quick-xml's own duplicate check compares every attribute with every other (quadratic in
    // their number); the map below finds duplicates in constant time each instead.
    for attr in start.attributes().with_checks(false) {
        let attr = attr.map_err(|e| err(stack, position, format!("{e}: expected well-formed attributes")))?;
        let key = attr.key;
        if key.as_ref() == b"xmlns" || key.as_ref().starts_with(b"xmlns:") {
            continue;
        }
        let value = attr
            .unescape_value()
            .map_err(|e| err(stack, position, format!("{e}: expected only predefined entities in attribute values")))?;
        let name = local(key.local_name().as_ref());
        if fields.contains_key(&name) {
            let shown = crate::error::shorten(&name);
            return Err(err(stack, position, format!("attribute {shown} given twice: expected each attribute once")));
        }
        fields.insert(name, Value::String(value.into_owned()));
    }
    stack.push(Frame { name, fields, text: String::new() });
    Ok(())
}

fn close(stack: &mut Vec<Frame>, root: &mut Option<Value>) {
    let Some(frame) = stack.pop() else { return };
    let text = frame.text.trim();
    let value = if frame.fields.is_empty() {
        Value::String(text.to_owned())
    } else {
        let mut fields = frame.fields;
        if !text.is_empty() {
            fields.insert(TEXT_KEY.to_owned(), Value::String(text.to_owned()));
        }
        Value::Object(fields)
    };
    match stack.last_mut() {
        Some(parent) => match parent.fields.get_mut(&frame.name) {
            Some(Value::Array(items)) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                parent.fields.insert(frame.name, value);
            }
        },
        None => {
            let mut doc = Map::new();
            doc.insert(frame.name, value);
            *root = Some(Value::Object(doc));
        }
    }
}

/// Reads an XML body into a tree `{root_name: …}`.
pub(crate) fn parse_value(body: &[u8]) -> Result<Value> {
    check_size(body)?;
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut reader = Reader::from_reader(body);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Value> = None;
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| err(&stack, reader.error_position(), format!("{e}: expected well-formed XML")))?;
        match event {
            Event::DocType(_) => {
                return Err(Error::XmlDoctype { position: usize::try_from(position).unwrap_or(usize::MAX) });
            }
            Event::Start(start) => {
                if root.is_some() && stack.is_empty() {
                    return Err(err(&stack, position, "expected a single root element"));
                }
                open(&mut stack, &start, position)?;
            }
            Event::Empty(start) => {
                if root.is_some() && stack.is_empty() {
                    return Err(err(&stack, position, "expected a single root element"));
                }
                open(&mut stack, &start, position)?;
                close(&mut stack, &mut root);
            }
            Event::End(_) => close(&mut stack, &mut root),
            Event::Text(text) => {
                let decoded = text.decode().map_err(|e| err(&stack, position, format!("{e}: expected UTF-8 text")))?;
                match stack.last_mut() {
                    Some(frame) => frame.text.push_str(&decoded),
                    None if decoded.trim().is_empty() => {}
                    None => {
                        return Err(err(&stack, position, "expected no text outside the root element"));
                    }
                }
            }
            Event::CData(data) => {
                let decoded = data.decode().map_err(|e| err(&stack, position, format!("{e}: expected UTF-8 text")))?;
                match stack.last_mut() {
                    Some(frame) => frame.text.push_str(&decoded),
                    None => {
                        return Err(err(&stack, position, "expected no text outside the root element"));
                    }
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = reference.decode().map_err(|e| err(&stack, position, format!("{e}")))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| {
                                err(
                                    &stack,
                                    position,
                                    format!("unknown entity &{name};: expected only &amp; &lt; &gt; &quot; &apos; or character references"),
                                )
                            })?
                            .to_owned()
                    }
                };
                match stack.last_mut() {
                    Some(frame) => frame.text.push_str(&resolved),
                    None => {
                        return Err(err(&stack, position, "expected no text outside the root element"));
                    }
                }
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        let name = open.name.clone();
        return Err(err(&stack, reader.buffer_position(), format!("expected </{name}> before the body ended")));
    }
    root.ok_or_else(|| err(&stack, reader.buffer_position(), "expected a root element"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(xml: &str) -> String {
        parse_value(xml.as_bytes()).map(|v| v.to_string()).unwrap_or_else(|e| format!("{}: {e}", e.kind()))
    }

    #[test]
    fn shapes() {
        assert_eq!(tree("<a>X</a>"), r#"{"a":"X"}"#);
        assert_eq!(
            tree("<?xml version=\"1.0\"?>\n<n:a xmlns:n=\"urn:x\"><n:b>1</n:b><b>2</b></n:a>"),
            r#"{"a":{"b":["1","2"]}}"#
        );
        assert_eq!(tree("<a k=\"v\">t &amp; &#65;</a>"), r#"{"a":{"k":"v","$text":"t & A"}}"#);
        assert_eq!(tree("<a><![CDATA[<x>]]></a>"), r#"{"a":"<x>"}"#);
        assert_eq!(tree("<a/>"), r#"{"a":""}"#);
    }

    #[test]
    fn hostile() {
        let bomb =
            "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><a>&lol2;</a>";
        assert!(tree(bomb).starts_with("xml_doctype"), "{}", tree(bomb));
        assert!(tree("<a>&ext;</a>").contains("unknown entity"), "{}", tree("<a>&ext;</a>"));
        assert!(tree("<a></b>").starts_with("xml:"), "{}", tree("<a></b>"));
        assert!(tree("<a>").contains("expected </a>"), "{}", tree("<a>"));
        assert!(tree("<a/><b/>").contains("single root"), "{}", tree("<a/><b/>"));
        assert!(tree("").contains("root element"), "{}", tree(""));
        let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        assert!(tree(&deep).starts_with("too_deep"), "{}", tree(&deep));
    }
}
