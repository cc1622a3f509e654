//! Better Auth's cookie cache, the `session_data` cookie
//! (`session.cookieCache`; `cookies/index.mjs`, `cookies/cache.mjs`), in its
//! three strategies. Each holds the same session data,
//! `{session, user, updatedAt, version}`:
//!
//! - `compact` (the default): base64url of
//!   `{"session":<data>,"expiresAt":<ms>,"signature":<sig>}`, where `sig` is
//!   base64url HMAC-SHA256, with the current secret, of `<data>` with
//!   `"expiresAt"` appended (`JSON.stringify({...data, expiresAt})`);
//! - `jwt`: an HS256 JWT of the data, `iat` and `exp`, signed with the
//!   current secret, without `sub`;
//! - `jwe`: the data encrypted (`dir`, `A256CBC-HS512`) under a key derived
//!   from the secret (feature `session-jwe`; see `jwe.rs`).
//!
//! The cache is only ever a shortcut: Better Auth uses it when the request
//! also carries a valid signed session token equal to the cache's
//! `session.token`, the cache has not expired, and the session has not.

use std::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::ErrorKind;
use crate::keys::hmac::{HmacKey, TAG_LEN};
use crate::session::store::SessionRecord;
use crate::token::compact::{Segments, decode, decode_signature, decode_vec};
use crate::token::header::{Algorithm, JoseHeader};
use crate::token::strict_json::parse_object;

/// Which `session.cookieCache.strategy` the Better Auth app uses.
///
/// ```
/// use jwtguard::CookieCacheStrategy;
/// assert_eq!("jwe".parse(), Ok(CookieCacheStrategy::Jwe));
/// assert_eq!(CookieCacheStrategy::default(), CookieCacheStrategy::Compact);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CookieCacheStrategy {
    /// Signed JSON, Better Auth's default.
    #[default]
    Compact,
    /// An HS256 JWT signed with the secret.
    Jwt,
    /// Encrypted with a key derived from the secret (feature `session-jwe`).
    Jwe,
}

impl std::str::FromStr for CookieCacheStrategy {
    type Err = ();

    /// `compact`, `jwt` or `jwe`, as in Better Auth's configuration.
    fn from_str(name: &str) -> Result<Self, ()> {
        match name {
            "compact" => Ok(Self::Compact),
            "jwt" => Ok(Self::Jwt),
            "jwe" => Ok(Self::Jwe),
            _ => Err(()),
        }
    }
}

/// A cookie cache whose signature (or encryption) is valid.
pub(crate) struct CachedSession {
    /// `session.token`: must equal the request's signed session token.
    pub(crate) token: String,
    /// When the cache itself expires, in milliseconds since the epoch.
    pub(crate) expires_at_ms: f64,
    /// `version` (Better Auth writes `"1"` unless configured otherwise).
    pub(crate) version: Option<String>,
    pub(crate) record: SessionRecord,
}

impl fmt::Debug for CachedSession {
    /// Without the session token, which is a credential.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedSession")
            .field("expires_at_ms", &self.expires_at_ms)
            .field("version", &self.version)
            .field("record", &self.record)
            .finish_non_exhaustive()
    }
}

/// The keys a cache is checked (or decrypted) with.
pub(crate) struct CacheKeys {
    /// The current secret: `compact` and `jwt` are signed with it alone.
    pub(crate) current: HmacKey,
    #[cfg(feature = "session-jwe")]
    pub(crate) jwe: crate::session::jwe::JweKeys,
}

/// Reads the cookie cache `value` written with `strategy`. A value of
/// another strategy's shape (a bearer JWT among them) is
/// [`ErrorKind::WrongCredentialKind`].
pub(crate) fn read(
    strategy: CookieCacheStrategy,
    value: &str,
    keys: &CacheKeys,
) -> Result<CachedSession, ErrorKind> {
    let dots = value.bytes().filter(|&b| b == b'.').count();
    match (strategy, dots) {
        (CookieCacheStrategy::Compact, 0) => read_compact(value, &keys.current),
        (CookieCacheStrategy::Jwt, 2) => read_jwt(value, &keys.current),
        #[cfg(feature = "session-jwe")]
        (CookieCacheStrategy::Jwe, 4) => {
            let (payload, exp) = crate::session::jwe::decrypt(value, &keys.jwe)?;
            session_data(payload, exp.map(|exp| exp * 1000.0))
        }
        _ => Err(ErrorKind::WrongCredentialKind),
    }
}

