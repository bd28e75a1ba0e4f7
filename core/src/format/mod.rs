//! Reading bodies: size and depth limits, JSON, XML and plain text.
//!
//! XML is read into the same tree shape as JSON ([`serde_json::Value`]): an element becomes a key,
//! its attributes and child elements become the keys of an object, repeated children become an
//! array, and a leaf element becomes its text. The tolerant RackConnect v2 readers are then
//! written once, over that tree, and report paths in the syntax of the body they came from.

#[cfg(test)]
mod broken_json;
pub(crate) mod json;
pub(crate) mod locate;
pub(crate) mod shape;
pub(crate) mod text;
pub(crate) mod tree;
pub(crate) mod xml;

use crate::error::{Error, Result};

/// The largest body any parser accepts: 16 MiB, room for ten thousand v3 public IPs with details.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The deepest nesting any parser accepts. No documented body nests deeper than six levels;
/// JSON is also bounded by serde_json's own recursion limit of 128, reported the same way.
pub const MAX_DEPTH: usize = 64;

pub(crate) fn check_size(body: &[u8]) -> Result<()> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Error::BodyTooLarge { limit: MAX_BODY_BYTES, size: body.len() });
    }
    Ok(())
}

/// The syntax of a body, sniffed from its first non-blank byte: RackConnect v2 does not label
/// its answers reliably, and an explicit `format` parameter may be ignored by proxies.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Syntax {
    Json,
    Xml,
    Text,
}

pub(crate) fn sniff(body: &[u8]) -> Syntax {
    let first = body.iter().copied().find(|b| !b.is_ascii_whitespace());
    // A UTF-8 byte-order mark is tolerated in front of JSON and XML.
    let first = match (first, body.strip_prefix(b"\xEF\xBB\xBF")) {
        (Some(0xEF), Some(rest)) => rest.iter().copied().find(|b| !b.is_ascii_whitespace()),
        (f, _) => f,
    };
    match first {
        Some(b'{' | b'[' | b'"') => Syntax::Json,
        Some(b'<') => Syntax::Xml,
        _ => Syntax::Text,
    }
}

/// Converts body bytes to text for error messages, at most 4 KiB.
pub(crate) fn lossy_prefix(body: &[u8]) -> String {
    const KEEP: usize = 4096;
    let end = body.len().min(KEEP);
    let mut text = String::from_utf8_lossy(&body[..end]).into_owned();
    if body.len() > KEEP {
        text.push('…');
    }
    text
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_column(text: &[u8], offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    (line, column)
}

/// Whether `text` holds a control character (`char::is_control`: U+0000-U+001F, U+007F-U+009F),
/// read from its UTF-8 bytes: `chars()` decodes every character, which made this check a tenth
/// of parsing a list of ids in wasm. U+0080-U+009F are the two bytes `C2 80`-`C2 9F`.
pub(crate) fn has_control(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b < 0x20 || b == 0x7F || (b == 0xC2 && bytes.get(i + 1).is_some_and(|&next| next < 0xA0)))
}

#[cfg(test)]
mod control_tests {
    #[test]
    fn control_characters_are_found_from_the_bytes_as_char_is_control_finds_them() {
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            for text in [format!("{c}"), format!("a{c}é"), format!("\u{A0}{c}\u{FF}")] {
                assert_eq!(super::has_control(&text), text.chars().any(char::is_control), "{:?}", text);
            }
        }
        assert!(!super::has_control("00000001-bbbb-4bbb-8bbb-dfw000000001 é ÿ \u{A0}"));
    }
}
