//! JSON bodies broken every way a service, a proxy or a cut connection could break them: for the
//! tests that hold `format::locate`'s pointers to a tracking reader's (its unit tests, and
//! `core/tests/locate.rs`, which includes this file by path).

use serde::de::IgnoredAny;

/// Where each scalar value of `body` starts and ends (keys are not values).
fn values(body: &[u8]) -> Vec<(usize, usize)> {
    let (mut nesting, mut last, mut out) = (Vec::new(), b' ', Vec::new());
    let mut i = 0;
    while i < body.len() {
        let byte = body[i];
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'{' | b'[' => nesting.push(byte),
            b'}' | b']' => {
                nesting.pop();
            }
            _ if matches!(byte, b',' | b':') => {}
            _ => {
                let is_value = last == b':' || (matches!(last, b'[' | b',') && nesting.last() == Some(&b'['));
                let mut stream = serde_json::Deserializer::from_slice(&body[i..]).into_iter::<IgnoredAny>();
                let Some(Ok(_)) = stream.next() else { return out };
                let end = i + stream.byte_offset();
                if is_value {
                    out.push((i, end));
                }
                last = b'v';
                i = end;
                continue;
            }
        }
        if !byte.is_ascii_whitespace() {
            last = byte;
        }
        i += 1;
    }
    out
}

/// Every cut, every byte dropped and a stray byte at each edge of a token (within a word or a run
/// of blanks each place reads as the next), and every scalar value swapped for values of other
/// types.
pub(crate) fn broken(body: &[u8]) -> Vec<Vec<u8>> {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b == b' ';
    let edge = |at: usize| at == 0 || at == body.len() || !plain(body[at - 1]) || !plain(body[at]);
    let mut out = Vec::new();
    for at in (0..=body.len()).filter(|&at| edge(at)) {
        out.push(body[..at].to_vec());
        for stray in [&b"x"[..], b",", b"]", b"}", b"\"", b":", b"\\"] {
            out.push([&body[..at], stray, &body[at..]].concat());
        }
        if at < body.len() {
            out.push([&body[..at], &body[at + 1..]].concat());
        }
    }
    for (start, end) in values(body) {
        for value in [
            &b"\"x\""[..],
            b"\"x\\u0001\"",
            b"5",
            b"-1",
            b"4294967296",
            b"null",
            b"{}",
            b"[]",
            b"{\"a\":1,\"a\":2}",
            b"tru",
            b"1.",
        ] {
            out.push([&body[..start], value, &body[end..]].concat());
        }
    }
    out
}