/// The outer object of a `compact` cache: raw text where the signature
/// covers it, so that it is checked over exactly the bytes Better Auth
/// signed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Compact<'a> {
    #[serde(borrow)]
    session: &'a RawValue,
    #[serde(borrow, rename = "expiresAt")]
    expires_at: &'a RawValue,
    signature: &'a str,
}

fn read_compact(value: &str, key: &HmacKey) -> Result<CachedSession, ErrorKind> {
    let bytes = decode(value)?;
    let compact: Compact<'_> = serde_json::from_slice(&bytes).map_err(|_| ErrorKind::Malformed)?;
    let data = compact.session.get();
    let expires_at = compact.expires_at.get();
    // `JSON.stringify({...data, expiresAt})`: the data object with one
    // more member at its end. Better Auth writes no whitespace.
    let inner = data
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix('}'))
        .ok_or(ErrorKind::Malformed)?;
    let mut signed = String::with_capacity(data.len() + expires_at.len() + 14);
    signed.push('{');
    signed.push_str(inner);
    if !inner.is_empty() {
        signed.push(',');
    }
    signed.push_str("\"expiresAt\":");
    signed.push_str(expires_at);
    signed.push('}');
    let tag = decode_signature::<TAG_LEN>(compact.signature).map_err(|_| ErrorKind::Malformed)?;
    if !key.verify(signed.as_bytes(), &tag) {
        return Err(ErrorKind::InvalidSignature);
    }
    let expires_at_ms: f64 = serde_json::from_str(expires_at).map_err(|_| ErrorKind::Malformed)?;
    session_data(parse_object(data.as_bytes())?, Some(expires_at_ms))
}

fn read_jwt(value: &str, key: &HmacKey) -> Result<CachedSession, ErrorKind> {
    let segments = Segments::split(value)?;
    let mut buffer = Vec::new();
    let header = JoseHeader::parse(decode_vec(segments.header, &mut buffer)?)?;
    if header.alg != Algorithm::Hs256 {
        // The JWT plugin's `sessionCookieCache` signs it with a JWKS key:
        // not supported here.
        return Err(ErrorKind::UnsupportedAlgorithm);
    }
    let tag = decode_signature::<TAG_LEN>(segments.signature)?;
    if !key.verify(segments.signing_input, &tag) {
        return Err(ErrorKind::InvalidSignature);
    }
    let mut payload = parse_object(decode_vec(segments.payload, &mut buffer)?)?;
    let exp = match payload.remove("exp") {
        Some(Value::Number(exp)) => exp.as_f64(),
        Some(_) => return Err(ErrorKind::InvalidClaim("exp")),
        None => None,
    };
    session_data(payload, exp.map(|exp| exp * 1000.0))
}

/// The session data all strategies share. No cache expiry at all
/// (`expires_at_ms` `None`) is an expired cache.
pub(crate) fn session_data(
    mut data: Map<String, Value>,
    expires_at_ms: Option<f64>,
) -> Result<CachedSession, ErrorKind> {
    let (Some(Value::Object(mut session)), Some(Value::Object(user))) =
        (data.remove("session"), data.remove("user"))
    else {
        // A payload without session data: some other JWT.
        return Err(ErrorKind::WrongCredentialKind);
    };
    let version = match data.remove("version") {
        None => None,
        Some(Value::String(version)) => Some(version),
        Some(_) => return Err(ErrorKind::Malformed),
    };
    let mut text = |name: &'static str| match session.remove(name) {
        Some(Value::String(value)) if !value.is_empty() => Ok(value),
        _ => Err(ErrorKind::Malformed),
    };
    let (id, user_id, token) = (text("id")?, text("userId")?, text("token")?);
    let expires_at = parse_date(&text("expiresAt")?)?;
    if user.get("id").and_then(Value::as_str) != Some(user_id.as_str()) {
        return Err(ErrorKind::Malformed);
    }
    Ok(CachedSession {
        token,
        expires_at_ms: expires_at_ms.unwrap_or(0.0),
        version,
        record: SessionRecord::new(id, user_id, expires_at)
            .user_fields(user)
            .session_fields(&session),
    })
}

