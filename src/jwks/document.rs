//! JSON Web Key Sets (RFC 7517 5), as Better Auth's `/api/auth/jwks` serves
//! them (feature `jwks`): parsed once per load into keys bound to one
//! algorithm each, and the lookup that picks a token's key.

use std::fmt;

use crate::error::jwks::{JwksError, SkippedKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::error::ErrorKind;
use crate::keys::public::PublicKey;
use crate::token::header::Algorithm;
use crate::token::strict_json::{MemberNames, Name, StrictIgnore, StrictValue, is_duplicate};

/// The largest JWKS document accepted, in bytes; a larger one is refused whole.
pub const MAX_JWKS_LEN: usize = 64 * 1024;

/// The most usable keys kept from one JWKS; further ones are skipped.
pub const MAX_JWKS_KEYS: usize = 32;

/// One key as listed in a JWKS; members we do not use are ignored.
#[derive(Deserialize)]
struct Jwk {
    kty: Option<String>,
    crv: Option<String>,
    alg: Option<String>,
    kid: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    x: Option<String>,
    y: Option<String>,
    n: Option<String>,
    e: Option<String>,
    // Private or symmetric material: a public JWKS must carry none.
    d: Option<serde::de::IgnoredAny>,
    k: Option<serde::de::IgnoredAny>,
    p: Option<serde::de::IgnoredAny>,
    q: Option<serde::de::IgnoredAny>,
    dp: Option<serde::de::IgnoredAny>,
    dq: Option<serde::de::IgnoredAny>,
    qi: Option<serde::de::IgnoredAny>,
    oth: Option<serde::de::IgnoredAny>,
}

impl Jwk {
    /// Whether the JWK carries private or symmetric key material.
    fn is_private(&self) -> bool {
        [
            &self.d, &self.k, &self.p, &self.q, &self.dp, &self.dq, &self.qi, &self.oth,
        ]
        .iter()
        .any(|member| member.is_some())
    }

    /// The JWK's RFC 7638 thumbprint: the SHA-256 of its required members
    /// in lexicographic order, base64url without padding. Called on a key
    /// [`usable_key`] accepted, whose members are base64url.
    #[cfg(feature = "oauth")]
    fn thumbprint(&self) -> String {
        use sha2::Digest as _;
        let text = |value: &Option<String>| value.as_deref().unwrap_or_default().to_owned();
        let (kty, crv, x, y, n, e) = (
            text(&self.kty),
            text(&self.crv),
            text(&self.x),
            text(&self.y),
            text(&self.n),
            text(&self.e),
        );
        let canonical = match kty.as_str() {
            "EC" => format!(r#"{{"crv":"{crv}","kty":"EC","x":"{x}","y":"{y}"}}"#),
            "OKP" => format!(r#"{{"crv":"{crv}","kty":"OKP","x":"{x}"}}"#),
            _ => format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#),
        };
        URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(canonical.as_bytes()))
    }
}

/// The public key of a DPoP proof's `jwk` header for `alg` (RFC 9449 4.2),
/// and its RFC 7638 thumbprint. The JWK must name each member once, carry
/// no private material, and be a key `alg` uses.
#[cfg(feature = "oauth")]
pub(crate) fn proof_key(jwk: &str, alg: Algorithm) -> Result<(PublicKey, String), &'static str> {
    let mut reader = serde_json::Deserializer::from_str(jwk);
    let value = StrictValue
        .deserialize(&mut reader)
        .map_err(|_| "`jwk` names a member twice or is not JSON")?;
    let mut jwk = Jwk::deserialize(value).map_err(|_| "`jwk` is not a JWK object")?;
    if jwk.is_private() {
        return Err("`jwk` carries private key material");
    }
    // An RSA JWK need not say whether it is for RS256 or PS256: the proof's
    // `alg` does.
    jwk.alg.get_or_insert_with(|| alg.name().to_owned());
    let key = usable_key(&jwk)?;
    if key.alg() != alg {
        return Err("`jwk` is not a key for the proof's `alg`");
    }
    for member in [&jwk.x, &jwk.y, &jwk.n, &jwk.e, &jwk.crv] {
        if member.as_deref().is_some_and(|text| {
            !text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }) {
            return Err("`jwk` members must be base64url");
        }
    }
    Ok((key, jwk.thumbprint()))
}

/// The document, every member name checked once; each key is kept as its
/// text and read on its own, so one odd key cannot make the others unusable.
struct Document<'a> {
    keys: Vec<&'a RawValue>,
}

