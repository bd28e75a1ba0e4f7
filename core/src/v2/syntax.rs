//! Which syntax a v2 answer is in, for tools that show a pasted answer back to a person.

use serde::Serialize;

use crate::format::{Syntax, sniff};

/// The syntax of a body, as the v2 parsers read it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum BodySyntax {
    /// A bare value (`DEPLOYED`, `10.1.2.1`).
    Text,
    /// A JSON document.
    Json,
    /// An XML document.
    Xml,
}

/// Sniffs a body's syntax from its first non-blank byte (after a UTF-8 byte-order mark), exactly
/// as the v2 parsers decide how to read it: `{`, `[` or `"` is JSON, `<` is XML, anything else text.
pub fn body_syntax(body: &[u8]) -> BodySyntax {
    match sniff(body) {
        Syntax::Json => BodySyntax::Json,
        Syntax::Xml => BodySyntax::Xml,
        Syntax::Text => BodySyntax::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_like_the_parsers() {
        assert_eq!(body_syntax(b"DEPLOYED\n"), BodySyntax::Text);
        assert_eq!(body_syntax(b""), BodySyntax::Text);
        assert_eq!(body_syntax(b"  {\"automation_status\": \"DEPLOYED\"}"), BodySyntax::Json);
        assert_eq!(body_syntax(b"\xEF\xBB\xBF<gateway_ip>10.1.2.1</gateway_ip>"), BodySyntax::Xml);
        assert_eq!(serde_json::to_value(BodySyntax::Xml).ok(), Some(serde_json::json!("xml")));
    }
}
