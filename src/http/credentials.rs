//! Finding the token in a request: the `Authorization: Bearer` header
//! (RFC 6750 2.1), or a named cookie when one is configured.

use crate::error::ErrorKind;

const SCHEME: &str = "Bearer";

/// A request's headers, as each framework stores them.
///
/// Implemented for [`http::HeaderMap`] here and for actix-web's header map
/// by the `actix` feature, so that every adapter finds the token the same way.
///
/// ```
/// use jwtguard::HeaderSource;
/// let mut headers = http::HeaderMap::new();
/// headers.append("cookie", "a=1".parse().unwrap());
/// headers.append("cookie", "b=2".parse().unwrap());
/// assert_eq!(headers.header_values("cookie").count(), 2);
/// ```
pub trait HeaderSource {
    /// Every value of the header `name` (lower case), in the order received.
    fn header_values<'a>(&'a self, name: &'static str) -> impl Iterator<Item = &'a [u8]> + 'a;
}

impl HeaderSource for http::HeaderMap {
    fn header_values<'a>(&'a self, name: &'static str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.get_all(name).iter().map(http::HeaderValue::as_bytes)
    }
}

/// The token in an `Authorization` value: `Bearer`, matched without regard
/// to case (RFC 7235), one space, then base64url characters and dots only.
/// A value of that shape whose token holds other visible characters (the
/// bearer plugin's `+`, `/`, `=` or `%`, when its tokens are not accepted)
/// is [`ErrorKind::Malformed`]: the header is right, the token is not.
pub(crate) fn token_from_authorization(value: &[u8]) -> Result<&str, ErrorKind> {
    let (scheme, token) = value
        .split_at_checked(SCHEME.len())
        .ok_or(ErrorKind::InvalidAuthorizationHeader)?;
    if !scheme.eq_ignore_ascii_case(SCHEME.as_bytes()) {
        return Err(ErrorKind::InvalidAuthorizationHeader);
    }
    let token = token
        .strip_prefix(b" ")
        .ok_or(ErrorKind::InvalidAuthorizationHeader)?;
    token_text(token).ok_or_else(|| {
        if !token.is_empty() && token.iter().all(u8::is_ascii_graphic) {
            ErrorKind::Malformed
        } else {
            ErrorKind::InvalidAuthorizationHeader
        }
    })
}

/// Whether a request asks to become a WebSocket (RFC 6455 4.1): `GET`,
/// one `Upgrade: websocket`, and `upgrade` among the `Connection` options.
pub(crate) fn is_websocket_upgrade<H: HeaderSource>(method: &str, headers: &H) -> bool {
    let mut upgrade = headers.header_values("upgrade");
    let websocket = matches!(
        (upgrade.next(), upgrade.next()),
        (Some(value), None) if value.trim_ascii().eq_ignore_ascii_case(b"websocket")
    );
    method == "GET"
        && websocket
        && headers.header_values("connection").any(|value| {
            value
                .split(|&b| b == b',')
                .any(|option| option.trim_ascii().eq_ignore_ascii_case(b"upgrade"))
        })
}

/// Whether a request carries any `Upgrade` header. A cookie on such a
/// request needs an allowed `Origin` (when origins are set): it may become a
/// WebSocket, which no CORS rule guards, and the frameworks' handshakes
/// accept more shapes (a second `Upgrade` header, `websocket` in a list)
/// than [`is_websocket_upgrade`] does. A browser's `fetch` cannot set the
/// header, so only its WebSocket handshakes (which send `Origin`) carry it.
pub(crate) fn may_upgrade<H: HeaderSource>(headers: &H) -> bool {
    headers.header_values("upgrade").next().is_some()
}

/// The JWT in the query parameter `name`: `None` when the query has no
/// such parameter, [`ErrorKind::MultipleCredentials`] when it has two,
/// [`ErrorKind::Malformed`] when the value is not a bare compact token
/// (base64url characters and dots; empty is malformed).
pub(crate) fn token_from_query<'q>(
    query: &'q str,
    name: &str,
) -> Result<Option<&'q str>, ErrorKind> {
    let mut found = None;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key != name {
            continue;
        }
        if found.is_some() {
            return Err(ErrorKind::MultipleCredentials);
        }
        found = Some(token_text(value.as_bytes()).ok_or(ErrorKind::Malformed)?);
    }
    Ok(found)
}

