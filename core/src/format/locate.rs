//! Where a JSON reader stopped, as a JSON pointer, found again from the error's line and column.
//!
//! Tracking the path while reading (serde_path_to_error) wraps every model's reader in a second
//! copy of it: 28 KB of the npm `.wasm` (13 KB gzipped), and half the time of a native parse. The
//! models are read once, untracked; only a failure pays, with one pass over the bytes before the
//! error that follows the nesting and names the value the reader was in, by the rules a tracking
//! reader follows (the tests hold the two equal on every model and many broken bodies):
//!
//! - an error in a value's *content* (a wrong type, a bad id, a missing field: serde_json's
//!   "data" errors) is raised while that value is read: its key or index is part of the path,
//!   even where the value has just been read whole;
//! - a *syntax* error is raised where the reader looks for the next token: a value already read
//!   whole is behind it, and a list's next element counts only once something other than the
//!   list's end stands where it should begin.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::error::Category;

use super::json::escape_pointer;

/// The JSON pointer of the value `body` (as the reader saw it: no byte-order mark) was being read
/// at when `error` was raised; `""` for the whole body, or where the error has no position.
pub(crate) fn pointer_of_error(body: &[u8], error: &serde_json::Error) -> String {
    let Some(at) = offset_of(body, error.line(), error.column()) else {
        return String::new();
    };
    // serde_json places a data error just past what it read, a syntax error on the byte it could
    // not take (one past the bytes it read) and the end of the body where it ended early.
    let (read, stop) = match error.classify() {
        Category::Data | Category::Io => (at, Stop::InValue),
        Category::Syntax => {
            let read = at.saturating_sub(1);
            (read, Stop::Before(body.get(read).copied()))
        }
        Category::Eof => (at, Stop::Before(None)),
    };
    let mut scan = Scan::default();
    for (i, &byte) in body[..read].iter().enumerate() {
        scan.step(body, i, byte);
    }
    scan.pointer(body, read, stop)
}

/// The byte offset of a 1-based line and a column counted in bytes from the line's start.
fn offset_of(body: &[u8], line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let line_start = if line == 1 {
        0
    } else {
        body.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(line - 2).map(|(i, _)| i + 1)?
    };
    Some((line_start + column).min(body.len()))
}

/// What kind of error ended the read, and so which values count as being read.
#[derive(Clone, Copy)]
enum Stop {
    /// A data error: raised inside the innermost value.
    InValue,
    /// A syntax or end-of-body error, raised on the byte given (`None`: the body's end).
    Before(Option<u8>),
}

/// One container open at the point of the error.
struct Frame {
    /// The child being read: an object's key (once its colon is read) or a list's index.
    key: Option<String>,
    index: usize,
    is_list: bool,
    child: Child,
}

#[derive(Clone, Copy, PartialEq)]
enum Child {
    NotStarted,
    Started,
    Done,
}

/// The state of the pass: open containers, and the token it is in, if any.
#[derive(Default)]
struct Scan {
    frames: Vec<Frame>,
    /// In a string: where it began, whether it is a key, how many bytes of an escape are left.
    string: Option<(usize, bool, u8)>,
    /// In a number or a literal (`true`, `false`, `null`): where it began.
    scalar: Option<usize>,
    /// The last key read in the innermost object, until its colon.
    pending_key: Option<String>,
}

