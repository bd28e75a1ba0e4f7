//! Plain-text bodies (RackConnect v2's default format): one bare value, surrounding whitespace
//! and a trailing newline tolerated.

use std::net::Ipv4Addr;

use nom::bytes::complete::take_while1;
use nom::character::complete::{char, digit1, multispace0};
use nom::combinator::{all_consuming, map_res};
use nom::sequence::delimited;
use nom::{IResult, Parser};

use super::{check_size, line_column};
use crate::error::{Error, Result, shorten};

fn text_error(body: &str, rest: &str, expected: &str) -> Error {
    let offset = body.len() - rest.len();
    let (line, column) = line_column(body.as_bytes(), offset);
    let found = rest.lines().next().unwrap_or("");
    let found = if rest.is_empty() { "the end of the body".to_owned() } else { shorten(found) };
    Error::Text { line, column, expected: expected.to_owned(), found }
}

fn utf8(body: &[u8]) -> Result<&str> {
    check_size(body)?;
    std::str::from_utf8(body).map_err(|e| {
        let (line, column) = line_column(body, e.valid_up_to());
        Error::Text { line, column, expected: "UTF-8 text".to_owned(), found: "a byte that is not UTF-8".to_owned() }
    })
}

fn word(input: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_')(input)
}

/// One word such as `DEPLOYED` (letters, digits, `_`), alone in the body.
pub(crate) fn parse_word(body: &[u8]) -> Result<String> {
    const EXPECTED: &str = "a single status word such as DEPLOYED (letters, digits and _)";
    let text = utf8(body)?;
    let result = all_consuming(delimited(multispace0, word, multispace0)).parse(text);
    match result {
        Ok((_, value)) => Ok(value.to_owned()),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(text_error(text, e.input, EXPECTED)),
        Err(nom::Err::Incomplete(_)) => Err(text_error(text, "", EXPECTED)),
    }
}

/// 0 to 255 without leading zeros: `010` is octal to some readers and decimal to others, so
/// an address written so is refused rather than read one way.
fn octet(input: &str) -> IResult<&str, u8> {
    map_res(digit1, |d: &str| if d.len() > 1 && d.starts_with('0') { Err(()) } else { d.parse::<u8>().map_err(|_| ()) })
        .parse(input)
}

fn ipv4(input: &str) -> IResult<&str, Ipv4Addr> {
    let (rest, (a, _, b, _, c, _, d)) = (octet, char('.'), octet, char('.'), octet, char('.'), octet).parse(input)?;
    Ok((rest, Ipv4Addr::new(a, b, c, d)))
}

/// A dotted-quad IPv4 address, alone in the text.
pub(crate) fn parse_ipv4_text(text: &str) -> std::result::Result<Ipv4Addr, (usize, &'static str)> {
    const EXPECTED: &str = "a dotted-quad IPv4 address such as 10.1.2.1";
    let result = all_consuming(delimited(multispace0, ipv4, multispace0)).parse(text);
    match result {
        Ok((_, ip)) => Ok(ip),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err((text.len() - e.input.len(), EXPECTED)),
        Err(nom::Err::Incomplete(_)) => Err((text.len(), EXPECTED)),
    }
}

/// A body holding one IPv4 address.
pub(crate) fn parse_ipv4(body: &[u8]) -> Result<Ipv4Addr> {
    let text = utf8(body)?;
    parse_ipv4_text(text).map_err(|(offset, expected)| text_error(text, &text[offset..], expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_addresses() {
        assert_eq!(parse_word(b"  DEPLOYED\n").ok().as_deref(), Some("DEPLOYED"));
        let err = parse_word(b"DEPLOYED\nFAILED").expect_err("two words");
        assert!(err.to_string().contains("line 2 column 1"), "{err}");
        assert_eq!(parse_ipv4(b"10.1.2.1\n").ok(), Some(Ipv4Addr::new(10, 1, 2, 1)));
        let err = parse_ipv4(b"10.1.2.300").expect_err("octet");
        assert!(err.to_string().contains("column 8"), "{err}");
        assert_eq!(parse_word(b"\xff").expect_err("utf8").kind(), "text");
        assert_eq!(parse_word(b"").expect_err("empty").kind(), "text");
    }
}