impl<'de> Deserialize<'de> for Document<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWKS object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document<'de>, A::Error> {
        let mut names = MemberNames::default();
        let mut keys = None;
        while let Some(name) = map.next_key::<Name<'de>>()? {
            let is_keys = name.as_str() == "keys";
            names.insert(name)?;
            if is_keys {
                keys = Some(map.next_value()?);
            } else {
                map.next_value_seed(StrictIgnore)?;
            }
        }
        let keys = keys.ok_or_else(|| de::Error::missing_field("keys"))?;
        Ok(Document { keys })
    }
}

/// The usable public keys of one JWKS.
#[derive(Clone, Default)]
pub(crate) struct JwkSet {
    keys: Vec<(Option<String>, PublicKey)>,
}

/// What one load of a JWKS gave: its usable keys, and those it skipped.
pub(crate) struct LoadedKeys {
    pub(crate) keys: JwkSet,
    pub(crate) skipped: Vec<SkippedKey>,
}

impl JwkSet {
    /// Parses a JWKS document, each key on its own: keys that cannot be
    /// used (another type or curve, such as Ed448, X25519 or P-384; an
    /// encryption key; RSA without `alg` or under 2048 bits; malformed
    /// material; a `kid` two keys share; more than [`MAX_JWKS_KEYS`]) are
    /// skipped and reported. Fails when the document is too large, not a
    /// JWKS, or names a member twice in any of its objects (keys included),
    /// or when no usable key is left.
    pub(crate) fn parse(json: &str) -> Result<LoadedKeys, JwksError> {
        if json.len() > MAX_JWKS_LEN {
            return Err(JwksError::TooLarge { max: MAX_JWKS_LEN });
        }
        let document: Document = serde_json::from_str(json).map_err(|error| {
            if is_duplicate(&error) {
                JwksError::DuplicateMember { key: None }
            } else {
                JwksError::NotAJwks
            }
        })?;
        let mut usable = Vec::new();
        let mut skipped = Vec::new();
        for (index, text) in document.keys.into_iter().enumerate() {
            let skip = |kid: Option<String>, reason| SkippedKey { index, kid, reason };
            // A key serde_json would read with the last of two `x` (or
            // `kty`, `kid`...) could mean another key to another reader:
            // the whole document is refused, not just this key.
            let mut reader = serde_json::Deserializer::from_str(text.get());
            let value = match StrictValue.deserialize(&mut reader) {
                Ok(value) => value,
                Err(error) if is_duplicate(&error) => {
                    return Err(JwksError::DuplicateMember { key: Some(index) });
                }
                Err(_) => {
                    skipped.push(skip(None, "a member name serde_json reserves"));
                    continue;
                }
            };
            let Ok(jwk) = Jwk::deserialize(value) else {
                skipped.push(skip(None, "not a JWK object with string members"));
                continue;
            };
            match usable_key(&jwk) {
                Ok(key) => usable.push((index, jwk.kid, key)),
                Err(reason) => skipped.push(skip(jwk.kid, reason)),
            }
        }
        // A `kid` two keys share could pick either: neither is trusted.
        let (mut set, mut kept) = (Self::default(), 0);
        for (position, (index, kid, key)) in usable.iter().enumerate() {
            let shared = kid.as_ref().is_some_and(|kid| {
                usable
                    .iter()
                    .enumerate()
                    .any(|(other, (_, id, _))| other != position && id.as_ref() == Some(kid))
            });
            let reason = if shared {
                "another key has the same kid"
            } else if kept == MAX_JWKS_KEYS {
                "more usable keys than the limit (MAX_JWKS_KEYS)"
            } else {
                kept += 1;
                set.keys.push((kid.clone(), key.clone()));
                continue;
            };
            skipped.push(SkippedKey {
                index: *index,
                kid: kid.clone(),
                reason,
            });
        }
        skipped.sort_by_key(|key| key.index);
        if set.keys.is_empty() {
            return Err(JwksError::NoUsableKeys { skipped });
        }
        Ok(LoadedKeys { keys: set, skipped })
    }