/// Whether a request with this method may change state, so that a
/// cookie-borne token needs an allowed `Origin`. An unknown method is unsafe.
pub(crate) fn is_unsafe_method(method: Option<&str>) -> bool {
    !matches!(method, Some("GET" | "HEAD" | "OPTIONS" | "TRACE"))
}

/// The request's one `Origin` header must be one of `allowed` (already in
/// lower case); a missing, repeated or `null` origin is refused.
pub(crate) fn check_origin<H: HeaderSource>(
    headers: &H,
    allowed: &[String],
) -> Result<(), ErrorKind> {
    let mut values = headers.header_values("origin");
    match (values.next(), values.next()) {
        (Some(origin), None)
            if allowed
                .iter()
                .any(|allowed| allowed.as_bytes().eq_ignore_ascii_case(origin)) =>
        {
            Ok(())
        }
        _ => Err(ErrorKind::OriginNotAllowed),
    }
}

/// The compact token in cookie `name` across all `Cookie` headers, if the
/// request carries it; sent twice is refused.
pub(crate) fn token_from_cookie<'h, H: HeaderSource>(
    headers: &'h H,
    name: &str,
) -> Result<Option<&'h str>, ErrorKind> {
    let mut found = None;
    for (_, value) in cookies(headers).filter(|(pair_name, _)| *pair_name == name.as_bytes()) {
        if found.is_some() {
            return Err(ErrorKind::MultipleCredentials);
        }
        found = Some(token_text(value).ok_or(ErrorKind::Malformed)?);
    }
    Ok(found)
}

/// The text after `Bearer ` in an `Authorization` value, for a Better Auth
/// bearer-plugin session token: `<token>.<signature>`, the signature in
/// standard base64, possibly URL-encoded. Its exact form is checked with
/// the signature.
pub(crate) fn session_token_from_authorization(value: &[u8]) -> Result<&str, ErrorKind> {
    let (scheme, rest) = value
        .split_at_checked(SCHEME.len() + 1)
        .ok_or(ErrorKind::InvalidAuthorizationHeader)?;
    if !scheme[..SCHEME.len()].eq_ignore_ascii_case(SCHEME.as_bytes())
        || scheme[SCHEME.len()] != b' '
    {
        return Err(ErrorKind::InvalidAuthorizationHeader);
    }
    let allowed = |b: &u8| {
        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'%' | b'+' | b'/' | b'=')
    };
    if rest.is_empty() || !rest.iter().all(allowed) {
        return Err(ErrorKind::InvalidAuthorizationHeader);
    }
    std::str::from_utf8(rest).map_err(|_| ErrorKind::InvalidAuthorizationHeader)
}

/// The longest cookie cache read, all chunks together.
pub const MAX_CHUNKED_COOKIE_LEN: usize = 32 * 1024;

/// The cookie named by the first of `names` (in order of precedence) that
/// the request carries, with that name: `__Secure-` names come first, so a
/// `__Secure-` cookie wins over a plain one that anyone on a sibling
/// subdomain or a plain-HTTP page could have planted, as in Better Auth's
/// `getSessionCookie`. The winning name sent twice is
/// [`ErrorKind::MultipleCredentials`]. Values are visible ASCII.
pub(crate) fn cookie_value<'h, 'n, H: HeaderSource>(
    headers: &'h H,
    names: &'n [String],
) -> Result<Option<(&'n str, &'h str)>, ErrorKind> {
    let seen = scan(headers, names, false);
    match seen.best {
        None => Ok(None),
        Some(found) => found.value(names).map(Some),
    }
}

/// A cookie Better Auth may split when it is large, under the first of
/// `names` (in order of precedence) the request carries in either form: the
/// cookie itself, else its chunks `<name>.0`, `<name>.1`, ... joined in
/// order. Either way at most [`MAX_CHUNKED_COOKIE_LEN`] bytes
/// ([`ErrorKind::TokenTooLarge`]); a missing or repeated chunk is
/// malformed. Chunks of two names are never mixed.
pub(crate) fn chunked_cookie<'h, H: HeaderSource>(
    headers: &'h H,
    names: &[String],
) -> Result<Option<std::borrow::Cow<'h, str>>, ErrorKind> {
    let seen = scan(headers, names, true);
    // The best-ranked name present in either form wins.
    let whole_rank = seen.best.as_ref().map_or(usize::MAX, |found| found.rank);
    if let Some(rank) = seen.first_chunked.filter(|&rank| rank < whole_rank) {
        return chunks_of(headers, &names[rank]).map(|joined| joined.map(Into::into));
    }
    let Some(found) = seen.best else {
        return Ok(None);
    };
    let (_, whole) = found.value(names)?;
    if whole.len() > MAX_CHUNKED_COOKIE_LEN {
        return Err(ErrorKind::TokenTooLarge);
    }
    Ok(Some(whole.into()))
}

