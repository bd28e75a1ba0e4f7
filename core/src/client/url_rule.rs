//! The transport safety rule, in one place: a request goes over `https://`, or over plain
//! `http://` only to a loopback host (an emulator on this machine). Every request an
//! [`Exchange`](super::Exchange) emits has passed it, so no driver can send a credential or a
//! token in clear to the network, whatever it forgets.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{Error, Result};
use crate::http::Request;

/// True for `https://` URLs with a host, and for `http://` URLs whose host is loopback
/// (`127.0.0.0/8`, `[::1]`, `localhost`). Anything else, including other schemes, is refused.
pub fn is_secure_or_loopback(url: &str) -> bool {
    let Some((scheme, host)) = scheme_and_host(url) else { return false };
    if scheme.eq_ignore_ascii_case("https") {
        return true;
    }
    scheme.eq_ignore_ascii_case("http") && is_loopback_host(host)
}

/// True when the URL's host is a loopback address or `localhost` (an IP address is parsed, so
/// `127.evil.example` is not loopback).
pub fn is_loopback_url(url: &str) -> bool {
    scheme_and_host(url).is_some_and(|(_, host)| is_loopback_host(host))
}

/// The rule applied to a request: `Ok`, or the `insecure_url` transport error (a configuration
/// error: it ends a wait at once) naming the request, never its credentials.
pub fn check(request: &Request) -> Result<()> {
    if is_secure_or_loopback(&request.url) {
        return Ok(());
    }
    let shown = request.redacted();
    Err(Error::Transport {
        kind: "insecure_url".to_owned(),
        detail: format!(
            "{} {}: expected an https:// URL (plain http:// only to a loopback host); nothing was sent",
            request.method, shown.url
        ),
    })
}

fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || host.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
}

fn scheme_and_host(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // Credentials in the authority are not a host.
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split_once(']')?.0
    } else {
        authority.split(':').next().unwrap_or("")
    };
    (!host.is_empty()).then_some((scheme, host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_everywhere_plain_http_only_to_loopback() {
        for ok in [
            "https://dfw.api.rackconnect.rackspace.com/v1/automation_status",
            "HTTPS://example.com",
            "http://127.0.0.1:8080/v2.0/tokens",
            "http://127.9.8.7/x?y=1",
            "http://localhost/x",
            "http://LOCALHOST:1",
            "http://[::1]:8080/x",
            "http://user@127.0.0.1/",
        ] {
            assert!(is_secure_or_loopback(ok), "{ok}");
        }
        for refused in [
            "http://example.com/v1/automation_status",
            "http://127.0.0.1.evil.example/",
            "http://127.evil.example/",
            "http://localhost.evil.example/",
            "http://127.0.0.1@evil.example/",
            "http://10.0.0.1/",
            "http://[::2]/",
            "ftp://127.0.0.1/",
            "https:///nohost",
            "127.0.0.1:80/",
            "",
        ] {
            assert!(!is_secure_or_loopback(refused), "{refused}");
        }
    }

    #[test]
    fn base_url_is_loopback_uses_the_one_rule() {
        for (url, loopback) in [
            ("http://127.0.0.2:1", true),
            ("http://localhost:8080/v3", true),
            ("http://[::1]:8080", true),
            ("http://127.evil.example", false),
            ("http://127.0.0.1.nip.example", false),
            ("https://dfw.api.rackconnect.rackspace.com", false),
        ] {
            let base = crate::BaseUrl::new("u", url).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(base.is_loopback(), loopback, "{url}");
        }
    }
}
