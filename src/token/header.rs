//! The JOSE header (RFC 7515 4), parsed once and strictly.
//!
//! Only what verification needs is kept: the algorithm and the key id.
//! Parameters that would make us trust keys named or carried by the token
//! itself (`jku`, `x5u`, `jwk`, `x5c`) and extensions we would have to
//! understand (`crit`) are refused outright.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};

use crate::error::ErrorKind;
use crate::token::strict_json::{MemberNames, Name, Scalar, StrictIgnore};

/// The signature algorithms a token header may name and this crate verifies.
///
/// A verifier accepts an algorithm only when it holds a key for it: HS256
/// with a shared secret, the others (feature `jwks`) with a key from a JWKS
/// whose own `alg` and key type are that algorithm's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Algorithm {
    Hs256,
    /// Ed25519 (RFC 8037), Better Auth's default.
    EdDsa,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// ECDSA on P-521 with SHA-512.
    Es512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PSS with SHA-256 and MGF1-SHA-256.
    Ps256,
}

impl Algorithm {
    /// The algorithm's JWA name (RFC 7518, RFC 8037).
    #[cfg(feature = "oauth")]
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
            Self::Es512 => "ES512",
            Self::Rs256 => "RS256",
            Self::Ps256 => "PS256",
        }
    }

    /// Matches the `alg` value exactly (case-sensitive, as RFC 7515 requires).
    /// `Ed25519` is RFC 9864's fully-specified name for what `EdDSA` means here.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        match name {
            "HS256" => Some(Self::Hs256),
            "EdDSA" | "Ed25519" => Some(Self::EdDsa),
            "ES256" => Some(Self::Es256),
            "ES512" => Some(Self::Es512),
            "RS256" => Some(Self::Rs256),
            "PS256" => Some(Self::Ps256),
            _ => None,
        }
    }
}

/// The `typ` Better Auth gives its session-cache JWT (the `session_data`
/// cookie signed with the JWT plugin's keys): never a bearer token.
pub(crate) const SESSION_CACHE_TYP: &str = "better-auth.session-cache+jwt";

/// The `typ` of an OAuth 2.0 JWT access token (RFC 9068 2.1).
pub(crate) const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// Whether `typ` is the media type `expected`. Media types are compared
/// without regard to case, with or without the `application/` prefix (RFC
/// 7515 4.1.9).
pub(crate) fn is_media_type(typ: &str, expected: &str) -> bool {
    let typ = match typ.get(..12) {
        Some(prefix) if prefix.eq_ignore_ascii_case("application/") => &typ[12..],
        _ => typ,
    };
    typ.eq_ignore_ascii_case(expected)
}

/// The header parameters verification uses, borrowed from the decoded header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JoseHeader<'a> {
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<Cow<'a, str>>,
    /// `typ` says `at+jwt`: an OAuth access token (RFC 9068), which only
    /// the access-token kind accepts (`crate::oauth`).
    pub(crate) access_token: bool,
}

impl<'a> JoseHeader<'a> {
    /// Parses decoded header bytes: a JSON object without duplicate names,
    /// with a string `alg` we support, an optional string `kid` and `typ`,
    /// and none of the refused parameters.
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Self, ErrorKind> {
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let raw = HeaderSeed
            .deserialize(&mut deserializer)
            .and_then(|raw| deserializer.end().map(|()| raw))
            .map_err(|_| ErrorKind::Malformed)?;
        if raw.refused {
            return Err(ErrorKind::UnsupportedHeader);
        }
        let alg = match raw.alg {
            Some(Scalar::Str(name)) => {
                Algorithm::from_name(&name).ok_or(ErrorKind::UnsupportedAlgorithm)?
            }
            Some(_) => return Err(ErrorKind::UnsupportedAlgorithm),
            None => return Err(ErrorKind::Malformed),
        };
        let kid = match raw.kid {
            None => None,
            Some(Scalar::Str(kid)) => Some(kid),
            Some(_) => return Err(ErrorKind::Malformed),
        };
        let access_token = match &raw.typ {
            None => false,
            Some(Scalar::Str(typ)) if is_media_type(typ, SESSION_CACHE_TYP) => {
                return Err(ErrorKind::SessionCacheToken);
            }
            Some(Scalar::Str(typ)) => is_media_type(typ, ACCESS_TOKEN_TYP),
            Some(_) => return Err(ErrorKind::Malformed),
        };
        Ok(Self {
            alg,
            kid,
            access_token,
        })
    }
}

/// The encoded headers most HS256 tokens carry (what jose, python-jose,
/// PyJWT and Better Auth write), each with its parse: a token whose header
/// segment is one of these skips decoding and parsing it. Each entry is
/// [`JoseHeader::parse`]'s own result, so both paths agree by construction.
#[derive(Debug, Clone, Default)]
pub(crate) struct KnownHeaders(Vec<(String, JoseHeader<'static>)>);

impl KnownHeaders {
    pub(crate) fn hs256() -> Self {
        let known = [
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"typ":"JWT","alg":"HS256"}"#,
            r#"{"alg":"HS256"}"#,
        ]
        .into_iter()
        .filter_map(|json| {
            let header = JoseHeader::parse(json.as_bytes()).ok()?;
            Some((URL_SAFE_NO_PAD.encode(json), header))
        })
        .collect();
        Self(known)
    }

    /// The parsed header when `segment` is one of the known encodings.
    pub(crate) fn get(&self, segment: &str) -> Option<&JoseHeader<'static>> {
        self.0
            .iter()
            .find(|(encoded, _)| encoded == segment)
            .map(|(_, header)| header)
    }
}