/// The best-ranked cookie of one scan: its rank in `names`, its raw value,
/// and whether that name came twice.
struct Found<'h> {
    rank: usize,
    raw: &'h [u8],
    twice: bool,
}

impl<'h> Found<'h> {
    fn value<'n>(&self, names: &'n [String]) -> Result<(&'n str, &'h str), ErrorKind> {
        if self.twice {
            return Err(ErrorKind::MultipleCredentials);
        }
        Ok((names[self.rank].as_str(), cookie_text(self.raw)?))
    }
}

/// What one pass over the `Cookie` headers found of `names`.
struct Scan<'h> {
    best: Option<Found<'h>>,
    /// The best rank whose chunks (`<name>.<n>`) were seen, when asked for.
    first_chunked: Option<usize>,
}

/// One pass over every cookie, whatever the number of names: a cache
/// cookie is about 1.5 KB, read on every request.
fn scan<'h, H: HeaderSource>(headers: &'h H, names: &[String], chunks: bool) -> Scan<'h> {
    let mut seen = Scan {
        best: None,
        first_chunked: None,
    };
    for (name, value) in cookies(headers) {
        if let Some(rank) = names.iter().position(|wanted| wanted.as_bytes() == name) {
            match &mut seen.best {
                Some(found) if found.rank == rank => found.twice = true,
                Some(found) if found.rank < rank => {}
                _ => {
                    seen.best = Some(Found {
                        rank,
                        raw: value,
                        twice: false,
                    })
                }
            }
        } else if chunks {
            let chunked = names
                .iter()
                .position(|wanted| chunk_index(name, wanted).is_some());
            if let Some(rank) = chunked {
                seen.first_chunked = Some(seen.first_chunked.map_or(rank, |r| r.min(rank)));
            }
        }
    }
    seen
}

/// The chunks `<name>.0`, `<name>.1`, ... of one cookie, joined.
fn chunks_of<H: HeaderSource>(headers: &H, name: &str) -> Result<Option<String>, ErrorKind> {
    let mut chunks: Vec<(usize, &str)> = Vec::new();
    let mut total = 0;
    for (pair_name, value) in cookies(headers) {
        let Some(index) = chunk_index(pair_name, name) else {
            continue;
        };
        let value = cookie_text(value)?;
        total += value.len();
        if total > MAX_CHUNKED_COOKIE_LEN {
            return Err(ErrorKind::TokenTooLarge);
        }
        chunks.push((index, value));
    }
    if chunks.is_empty() {
        return Ok(None);
    }
    chunks.sort_unstable_by_key(|&(index, _)| index);
    if chunks
        .iter()
        .enumerate()
        .any(|(expected, &(index, _))| index != expected)
    {
        return Err(ErrorKind::Malformed);
    }
    Ok(Some(chunks.into_iter().map(|(_, value)| value).collect()))
}

