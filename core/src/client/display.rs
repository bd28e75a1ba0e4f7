//! Text from the API on its way to a person's terminal.

use std::borrow::Cow;

/// `text` safe to print on a terminal: every control character but newline and tab (escape
/// sequences that clear the screen, move the cursor or set the title; NUL; carriage return) is
/// shown escaped (`\u{1b}`), so a pool or server named with them cannot rewrite the display.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            shown.extend(c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

#[cfg(test)]
mod tests {
    use super::terminal_safe;

    #[test]
    fn escapes_reach_the_terminal_as_text() {
        assert_eq!(terminal_safe("web1"), "web1");
        assert_eq!(terminal_safe("a\nb\tc"), "a\nb\tc");
        assert_eq!(terminal_safe("web\u{1b}[2J\u{1b}]0;PWNED\u{7}"), "web\\u{1b}[2J\\u{1b}]0;PWNED\\u{7}");
        assert_eq!(terminal_safe("x\ry\0"), "x\\u{d}y\\u{0}");
    }
}