/// The header as read, before its values are checked.
#[derive(Default)]
struct RawHeader<'de> {
    alg: Option<Scalar<'de>>,
    kid: Option<Scalar<'de>>,
    typ: Option<Scalar<'de>>,
    refused: bool,
}

struct HeaderSeed;

impl<'de> DeserializeSeed<'de> for HeaderSeed {
    type Value = RawHeader<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<RawHeader<'de>, D::Error> {
        d.deserialize_map(HeaderVisitor)
    }
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = RawHeader<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawHeader<'de>, A::Error> {
        let mut raw = RawHeader::default();
        let mut names = MemberNames::default();
        while let Some(name) = map.next_key::<Name<'de>>()? {
            let slot = match name.as_str() {
                "alg" => Some(&mut raw.alg),
                "kid" => Some(&mut raw.kid),
                "typ" => Some(&mut raw.typ),
                "crit" | "jku" | "x5u" | "jwk" | "x5c" => {
                    raw.refused = true;
                    None
                }
                _ => None,
            };
            names.insert(name)?;
            match slot {
                Some(slot) => *slot = Some(map.next_value()?),
                None => map.next_value_seed(StrictIgnore)?,
            }
        }
        Ok(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_hs256_with_optional_kid_and_typ() {
        let h = JoseHeader::parse(br#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#).unwrap();
        assert_eq!(h.alg, Algorithm::Hs256);
        assert_eq!(h.kid.as_deref(), Some("k1"));
        assert!(
            JoseHeader::parse(br#"{"alg":"HS256"}"#)
                .unwrap()
                .kid
                .is_none()
        );
    }

    #[test]
    fn the_session_cache_type_is_refused_in_any_spelling() {
        for typ in [
            "better-auth.session-cache+jwt",
            "Better-Auth.Session-Cache+JWT",
            "application/better-auth.session-cache+jwt",
        ] {
            let json = format!(r#"{{"alg":"EdDSA","kid":"k","typ":"{typ}"}}"#);
            assert_eq!(
                JoseHeader::parse(json.as_bytes()).unwrap_err(),
                ErrorKind::SessionCacheToken,
                "{typ}"
            );
        }
        for typ in ["JWT", "at+jwt", "application/jwt", "better-auth"] {
            let json = format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#);
            assert!(JoseHeader::parse(json.as_bytes()).is_ok(), "{typ}");
        }
    }

    #[test]
    fn known_headers_are_the_parses_of_their_encodings() {
        let known = KnownHeaders::hs256();
        let segment = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
        let header = known
            .get(&segment)
            .expect("the common HS256 header is known");
        assert_eq!(
            (header.alg, header.kid.as_deref()),
            (Algorithm::Hs256, None)
        );
        assert!(
            known
                .get(&URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","kid":"k"}"#))
                .is_none()
        );
        assert!(known.get(&format!("{segment}=")).is_none());
    }

    #[test]
    fn names_each_supported_algorithm_exactly() {
        for (name, alg) in [
            ("HS256", Algorithm::Hs256),
            ("EdDSA", Algorithm::EdDsa),
            ("Ed25519", Algorithm::EdDsa),
            ("ES256", Algorithm::Es256),
            ("ES512", Algorithm::Es512),
            ("RS256", Algorithm::Rs256),
            ("PS256", Algorithm::Ps256),
        ] {
            assert_eq!(Algorithm::from_name(name), Some(alg), "{name}");
        }
    }

    #[test]
    fn refuses_other_algorithms_in_any_spelling() {
        for alg in [
            "none", "None", "NONE", "nOnE", "hs256", "HS384", "HS512", "RS384", "ES384", "eddsa",
            "",
        ] {
            let json = format!(r#"{{"alg":"{alg}"}}"#);
            assert_eq!(
                JoseHeader::parse(json.as_bytes()).unwrap_err(),
                ErrorKind::UnsupportedAlgorithm,
                "{alg}"
            );
        }
        assert_eq!(
            JoseHeader::parse(br#"{"alg":["HS256"]}"#).unwrap_err(),
            ErrorKind::UnsupportedAlgorithm
        );
    }

    #[test]
    fn refuses_key_urls_embedded_keys_and_crit() {
        for member in [
            r#""crit":["b64"]"#,
            r#""crit":[]"#,
            r#""jku":"https://evil.example/jwks""#,
            r#""x5u":"https://evil.example/cert""#,
            r#""jwk":{"kty":"oct","k":"AAAA"}"#,
            r#""x5c":["MIIB"]"#,
        ] {
            let json = format!(r#"{{"alg":"HS256",{member}}}"#);
            assert_eq!(
                JoseHeader::parse(json.as_bytes()).unwrap_err(),
                ErrorKind::UnsupportedHeader,
                "{member}"
            );
        }
    }

    #[test]
    fn refuses_duplicates_wrong_types_and_non_objects() {
        for json in [
            r#"{"alg":"HS256","alg":"none"}"#,
            r#"{"alg":"HS256","\u0061lg":"HS256"}"#,
            r#"{"alg":"HS256","kid":7}"#,
            r#"{"alg":"HS256","typ":1}"#,
            r#"{"typ":"JWT"}"#,
            r#"["HS256"]"#,
            r#"{"alg":"HS256"} x"#,
            r#"{"alg":"HS256",}"#,
        ] {
            assert_eq!(
                JoseHeader::parse(json.as_bytes()).unwrap_err(),
                ErrorKind::Malformed,
                "{json}"
            );
        }
    }
}