/// Whether a verified JWT payload is Better Auth's session data (a `jwt`
/// cookie cache) rather than claims about a user.
pub(crate) fn is_session_data(payload: &[u8]) -> bool {
    parse_object(payload).is_ok_and(|claims| {
        claims.get("session").is_some_and(Value::is_object)
            && claims.get("user").is_some_and(Value::is_object)
    })
}

/// An ISO 8601 date as JavaScript's `Date.toJSON` writes it, in whole
/// seconds since the epoch (rounded down).
pub(crate) fn parse_date(text: &str) -> Result<i64, ErrorKind> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(OffsetDateTime::unix_timestamp)
        .map_err(|_| ErrorKind::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    const SECRET: &[u8] = b"better-auth-secret-0123456789abcdefghij";
    // Minted by better-auth 1.7.25 (`session.cookieCache`, secret SECRET).
    const COMPACT: &str = "eyJzZXNzaW9uIjp7InNlc3Npb24iOnsiZXhwaXJlc0F0IjoiMjAyNi0xMi0wOFQwNTo0NDo1MS43NjFaIiwidG9rZW4iOiJFNDlIb1RmZmd1YjFPa09xdFlsQ09HOVgzREV5ZDhkSCIsImNyZWF0ZWRBdCI6IjIwMjYtMTItMDFUMDU6NDQ6NTEuNzYxWiIsInVwZGF0ZWRBdCI6IjIwMjYtMTItMDFUMDU6NDQ6NTEuNzYxWiIsImlwQWRkcmVzcyI6IiIsInVzZXJBZ2VudCI6IiIsInVzZXJJZCI6Imh1Q3hkeU5LdjNrdHh6Y3haTFpXSzMydGtFcUtIRTJxIiwiaWQiOiJpT01ybm9yaTd4dGk2bDRXYmU4RzRDSDhGaW5TdlRTeSJ9LCJ1c2VyIjp7Im5hbWUiOiJBZGEgTG92ZWxhY2UiLCJlbWFpbCI6ImFkYUBleGFtcGxlLmNvbSIsImVtYWlsVmVyaWZpZWQiOmZhbHNlLCJjcmVhdGVkQXQiOiIyMDI2LTEyLTAxVDA1OjQ0OjUxLjc1N1oiLCJ1cGRhdGVkQXQiOiIyMDI2LTEyLTAxVDA1OjQ0OjUxLjc1N1oiLCJpZCI6Imh1Q3hkeU5LdjNrdHh6Y3haTFpXSzMydGtFcUtIRTJxIn0sInVwZGF0ZWRBdCI6MTc5NjEwMzg5MTc5NiwidmVyc2lvbiI6IjEifSwiZXhwaXJlc0F0IjoxNzk2MTA0MTkxNzk2LCJzaWduYXR1cmUiOiJkWGVySmZJU3l3T2ticWNmLS0xeThXbXpTOHAzYUxtWklZZk5jM1QtdVJVIn0";
    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzZXNzaW9uIjp7ImV4cGlyZXNBdCI6IjIwMjYtMTItMDhUMDU6NDQ6NTEuNzYxWiIsInRva2VuIjoiRTQ5SG9UZmZndWIxT2tPcXRZbENPRzlYM0RFeWQ4ZEgiLCJjcmVhdGVkQXQiOiIyMDI2LTEyLTAxVDA1OjQ0OjUxLjc2MVoiLCJ1cGRhdGVkQXQiOiIyMDI2LTEyLTAxVDA1OjQ0OjUxLjc2MVoiLCJpcEFkZHJlc3MiOiIiLCJ1c2VyQWdlbnQiOiIiLCJ1c2VySWQiOiJodUN4ZHlOS3Yza3R4emN4WkxaV0szMnRrRXFLSEUycSIsImlkIjoiaU9Ncm5vcmk3eHRpNmw0V2JlOEc0Q0g4RmluU3ZUU3kifSwidXNlciI6eyJuYW1lIjoiQWRhIExvdmVsYWNlIiwiZW1haWwiOiJhZGFAZXhhbXBsZS5jb20iLCJlbWFpbFZlcmlmaWVkIjpmYWxzZSwiY3JlYXRlZEF0IjoiMjAyNi0xMi0wMVQwNTo0NDo1MS43NTdaIiwidXBkYXRlZEF0IjoiMjAyNi0xMi0wMVQwNTo0NDo1MS43NTdaIiwiaWQiOiJodUN4ZHlOS3Yza3R4emN4WkxaV0szMnRrRXFLSEUycSJ9LCJ1cGRhdGVkQXQiOjE3OTYxMDM4OTE4MTMsInZlcnNpb24iOiIxIiwiaWF0IjoxNzk2MTAzODkxLCJleHAiOjE3OTYxMDQxOTF9.CHvwmWzwNjVMgWWrUScYX5WHWt21ACLUlMZM2go82hE";

    fn keys(secret: &[u8]) -> CacheKeys {
        CacheKeys {
            current: HmacKey::new(secret),
            #[cfg(feature = "session-jwe")]
            jwe: crate::session::jwe::JweKeys::derive([secret]),
        }
    }

    #[test]
    fn reads_better_auths_compact_and_jwt_caches() {
        for (strategy, value, expires_at_ms) in [
            (CookieCacheStrategy::Compact, COMPACT, 1_796_104_191_796.0),
            (CookieCacheStrategy::Jwt, JWT, 1_796_104_191_000.0),
        ] {
            let cached = read(strategy, value, &keys(SECRET)).unwrap();
            assert_eq!(cached.token, "E49HoTffgub1OkOqtYlCOG9X3DEyd8dH");
            assert_eq!(cached.expires_at_ms, expires_at_ms);
            assert_eq!(cached.version.as_deref(), Some("1"));
            assert_eq!(cached.record.user_id(), "huCxdyNKv3ktxzcxZLZWK32tkEqKHE2q");
            assert_eq!(
                cached.record.session_id(),
                "iOMrnori7xti6l4Wbe8G4CH8FinSvTSy"
            );
            // 2026-12-08T05:44:51.761Z
            assert_eq!(cached.record.expires_at_unix(), 1_796_708_691);
        }
    }

    #[test]
    fn another_secret_is_an_invalid_signature() {
        let other = keys(b"another-secret-0123456789abcdefghijkl");
        assert_eq!(
            read(CookieCacheStrategy::Compact, COMPACT, &other).unwrap_err(),
            ErrorKind::InvalidSignature
        );
        assert_eq!(
            read(CookieCacheStrategy::Jwt, JWT, &other).unwrap_err(),
            ErrorKind::InvalidSignature
        );
    }

    #[test]
    fn a_changed_compact_cache_is_refused() {
        let mut json = URL_SAFE_NO_PAD.decode(COMPACT).unwrap();
        let at = json.windows(3).position(|w| w == b"Ada").unwrap();
        json[at] = b'E';
        let changed = URL_SAFE_NO_PAD.encode(&json);
        assert_eq!(
            read(CookieCacheStrategy::Compact, &changed, &keys(SECRET)).unwrap_err(),
            ErrorKind::InvalidSignature
        );
        // Whitespace Better Auth never writes changes the signed bytes.
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(COMPACT).unwrap()).unwrap();
        let spaced = URL_SAFE_NO_PAD.encode(text.replacen("\"user\":", "\"user\": ", 1));
        assert_eq!(
            read(CookieCacheStrategy::Compact, &spaced, &keys(SECRET)).unwrap_err(),
            ErrorKind::InvalidSignature
        );
    }

    #[test]
    fn another_strategys_value_or_a_bearer_jwt_is_the_wrong_kind() {
        let k = keys(SECRET);
        assert_eq!(
            read(CookieCacheStrategy::Compact, JWT, &k).unwrap_err(),
            ErrorKind::WrongCredentialKind
        );
        assert_eq!(
            read(CookieCacheStrategy::Jwt, COMPACT, &k).unwrap_err(),
            ErrorKind::WrongCredentialKind
        );
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD.encode(br#"{"sub":"user-1","exp":1900000000}"#)
        );
        let tag = HmacKey::new(SECRET).tag(input.as_bytes());
        let bearer = format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag));
        assert_eq!(
            read(CookieCacheStrategy::Jwt, &bearer, &k).unwrap_err(),
            ErrorKind::WrongCredentialKind
        );
    }

    #[test]
    fn malformed_values_are_refused_without_panicking() {
        let k = keys(SECRET);
        for value in ["", "e30", "!!!", "eyJzZXNzaW9uIjp7fX0", "a.b.c", "...."] {
            for strategy in [
                CookieCacheStrategy::Compact,
                CookieCacheStrategy::Jwt,
                CookieCacheStrategy::Jwe,
            ] {
                assert!(read(strategy, value, &k).is_err(), "{strategy:?} {value:?}");
            }
        }
    }
}
