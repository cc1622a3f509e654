//! Resource identifiers compared as canonical URIs (RFC 8707 2, and the
//! MCP authorization spec): lower-case scheme and host, no default port,
//! no fragment, no trailing slash.

/// The canonical form of an absolute `http`/`https` URI, or `None` when
/// `uri` is not one (relative, another scheme, user info, a fragment,
/// characters a header could not quote).
///
/// The path and query are kept as written, except a trailing `/` of the
/// path: `https://API.example.com:443/mcp/` is `https://api.example.com/mcp`.
pub(crate) fn canonical_uri(uri: &str) -> Option<String> {
    let (origin, path, query) = split(uri)?;
    let mut canonical = origin;
    canonical.push_str(path.trim_end_matches('/'));
    if let Some(query) = query {
        canonical.push('?');
        canonical.push_str(query);
    }
    Some(canonical)
}

/// A request's URL as a DPoP proof's `htu` is compared (RFC 9449 4.3, and
/// Better Auth's `normalizeDpopHtu`): the lower-cased scheme and host
/// without the default port, and the path exactly as written (`/` when
/// empty), without the query; `None` as for [`canonical_uri`].
///
/// Unlike a resource identifier, `/tools/` and `/tools` are two URLs here:
/// a proof for one is not one for the other.
pub(crate) fn request_url(uri: &str) -> Option<String> {
    let (mut url, path, _) = split(uri)?;
    url.push_str(if path.is_empty() { "/" } else { path });
    Some(url)
}

/// An absolute `http`/`https` URI's origin (lower-cased, without the
/// default port), its path and its query as written; `None` for anything
/// else (see [`canonical_uri`]).
fn split(uri: &str) -> Option<(String, &str, Option<&str>)> {
    if uri.is_empty()
        || !uri
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
    {
        return None;
    }
    let (scheme, rest) = uri.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => return None,
    };
    if rest.contains('#') {
        return None;
    }
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at(authority_end);
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let mut authority = authority.to_ascii_lowercase();
    if authority.ends_with(default_port) {
        authority.truncate(authority.len() - default_port.len());
    }
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query, None),
    };
    Some((format!("{scheme}://{authority}"), path, query))
}

/// The origin (`scheme://host[:port]`) and the path of a canonical URI.
pub(crate) fn origin_and_path(canonical: &str) -> (&str, &str) {
    let without_query = canonical.split('?').next().unwrap_or(canonical);
    let after_scheme = without_query.find("://").map_or(0, |i| i + 3);
    match without_query[after_scheme..].find('/') {
        Some(i) => without_query.split_at(after_scheme + i),
        None => (without_query, ""),
    }
}

/// Whether the URI `sent` names the same resource as `canonical` (already
/// canonical).
pub(crate) fn same_resource(sent: &str, canonical: &str) -> bool {
    // The common case, written exactly as configured, costs no allocation.
    sent == canonical || canonical_uri(sent).is_some_and(|sent| sent == canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_and_host_are_lower_cased_and_trailing_slashes_and_default_ports_dropped() {
        for (uri, canonical) in [
            ("https://api.example.com", "https://api.example.com"),
            ("https://api.example.com/", "https://api.example.com"),
            (
                "HTTPS://API.Example.COM:443/mcp/",
                "https://api.example.com/mcp",
            ),
            ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
            ("http://localhost:80/Path", "http://localhost/Path"),
            ("https://a.example/x?y=1", "https://a.example/x?y=1"),
        ] {
            assert_eq!(canonical_uri(uri).as_deref(), Some(canonical), "{uri}");
        }
    }

    #[test]
    fn what_is_not_an_absolute_http_uri_has_no_canonical_form() {
        for uri in [
            "",
            "/mcp",
            "api.example.com",
            "ftp://a.example",
            "https://",
            "https://user@a.example",
            "https://a.example/#frag",
            "https://a.example/\"",
            "https://a.example/ x",
        ] {
            assert_eq!(canonical_uri(uri), None, "{uri}");
        }
    }

    #[test]
    fn a_request_url_keeps_its_path_as_written_and_drops_the_query() {
        for (uri, url) in [
            ("https://api.example.com", "https://api.example.com/"),
            ("HTTPS://API.Example.COM:443/", "https://api.example.com/"),
            ("https://a.example/mcp/tools", "https://a.example/mcp/tools"),
            (
                "https://a.example/mcp/tools/",
                "https://a.example/mcp/tools/",
            ),
            ("https://a.example/MCP?x=1", "https://a.example/MCP"),
            ("http://127.0.0.1:8000/a", "http://127.0.0.1:8000/a"),
        ] {
            assert_eq!(request_url(uri).as_deref(), Some(url), "{uri}");
        }
        for uri in ["/mcp", "https://a.example/x#f", "ftp://a.example/x"] {
            assert_eq!(request_url(uri), None, "{uri}");
        }
    }

    #[test]
    fn a_resource_is_the_same_in_any_spelling_of_its_canonical_uri() {
        let canonical = "https://api.example.com/mcp";
        assert!(same_resource("https://api.example.com/mcp", canonical));
        assert!(same_resource("https://API.example.com/mcp/", canonical));
        assert!(!same_resource("https://api.example.com/MCP", canonical));
        assert!(!same_resource("https://api.example.com/mcp2", canonical));
        assert!(!same_resource("https://evil.example/mcp", canonical));
    }

    #[test]
    fn origin_and_path_split_a_canonical_uri() {
        assert_eq!(
            origin_and_path("https://a.example/mcp/v1"),
            ("https://a.example", "/mcp/v1")
        );
        assert_eq!(
            origin_and_path("http://a.example:8000"),
            ("http://a.example:8000", "")
        );
        assert_eq!(
            origin_and_path("http://a.example/x?y"),
            ("http://a.example", "/x")
        );
    }
}
