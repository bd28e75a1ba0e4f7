//! One pass over a JSON body that checks it against a model's shape and writes the result's
//! JSON text, without building the model: what a binding hands to `JSON.parse` or `json.loads`.
//!
//! The typed path (serde into the model, then serde_json back to text) builds every object
//! twice over and, for an error, parses again to say where. This pass reads each byte once and
//! copies what needs no change. It only ever *accelerates*: at anything it is not sure of (an
//! escape in a key, a key given twice, a number in another form, any error at all) it gives up
//! (`None`) and the caller takes the typed path, which gives the answer or the error with its
//! message and location. So there is one set of rules and one set of errors, and the tests hold
//! the text written here to the typed path's, byte for byte.

use serde_json::{Map, Value};

use super::MAX_BODY_BYTES;
use crate::time::Timestamp;

/// The fields of one JSON object, in the order the model declares (and serializes) them. Keys
/// not listed are kept under `extra`, as the models' flattened `extra` maps keep them.
pub(crate) struct Shape {
    pub fields: &'static [Field],
}

/// One known field.
pub(crate) struct Field {
    pub name: &'static str,
    /// `"name":`, as the result writes it (made by [`field!`]).
    pub json_key: &'static str,
    pub kind: Kind,
}

/// A [`Field`] from its name and kind.
macro_rules! field {
    ($name:literal, $kind:expr) => {
        $crate::format::shape::Field { name: $name, json_key: concat!("\"", $name, "\":"), kind: $kind }
    };
}
pub(crate) use field;

/// What a field holds, and what it is when absent.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// A required string without control characters (the models' `clean_id`).
    Id,
    /// A string or null; absent is null.
    OptText,
    /// A timestamp or null, written in its canonical form; absent is null.
    OptTime,
    /// A whole number from 0 to 4294967295, or null; absent is null.
    OptU32,
    /// A whole number, 0 or more; absent is 0.
    Count,
    /// `true`, `false` or null; absent and null are false.
    FlagOrFalse,
    /// A required status of an open set: known values as the API writes them, others trimmed.
    Status(fn(&str) -> &str),
    /// A status or null; absent is null.
    OptStatus(fn(&str) -> &str),
    /// A required object.
    Object(&'static Shape),
    /// An object or null; absent is null.
    OptObject(&'static Shape),
}

/// The most fields a shape may have (the v3 models have at most 8).
const MAX_FIELDS: usize = 16;

/// Below serde_json's recursion limit of 128, with room: past it, the typed path decides.
const MAX_NESTING: usize = 100;

// The hot helpers are marked `inline(always)`: the wasm build optimizes for size (`-Oz`), which
// otherwise leaves each a call per byte or per field, at three times the native time.

/// A list of objects of `shape` as JSON text, or `None` where the typed path must decide.
pub(crate) fn list(body: &[u8], shape: &'static Shape) -> Option<String> {
    Pass::new(body)?.whole(|pass| pass.list(shape))
}

/// One object of `shape` as JSON text, or `None` where the typed path must decide.
pub(crate) fn object(body: &[u8], shape: &'static Shape) -> Option<String> {
    Pass::new(body)?.whole(|pass| pass.object(shape))
}

struct Pass<'a> {
    bytes: &'a [u8],
    at: usize,
    out: Vec<u8>,
    depth: usize,
}

/// Where one field's value was written in the output, relative to its object's start.
#[derive(Clone, Copy, Default)]
struct Written {
    from: u32,
    to: u32,
}

impl<'a> Pass<'a> {
    fn new(body: &'a [u8]) -> Option<Self> {
        if body.len() > MAX_BODY_BYTES {
            return None;
        }
        let bytes = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        // The result is about as long as the body: one allocation in the common case.
        Some(Pass { bytes, at: 0, out: Vec::with_capacity(bytes.len() + bytes.len() / 8 + 16), depth: 0 })
    }