    /// How many keys were loaded.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|(id, _)| id.as_deref() == Some(kid))
    }

    /// The one key a token with `alg` and `kid` may be checked against.
    ///
    /// With a `kid`, that key, which must be of `alg`; without, the only key
    /// of `alg` (several make the `kid` necessary). So one token costs at
    /// most one signature check.
    pub(crate) fn select(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
    ) -> Result<&PublicKey, ErrorKind> {
        match kid {
            Some(kid) => {
                let (_, key) = self
                    .keys
                    .iter()
                    .find(|(id, _)| id.as_deref() == Some(kid))
                    .ok_or(ErrorKind::UnknownKey)?;
                if key.alg() == alg {
                    Ok(key)
                } else {
                    Err(ErrorKind::KeyMismatch)
                }
            }
            None => {
                let mut of_alg = self.keys.iter().filter(|(_, key)| key.alg() == alg);
                match (of_alg.next(), of_alg.next()) {
                    (Some((_, key)), None) => Ok(key),
                    _ => Err(ErrorKind::UnknownKey),
                }
            }
        }
    }

    /// Whether both sets hold the same keys under the same ids, in any order.
    pub(crate) fn same_as(&self, other: &Self) -> bool {
        let described = |set: &Self| {
            let mut keys: Vec<_> = set
                .keys
                .iter()
                .map(|(kid, key)| (kid.clone(), key.alg() as u8, key.fingerprint()))
                .collect();
            keys.sort();
            keys
        };
        described(self) == described(other)
    }
}

/// The key a JWK describes, or why it cannot be used.
fn usable_key(jwk: &Jwk) -> Result<PublicKey, &'static str> {
    if jwk.is_private() {
        return Err("a public JWKS must not carry private or symmetric key material");
    }
    if jwk.kid.as_deref() == Some("") {
        return Err("`kid` must not be empty");
    }
    if jwk.use_.as_deref().is_some_and(|use_| use_ != "sig") {
        return Err("not a signing key (`use` is not \"sig\")");
    }
    let alg = match jwk.alg.as_deref() {
        None => None,
        Some(name) => match Algorithm::from_name(name) {
            Some(Algorithm::Hs256) | None => return Err("`alg` is not a supported algorithm"),
            Some(alg) => Some(alg),
        },
    };
    let fits = |expected: Algorithm| match alg {
        None => Ok(expected),
        Some(alg) if alg == expected => Ok(expected),
        Some(_) => Err("`alg` does not match the key type"),
    };
    match (jwk.kty.as_deref(), jwk.crv.as_deref()) {
        (Some("OKP"), Some("Ed25519")) => {
            fits(Algorithm::EdDsa)?;
            PublicKey::ed25519(&member(&jwk.x, "`x` is missing or not base64url")?)
        }
        (Some("EC"), Some("P-256")) => {
            fits(Algorithm::Es256)?;
            let (x, y) = coordinates(jwk)?;
            PublicKey::p256(&x, &y)
        }
        (Some("EC"), Some("P-521")) => {
            fits(Algorithm::Es512)?;
            let (x, y) = coordinates(jwk)?;
            PublicKey::p521(&x, &y)
        }
        (Some("RSA"), _) => match alg {
            None => Err("RSA key without `alg`: RS256 and PS256 cannot be told apart"),
            Some(alg @ (Algorithm::Rs256 | Algorithm::Ps256)) => PublicKey::rsa(
                alg,
                &member(&jwk.n, "`n` is missing or not base64url")?,
                &member(&jwk.e, "`e` is missing or not base64url")?,
            ),
            Some(_) => Err("`alg` does not match the key type"),
        },
        (Some("OKP" | "EC"), _) => Err("unsupported curve (Ed25519, P-256 and P-521 are)"),
        (None, _) => Err("`kty` is missing"),
        _ => Err("unsupported key type (OKP, EC and RSA are)"),
    }
}