/// `n` when `pair_name` is `<name>.<n>` with `n` written as Better Auth
/// writes chunk numbers (no sign, no leading zero).
fn chunk_index(pair_name: &[u8], name: &str) -> Option<usize> {
    let digits = pair_name
        .strip_prefix(name.as_bytes())?
        .strip_prefix(b".")?;
    let canonical = digits == b"0" || (!digits.is_empty() && digits[0] != b'0');
    if !canonical || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Every `name=value` pair of every `Cookie` header.
fn cookies<H: HeaderSource>(headers: &H) -> impl Iterator<Item = (&[u8], &[u8])> {
    headers.header_values("cookie").flat_map(cookie_pairs)
}

/// The `name=value` pairs of one `Cookie` header. The `;` between pairs is
/// found with `memchr` (SIMD): a session cookie cache makes the header
/// about 1.5 KB, read on every request.
fn cookie_pairs(header: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut rest = Some(header);
    std::iter::from_fn(move || {
        loop {
            let current = rest?;
            let pair = match memchr::memchr(b';', current) {
                Some(end) => {
                    rest = Some(&current[end + 1..]);
                    &current[..end]
                }
                None => {
                    rest = None;
                    current
                }
            };
            let pair = pair.trim_ascii();
            if let Some(eq) = pair.iter().position(|&b| b == b'=') {
                return Some((&pair[..eq], &pair[eq + 1..]));
            }
        }
    })
}

/// A cookie value as text: non-empty visible ASCII.
fn cookie_text(value: &[u8]) -> Result<&str, ErrorKind> {
    // Every byte is looked at (no early exit), which the compiler turns
    // into SIMD: the value may be a 1.5 KB cookie cache.
    let visible = value
        .iter()
        .fold(true, |visible, &b| visible & b.is_ascii_graphic());
    if value.is_empty() || !visible {
        return Err(ErrorKind::Malformed);
    }
    std::str::from_utf8(value).map_err(|_| ErrorKind::Malformed)
}

/// `bytes` as text when it is a non-empty run of base64url characters and dots.
pub(crate) fn token_text(bytes: &[u8]) -> Option<&str> {
    // Every byte is compared, without an early exit, so the compiler turns
    // the loop into SIMD comparisons: a token is read on every request.
    // (With an early exit, a table lookup per byte was the faster form;
    // this is faster than either: 2,100 instructions became 250 for a
    // 323-byte token.)
    let valid = bytes
        .iter()
        .fold(true, |valid, &b| valid & is_token_byte(b));
    if bytes.is_empty() || !valid {
        return None;
    }
    std::str::from_utf8(bytes).ok()
}

/// Whether `b` may be in a compact token: a base64url character or a dot.
/// Written with `|` (not `||`) so that nothing branches.
fn is_token_byte(b: u8) -> bool {
    (b.wrapping_sub(b'A') < 26)
        | (b.wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'-')
        | (b == b'_')
        | (b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_bytes_are_exactly_base64url_and_dots() {
        for b in 0..=u8::MAX {
            let expected = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
            assert_eq!(is_token_byte(b), expected, "{b:#04x}");
            assert_eq!(token_text(&[b'a', b, b'z']).is_some(), expected, "{b:#04x}");
        }
        assert_eq!(token_text(b""), None);
    }
    use http::header::COOKIE;
    use http::{HeaderMap, HeaderValue};

    #[test]
    fn scheme_is_case_insensitive_with_exactly_one_space() {
        for ok in [
            "Bearer a.b.c",
            "bearer a.b.c",
            "BEARER a.b.c",
            "bEaReR a.b.c",
        ] {
            assert_eq!(token_from_authorization(ok.as_bytes()).unwrap(), "a.b.c");
        }
        for bad in [
            "",
            "Bearer",
            "Bearer ",
            "Bearer  a.b.c",
            "Bearer\ta.b.c",
            "Bearer a.b.c ",
            "Basic a.b.c",
            "Bearera.b.c",
            "Bearer a b",
            "Token a.b.c",
        ] {
            assert_eq!(
                token_from_authorization(bad.as_bytes()).unwrap_err(),
                ErrorKind::InvalidAuthorizationHeader,
                "{bad:?}"
            );
        }
        // The right header around a token that is not a compact JWT (a
        // bearer-plugin session token when those are off).
        for malformed in [
            "Bearer a+b/c=",
            "Bearer abc.d%2Bef%3D",
            "Bearer abc.de+f/g=",
        ] {
            assert_eq!(
                token_from_authorization(malformed.as_bytes()).unwrap_err(),
                ErrorKind::Malformed,
                "{malformed:?}"
            );
        }
        assert!(token_from_authorization(b"Bearer \xff").is_err());
    }

    #[test]
    fn origin_must_be_exactly_one_allowed_value() {
        let allowed = vec!["https://app.example.com".to_owned()];
        let with = |origins: &[&'static str]| {
            let mut headers = HeaderMap::new();
            for origin in origins {
                headers.append("origin", HeaderValue::from_static(origin));
            }
            check_origin(&headers, &allowed)
        };
        assert!(with(&["https://app.example.com"]).is_ok());
        assert!(with(&["https://APP.example.com"]).is_ok());
        for refused in [
            &[][..],
            &["null"],
            &["https://evil.example"],
            &["https://app.example.com.evil.example"],
            &["http://app.example.com"],
            &["https://app.example.com", "https://app.example.com"],
        ] {
            assert_eq!(
                with(refused),
                Err(ErrorKind::OriginNotAllowed),
                "{refused:?}"
            );
        }
        assert!(!is_unsafe_method(Some("GET")));
        assert!(is_unsafe_method(Some("POST")));
        assert!(is_unsafe_method(Some("get")));
        assert!(is_unsafe_method(None));
    }

    fn cookie_headers(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(COOKIE, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn a_session_bearer_value_keeps_its_base64_and_escapes() {
        for (value, token) in [
            ("Bearer abc.de+f/g=", "abc.de+f/g="),
            ("bearer abc.de%2Bf%3D", "abc.de%2Bf%3D"),
        ] {
            assert_eq!(
                session_token_from_authorization(value.as_bytes()),
                Ok(token)
            );
        }
        for bad in [
            "Bearer",
            "Bearer ",
            "Bearer  abc.def",
            "Basic abc.def",
            "Bearer abc def",
            "Bearer abc;d",
        ] {
            assert_eq!(
                session_token_from_authorization(bad.as_bytes()),
                Err(ErrorKind::InvalidAuthorizationHeader),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_cookie_is_found_under_any_of_its_names_once() {
        let names = ["__Secure-a".to_owned(), "a".to_owned()];
        let found = cookie_headers(&["x=1; __Secure-a=v"]);
        assert_eq!(cookie_value(&found, &names), Ok(Some(("__Secure-a", "v"))));
        assert_eq!(cookie_value(&cookie_headers(&["x=1"]), &names), Ok(None));
        for twice in [&["a=1; a=2"][..], &["__Secure-a=1", "__Secure-a=2; a=3"]] {
            assert_eq!(
                cookie_value(&cookie_headers(twice), &names),
                Err(ErrorKind::MultipleCredentials)
            );
        }
        assert_eq!(
            cookie_value(&cookie_headers(&["a="]), &names),
            Err(ErrorKind::Malformed)
        );
    }

    #[test]
    fn a_secure_cookie_wins_over_a_plain_one_in_either_order() {
        let names = ["__Secure-a".to_owned(), "a".to_owned()];
        for headers in [
            &["__Secure-a=victim; a=attacker"][..],
            &["a=attacker; __Secure-a=victim"],
            &["a=attacker", "__Secure-a=victim"],
            // The plain name twice does not matter when the secure one is there.
            &["a=x; __Secure-a=victim; a=y"],
        ] {
            assert_eq!(
                cookie_value(&cookie_headers(headers), &names),
                Ok(Some(("__Secure-a", "victim"))),
                "{headers:?}"
            );
        }
        assert_eq!(
            cookie_value(&cookie_headers(&["a=plain"]), &names),
            Ok(Some(("a", "plain")))
        );
    }

    #[test]
    fn chunks_of_a_secure_cache_are_never_mixed_with_plain_ones() {
        let names = ["__Secure-d".to_owned(), "d".to_owned()];
        let joined = |values: &[&'static str]| {
            chunked_cookie(&cookie_headers(values), &names)
                .map(|found| found.map(|v| v.into_owned()))
        };
        assert_eq!(
            joined(&["__Secure-d.0=ab; d.1=planted; __Secure-d.1=cd"])
                .unwrap()
                .as_deref(),
            Some("abcd")
        );
        assert_eq!(
            joined(&["d=planted; __Secure-d.0=ab"]).unwrap().as_deref(),
            Some("ab")
        );
        assert_eq!(
            joined(&["d.0=ab; d.1=cd"]).unwrap().as_deref(),
            Some("abcd")
        );
    }

    #[test]
    fn a_whole_cache_cookie_is_capped_as_chunks_are() {
        let names = ["d".to_owned()];
        let huge: &'static str =
            Box::leak(format!("d={}", "a".repeat(MAX_CHUNKED_COOKIE_LEN + 1)).into_boxed_str());
        assert_eq!(
            chunked_cookie(&cookie_headers(&[huge]), &names),
            Err(ErrorKind::TokenTooLarge)
        );
    }

    #[test]
    fn chunks_are_joined_in_order_and_must_be_complete() {
        let names = ["d".to_owned()];
        let joined = |values: &[&'static str]| {
            chunked_cookie(&cookie_headers(values), &names)
                .map(|found| found.map(|v| v.into_owned()))
        };
        assert_eq!(
            joined(&["d.1=cd; d.0=ab"]).unwrap().as_deref(),
            Some("abcd")
        );
        assert_eq!(
            joined(&["d=whole; d.0=ab"]).unwrap().as_deref(),
            Some("whole")
        );
        assert_eq!(joined(&["x.0=ab"]).unwrap(), None);
        // Not a chunk name Better Auth writes: ignored, as Better Auth does.
        assert_eq!(
            joined(&["d.0=ab; d.01=cd; d.x=1"]).unwrap().as_deref(),
            Some("ab")
        );
        for broken in [&["d.1=cd"][..], &["d.0=ab; d.2=ef"], &["d.0=ab; d.0=cd"]] {
            assert!(joined(broken).is_err(), "{broken:?}");
        }
        let huge: &'static str =
            Box::leak(format!("d.0={}", "a".repeat(MAX_CHUNKED_COOKIE_LEN + 1)).into_boxed_str());
        assert_eq!(joined(&[huge]), Err(ErrorKind::TokenTooLarge));
    }

    fn upgrade_headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn a_websocket_upgrade_is_a_get_with_upgrade_websocket_and_connection_upgrade() {
        for upgrade in [
            &[("upgrade", "websocket"), ("connection", "Upgrade")][..],
            &[("upgrade", "WebSocket"), ("connection", "UPGRADE")],
            &[("upgrade", " websocket "), ("connection", " upgrade ")],
            &[
                ("upgrade", "websocket"),
                ("connection", "keep-alive, Upgrade"),
            ],
            &[
                ("upgrade", "websocket"),
                ("connection", "Upgrade,keep-alive"),
            ],
            // The options may come in several `Connection` headers.
            &[
                ("upgrade", "websocket"),
                ("connection", "keep-alive"),
                ("connection", "upgrade"),
            ],
        ] {
            assert!(
                is_websocket_upgrade("GET", &upgrade_headers(upgrade)),
                "{upgrade:?}"
            );
        }
        let full = [("upgrade", "websocket"), ("connection", "upgrade")];
        for method in ["POST", "HEAD", "CONNECT", "get", ""] {
            assert!(
                !is_websocket_upgrade(method, &upgrade_headers(&full)),
                "{method}"
            );
        }
        for not_upgrade in [
            &[][..],
            &[("upgrade", "websocket")],
            &[("connection", "upgrade")],
            &[("upgrade", "websocket"), ("connection", "keep-alive")],
            &[("upgrade", "websocket"), ("connection", "upgraded")],
            &[
                ("upgrade", "websocket"),
                ("connection", "keep-alive upgrade"),
            ],
            &[("upgrade", "h2c"), ("connection", "upgrade")],
            &[("upgrade", "websocket, h2c"), ("connection", "upgrade")],
            &[("upgrade", ""), ("connection", "upgrade")],
            &[
                ("upgrade", "websocket"),
                ("upgrade", "websocket"),
                ("connection", "upgrade"),
            ],
            &[
                ("upgrade", "websocket"),
                ("upgrade", "h2c"),
                ("connection", "upgrade"),
            ],
        ] {
            assert!(
                !is_websocket_upgrade("GET", &upgrade_headers(not_upgrade)),
                "{not_upgrade:?}"
            );
        }
    }

    #[test]
    fn the_query_token_is_the_one_exact_parameter_as_sent() {
        let name = "access_token";
        for (query, found) in [
            ("", None),
            ("a=1&b=2", None),
            ("access_token_x=a.b.c", None),
            ("x_access_token=a.b.c", None),
            ("ACCESS_TOKEN=a.b.c", None),
            // A percent-encoded name is not the name.
            ("access%5Ftoken=a.b.c", None),
            ("access_token=a.b.c", Some("a.b.c")),
            ("a=1&access_token=aB-_0.c-D.e_F&b=2", Some("aB-_0.c-D.e_F")),
            ("&&access_token=a.b.c&", Some("a.b.c")),
            ("access_token_x=d.e.f&access_token=a.b.c", Some("a.b.c")),
        ] {
            assert_eq!(token_from_query(query, name), Ok(found), "{query:?}");
        }
        for twice in [
            "access_token=a.b.c&access_token=a.b.c",
            "access_token=a.b.c&x=1&access_token=d.e.f",
            // The second one is malformed, but two is already too many.
            "access_token=a.b.c&access_token",
        ] {
            assert_eq!(
                token_from_query(twice, name),
                Err(ErrorKind::MultipleCredentials),
                "{twice:?}"
            );
        }
        for malformed in [
            "access_token=",
            "access_token",
            "a=1&access_token&b=2",
            // Percent-encoded, `+` or padding: not the compact token as is.
            "access_token=a%2Eb.c",
            "access_token=a.b.c%3D",
            "access_token=a+b.c",
            "access_token=a.b.c=",
            "access_token=a/b.c",
            "access_token=a.b c",
        ] {
            assert_eq!(
                token_from_query(malformed, name),
                Err(ErrorKind::Malformed),
                "{malformed:?}"
            );
        }
    }
}