    fn whole(mut self, read: impl FnOnce(&mut Self) -> Option<()>) -> Option<String> {
        self.skip_blank();
        read(&mut self)?;
        self.skip_blank();
        if self.at != self.bytes.len() {
            return None;
        }
        // Every byte written is ASCII or copied from a string checked as UTF-8.
        String::from_utf8(self.out).ok()
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    #[inline(always)]
    fn skip_blank(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    #[inline(always)]
    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_blank();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    #[inline(always)]
    fn eat_word(&mut self, word: &[u8]) -> bool {
        let found = self.bytes[self.at..].starts_with(word);
        if found {
            self.at += word.len();
        }
        found
    }

    fn nest(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_NESTING).then_some(())
    }

    fn list(&mut self, shape: &'static Shape) -> Option<()> {
        self.eat(b'[')?;
        self.nest()?;
        self.out.push(b'[');
        self.skip_blank();
        if self.peek()? == b']' {
            self.at += 1;
        } else {
            loop {
                self.object(shape)?;
                self.skip_blank();
                match self.peek()? {
                    b',' => {
                        self.at += 1;
                        self.out.push(b',');
                    }
                    b']' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.out.push(b']');
        self.depth -= 1;
        Some(())
    }

    /// An object: its known fields written in arrival order while they come in the model's
    /// order (the usual case, no copy), re-ordered at the end otherwise.
    fn object(&mut self, shape: &'static Shape) -> Option<()> {
        let fields = shape.fields;
        if fields.len() > MAX_FIELDS {
            return None;
        }
        self.eat(b'{')?;
        self.nest()?;
        let start = self.out.len();
        self.out.push(b'{');
        let mut seen: u32 = 0;
        let mut written = [Written::default(); MAX_FIELDS];
        let mut in_order = true;
        let mut next = 0;
        let mut extra: Option<Map<String, Value>> = None;
        self.skip_blank();
        if self.peek()? == b'}' {
            self.at += 1;
        } else {
            loop {
                // Bodies usually list the fields in the model's order: try the next one first,
                // without scanning the key.
                self.skip_blank();
                let expected = fields.get(next).map(|f| f.name.as_bytes());
                let (key, known) = match expected {
                    Some(name) if self.next_key_is(name) => (name, Some(next)),
                    _ => {
                        let key = self.key()?;
                        (key, fields.iter().position(|f| f.name.as_bytes() == key))
                    }
                };
                self.eat(b':')?;
                self.skip_blank();
                match known {
                    Some(i) => {
                        if seen & (1 << i) != 0 {
                            return None;
                        }
                        seen |= 1 << i;
                        in_order &= i == next;
                        next = i + 1;
                        if self.out.len() > start + 1 {
                            self.out.push(b',');
                        }
                        self.out.extend_from_slice(fields[i].json_key.as_bytes());
                        let from = u32::try_from(self.out.len() - start).ok()?;
                        self.value(fields[i].kind)?;
                        written[i] = Written { from, to: u32::try_from(self.out.len() - start).ok()? };
                    }
                    None => {
                        let key = std::str::from_utf8(key).ok()?.to_owned();
                        let value = self.unknown()?;
                        // Later wins, as in the models' flattened maps.
                        extra.get_or_insert_with(Map::new).insert(key, value);
                    }
                }
                self.skip_blank();
                match self.peek()? {
                    b',' => self.at += 1,
                    b'}' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        let all = (1u32 << fields.len()) - 1;
        if !in_order || seen != all {
            self.reorder(shape, start, seen, &written)?;
        }
        if let Some(extra) = extra.filter(|e| !e.is_empty()) {
            if self.out.len() > start + 1 {
                self.out.push(b',');
            }
            self.out.extend_from_slice(b"\"extra\":");
            serde_json::to_writer(&mut self.out, &extra).ok()?;
        }
        self.out.push(b'}');
        self.depth -= 1;
        Some(())
    }

    /// Rewrites the object begun at `start` with its fields in the model's order, and the
    /// absent ones as the model has them.
    fn reorder(&mut self, shape: &Shape, start: usize, seen: u32, written: &[Written]) -> Option<()> {
        let as_received = self.out.split_off(start);
        self.out.push(b'{');
        for (i, field) in shape.fields.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.out.extend_from_slice(field.json_key.as_bytes());
            if seen & (1 << i) != 0 {
                let Written { from, to } = written[i];
                self.out.extend_from_slice(&as_received[from as usize..to as usize]);
            } else {
                let absent: &[u8] = match field.kind {
                    Kind::Count => b"0",
                    Kind::FlagOrFalse => b"false",
                    Kind::OptText | Kind::OptTime | Kind::OptU32 | Kind::OptStatus(_) | Kind::OptObject(_) => b"null",
                    // Required: the typed path says which is missing, and where.
                    Kind::Id | Kind::Status(_) | Kind::Object(_) => return None,
                };
                self.out.extend_from_slice(absent);
            }
        }
        Some(())
    }

    fn value(&mut self, kind: Kind) -> Option<()> {
        if !matches!(kind, Kind::Id | Kind::Status(_) | Kind::Object(_) | Kind::Count) && self.eat_word(b"null") {
            let null: &[u8] = if matches!(kind, Kind::FlagOrFalse) { b"false" } else { b"null" };
            self.out.extend_from_slice(null);
            return Some(());
        }
        match kind {
            Kind::Id => {
                let raw = self.string()?;
                if raw.plain() {
                    // ASCII without escapes: no control character but DEL can hide in it.
                    return self.write_clean(raw.quoted);
                }
                let text = raw.text()?;
                if super::has_control(&text) {
                    return None;
                }
                self.write_string(&text)
            }
            Kind::OptText => {
                let raw = self.string()?;
                if !raw.escaped {
                    // Unescaped: nothing in it needs an escape; only its UTF-8 is to check.
                    if !raw.ascii && std::str::from_utf8(raw.bytes).is_err() {
                        return None;
                    }
                    return self.write_clean(raw.quoted);
                }
                self.write_string(&raw.text()?)
            }
            Kind::OptTime => {
                let raw = self.string()?;
                if raw.plain() && crate::time::is_canonical(raw.bytes) {
                    return self.write_clean(raw.quoted);
                }
                let text = raw.text()?;
                let time = Timestamp::parse(&text).ok()?;
                self.out.push(b'"');
                time.write_canonical(&mut self.out);
                self.out.push(b'"');
                Some(())
            }
            Kind::Status(canonical) | Kind::OptStatus(canonical) => {
                let text = self.string()?.text()?;
                self.write_string(canonical(&text))
            }
            Kind::OptU32 => self.whole_number(u64::from(u32::MAX)),
            Kind::Count => self.whole_number(u64::MAX),
            Kind::FlagOrFalse => {
                if self.eat_word(b"true") {
                    self.out.extend_from_slice(b"true");
                } else if self.eat_word(b"false") {
                    self.out.extend_from_slice(b"false");
                } else {
                    return None;
                }
                Some(())
            }
            Kind::Object(shape) | Kind::OptObject(shape) => self.object(shape),
        }
    }

    /// A string as it is in the body, quotes included, when it needs no change (checked by
    /// the caller): one copy.
    #[inline(always)]
    fn write_clean(&mut self, quoted: &[u8]) -> Option<()> {
        self.out.extend_from_slice(quoted);
        Some(())
    }

    /// A whole number in its plain form (no sign, fraction, exponent or leading zero), at most
    /// `max`: copied as it is, which is how serde_json writes the number back. Up to 19 digits,
    /// which never overflow a `u64` (longer ones are left to the typed path).
    fn whole_number(&mut self, max: u64) -> Option<()> {
        let from = self.at;
        let mut n: u64 = 0;
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            if self.at - from == 19 {
                return None;
            }
            n = n * 10 + u64::from(digit - b'0');
            self.at += 1;
        }
        let digits = &self.bytes[from..self.at];
        let plain = !digits.is_empty() && (digits == b"0" || digits[0] != b'0');
        if !plain || n > max || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        self.out.extend_from_slice(digits);
        Some(())
    }

    /// Moves past `"name"` when that is the next key, exactly (names need no escapes).
    #[inline(always)]
    fn next_key_is(&mut self, name: &[u8]) -> bool {
        let rest = &self.bytes[self.at..];
        let found = rest.first() == Some(&b'"')
            && rest.get(1..=name.len()) == Some(name)
            && rest.get(name.len() + 1) == Some(&b'"');
        if found {
            self.at += name.len() + 2;
        }
        found
    }

    /// A key's raw bytes; keys with escapes are left to the typed path. Not checked as UTF-8
    /// here: a known key equals an ASCII name, and an unknown one is checked where it is kept.
    fn key(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let from = self.at;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' => return None,
                0..0x20 => return None,
                _ => self.at += 1,
            }
        }
        let key = &self.bytes[from..self.at];
        self.at += 1;
        Some(key)
    }

    /// A string value as it is in the body, between its quotes; `None` at a raw control
    /// character (never valid JSON) or the body's end.
    #[inline(always)]
    fn string(&mut self) -> Option<RawString<'a>> {
        if self.peek()? != b'"' {
            return None;
        }
        let open = self.at;
        let rest = &self.bytes[open + 1..];
        let (mut escaped, mut ascii, mut del) = (false, true, false);
        let mut i = 0;
        loop {
            // Eight bytes at a time while none of them needs a look (strings are most of a body).
            while let Some(chunk) = rest.get(i..i + 8) {
                let word = u64::from_le_bytes(chunk.try_into().ok()?);
                if needs_a_look(word) {
                    break;
                }
                i += 8;
            }
            let Some(&byte) = rest.get(i) else { break };
            match byte {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    i += 1;
                }
                0..0x20 => return None,
                0x7F => del = true,
                0x80.. => ascii = false,
                _ => {}
            }
            i += 1;
        }
        if i >= rest.len() {
            return None;
        }
        self.at = open + 1 + i + 1;
        Some(RawString { bytes: &rest[..i], quoted: &self.bytes[open..self.at], escaped, ascii, del })
    }

    /// A string as serde_json writes it: unchanged unless it holds `"`, `\` or a control
    /// character, which only an escape in the body can bring.
    fn write_string(&mut self, text: &str) -> Option<()> {
        if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
            return serde_json::to_writer(&mut self.out, text).ok();
        }
        self.out.push(b'"');
        self.out.extend_from_slice(text.as_bytes());
        self.out.push(b'"');
        Some(())
    }