fn coordinates(jwk: &Jwk) -> Result<(Vec<u8>, Vec<u8>), &'static str> {
    Ok((
        member(&jwk.x, "`x` is missing or not base64url")?,
        member(&jwk.y, "`y` is missing or not base64url")?,
    ))
}

fn member(value: &Option<String>, problem: &'static str) -> Result<Vec<u8>, &'static str> {
    value
        .as_deref()
        .and_then(|text| URL_SAFE_NO_PAD.decode(text).ok())
        .ok_or(problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    fn okp(kid: &str, extra: &str) -> String {
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","kid":"{kid}"{extra}}}"#)
    }

    fn parse(keys: &[String]) -> Result<LoadedKeys, JwksError> {
        JwkSet::parse(&format!(r#"{{"keys":[{}]}}"#, keys.join(",")))
    }

    #[test]
    fn loads_an_ed25519_key_with_or_without_alg() {
        let set = parse(&[okp("a", r#","alg":"EdDSA""#), okp("b", "")])
            .unwrap()
            .keys;
        assert_eq!(set.len(), 2);
        assert!(set.select(Algorithm::EdDsa, Some("a")).is_ok());
        assert_eq!(
            set.select(Algorithm::Es256, Some("a")).err(),
            Some(ErrorKind::KeyMismatch)
        );
        assert_eq!(
            set.select(Algorithm::EdDsa, Some("zz")).err(),
            Some(ErrorKind::UnknownKey)
        );
        // Two EdDSA keys: a token must say which.
        assert_eq!(
            set.select(Algorithm::EdDsa, None).err(),
            Some(ErrorKind::UnknownKey)
        );
    }

    #[test]
    fn one_unusable_key_is_skipped_with_its_reason_and_the_others_load() {
        let unusable = [
            (okp("enc", r#","use":"enc""#), "signing"),
            (r#"{"kty":"oct","kid":"oct"}"#.to_owned(), "key type"),
            (
                r#"{"kty":"EC","crv":"P-384","kid":"p384","x":"AA","y":"AA"}"#.to_owned(),
                "curve",
            ),
            (
                r#"{"kty":"OKP","crv":"Ed448","alg":"EdDSA","kid":"ed448","x":"AA"}"#.to_owned(),
                "curve",
            ),
            (
                r#"{"kty":"RSA","kid":"rsa","n":"AA","e":"AQAB"}"#.to_owned(),
                "without `alg`",
            ),
            (okp("hs", r#","alg":"HS256""#), "supported algorithm"),
            (okp("p", r#","d":"AAAA""#), "private"),
            (okp("", ""), "kid"),
            (okp("r", r#","alg":"RS256""#), "alg"),
            (
                r#"{"kty":"OKP","crv":"Ed25519","kid":"short","x":"AA"}"#.to_owned(),
                "32",
            ),
            (
                r#"{"crv":"Ed25519","kid":"nokty","x":"AA"}"#.to_owned(),
                "kty",
            ),
            (r#"{"kty":"OKP","kid":7}"#.to_owned(), "JWK object"),
            ("1".to_owned(), "JWK object"),
        ];
        for (key, reason) in &unusable {
            let loaded = parse(&[key.clone(), okp("ok", "")]).unwrap();
            assert_eq!(loaded.keys.len(), 1, "{key}");
            assert!(loaded.keys.has_kid("ok"), "{key}");
            assert_eq!(loaded.skipped.len(), 1, "{key}");
            assert_eq!(loaded.skipped[0].index, 0, "{key}");
            assert!(
                loaded.skipped[0].reason.contains(reason),
                "{key}: {}",
                loaded.skipped[0].reason
            );
        }
        let all: Vec<String> = unusable.iter().map(|(key, _)| key.clone()).collect();
        match parse(&all) {
            Err(JwksError::NoUsableKeys { skipped }) => assert_eq!(skipped.len(), all.len()),
            other => panic!("{:?}", other.err()),
        }
    }

    #[test]
    fn keys_sharing_a_kid_are_both_skipped() {
        let loaded = parse(&[okp("a", ""), okp("a", ""), okp("b", "")]).unwrap();
        assert_eq!(loaded.keys.len(), 1);
        assert!(loaded.keys.has_kid("b"));
        let reasons: Vec<_> = loaded.skipped.iter().map(|k| k.index).collect();
        assert_eq!(reasons, [0, 1]);
    }

    #[test]
    fn the_key_cap_counts_usable_keys_only() {
        let mut keys: Vec<String> = (0..MAX_JWKS_KEYS)
            .map(|i| okp(&format!("k{i}"), ""))
            .collect();
        keys.insert(0, r#"{"kty":"OKP","crv":"X25519","x":"AA"}"#.to_owned());
        let loaded = parse(&keys).unwrap();
        assert_eq!(loaded.keys.len(), MAX_JWKS_KEYS);
        assert_eq!(loaded.skipped.len(), 1);
        keys.push(okp("one-too-many", ""));
        let loaded = parse(&keys).unwrap();
        assert_eq!(loaded.keys.len(), MAX_JWKS_KEYS);
        assert!(!loaded.keys.has_kid("one-too-many"));
        assert!(loaded.skipped.iter().any(|k| k.reason.contains("limit")));
    }

    #[test]
    fn refuses_documents_that_are_not_a_jwks_or_too_big() {
        for json in [
            "",
            "[]",
            r#"{"keys":{}}"#,
            r#"{"kid":"a"}"#,
            r#"{"keys":[],"#,
            r#"{"keys":[]} {}"#,
        ] {
            assert_eq!(
                JwkSet::parse(json).err(),
                Some(JwksError::NotAJwks),
                "{json}"
            );
        }
        let huge = format!(r#"{{"keys":[],"pad":"{}"}}"#, "a".repeat(MAX_JWKS_LEN));
        assert!(matches!(
            JwkSet::parse(&huge),
            Err(JwksError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_jwks_without_usable_keys_says_why_each_was_skipped() {
        let n = URL_SAFE_NO_PAD.encode([0xC5; 128]);
        let rsa_1024 = format!(r#"{{"kty":"RSA","kid":"old","alg":"RS256","n":"{n}","e":"AQAB"}}"#);
        let err = parse(&[rsa_1024]).err().unwrap();
        let text = err.to_string();
        assert!(text.contains(r#"kid Some("old")"#), "{text}");
        assert!(text.contains("2048"), "{text}");
    }

    #[test]
    fn a_valid_jwks_of_every_supported_key_type_still_loads() {
        // Better Auth's default key, a P-256 key as `jose` exports it, and an
        // RSA key, with the members issuers add (`use`, `key_ops`, `x5c`).
        let p256 = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"ec\",\"alg\":\"ES256\",\
                    \"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\
                    \"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\",\
                    \"use\":\"sig\",\"key_ops\":[\"verify\"]}";
        let n = URL_SAFE_NO_PAD.encode([0xC5; 256]);
        let rsa = format!(
            r#"{{"kty":"RSA","kid":"rsa","alg":"RS256","n":"{n}","e":"AQAB","x5c":["AA"]}}"#
        );
        let json = format!(
            r#"{{"keys":[{},{p256},{rsa}],"issuer":{{"name":"auth"}}}}"#,
            okp("ed", r#","alg":"EdDSA""#)
        );
        let loaded = JwkSet::parse(&json).unwrap();
        assert_eq!(loaded.keys.len(), 3, "{:?}", loaded.skipped);
        assert!(loaded.skipped.is_empty());
        for kid in ["ed", "ec", "rsa"] {
            assert!(loaded.keys.has_kid(kid), "{kid}");
        }
    }

    #[test]
    fn a_key_with_two_x_members_refuses_the_whole_document() {
        // serde_json alone keeps the last `x`, and another reader the first.
        let other_x = URL_SAFE_NO_PAD.encode([7; 32]);
        let twice = okp("a", &format!(r#","x":"{other_x}""#));
        assert_eq!(
            parse(&[okp("ok", ""), twice]).err(),
            Some(JwksError::DuplicateMember { key: Some(1) })
        );
    }

    #[test]
    fn a_key_with_two_kid_members_refuses_the_whole_document() {
        assert_eq!(
            parse(&[okp("a", r#","kid":"b""#), okp("ok", "")]).err(),
            Some(JwksError::DuplicateMember { key: Some(0) })
        );
    }

    #[test]
    fn any_member_named_twice_in_a_key_refuses_the_document() {
        let n = URL_SAFE_NO_PAD.encode([0xC5; 256]);
        let rsa = format!(r#"{{"kty":"RSA","kid":"r","alg":"RS256","n":"{n}","e":"AQAB"}}"#);
        for (key, repeated) in [
            (okp("k", r#","kty":"EC""#), "kty"),
            (okp("k", r#","crv":"Ed448""#), "crv"),
            (okp("k", r#","alg":"EdDSA","alg":"ES256""#), "alg"),
            (okp("k", r#","use":"sig","use":"enc""#), "use"),
            (okp("k", r#","d":"AA","d":"AA""#), "d"),
            // Names are compared unescaped: `\u0078` is `x`.
            (okp("k", r#","\u0078":"AA""#), "escaped x"),
            (rsa.replace(r#""e":"AQAB""#, r#""e":"AQAB","e":"Aw""#), "e"),
            (rsa.replace(r#""n":"#, r#""n":"AA","n":"#), "n"),
            (
                r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA","y":"AA"}"#.to_owned(),
                "y",
            ),
            (okp("k", r#","x5c":[{"a":1,"a":2}]"#), "nested"),
        ] {
            assert_eq!(
                parse(&[okp("ok", ""), key.clone()]).err(),
                Some(JwksError::DuplicateMember { key: Some(1) }),
                "{repeated}: {key}"
            );
        }
    }

    #[test]
    fn two_keys_members_at_the_top_level_refuse_the_document() {
        let ok = okp("ok", "");
        for json in [
            format!(r#"{{"keys":[{ok}],"keys":[]}}"#),
            format!(r#"{{"keys":[],"keys":[{ok}]}}"#),
            format!(r#"{{"keys":[{ok}],"pad":1,"pad":2}}"#),
            format!(r#"{{"keys":[{ok}],"meta":{{"a":1,"a":2}}}}"#),
        ] {
            assert_eq!(
                JwkSet::parse(&json).err(),
                Some(JwksError::DuplicateMember { key: None }),
                "{json}"
            );
        }
        let err = JwksError::DuplicateMember { key: None }.to_string();
        assert!(err.contains("twice"), "{err}");
        let err = JwksError::DuplicateMember { key: Some(3) }.to_string();
        assert!(err.contains("key #3"), "{err}");
    }

    #[test]
    fn compares_key_sets_by_content() {
        let a = parse(&[okp("a", ""), okp("b", "")]).unwrap().keys;
        let b = parse(&[okp("b", ""), okp("a", "")]).unwrap().keys;
        let c = parse(&[okp("a", "")]).unwrap().keys;
        assert!(a.same_as(&b));
        assert!(!a.same_as(&c));
    }
}