impl Scan {
    fn step(&mut self, body: &[u8], i: usize, byte: u8) {
        if let Some((start, is_key, skip)) = self.string {
            match (skip, byte) {
                // The reader takes `\u` and the four bytes after it as one escape, whatever
                // they are (a quote among them included).
                (1, b'u') => self.string = Some((start, is_key, 4)),
                (1.., _) => self.string = Some((start, is_key, skip - 1)),
                (0, b'\\') => self.string = Some((start, is_key, 1)),
                (0, b'"') => {
                    self.string = None;
                    if is_key {
                        // serde_json's own reading of the key, escapes and all.
                        self.pending_key = serde_json::from_slice(&body[start..=i]).ok();
                    } else {
                        self.set_child(Child::Done);
                    }
                }
                _ => {}
            }
            return;
        }
        if self.scalar.is_some() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'+' | b'-') {
                return;
            }
            self.scalar = None;
            self.set_child(Child::Done);
        }
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'{' | b'[' => {
                self.set_child(Child::Started);
                self.frames.push(Frame { key: None, index: 0, is_list: byte == b'[', child: Child::NotStarted });
            }
            b'}' | b']' => {
                self.frames.pop();
                self.set_child(Child::Done);
            }
            b',' => {
                if let Some(frame) = self.frames.last_mut() {
                    frame.key = None;
                    frame.index += 1;
                    frame.child = Child::NotStarted;
                }
            }
            b':' => {
                if let Some(frame) = self.frames.last_mut() {
                    frame.key = self.pending_key.take();
                }
            }
            b'"' => {
                let is_key = self.frames.last().is_some_and(|f| !f.is_list && f.key.is_none());
                if !is_key {
                    self.set_child(Child::Started);
                }
                self.string = Some((i, is_key, 0));
            }
            _ => {
                self.set_child(Child::Started);
                self.scalar = Some(i);
            }
        }
    }

    fn set_child(&mut self, child: Child) {
        if let Some(frame) = self.frames.last_mut() {
            frame.child = child;
        }
    }

    fn pointer(mut self, body: &[u8], read: usize, stop: Stop) -> String {
        // A number or literal cut by the error's byte (or the body's end) was read whole when
        // the reader takes it, with that byte after it, as a value: `[1, 2x` stops after the 2,
        // but `[1, 2.x`, `[1, 02` and `[1, tru` stop within it.
        if let Some(start) = self.scalar {
            let mut token = body[start..read].to_vec();
            if let Stop::Before(Some(next)) = stop {
                token.push(next);
            }
            let whole = IgnoredAny::deserialize(&mut serde_json::Deserializer::from_slice(&token)).is_ok();
            self.set_child(if whole { Child::Done } else { Child::Started });
        }
        let last = self.frames.len().saturating_sub(1);
        let mut segments: Vec<String> = Vec::with_capacity(self.frames.len());
        for (depth, frame) in self.frames.iter().enumerate() {
            let reading = depth < last
                || match stop {
                    Stop::InValue => true,
                    Stop::Before(next) => match frame.child {
                        Child::Started => true,
                        Child::Done => false,
                        // An object's value is read from its colon on; a list's element from
                        // the first byte that is not the list's end.
                        Child::NotStarted => !frame.is_list || next.is_some_and(|b| b != b']'),
                    },
                };
            if !reading {
                break;
            }
            match (&frame.key, frame.is_list) {
                (_, true) => segments.push(frame.index.to_string()),
                (Some(key), false) => segments.push(key.clone()),
                (None, false) => break,
            }
        }
        escape_pointer(&segments)
    }
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;

    use super::*;
    use crate::format::broken_json::broken;
    use crate::format::json::StrictValue;

    /// The pointer a tracking reader gives: what `locate` must find again.
    fn tracked<T: DeserializeOwned>(body: &[u8]) -> Option<String> {
        let mut de = serde_json::Deserializer::from_slice(body);
        let error = match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(_) => return de.end().err().map(|_| String::new()),
            Err(e) => e,
        };
        let segments: Vec<String> = error
            .path()
            .iter()
            .filter_map(|s| match s {
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Enum { variant } => Some(variant.clone()),
                serde_path_to_error::Segment::Unknown => None,
            })
            .collect();
        Some(escape_pointer(&segments))
    }

    fn located<T: DeserializeOwned>(body: &[u8]) -> Option<String> {
        serde_json::from_slice::<T>(body).err().map(|e| pointer_of_error(body, &e))
    }

    fn same_as_tracked<T: DeserializeOwned>(body: &[u8]) -> usize {
        assert!(serde_json::from_slice::<T>(body).is_ok(), "the sample reads");
        let mut checked = 0;
        for broken in broken(body) {
            let (got, want) = (located::<T>(&broken), tracked::<T>(&broken));
            assert_eq!(got, want, "{}", String::from_utf8_lossy(&broken));
            checked += 1;
        }
        checked
    }

    /// The Identity documentation's sample, shortened (the corpus's copy is read by
    /// `core/tests/locate.rs`, outside the published crate, with the v3 models).
    const SIGN_IN: &[u8] = br#"{"access": {
  "token": {"id": "4f3c", "expires": "2015-06-05T16:24:57.637Z",
            "tenant": {"id": "123456", "name": "123456"}, "RAX-AUTH:authenticatedBy": ["APIKEY"]},
  "serviceCatalog": [
    {"name": "rackconnect", "type": "rax:rackconnect",
     "endpoints": [{"region": "DFW", "tenantId": "123456", "publicURL": "https://dfw.rc.example/v3/123456"}]}],
  "user": {"id": "172157", "name": "demo", "roles": [{"name": "rack_connect"}], "RAX-AUTH:defaultRegion": "DFW"}}}"#;

    #[test]
    fn finds_the_path_a_tracking_reader_gives_on_the_sign_in_document_and_trees() {
        let checked = same_as_tracked::<crate::identity::model::AccessDocument>(SIGN_IN)
            + same_as_tracked::<StrictValue>(SIGN_IN)
            + same_as_tracked::<StrictValue>(br#"{"servers": [{"id": "a", "metadata": {"k": "v", "n": [1, 2.5e3, true, null]}}], "next": "\u00e9\"x"}"#);
        eprintln!("{checked} broken bodies checked");
        assert!(checked > 5_000, "{checked} broken bodies checked");
    }

    #[test]
    fn positions_map_to_bytes() {
        let body = b"{\"a\": [1,\n  {\"b\": \"x\"}]}";
        let e = serde_json::from_slice::<std::collections::BTreeMap<String, Vec<u32>>>(body).expect_err("bad");
        assert_eq!(pointer_of_error(body, &e), "/a/1");
        assert_eq!(offset_of(body, 2, 3), Some(13));
        assert_eq!(offset_of(body, 3, 0), None);
    }
}