    /// A field this crate does not know, as serde_json reads it into the model's `extra`.
    fn unknown(&mut self) -> Option<Value> {
        let from = self.at;
        self.skip_value()?;
        serde_json::from_slice(&self.bytes[from..self.at]).ok()
    }

    /// Moves past one JSON value. Only finds its end: serde_json then reads (and checks) it.
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            self.skip_blank();
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    loop {
                        match self.peek()? {
                            b'"' => break,
                            b'\\' => self.at += 2,
                            _ => self.at += 1,
                        }
                    }
                    self.at += 1;
                }
                b'{' | b'[' => {
                    depth += 1;
                    if self.depth + depth > MAX_NESTING {
                        return None;
                    }
                    self.at += 1;
                    continue;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.at += 1;
                }
                b',' | b':' if depth > 0 => {
                    self.at += 1;
                    continue;
                }
                _ => {
                    let from = self.at;
                    while let Some(b) = self.peek() {
                        if matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\t' | b'\r' | b':' | b'"' | b'{' | b'[') {
                            break;
                        }
                        self.at += 1;
                    }
                    if self.at == from {
                        return None;
                    }
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }
}

/// A string as it is in the body.
struct RawString<'a> {
    /// Between the quotes, escapes undecoded.
    bytes: &'a [u8],
    /// With the quotes: what serde_json decodes when there are escapes.
    quoted: &'a [u8],
    escaped: bool,
    ascii: bool,
    del: bool,
}

impl<'a> RawString<'a> {
    /// ASCII without escapes or DEL: valid UTF-8, free of control characters, and written back
    /// by serde_json exactly as it is.
    #[inline(always)]
    fn plain(&self) -> bool {
        self.ascii && !self.escaped && !self.del
    }

    /// The decoded text: borrowed from the body when it has no escapes.
    fn text(&self) -> Option<std::borrow::Cow<'a, str>> {
        if self.escaped {
            serde_json::from_slice::<String>(self.quoted).ok().map(Into::into)
        } else {
            std::str::from_utf8(self.bytes).ok().map(Into::into)
        }
    }
}

/// Whether any of the eight bytes in `word` is a quote, a backslash, a control character, DEL
/// or not ASCII (the classic has-less-than and has-zero-byte tricks, on every lane at once).
#[inline(always)]
fn needs_a_look(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    let quote = has_zero(word ^ (ONES * u64::from(b'"')));
    let backslash = has_zero(word ^ (ONES * u64::from(b'\\')));
    let del = has_zero(word ^ (ONES * 0x7F));
    (below_space | quote | backslash | del | (word & HIGH)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v3::shape::{NODE, POOL, PUBLIC_IP};

    // Whether the pass reads these itself (the agreement with the typed path on every body is
    // `core/tests/one_pass.rs`): the answers the speed figures are about must not fall back.
    #[test]
    fn usual_answers_are_read_in_one_pass() {
        let nodes = br#"[{"id": "n1", "cloud_server": {"id": "s1"}, "load_balancer_pool": {"id": "p1"},
            "status": "ACTIVE", "status_detail": null, "created": "2014-09-12T13:26:54Z", "updated": null}]"#;
        let read = list(nodes, &NODE).expect("read in one pass");
        assert!(read.starts_with(r#"[{"id":"n1","cloud_server":{"id":"s1"},"#), "{read}");
        // Fields in another order, some absent, an unknown one, a fraction with a trailing zero.
        let pool = br#"{"status": "active", "id": "p1", "port": 80, "new": [1, {"a": null}], "created": "x"}"#;
        let read = object(pool, &POOL).expect("read in one pass");
        assert_eq!(
            read,
            r#"{"id":"p1","name":null,"port":80,"virtual_ip":null,"status":"ACTIVE","status_detail":null,"node_counts":null,"extra":{"new":[1,{"a":null}],"created":"x"}}"#
        );
        let ip = br#"{"id": "i1", "status": "ADDING", "public_ip_v4": null, "updated": "2014-09-12T13:26:54.450Z"}"#;
        let read = object(ip, &PUBLIC_IP).expect("read in one pass");
        assert!(
            read.contains(r#""retain":false"#) && read.contains(r#""updated":"2014-09-12T13:26:54.45Z""#),
            "{read}"
        );
    }

    #[test]
    fn anything_unsure_is_left_to_the_typed_path() {
        for body in [
            &br#"{"id": "p1", "id": "p2"}"#[..],
            br#"{"i\u0064": "p1"}"#,
            br#"{"id": "p1", "port": 080}"#,
            br#"{"id": "p1", "port": 4294967296}"#,
            br#"{"id": "p1", "port": 8e1}"#,
            br#"{"id": "p\u0001"}"#,
            br#"{"id": "p1"} x"#,
            br#"{"id": "p1",}"#,
            br#"{"name": "no id"}"#,
        ] {
            assert_eq!(object(body, &POOL), None, "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn the_word_check_finds_every_byte_that_needs_a_look() {
        for special in (0u8..0x20).chain([b'"', b'\\', 0x7F]).chain(0x80..=0xFF) {
            for lane in 0..8 {
                let mut bytes = *b"abcdefgh";
                bytes[lane] = special;
                assert!(needs_a_look(u64::from_le_bytes(bytes)), "{special:#x} in lane {lane}");
            }
        }
        assert!(!needs_a_look(u64::from_le_bytes(*b"0123-~ Z")));
    }
}
